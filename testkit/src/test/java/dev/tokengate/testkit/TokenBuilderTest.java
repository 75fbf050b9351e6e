package dev.tokengate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** What the testkit signs with the JDK, verified by another implementation (java-jwt). */
class TokenBuilderTest {

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"})
    void signatureVerifiesWithAnotherImplementation(String alg) {
        SigningKey key = SigningKey.generate(alg, "k-" + alg);
        String token = TokenBuilder.signedBy(key).subject("alice").sign();
        DecodedJWT jwt = JWT.decode(token);
        assertThat(jwt.getAlgorithm()).isEqualTo(alg);
        assertThat(jwt.getKeyId()).isEqualTo("k-" + alg);
        JWT.require(verifier(alg, key)).withSubject("alice").build().verify(token);
    }

    @Test
    void hmacSignatureVerifiesAndRemovesTheKeyId() {
        byte[] secret = "a-secret-of-at-least-32-bytes-long!".getBytes(StandardCharsets.UTF_8);
        String token = TokenBuilder.signedBy(SigningKey.generate("ES256", "ec")).signedWithHmac("HS384", secret).sign();
        assertThat(JWT.decode(token).getKeyId()).isNull();
        JWT.require(Algorithm.HMAC384(secret)).build().verify(token);
    }

    @Test
    void claimsAreWrittenAsJsonAndTimesReadFromTheClock() {
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        String token = TokenBuilder.signedBy(SigningKey.generate("ES256", "ec")).clock(clock)
                .claim("text", "quote \" backslash \\ newline \n control \u0001 é")
                .claim("nested", Map.of("list", List.of(1, 2.5, true)))
                .claim("nothing", null).without("jti").sign();
        DecodedJWT jwt = JWT.decode(token);
        assertThat(jwt.getClaim("text").asString()).isEqualTo("quote \" backslash \\ newline \n control \u0001 é");
        assertThat(jwt.getClaim("nested").asMap()).containsEntry("list", List.of(1, 2.5, true));
        assertThat(jwt.getClaim("nothing").isNull()).isTrue();
        assertThat(jwt.getId()).isNull();
        assertThat(jwt.getIssuedAtAsInstant()).isEqualTo(clock.instant());
        assertThat(jwt.getExpiresAtAsInstant()).isEqualTo(clock.instant().plusSeconds(300));
    }

    @Test
    void algorithmMustSuitTheKey() {
        SigningKey ec = SigningKey.generate("ES256", "ec");
        assertThatThrownBy(() -> TokenBuilder.signedBy(ec).signedWith("RS256", ec)).hasMessageContaining("RSA key");
        assertThatThrownBy(() -> TokenBuilder.signedBy(ec).signedWith("none", ec)).hasMessageContaining("none");
        assertThatThrownBy(() -> SigningKey.of("x", "RS256", ec.keyPair())).hasMessageContaining("EC key");
    }

    private static Algorithm verifier(String alg, SigningKey key) {
        RSAPublicKey rsa = key.publicKey() instanceof RSAPublicKey r ? r : null;
        ECPublicKey ec = key.publicKey() instanceof ECPublicKey e ? e : null;
        return switch (alg) {
            case "RS256" -> Algorithm.RSA256(rsa, null);
            case "RS384" -> Algorithm.RSA384(rsa, null);
            case "RS512" -> Algorithm.RSA512(rsa, null);
            case "PS256" -> Algorithm.RSA256PSS(rsa, null);
            case "PS384" -> Algorithm.RSA384PSS(rsa, null);
            case "PS512" -> Algorithm.RSA512PSS(rsa, null);
            case "ES256" -> Algorithm.ECDSA256(ec, null);
            case "ES384" -> Algorithm.ECDSA384(ec, null);
            default -> Algorithm.ECDSA512(ec, null);
        };
    }
}
