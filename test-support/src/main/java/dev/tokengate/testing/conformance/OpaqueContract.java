package dev.tokengate.testing.conformance;

import dev.tokengate.config.ConfigKeys;
import dev.tokengate.introspection.IntrospectionValidator;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 7662 §2.2: what an introspection answer must say for its opaque token to be served. The shared deployment has
 * the JWT issuer {@link TestTokens#ISSUER} and the audience {@link TestTokens#AUDIENCE}, which are also what the
 * answers' {@code iss} and {@code aud} are checked against, and the default clock skew (60 s): the time checks below
 * keep a margin of 50 s or more on either side of it, so they never depend on how fast a test runs.
 */
public abstract class OpaqueContract extends ConformanceContract {

    private static final String INVALID_TOKEN = "error=\"invalid_token\"";

    /** An active answer for alice with {@code scope read}, expiring in an hour, plus {@code members} (",\"k\":v" pairs). */
    private static String active(String members) {
        return activeAt(Instant.now(), members);
    }

    private static String activeAt(Instant now, String members) {
        return "{\"active\":true,\"sub\":\"alice\",\"scope\":\"read\",\"exp\":" + now.plusSeconds(3600).getEpochSecond()
                + members + "}";
    }

    /** An active answer whose only time member is {@code claim}, {@code offset} from now. */
    private static String activeWith(String claim, Duration offset) {
        return "{\"active\":true,\"sub\":\"alice\",\"scope\":\"read\",\"" + claim + "\":"
                + Instant.now().plus(offset).getEpochSecond() + "}";
    }

    private RawHttp.Response read(URI base, String token) throws Exception {
        return RawHttp.get(base, GatedApp.READ, "Authorization: Bearer " + token);
    }

    // --- nbf, exp, iat with the clock skew ------------------------------------------------------------------------

    @Test
    void requestWhenExpPassedBeyondClockSkewThenInvalidToken() throws Exception {
        issuer.introspectionAnswer("opaque-exp-past", activeWith("exp", Duration.ofSeconds(-120)));

        RawHttp.Response r = read(base(), "opaque-exp-past");

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.challenge()).contains(INVALID_TOKEN, "error_description=\"The token expired at ");
    }

    @Test
    void requestWhenExpPassedWithinClockSkewThenServed() throws Exception {
        issuer.introspectionAnswer("opaque-exp-skew", activeWith("exp", Duration.ofSeconds(-10)));

        assertThat(read(base(), "opaque-exp-skew").status()).isEqualTo(200);
    }

    @Test
    void requestWhenNbfBeyondClockSkewThenInvalidToken() throws Exception {
        issuer.introspectionAnswer("opaque-nbf-future", activeWith("nbf", Duration.ofSeconds(120)));

        RawHttp.Response r = read(base(), "opaque-nbf-future");

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.challenge()).contains(INVALID_TOKEN, "error_description=\"The token is not valid before ");
    }

    @Test
    void requestWhenNbfWithinClockSkewThenServed() throws Exception {
        issuer.introspectionAnswer("opaque-nbf-skew", activeWith("nbf", Duration.ofSeconds(10)));

        assertThat(read(base(), "opaque-nbf-skew").status()).isEqualTo(200);
    }

    @Test
    void requestWhenIatBeyondClockSkewThenInvalidToken() throws Exception {
        issuer.introspectionAnswer("opaque-iat-future", activeWith("iat", Duration.ofSeconds(120)));

        RawHttp.Response r = read(base(), "opaque-iat-future");

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.challenge()).contains(INVALID_TOKEN, "error_description=\"The token was issued in the future");
    }

    @Test
    void requestWhenClockSkewKeyIsZeroThenExpJustPassedIsInvalidToken() throws Exception {
        URI strict = deploy(Map.of(ConfigKeys.INTROSPECTION_CLOCK_SKEW, "0s"));
        issuer.introspectionAnswer("opaque-exp-noskew", activeWith("exp", Duration.ofSeconds(-10)));

        RawHttp.Response r = read(strict, "opaque-exp-noskew");

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.challenge()).contains(INVALID_TOKEN);
    }

    // --- iss and aud, when the answer carries them ----------------------------------------------------------------

    @Test
    void requestWhenAnswerNamesAnotherAudienceThenInvalidTokenWithoutEchoingIt() throws Exception {
        issuer.introspectionAnswer("opaque-aud-other", active(",\"aud\":\"https://payments.example.com\""));

        RawHttp.Response r = read(base(), "opaque-aud-other");

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.challenge()).contains(INVALID_TOKEN,
                "error_description=\"The token's audience is not accepted by this API\"");
        assertThat(r.challenge() + r.body()).doesNotContain("payments.example.com");
    }

    @Test
    void requestWhenAnswerAudiencesIncludeTheApisThenServed() throws Exception {
        issuer.introspectionAnswer("opaque-aud-ours",
                active(",\"aud\":[\"https://payments.example.com\",\"" + TestTokens.AUDIENCE + "\"]"));

        assertThat(read(base(), "opaque-aud-ours").status()).isEqualTo(200);
    }

    @Test
    void requestWhenAnswerNamesAnUntrustedIssuerThenInvalidTokenWithoutEchoingIt() throws Exception {
        issuer.introspectionAnswer("opaque-iss-other", active(",\"iss\":\"https://evil.example.net\""));

        RawHttp.Response r = read(base(), "opaque-iss-other");

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.challenge()).contains(INVALID_TOKEN,
                "error_description=\"The token's issuer is not accepted by this API\"");
        assertThat(r.challenge() + r.body()).doesNotContain("evil.example.net");
    }

    @Test
    void requestWhenAnswerNamesTheTrustedIssuerAndAudienceThenServed() throws Exception {
        issuer.introspectionAnswer("opaque-iss-ours",
                active(",\"iss\":\"" + TestTokens.ISSUER + "\",\"aud\":\"" + TestTokens.AUDIENCE + "\""));

        assertThat(read(base(), "opaque-iss-ours").status()).isEqualTo(200);
    }

    @Test
    void requestWhenAnswerCarriesNeitherIssNorAudThenServed() throws Exception {
        issuer.introspectionAnswer("opaque-no-iss-aud", active(""));

        RawHttp.Response r = read(base(), "opaque-no-iss-aud");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("subject=alice");
    }

    // --- refresh tokens -------------------------------------------------------------------------------------------

    @Test
    void requestWhenTokenTypeIsRefreshTokenThenInvalidToken() throws Exception {
        issuer.introspectionAnswer("opaque-refresh", active(",\"token_type\":\"refresh_token\""));

        RawHttp.Response r = read(base(), "opaque-refresh");

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.challenge()).contains(INVALID_TOKEN, "refresh token");
    }

    @Test
    void requestWhenKeycloakTypIsRefreshThenInvalidToken() throws Exception {
        issuer.introspectionAnswer("opaque-kc-refresh", active(",\"typ\":\"Refresh\""));

        RawHttp.Response r = read(base(), "opaque-kc-refresh");

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.challenge()).contains(INVALID_TOKEN, "refresh token");
    }

    // --- the cache ------------------------------------------------------------------------------------------------

    /** A deployment whose gate and introspection cache read {@code time}, with the default cache settings. */
    private URI deployWith(FakeTime time, Duration cacheTtl) throws Exception {
        IntrospectionValidator.Builder introspecting = IntrospectionValidator.builder(issuer.introspectionUri())
                .clientId(CLIENT_ID).clientSecret(CLIENT_SECRET).ticker(time);
        if (cacheTtl != null) {
            introspecting.cacheTtl(cacheTtl);
        }
        return deploy(gate(Map.of()).clock(time).introspection(introspecting));
    }

    @Test
    void requestWhenRevokedAtTheAuthorizationServerThenRefusedWithin30Seconds() throws Exception {
        FakeTime time = new FakeTime(Instant.now());
        URI base = deployWith(time, null);
        String token = "opaque-revoked";
        issuer.introspectionAnswer(token, activeAt(time.instant(), ""));
        assertThat(read(base, token).status()).isEqualTo(200);
        issuer.introspectionAnswer(token, "{\"active\":false}");

        time.advance(Duration.ofSeconds(29));
        assertThat(read(base, token).status()).isEqualTo(200);
        assertThat(issuer.introspections(token)).isEqualTo(1);

        time.advance(Duration.ofSeconds(1));
        RawHttp.Response r = read(base, token);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.challenge()).contains(INVALID_TOKEN, "not active");
        assertThat(issuer.introspections(token)).isEqualTo(2);
    }

    @Test
    void requestWhenAnswerHasNoExpThenAskedAgainAfter30SecondsWhateverTheCacheTtl() throws Exception {
        FakeTime time = new FakeTime(Instant.now());
        URI base = deployWith(time, Duration.ofMinutes(10));
        String token = "opaque-no-exp";
        issuer.introspectionAnswer(token, "{\"active\":true,\"sub\":\"alice\",\"scope\":\"read\"}");
        assertThat(read(base, token).status()).isEqualTo(200);

        time.advance(Duration.ofSeconds(29));
        assertThat(read(base, token).status()).isEqualTo(200);
        assertThat(issuer.introspections(token)).isEqualTo(1);

        time.advance(Duration.ofSeconds(1));
        assertThat(read(base, token).status()).isEqualTo(200);
        assertThat(issuer.introspections(token)).isEqualTo(2);
    }

    /**
     * A client (or a proxy reusing its connections for many clients) sends a token, then on the same connection the
     * same string with one letter's case changed: a token the authorization server does not know, which must be
     * introspected and refused, never answered from what the first request left behind.
     */
    @Test
    void requestWhenCaseVariantOfCachedTokenOnSameConnectionThenIntrospectedAndInvalidToken() throws Exception {
        String token = "caseOpaque-7fQ2xLm";
        String variant = "caseopaque-7fQ2xLm";
        issuer.introspectionAnswer(token, active(""));

        try (RawHttp.Connection connection = RawHttp.connect(base())) {
            assertThat(connection.get(GatedApp.READ, "Authorization: Bearer " + token).status()).isEqualTo(200);
            assertThat(connection.get(GatedApp.READ, "Authorization: Bearer " + token).status()).isEqualTo(200);
            RawHttp.Response r = connection.get(GatedApp.READ, "Authorization: Bearer " + variant);

            assertThat(r.status()).isEqualTo(401);
            assertThat(r.challenge()).contains(INVALID_TOKEN);
        }
        assertThat(issuer.introspections(token)).isEqualTo(1);
        assertThat(issuer.introspections(variant)).isEqualTo(1);
    }

    @Test
    void requestWhenCaseVariantOfCachedTokenOnNewConnectionThenIntrospectedAndInvalidToken() throws Exception {
        String token = "caseOpaque-9kW4pTz";
        String variant = "caseOpaque-9kw4pTz";
        issuer.introspectionAnswer(token, active(""));
        assertThat(read(base(), token).status()).isEqualTo(200);
        assertThat(read(base(), token).status()).isEqualTo(200);

        RawHttp.Response r = read(base(), variant);

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.challenge()).contains(INVALID_TOKEN);
        assertThat(issuer.introspections(token)).isEqualTo(1);
        assertThat(issuer.introspections(variant)).isEqualTo(1);
    }
}
