package dev.tokengate.introspection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokengate.InvalidTokenException;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.VerifiedToken;
import dev.tokengate.testing.LogCapture;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The introspection client against a real third-party authorization server: NAV's mock-oauth2-server, started
 * in-process on loopback, issuing tokens and answering RFC 7662 introspection at {@code /{issuerId}/introspect}.
 */
class MockOAuth2ServerIntrospectionTest {

    private static final String ISSUER_ID = "default";
    private static final String AUDIENCE = "orders-api";

    private static MockOAuth2Server authorizationServer;

    @BeforeAll
    static void start() {
        authorizationServer = new MockOAuth2Server();
        authorizationServer.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterAll
    static void stop() {
        authorizationServer.shutdown();
    }

    private static URI introspectionUri(String issuerId) {
        return authorizationServer.url(issuerId + "/introspect").uri();
    }

    private static String issuer(String issuerId) {
        return authorizationServer.issuerUrl(issuerId).toString();
    }

    private static String issueToken(String issuerId, long lifetimeSeconds) {
        return authorizationServer.issueToken(issuerId, "trading-app", new DefaultOAuth2TokenCallback(issuerId,
                "alice", "JWT", List.of(AUDIENCE), Map.of("scope", "read trade", "client_id", "trading-app"),
                lifetimeSeconds)).serialize();
    }

    private static IntrospectionValidator.Builder validator() {
        return IntrospectionValidator.builder(introspectionUri(ISSUER_ID))
                .clientId("orders-api")
                .clientSecret("orders-api-secret");
    }

    @Test
    void validateWhenIssuedByTheServerThenActiveAndMapped() {
        String token = issueToken(ISSUER_ID, 300);

        VerifiedToken verified = validator().issuer(issuer(ISSUER_ID)).audiences(AUDIENCE).build().validate(token);

        assertThat(verified.kind()).isEqualTo(VerifiedToken.Kind.INTROSPECTED);
        assertThat(verified.subject()).contains("alice");
        assertThat(verified.clientId()).contains("trading-app");
        assertThat(verified.issuer()).contains(issuer(ISSUER_ID));
        assertThat(verified.audiences()).containsExactly(AUDIENCE);
        assertThat(verified.scopes()).containsExactly("read", "trade");
        assertThat(verified.tokenId()).isPresent();
        assertThat(verified.issuedAt()).isPresent();
        assertThat(verified.expiresAt()).hasValueSatisfying(exp -> assertThat(exp)
                .isBetween(Instant.now().plusSeconds(240), Instant.now().plusSeconds(360)));
    }

    @Test
    void validateWhenSeenAgainThenServedFromCache() {
        String token = issueToken(ISSUER_ID, 300);
        IntrospectionValidator validator = validator().build();

        VerifiedToken first = validator.validate(token);

        assertThat(validator.validate(token)).isSameAs(first);
    }

    @Test
    void validateWhenIssuedByAnotherIssuerThenInactive() {
        String token = issueToken("other-issuer", 300);

        assertThatThrownBy(() -> validator().build().validate(token))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.claim()).contains("active"));
    }

    @Test
    void validateWhenNotATokenOfTheServerThenInactive() {
        assertThatThrownBy(() -> validator().build().validate("not-a-token-of-this-server"))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.claim()).contains("active"));
    }

    @Test
    void validateWhenOurClockIsPastExpThenInvalidEvenThoughServerSaysActive() {
        String token = issueToken(ISSUER_ID, 300);
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10));

        assertThatThrownBy(() -> validator().clock(later).build().validate(token))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.claim()).contains("exp"));
    }

    @Test
    void validateWhenAudienceNotOursThenInvalidToken() {
        String token = issueToken(ISSUER_ID, 300);

        assertThatThrownBy(() -> validator().audiences("payments-api").build().validate(token))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.claim()).contains("aud"));
    }

    @Test
    void validateWhenIssuerNotOursThenInvalidToken() {
        String token = issueToken(ISSUER_ID, 300);

        assertThatThrownBy(() -> validator().issuer("https://as.example.com").build().validate(token))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.claim()).contains("iss"));
    }

    @Test
    void validateWhenServerRefusesClientSecretPostThenUpstreamUnavailableNeverInvalidToken() {
        // mock-oauth2-server accepts only an Authorization header at its introspection endpoint.
        String token = issueToken(ISSUER_ID, 300);

        try (LogCapture logs = LogCapture.start()) {
            assertThatThrownBy(() -> validator().authMethod(AuthMethod.CLIENT_SECRET_POST).build().validate(token))
                    .isInstanceOfSatisfying(UpstreamUnavailableException.class, e -> {
                        assertThat(e.getMessage()).contains("answered HTTP");
                        assertThat(e.getMessage()).doesNotContain(token);
                    });
            assertThat(logs.lines()).noneMatch(line -> line.contains(token));
        }
    }

    @Test
    void validateWhenWrongPathThenUpstreamUnavailable() {
        String token = issueToken(ISSUER_ID, 300);

        assertThatThrownBy(() -> IntrospectionValidator.builder(authorizationServer.url("default/no-such-endpoint").uri())
                .clientId("orders-api").clientSecret("s").build().validate(token))
                .isInstanceOf(UpstreamUnavailableException.class);
    }
}
