package dev.tokengate.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The shared fixtures do what their javadoc says (every later test relies on them). */
class TestFixturesTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void jwksJsonWhenRenderedThenEachKeyRoundTripsWithKidAndAlg() throws Exception {
        JsonNode keys = json.readTree(TestKeys.jwksJson(TestKeys.rsa(), TestKeys.ec256(), TestKeys.ec521())).get("keys");

        assertThat(keys).hasSize(3);
        assertThat(keys.get(0).get("kid").asText()).isEqualTo("rsa-1");
        assertThat(keys.get(0).get("alg").asText()).isEqualTo("RS256");
        assertThat(keys.get(0).get("use").asText()).isEqualTo("sig");
        assertThat(rsa(keys.get(0))).isEqualTo(TestKeys.rsa().publicKey());
        assertThat(keys.get(1).get("crv").asText()).isEqualTo("P-256");
        assertThat(ec(keys.get(1), TestKeys.ec256().publicKey())).isEqualTo(TestKeys.ec256().publicKey());
        assertThat(keys.get(2).get("crv").asText()).isEqualTo("P-521");
        assertThat(decode(keys.get(2).get("x"))).hasSize(66);
        assertThat(ec(keys.get(2), TestKeys.ec521().publicKey())).isEqualTo(TestKeys.ec521().publicKey());
    }

    @Test
    void jwksJsonWhenWithoutAlgorithmThenNoAlg() throws Exception {
        JsonNode key = json.readTree(TestKeys.jwksJson(false, TestKeys.ec384())).get("keys").get(0);

        assertThat(key.has("alg")).isFalse();
        assertThat(key.get("crv").asText()).isEqualTo("P-384");
    }

    @Test
    void keySourceWhenKidGivenThenOnlyThatKeyElseAll() {
        var source = TestKeys.keySource(TestKeys.rsa(), TestKeys.rsa2());

        assertThat(source.keys(Optional.of("rsa-2"))).containsExactly(TestKeys.verificationKey(TestKeys.rsa2()));
        assertThat(source.keys(Optional.empty())).hasSize(2);
        assertThat(source.keys(Optional.of("nope"))).isEmpty();
    }

    @Test
    void jwtWhenSignedThenHeaderAndClaimsAreTheValidDefaults() throws Exception {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        String token = TestTokens.jwt().clock(Clock.fixed(now, ZoneOffset.UTC)).sign();
        String[] parts = token.split("\\.");
        JsonNode header = json.readTree(Base64.getUrlDecoder().decode(parts[0]));
        JsonNode claims = json.readTree(Base64.getUrlDecoder().decode(parts[1]));

        assertThat(header.get("typ").asText()).isEqualTo("at+jwt");
        assertThat(header.get("alg").asText()).isEqualTo("RS256");
        assertThat(header.get("kid").asText()).isEqualTo("rsa-1");
        assertThat(claims.get("iss").asText()).isEqualTo(TestTokens.ISSUER);
        assertThat(claims.get("aud").asText()).isEqualTo(TestTokens.AUDIENCE);
        assertThat(claims.get("exp").asLong()).isEqualTo(now.getEpochSecond() + 300);
        assertThat(claims.get("iat").asLong()).isEqualTo(now.getEpochSecond());
        assertThat(claims.get("nbf").asLong()).isEqualTo(now.getEpochSecond());
        assertThat(claims.get("jti").asText()).isNotBlank();
        assertThat(claims.get("client_id").asText()).isEqualTo(TestTokens.CLIENT_ID);
        assertThat(claims.get("scope").asText()).isEqualTo("read trade");
    }

    @Test
    void jwtWhenWithoutThenClaimAbsentEvenForDefaultedTimes() throws Exception {
        String token = TestTokens.jwt().without("exp").without("jti").sign();
        JsonNode claims = json.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));

        assertThat(claims.has("exp")).isFalse();
        assertThat(claims.has("jti")).isFalse();
        assertThat(claims.has("iat")).isTrue();
    }

    @Test
    void forgedTokensWhenBuiltThenHaveTheAttackShape() throws Exception {
        assertThat(TestTokens.forgedAlgNone("nOnE")).endsWith(".");
        assertThat(TestTokens.forgedJwe().split("\\.")).hasSize(5);
        assertThat(Base64.getUrlDecoder().decode(TestTokens.forgedEs256ZeroSignature().split("\\.")[2]))
                .hasSize(64).containsOnly(0);
        JsonNode header = json.readTree(Base64.getUrlDecoder().decode(TestTokens.forgedWithEmbeddedJwk().split("\\.")[0]));
        assertThat(header.get("jwk").get("kid").asText()).isEqualTo("attacker");
        assertThat(header.get("kid").asText()).isEqualTo("rsa-1");
    }

    private static byte[] decode(JsonNode value) {
        return Base64.getUrlDecoder().decode(value.asText());
    }

    private static PublicKey rsa(JsonNode jwk) throws Exception {
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                new BigInteger(1, decode(jwk.get("n"))), new BigInteger(1, decode(jwk.get("e")))));
    }

    private static PublicKey ec(JsonNode jwk, PublicKey sameCurve) throws Exception {
        ECPoint point = new ECPoint(new BigInteger(1, decode(jwk.get("x"))), new BigInteger(1, decode(jwk.get("y"))));
        return KeyFactory.getInstance("EC").generatePublic(
                new ECPublicKeySpec(point, ((ECPublicKey) sameCurve).getParams()));
    }
}
