package dev.tokengate.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testkit.SigningKey;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.testkit.TokenBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Forged and unacceptable tokens sent over HTTP to the real filter, whose validators are built from init-params
 * and whose keys (RSA-2048 "rsa-1" and EC P-256 "ec-256") come from a {@link LoopbackIssuer}: each is a 401
 * {@code invalid_token} (never a 503, never the application), with a matching call-log line, and no token sent
 * appears in any log line. The API requires {@code typ: at+jwt}.
 */
class AttackTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LoopbackIssuer idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa(), TestKeys.ec256()));
    /** Serves the attacker's key; no request must ever reach it. */
    private final LoopbackIssuer attacker = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.untrustedRsa()));
    private GatedApp app;

    @BeforeEach
    void start() throws Exception {
        Map<String, String> settings = GatedApp.settings(idp);
        settings.put(ConfigKeys.JWT_TYPE, "at+jwt");
        app = GatedApp.start(settings);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            app.assertNoTokenLogged();
            app.close();
        } finally {
            idp.close();
            attacker.close();
        }
    }

    /** Sends the token; asserts a 401 {@code invalid_token} and its call-log line, whose reason contains {@code why}. */
    private void assertInvalidToken(String token, String why) throws Exception {
        HttpResponse<String> r = app.get("/api/accounts/1", token);

        assertThat(r.statusCode()).as(why).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                assertThat(v).startsWith("Bearer realm=\"api\", error=\"invalid_token\""));
        assertThat(r.headers().firstValue("X-Legacy")).as("the application was not called").isEmpty();
        assertThat(JSON.readTree(r.body()).path("error").asText()).isEqualTo("invalid_token");
        JsonNode call = app.nextCall();
        assertThat(call.path("status").asInt()).isEqualTo(401);
        assertThat(call.path("decision").asText()).isEqualTo("deny");
        assertThat(call.path("error").asText()).isEqualTo("invalid_token");
        assertThat(call.has("subject")).as("no subject for a rejected token").isFalse();
        assertThat(call.path("token_fingerprint").asText()).isNotBlank();
        assertThat(call.path("reason").asText()).containsIgnoringCase(why);
    }

    @Test
    void requestWhenAlgNoneInAnyCasingThenInvalidToken() throws Exception {
        for (String none : List.of("none", "None", "NONE", "nOnE")) {
            assertInvalidToken(TestTokens.forgedAlgNone(none), "alg none");
        }
    }

    @Test
    void requestWhenHs256SignedWithTheRsaPublicKeyThenInvalidToken() throws Exception {
        assertInvalidToken(TestTokens.forgedHs256WithRsaPublicKey(TestKeys.rsa()), "algorithm (alg) is not accepted");
        assertInvalidToken(TestTokens.forgedHs256WithRsaPublicKeyPem(TestKeys.rsa()), "algorithm (alg) is not accepted");
    }

    @Test
    void requestWhenJweThenInvalidToken() throws Exception {
        assertInvalidToken(TestTokens.forgedJwe(), "encrypted");
    }

    @Test
    void requestWhenEs256SignatureAllZeroThenInvalidToken() throws Exception {
        // CVE-2022-21449: r = s = 0 verified as valid on unpatched JDKs 15-18
        assertInvalidToken(TestTokens.forgedEs256ZeroSignature(), "signature");
        assertInvalidToken(TestTokens.forgedEs256ZeroSignatureDer(), "signature");
    }

    @Test
    void requestWhenHeaderNamesAttackerKeysThenInvalidTokenAndAttackerNeverContacted() throws Exception {
        String attackerJwks = attacker.jwksUri().toString();
        String attackerCertificate = attacker.baseUri() + "/cert.pem";

        assertInvalidToken(attackerSigned().header("jku", attackerJwks).sign(), "signature");
        assertInvalidToken(attackerSigned().header("x5u", attackerCertificate).sign(), "signature");
        assertInvalidToken(attackerSigned().header("jwk", TestKeys.jwk(TestKeys.untrustedRsa(), true)).sign(), "signature");
        assertInvalidToken(TestTokens.forgedWithX5c(), "signature");
        // with the attacker's own kid, unknown to the issuer: the issuer's JWKS is refetched, never the jku
        assertInvalidToken(TestTokens.jwt().signedWith(TestKeys.untrustedRsa()).header("jku", attackerJwks).sign(), "no key");

        assertThat(attacker.jwksRequests()).isZero();
        assertThat(attacker.requests("/cert.pem")).isZero();
    }

    @Test
    void requestWhenTokenRespeltWithPaddingOrStrayBitsThenInvalidTokenLikeAnyMalformedJwt() throws Exception {
        // Each variant is correctly signed over its own characters and decodes, leniently, to the valid token's
        // header, claims and signature: only its spelling differs, so it would be a second cache key and fingerprint.
        TokenBuilder valid = TestTokens.jwtWithUnalignedParts();
        List<String> parts = valid.encodedParts();
        String token = valid.signEncoded(parts.get(0), parts.get(1));
        String signature = token.substring(token.lastIndexOf('.') + 1);
        String signingInput = token.substring(0, token.lastIndexOf('.') + 1);
        String notJson = "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln";
        HttpResponse<String> malformed = app.get("/api/accounts/1", notJson);
        assertThat(app.nextCall().path("reason").asText()).isEqualTo("The token is not a JWT");

        assertThat(app.get("/api/accounts/1", token).statusCode()).as("the canonical spelling").isEqualTo(200);
        app.nextCall();
        for (String respelt : List.of(
                valid.signEncoded(TestTokens.withStrayBits(parts.get(0)), parts.get(1)),
                valid.signEncoded(parts.get(0), TestTokens.withStrayBits(parts.get(1))),
                signingInput + TestTokens.withStrayBits(signature),
                signingInput + TestTokens.padded(signature))) {
            HttpResponse<String> r = app.get("/api/accounts/1", respelt);

            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).isEqualTo(malformed.headers().firstValue("WWW-Authenticate"));
            assertThat(JSON.readTree(r.body()).path("error").asText()).isEqualTo("invalid_token");
            assertThat(JSON.readTree(r.body()).path("detail")).isEqualTo(JSON.readTree(malformed.body()).path("detail"));
            assertThat(r.headers().firstValue("X-Legacy")).as("the application was not called").isEmpty();
            JsonNode call = app.nextCall();
            assertThat(call.path("error").asText()).isEqualTo("invalid_token");
            assertThat(call.path("reason").asText()).isEqualTo("The token is not a JWT");
        }
    }

    /** Signed with the attacker's key under the trusted kid "rsa-1". */
    private static TokenBuilder attackerSigned() {
        return TestTokens.jwt().signedWith(TestKeys.untrustedRsa()).keyId(TestKeys.rsa().keyId());
    }

    @Test
    void requestWhenExpiredThenInvalidToken() throws Exception {
        assertInvalidToken(TestTokens.jwt().expiresAt(Instant.now().minus(Duration.ofMinutes(10))).sign(), "expired");
    }

    @Test
    void requestWhenNotYetValidThenInvalidToken() throws Exception {
        assertInvalidToken(TestTokens.jwt().notBefore(Instant.now().plus(Duration.ofMinutes(3))).sign(), "not valid before");
    }

    @Test
    void requestWhenIssuerUntrustedThenInvalidTokenWithoutJwksFetch() throws Exception {
        assertInvalidToken(TestTokens.jwt().issuer("https://evil.example.com").sign(), "issuer is not accepted");

        assertThat(idp.jwksRequests()).isZero();
    }

    @Test
    void requestWhenAudienceIsAnotherApiThenInvalidToken() throws Exception {
        assertInvalidToken(TestTokens.jwt().audience("https://other-api.example.com").sign(), "audience");
    }

    @Test
    void requestWhenExpiryMissingThenInvalidToken() throws Exception {
        assertInvalidToken(TestTokens.jwt().without("exp").sign(), "exp");
    }

    @Test
    void requestWhenIdTokenWhereAccessTokenTypeRequiredThenInvalidToken() throws Exception {
        assertInvalidToken(TestTokens.jwt().type(null).sign(), "no type (typ)");
        assertInvalidToken(TestTokens.jwt().type("JWT").sign(), "type (typ) is not accepted");
    }

    @Test
    void requestWhenSigningKeyIsRsa1024ThenInvalidToken() throws Exception {
        idp.jwks(TestKeys.jwksJson(TestKeys.rsa(), TestKeys.rsa1024()));

        assertInvalidToken(TestTokens.jwt().signedWith(TestKeys.rsa1024()).sign(), "no key");
    }
}
