package dev.tokengate.introspection;

import dev.tokengate.testing.FakeTime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tokengate.ConfigurationException;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.TokenGateException;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.VerifiedToken;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.LogCapture;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IntrospectionValidatorTest {

    private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");
    private static final String TOKEN = "opaque-2YotnFZFEjr1zCsicMWpAA";
    private static final String CLIENT_ID = "orders-api";
    private static final String CLIENT_SECRET = "p@ss:word";

    private final LoopbackIssuer server = LoopbackIssuer.start().clientAuthentication(false);
    private final FakeTime time = new FakeTime(NOW);

    @AfterEach
    void stop() {
        server.close();
    }

    private IntrospectionValidator.Builder validator() {
        return IntrospectionValidator.builder(server.introspectionUri())
                .clientId(CLIENT_ID)
                .clientSecret(CLIENT_SECRET)
                .clock(time)
                .ticker(time);
    }

    /** An active answer expiring {@code lifetime} after NOW, with every member tokengate maps. */
    private static String active(Duration lifetime) {
        return "{\"active\":true,\"scope\":\"read trade\",\"client_id\":\"trading-app\",\"sub\":\"alice\","
                + "\"username\":\"alice@example.com\",\"token_type\":\"Bearer\",\"iss\":\"https://as.example.com\","
                + "\"aud\":[\"https://api.example.com\",\"https://other.example.com\"],"
                + "\"exp\":" + NOW.plus(lifetime).getEpochSecond() + ",\"iat\":" + NOW.minusSeconds(60).getEpochSecond()
                + ",\"jti\":\"jti-1\"}";
    }

    /** {@link #active(Duration)} (ten minutes) with this member set (replaced if it has one), its JSON value as given. */
    private static String withMember(String name, Object jsonValue) {
        String answer = active(Duration.ofMinutes(10)).replaceAll(",\"" + name + "\":(\"[^\"]*\"|[0-9]+)", "");
        return answer.substring(0, answer.length() - 1) + ",\"" + name + "\":" + jsonValue + "}";
    }

    // --- the answer -----------------------------------------------------------------------------------------------

    @Test
    void validateWhenActiveThenEveryMemberMappedIntoVerifiedToken() {
        server.introspectionAnswer(active(Duration.ofMinutes(10)));

        VerifiedToken token = validator().build().validate(TOKEN);

        assertThat(token.kind()).isEqualTo(VerifiedToken.Kind.INTROSPECTED);
        assertThat(token.subject()).contains("alice");
        assertThat(token.clientId()).contains("trading-app");
        assertThat(token.issuer()).contains("https://as.example.com");
        assertThat(token.audiences()).containsExactly("https://api.example.com", "https://other.example.com");
        assertThat(token.scopes()).containsExactly("read", "trade");
        assertThat(token.expiresAt()).contains(NOW.plus(Duration.ofMinutes(10)));
        assertThat(token.issuedAt()).contains(NOW.minusSeconds(60));
        assertThat(token.tokenId()).contains("jti-1");
        assertThat(token.claim("username")).contains("alice@example.com");
        assertThat(token.claim("token_type")).contains("Bearer");
    }

    /** Found by IntrospectionAnswerFuzzTest: "sub":"" made a principal named "" instead of a token naming nobody. */
    @Test
    void validateWhenSubjectEmptyAndNoClientThenInvalidToken() {
        server.introspectionAnswer("{\"active\":true,\"sub\":\"\",\"username\":\"\",\"client_id\":\"\"}");

        assertThatThrownBy(() -> validator().build().validate(TOKEN))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.claim()).contains("sub"));
    }

    @Test
    void validateWhenSubjectEmptyThenUsernameIsTheSubject() {
        server.introspectionAnswer("{\"active\":true,\"sub\":\"\",\"username\":\"bob\"}");

        assertThat(validator().build().validate(TOKEN).subject()).contains("bob");
    }

    @Test
    void validateWhenNoSubThenUsernameIsTheSubject() {
        server.introspectionAnswer("{\"active\":true,\"username\":\"bob\"}");

        VerifiedToken token = validator().build().validate(TOKEN);

        assertThat(token.subject()).contains("bob");
        assertThat(token.expiresAt()).isEmpty();
    }

    @Test
    void validateWhenOnlyClientIdThenClientCredentialsToken() {
        server.introspectionAnswer("{\"active\":true,\"client_id\":\"batch-job\",\"scope\":\"\"}");

        VerifiedToken token = validator().build().validate(TOKEN);

        assertThat(token.subject()).isEmpty();
        assertThat(token.getName()).isEqualTo("batch-job");
        assertThat(token.scopes()).isEmpty();
    }

    @Test
    void validateWhenInactiveThenInvalidToken() {
        server.introspectionAnswer("{\"active\":false}");

        assertThatThrownBy(() -> validator().build().validate(TOKEN))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("The token is not active");
                    assertThat(e.claim()).contains("active");
                });
    }

    @Test
    void validateWhenExpPassedBeyondClockSkewThenInvalidTokenEvenIfActive() {
        server.introspectionAnswer(active(Duration.ofSeconds(-61)));

        assertThatThrownBy(() -> validator().build().validate(TOKEN))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.claim()).contains("exp"));
    }

    @Test
    void validateWhenExpPassedWithinClockSkewThenVerified() {
        server.introspectionAnswer(active(Duration.ofSeconds(-59)));

        assertThat(validator().build().validate(TOKEN).subject()).contains("alice");
    }

    @Test
    void validateWhenExpIsNowAndNoClockSkewThenInvalidToken() {
        server.introspectionAnswer(active(Duration.ZERO));

        assertThatThrownBy(() -> validator().leeway(Duration.ZERO).build().validate(TOKEN))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void validateWhenNbfBeyondClockSkewThenInvalidToken() {
        server.introspectionAnswer(withMember("nbf", NOW.plusSeconds(61).getEpochSecond()));

        assertThatThrownBy(() -> validator().build().validate(TOKEN))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> {
                    assertThat(e.claim()).contains("nbf");
                    assertThat(e.getMessage()).isEqualTo("The token is not valid before " + NOW.plusSeconds(61));
                });
    }

    @Test
    void validateWhenNbfWithinClockSkewThenVerified() {
        server.introspectionAnswer(withMember("nbf", NOW.plusSeconds(60).getEpochSecond()));

        assertThat(validator().build().validate(TOKEN).subject()).contains("alice");
    }

    @Test
    void validateWhenIatBeyondClockSkewThenInvalidToken() {
        server.introspectionAnswer(withMember("iat", NOW.plusSeconds(61).getEpochSecond()));

        assertThatThrownBy(() -> validator().build().validate(TOKEN))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.claim()).contains("iat"));
    }

    @Test
    void validateWhenIatWithinClockSkewThenVerified() {
        server.introspectionAnswer(withMember("iat", NOW.plusSeconds(60).getEpochSecond()));

        assertThat(validator().build().validate(TOKEN).subject()).contains("alice");
    }

    @Test
    void validateWhenClockSkewSetThenItIsTheLeeway() {
        server.introspectionAnswer(withMember("nbf", NOW.plusSeconds(10).getEpochSecond()));

        assertThatThrownBy(() -> validator().leeway(Duration.ofSeconds(5)).build().validate(TOKEN))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.claim()).contains("nbf"));
        assertThat(validator().leeway(Duration.ofSeconds(10)).build().validate(TOKEN).subject()).contains("alice");
    }

    @Test
    void builderWhenClockSkewOutOfRangeThenConfigurationException() {
        assertConfigurationError(() -> validator().leeway(Duration.ofSeconds(-1)), "leeway");
        assertConfigurationError(() -> validator().leeway(Duration.ofMinutes(11)), "leeway");
    }

    // --- refresh tokens -------------------------------------------------------------------------------------------

    @Test
    void validateWhenTokenTypeRefreshTokenThenInvalidToken() {
        server.introspectionAnswer(withMember("token_type", "\"refresh_token\""));

        assertThatThrownBy(() -> validator().build().validate(TOKEN))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> {
                    assertThat(e.claim()).contains("token_type");
                    assertThat(e.getMessage()).isEqualTo(
                            "The token is a refresh token, not an access token; send an access token");
                });
    }

    @Test
    void validateWhenKeycloakTypRefreshOrOfflineThenInvalidToken() {
        for (String typ : new String[] {"Refresh", "refresh", "Offline"}) {
            server.introspectionAnswer(withMember("typ", "\"" + typ + "\""));

            assertThatThrownBy(() -> validator().build().validate(TOKEN)).as(typ)
                    .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.claim()).contains("token_type"));
        }
    }

    @Test
    void validateWhenKeycloakTypBearerThenVerified() {
        server.introspectionAnswer(withMember("typ", "\"Bearer\""));

        assertThat(validator().build().validate(TOKEN).subject()).contains("alice");
    }

    @Test
    void validateWhenActiveButNamesNobodyThenInvalidToken() {
        server.introspectionAnswer("{\"active\":true,\"scope\":\"read\"}");

        assertThatThrownBy(() -> validator().build().validate(TOKEN)).isInstanceOf(InvalidTokenException.class);
    }

    // --- iss and aud ----------------------------------------------------------------------------------------------

    @Test
    void validateWhenIssuerConfiguredAndMatchesThenVerified() {
        server.introspectionAnswer(active(Duration.ofMinutes(10)));

        assertThat(validator().issuer("https://as.example.com").build().validate(TOKEN).subject()).contains("alice");
    }

    @Test
    void validateWhenIssuerConfiguredAndDiffersThenInvalidTokenWithoutEchoingIt() {
        server.introspectionAnswer(active(Duration.ofMinutes(10)));

        assertThatThrownBy(() -> validator().issuer("https://other-as.example.com").build().validate(TOKEN))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> {
                    assertThat(e.claim()).contains("iss");
                    assertThat(e.getMessage()).isEqualTo("The token's issuer is not accepted by this API");
                });
    }

    @Test
    void validateWhenOneOfSeveralIssuersThenVerified() {
        server.introspectionAnswer(active(Duration.ofMinutes(10)));

        assertThat(validator().issuers(List.of("https://login.example.com", "https://as.example.com")).build()
                .validate(TOKEN).subject()).contains("alice");
    }

    @Test
    void validateWhenIssuerConfiguredAndAnswerHasNoIssThenVerified() {
        server.introspectionAnswer("{\"active\":true,\"sub\":\"alice\"}");

        assertThat(validator().issuer("https://as.example.com").build().validate(TOKEN).subject()).contains("alice");
    }

    @Test
    void validateWhenAudienceConfiguredAndOneMatchesThenVerified() {
        server.introspectionAnswer(active(Duration.ofMinutes(10)));

        assertThat(validator().audiences("https://other.example.com").build().validate(TOKEN).subject())
                .contains("alice");
    }

    @Test
    void validateWhenAudienceConfiguredAndNoneMatchesThenInvalidToken() {
        server.introspectionAnswer(active(Duration.ofMinutes(10)));

        assertThatThrownBy(() -> validator().audiences("https://payments.example.com").build().validate(TOKEN))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> {
                    assertThat(e.claim()).contains("aud");
                    assertThat(e.getMessage()).isEqualTo("The token's audience is not accepted by this API");
                });
    }

    @Test
    void validateWhenAudienceConfiguredAndAnswerHasNoAudThenVerified() {
        server.introspectionAnswer("{\"active\":true,\"sub\":\"alice\"}");

        assertThat(validator().audiences("https://api.example.com").build().validate(TOKEN).subject()).contains("alice");
    }

    // --- upstream failures: 503, never cached ---------------------------------------------------------------------

    @Test
    void validateWhenActiveMissingThenUpstreamUnavailable() {
        server.introspectionAnswer("{\"sub\":\"alice\"}");

        assertUpstreamUnavailable("answered without the required boolean 'active'");
    }

    @Test
    void validateWhenActiveIsStringTrueThenUpstreamUnavailable() {
        server.introspectionAnswer("{\"active\":\"true\",\"sub\":\"alice\"}");

        assertUpstreamUnavailable("answered 'active' as a JSON string, not a boolean");
    }

    @Test
    void validateWhenActiveIsNumberOneThenUpstreamUnavailable() {
        server.introspectionAnswer("{\"active\":1,\"sub\":\"alice\"}");

        assertUpstreamUnavailable("'active' as a JSON number");
    }

    @Test
    void validateWhenHtmlThenUpstreamUnavailable() {
        server.introspectionAnswer(200, "text/html", "<html><body>Please log in</body></html>");

        assertUpstreamUnavailable("answered HTTP 200 with a body that is not JSON (Content-Type \"text/html\")");
    }

    @Test
    void validateWhenInvalidJsonThenUpstreamUnavailable() {
        server.introspectionAnswer(200, "application/json", "{\"active\":true,");

        assertUpstreamUnavailable("not JSON");
    }

    @Test
    void validateWhenJsonArrayThenUpstreamUnavailable() {
        server.introspectionAnswer("[{\"active\":true}]");

        assertUpstreamUnavailable("JSON that is not an object");
    }

    @Test
    void validateWhenEmptyBodyThenUpstreamUnavailable() {
        server.introspectionAnswer(200, "application/json", "");

        assertUpstreamUnavailable("an empty body");
    }

    @Test
    void validateWhenServerErrorThenUpstreamUnavailable() {
        server.introspectionAnswer(503, "application/json", "{\"error\":\"temporarily_unavailable\"}");

        assertUpstreamUnavailable("answered HTTP 503");
    }

    @Test
    void validateWhenClientCredentialsRefusedThenUpstreamUnavailableNamingTheSettings() {
        server.introspectionAnswer(401, "application/json", "{\"error\":\"invalid_client\"}");

        assertUpstreamUnavailable("answered HTTP 401 (the endpoint refused this API's client credentials");
    }

    @Test
    void validateWhenRedirectedThenUpstreamUnavailableAndNotFollowed() {
        server.introspectionAnswer(302, "text/html", "");

        assertUpstreamUnavailable("answered HTTP 302 (redirects are not followed");
    }

    @Test
    void validateWhenEndpointRedirectsElsewhereThenNotFollowedAndUpstreamUnavailable() {
        try (LoopbackIssuer elsewhere = LoopbackIssuer.start().clientAuthentication(false).introspectionAnswer(active(Duration.ofMinutes(10)))) {
            server.introspectionRedirect(307, elsewhere.introspectionUri());

            assertUpstreamUnavailable("answered HTTP 307 (redirects are not followed");
            assertThat(elsewhere.introspections()).as("neither the token nor the credentials went elsewhere").isZero();
        }
    }

    @Test
    void validateWhenActiveDuplicatedThenUpstreamUnavailable() {
        server.introspectionAnswer("{\"active\":false,\"sub\":\"alice\",\"active\":true}");

        assertUpstreamUnavailable("not JSON");
    }

    @Test
    void validateWhenSlowerThanTimeoutThenUpstreamUnavailable() {
        server.introspectionAnswer(active(Duration.ofMinutes(10))).delay(Duration.ofSeconds(2));

        assertThatThrownBy(() -> validator().timeout(Duration.ofMillis(200)).build().validate(TOKEN))
                .isInstanceOfSatisfying(UpstreamUnavailableException.class,
                        e -> assertThat(e.getMessage()).contains("timed out after 200 ms"));
    }

    @Test
    void validateWhenConnectionClosedWithoutAnswerThenUpstreamUnavailable() {
        server.down();

        assertUpstreamUnavailable("POST " + server.introspectionUri());
    }

    @Test
    void validateWhenNothingListensThenUpstreamUnavailable() {
        URI closed = server.introspectionUri();
        server.close();

        assertThatThrownBy(() -> IntrospectionValidator.builder(closed).clientId(CLIENT_ID).clientSecret(CLIENT_SECRET)
                .build().validate(TOKEN))
                .isInstanceOfSatisfying(UpstreamUnavailableException.class,
                        e -> assertThat(e.upstream()).contains(closed));
    }

    @Test
    void validateWhenAnswerLargerThanCapThenUpstreamUnavailable() {
        server.introspectionAnswer("{\"active\":true,\"sub\":\"alice\",\"padding\":\"" + "x".repeat(2000) + "\"}");

        assertThatThrownBy(() -> validator().maxResponseBytes(1024).build().validate(TOKEN))
                .isInstanceOfSatisfying(UpstreamUnavailableException.class,
                        e -> assertThat(e.getMessage()).contains("larger than 1024 bytes"));
    }

    @Test
    void validateWhenExpIsAStringThenUpstreamUnavailable() {
        server.introspectionAnswer("{\"active\":true,\"sub\":\"alice\",\"exp\":\"tomorrow\"}");

        assertUpstreamUnavailable("answered a malformed 'exp'");
    }

    /** Found by IntrospectionAnswerFuzzTest: 1E805 is an infinite double, whose decimal value threw NumberFormatException. */
    @Test
    void validateWhenNumericDateOverflowsADoubleThenUpstreamUnavailable() {
        server.introspectionAnswer("{\"active\":true,\"sub\":\"alice\",\"iat\":1E805}");

        assertUpstreamUnavailable("answered a malformed 'iat'");
    }

    @Test
    void validateWhenUpstreamFailedThenFailureNotCachedAndNextCallAsksAgain() {
        IntrospectionValidator validator = validator().build();
        server.introspectionAnswer(500, "text/plain", "boom");
        assertThatThrownBy(() -> validator.validate(TOKEN)).isInstanceOf(UpstreamUnavailableException.class);

        server.introspectionAnswer(active(Duration.ofMinutes(10)));
        assertThat(validator.validate(TOKEN).subject()).contains("alice");
        assertThat(server.introspections()).isEqualTo(2);
    }

    @Test
    void validateWhenActiveIsStringTrueThenNeverCachedNeverAccepted() {
        IntrospectionValidator validator = validator().negativeCacheTtl(Duration.ofSeconds(30)).build();
        server.introspectionAnswer("{\"active\":\"true\",\"sub\":\"alice\"}");

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> validator.validate(TOKEN)).isInstanceOf(UpstreamUnavailableException.class);
        }
        assertThat(server.introspections()).isEqualTo(3);
    }

    private void assertUpstreamUnavailable(String messagePart) {
        assertThatThrownBy(() -> validator().build().validate(TOKEN))
                .isInstanceOfSatisfying(UpstreamUnavailableException.class, e -> {
                    assertThat(e.getMessage()).contains(messagePart);
                    assertThat(e.upstream()).contains(server.introspectionUri());
                });
    }

    // --- the request ----------------------------------------------------------------------------------------------

    @Test
    void validateWhenClientSecretBasicThenCredentialsInAuthorizationHeaderOnly() {
        server.introspectionAnswer(active(Duration.ofMinutes(10)));

        validator().build().validate(TOKEN);

        LoopbackIssuer.Request request = server.lastRequest();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.contentType()).startsWith("application/x-www-form-urlencoded");
        // RFC 6749 §2.3.1: both parts form-urlencoded before Base64, so the ':' in the secret is unambiguous.
        String expected = Base64.getEncoder().encodeToString("orders-api:p%40ss%3Aword".getBytes(StandardCharsets.UTF_8));
        assertThat(request.authorization()).contains("Basic " + expected);
        assertThat(request.form()).containsExactly(Map.entry("token", TOKEN), Map.entry("token_type_hint", "access_token"));
    }

    @Test
    void validateWhenClientSecretPostThenCredentialsInFormAndNoAuthorizationHeader() {
        server.introspectionAnswer(active(Duration.ofMinutes(10)));

        validator().authMethod(AuthMethod.CLIENT_SECRET_POST).build().validate(TOKEN);

        LoopbackIssuer.Request request = server.lastRequest();
        assertThat(request.authorization()).isEmpty();
        assertThat(request.form()).containsEntry("token", TOKEN)
                .containsEntry("token_type_hint", "access_token")
                .containsEntry("client_id", CLIENT_ID)
                .containsEntry("client_secret", CLIENT_SECRET);
    }

    @Test
    void validateWhenTokenTypeHintSetThenSent() {
        server.introspectionAnswer(active(Duration.ofMinutes(10)));

        validator().tokenTypeHint("refresh_token").build().validate(TOKEN);

        assertThat(server.lastRequest().form()).containsEntry("token_type_hint", "refresh_token");
    }

    @Test
    void validateWhenClientSecretFromEnvThenThatSecretSent() {
        server.introspectionAnswer(active(Duration.ofMinutes(10)));

        IntrospectionValidator.builder(server.introspectionUri()).clientId(CLIENT_ID)
                .clientSecretFromEnv("INTROSPECTION_SECRET")
                .environment(Map.of("INTROSPECTION_SECRET", "from-env")::get)
                .authMethod(AuthMethod.CLIENT_SECRET_POST)
                .clock(time)
                .build().validate(TOKEN);

        assertThat(server.lastRequest().form()).containsEntry("client_secret", "from-env");
    }

    // --- the cache ------------------------------------------------------------------------------------------------

    @Test
    void validateWhenDefaultCacheTtlThenRevocationSeenWithin30Seconds() {
        server.introspectionAnswer(active(Duration.ofHours(1)));
        IntrospectionValidator validator = validator().build();
        validator.validate(TOKEN);
        server.introspectionAnswer("{\"active\":false}"); // revoked at the authorization server

        time.advance(Duration.ofSeconds(29));
        validator.validate(TOKEN);
        assertThat(server.introspections()).isEqualTo(1);

        time.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> validator.validate(TOKEN))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.claim()).contains("active"));
        assertThat(server.introspections()).isEqualTo(2);
    }

    @Test
    void validateWhenAnswerHasNoExpThenCachedAtMost30SecondsWhateverTheCacheTtl() {
        server.introspectionAnswer("{\"active\":true,\"sub\":\"alice\"}");
        IntrospectionValidator validator = validator().cacheTtl(Duration.ofMinutes(10)).build();
        validator.validate(TOKEN);

        time.advance(Duration.ofSeconds(29));
        validator.validate(TOKEN);
        assertThat(server.introspections()).isEqualTo(1);

        time.advance(Duration.ofSeconds(1));
        validator.validate(TOKEN);
        assertThat(server.introspections()).isEqualTo(2);
    }

    @Test
    void validateWhenCaseOfOneLetterDiffersThenNotTheCachedAnswer() {
        server.introspectionAnswer(TOKEN, active(Duration.ofMinutes(10)));
        String variant = TOKEN.replace('Y', 'y');
        IntrospectionValidator validator = validator().build();
        validator.validate(TOKEN);

        assertThatThrownBy(() -> validator.validate(variant)).isInstanceOf(InvalidTokenException.class);
        assertThat(server.introspections(TOKEN)).isEqualTo(1);
        assertThat(server.introspections(variant)).isEqualTo(1);
    }

    @Test
    void validateWhenSeenAgainThenOneIntrospectionCall() {
        server.introspectionAnswer(active(Duration.ofMinutes(10)));
        IntrospectionValidator validator = validator().build();

        VerifiedToken first = validator.validate(TOKEN);
        VerifiedToken second = validator.validate(TOKEN);

        assertThat(second).isSameAs(first);
        assertThat(server.introspections()).isEqualTo(1);
    }

    @Test
    void validateWhenCachedThenNeverServedPastExp() {
        server.introspectionAnswer(active(Duration.ofSeconds(30)));
        IntrospectionValidator validator = validator().cacheTtl(Duration.ofMinutes(5)).leeway(Duration.ZERO).build();
        validator.validate(TOKEN);

        time.advance(Duration.ofSeconds(29));
        validator.validate(TOKEN);
        assertThat(server.introspections()).isEqualTo(1);

        time.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> validator.validate(TOKEN))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.claim()).contains("exp"));
        assertThat(server.introspections()).isEqualTo(2);
    }

    @Test
    void validateWhenWallClockPassesExpBeforeTickerThenNotServedFromCache() {
        server.introspectionAnswer(active(Duration.ofSeconds(30)));
        IntrospectionValidator validator = validator().cacheTtl(Duration.ofMinutes(5)).leeway(Duration.ZERO).build();
        validator.validate(TOKEN);

        time.advanceClockOnly(Duration.ofSeconds(30));

        assertThatThrownBy(() -> validator.validate(TOKEN)).isInstanceOf(InvalidTokenException.class);
        assertThat(server.introspections()).isEqualTo(2);
    }

    @Test
    void validateWhenCacheTtlShorterThanExpThenAskedAgainAfterCacheTtl() {
        server.introspectionAnswer(active(Duration.ofHours(1)));
        IntrospectionValidator validator = validator().cacheTtl(Duration.ofSeconds(60)).build();
        validator.validate(TOKEN);

        time.advance(Duration.ofSeconds(59));
        validator.validate(TOKEN);
        assertThat(server.introspections()).isEqualTo(1);
        time.advance(Duration.ofSeconds(1));
        validator.validate(TOKEN);
        assertThat(server.introspections()).isEqualTo(2);
    }

    @Test
    void validateWhenCacheTtlZeroThenEveryUseIntrospected() {
        server.introspectionAnswer(active(Duration.ofMinutes(10)));
        IntrospectionValidator validator = validator().cacheTtl(Duration.ZERO).build();

        validator.validate(TOKEN);
        validator.validate(TOKEN);

        assertThat(server.introspections()).isEqualTo(2);
    }

    @Test
    void validateWhenInactiveAndNegativeCacheOffThenAskedEveryTime() {
        server.introspectionAnswer("{\"active\":false}");
        IntrospectionValidator validator = validator().build();

        assertThatThrownBy(() -> validator.validate(TOKEN)).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> validator.validate(TOKEN)).isInstanceOf(InvalidTokenException.class);

        assertThat(server.introspections()).isEqualTo(2);
    }

    @Test
    void validateWhenInactiveAndNegativeCacheTtlThenRememberedOnlyThatLong() {
        server.introspectionAnswer("{\"active\":false}");
        IntrospectionValidator validator = validator().negativeCacheTtl(Duration.ofSeconds(10)).build();

        assertThatThrownBy(() -> validator.validate(TOKEN)).isInstanceOf(InvalidTokenException.class);
        time.advance(Duration.ofSeconds(9));
        assertThatThrownBy(() -> validator.validate(TOKEN)).isInstanceOf(InvalidTokenException.class);
        assertThat(server.introspections()).isEqualTo(1);

        time.advance(Duration.ofSeconds(1));
        server.introspectionAnswer(active(Duration.ofMinutes(10)));
        assertThat(validator.validate(TOKEN).subject()).contains("alice");
        assertThat(server.introspections()).isEqualTo(2);
    }

    @Test
    void validateWhenHundredConcurrentFirstUsesThenExactlyOneIntrospectionCall() throws Exception {
        server.introspectionAnswer(active(Duration.ofMinutes(10))).delay(Duration.ofMillis(500));
        IntrospectionValidator validator = validator().build();

        List<Future<VerifiedToken>> results = concurrently(100, () -> validator.validate(TOKEN));

        VerifiedToken first = results.get(0).get(30, TimeUnit.SECONDS);
        for (Future<VerifiedToken> result : results) {
            assertThat(result.get(30, TimeUnit.SECONDS)).isSameAs(first);
        }
        System.out.println("single flight, 100 concurrent requests for 1 token: " + server.introspections()
                + " introspection call(s)");
        assertThat(server.introspections()).isEqualTo(1);
    }

    @Test
    void validateWhenHundredConcurrentRequestsForTenTokensThenOneCallPerToken() throws Exception {
        server.introspectionAnswer(active(Duration.ofMinutes(10))).delay(Duration.ofMillis(500));
        IntrospectionValidator validator = validator().build();

        List<Future<VerifiedToken>> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(100);
        CountDownLatch gate = new CountDownLatch(1);
        try {
            for (int i = 0; i < 100; i++) {
                String token = TOKEN + "-" + (i % 10);
                results.add(pool.submit(() -> {
                    gate.await();
                    return validator.validate(token);
                }));
            }
            gate.countDown();
            for (Future<VerifiedToken> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS).subject()).contains("alice");
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("single flight, 100 concurrent requests for 10 tokens: " + server.introspections()
                + " introspection call(s)");
        assertThat(server.introspections()).isEqualTo(10);
        for (int i = 0; i < 10; i++) {
            assertThat(server.introspections(TOKEN + "-" + i)).isEqualTo(1);
        }
    }

    @Test
    void validateWhenHundredConcurrentFirstUsesAndUpstreamFailsThenOneCallAndEveryCallerGets503() throws Exception {
        server.introspectionAnswer(503, "text/plain", "maintenance").delay(Duration.ofMillis(500));
        IntrospectionValidator validator = validator().build();

        List<Future<VerifiedToken>> results = concurrently(100, () -> validator.validate(TOKEN));

        for (Future<VerifiedToken> result : results) {
            assertThatThrownBy(() -> result.get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(UpstreamUnavailableException.class);
        }
        System.out.println("single flight, 100 concurrent requests for 1 token, endpoint failing: " + server.introspections()
                + " introspection call(s)");
        assertThat(server.introspections()).isEqualTo(1);

        server.introspectionAnswer(active(Duration.ofMinutes(10))).delay(Duration.ZERO);
        assertThat(validator.validate(TOKEN).subject()).contains("alice");
        assertThat(server.introspections()).isEqualTo(2);
    }

    /** Runs {@code callers} calls at once, released together, and waits for them all. */
    private static <T> List<Future<T>> concurrently(int callers, Callable<T> call) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch ready = new CountDownLatch(callers);
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<T>> results = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            results.add(pool.submit(() -> {
                ready.countDown();
                gate.await();
                return call.call();
            }));
        }
        assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
        gate.countDown();
        pool.shutdown();
        return results;
    }

    // --- the token stays secret -----------------------------------------------------------------------------------

    @Test
    void validateWhenAnyOutcomeThenRawTokenInNoLogLineAndNoMessage() {
        List<String> messages = new ArrayList<>();
        try (LogCapture logs = LogCapture.start()) {
            String[] answers = {
                "{\"active\":false}",
                "{\"active\":\"true\"}",
                active(Duration.ofSeconds(-5)),
                "<html>" + TOKEN + "</html>",
                active(Duration.ofMinutes(10)),
            };
            for (String answer : answers) {
                server.introspectionAnswer(200, answer.startsWith("<") ? "text/html" : "application/json", answer);
                try {
                    validator().issuer("https://wrong.example.com").build().validate(TOKEN);
                } catch (TokenGateException e) {
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        messages.add(String.valueOf(t.getMessage()));
                    }
                }
            }
            server.introspectionAnswer(503, "text/plain", TOKEN);
            try {
                validator().build().validate(TOKEN);
            } catch (UpstreamUnavailableException e) {
                messages.add(e.getMessage());
            }
            server.down();
            try {
                validator().build().validate(TOKEN);
            } catch (UpstreamUnavailableException e) {
                messages.add(e.getMessage());
            }

            assertThat(messages).hasSize(7);
            assertThat(messages).noneMatch(m -> m.contains(TOKEN));
            assertThat(logs.lines()).isNotEmpty();
            assertThat(logs.lines()).noneMatch(line -> line.contains(TOKEN));
            assertThat(logs.lines()).noneMatch(line -> line.contains(CLIENT_SECRET));
        }
    }

    @Test
    void toStringWhenBuiltThenShowsStackOrderAndNoSecret() {
        String described = validator().negativeCacheTtl(Duration.ofSeconds(5)).build().toString();

        assertThat(described).startsWith("IntrospectionValidator[CachingTokenValidator[maxTimeToLive=PT30S, singleFlight,"
                + " negativeTimeToLive=PT5S, delegate=IntrospectionClient[" + server.introspectionUri());
        assertThat(described).doesNotContain(CLIENT_SECRET);
    }

    // --- the builder ----------------------------------------------------------------------------------------------

    @Test
    void builderWhenUriRelativeThenConfigurationException() {
        assertConfigurationError(() -> IntrospectionValidator.builder(URI.create("/introspect")), "uri");
        assertConfigurationError(() -> IntrospectionValidator.builder(URI.create("ftp://as.example.com/i")), "uri");
        assertConfigurationError(() -> IntrospectionValidator.builder(null), "uri");
    }

    @Test
    void buildWhenClientIdMissingThenConfigurationException() {
        assertConfigurationError(() -> IntrospectionValidator.builder(server.introspectionUri()).clientSecret("s").build(), "clientId");
    }

    @Test
    void buildWhenClientSecretMissingThenConfigurationException() {
        assertConfigurationError(() -> IntrospectionValidator.builder(server.introspectionUri()).clientId("c").build(), "clientSecret");
    }

    @Test
    void buildWhenClientSecretAndFromEnvThenConfigurationException() {
        assertConfigurationError(() -> validator().clientSecretFromEnv("X").environment(v -> "s").build(),
                "clientSecretFromEnv");
    }

    @Test
    void buildWhenSecretVariableUnsetThenConfigurationException() {
        assertConfigurationError(() -> IntrospectionValidator.builder(server.introspectionUri()).clientId("c")
                .clientSecretFromEnv("UNSET_VARIABLE").environment(v -> null).build(), "clientSecretFromEnv");
    }

    @Test
    void buildWhenNegativeCacheTtlLongerThanCacheTtlThenConfigurationException() {
        assertConfigurationError(() -> validator().cacheTtl(Duration.ofSeconds(10))
                .negativeCacheTtl(Duration.ofSeconds(11)).build(), "negativeCacheTtl");
        assertConfigurationError(() -> validator().cacheTtl(Duration.ZERO)
                .negativeCacheTtl(Duration.ofSeconds(1)).build(), "negativeCacheTtl");
    }

    @Test
    void settersWhenBadValueThenConfigurationExceptionNamingTheSetting() {
        assertConfigurationError(() -> validator().timeout(Duration.ZERO), "timeout");
        assertConfigurationError(() -> validator().cacheTtl(Duration.ofSeconds(-1)), "cacheTtl");
        assertConfigurationError(() -> validator().negativeCacheTtl(Duration.ofSeconds(-1)), "negativeCacheTtl");
        assertConfigurationError(() -> validator().clientId(" "), "clientId");
        assertConfigurationError(() -> validator().maxResponseBytes(0), "maxResponseBytes");
        assertConfigurationError(() -> validator().cacheMaximumSize(0), "cacheMaximumSize");
        assertConfigurationError(() -> validator().authMethod(null), "authMethod");
    }

    @Test
    void authMethodFromParameterValueWhenRegisteredNameThenMethod() {
        assertThat(AuthMethod.fromParameterValue("client_secret_basic")).isEqualTo(AuthMethod.CLIENT_SECRET_BASIC);
        assertThat(AuthMethod.fromParameterValue(" Client_Secret_Post ")).isEqualTo(AuthMethod.CLIENT_SECRET_POST);
        assertConfigurationError(() -> AuthMethod.fromParameterValue("private_key_jwt"), "authMethod");
    }

    private static void assertConfigurationError(Runnable action, String key) {
        assertThatThrownBy(action::run)
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo(key));
    }

}
