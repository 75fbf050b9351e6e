package dev.tokengate.benchmarks;

import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.testkit.TokenBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * The tokens every contestant validates: realistic RFC 9068 access tokens (header {@code typ at+jwt}, {@code kid};
 * claims iss, sub, aud, exp, iat, jti, client_id, scope, auth_time and acr), about 750 bytes with RS256, signed
 * with the test fixtures' RSA-2048 and EC P-256 keys or a 32-byte HMAC secret.
 */
public final class BenchTokens {

    /** The issuer every contestant is configured to accept. */
    public static final String ISSUER = TestTokens.ISSUER;
    /** The audience every contestant is configured to require. */
    public static final String AUDIENCE = TestTokens.AUDIENCE;
    /** The HS256 secret (32 bytes). */
    public static final byte[] HMAC_SECRET = "tokengate-benchmark-hs256-secret!".substring(0, 32)
            .getBytes(StandardCharsets.US_ASCII);
    /** The {@code kid} of the HS256 secret. */
    public static final String HMAC_KEY_ID = "hs-1";
    /** How long a benchmark token stays valid: longer than any run. */
    public static final Duration LIFETIME = Duration.ofHours(12);

    /** The algorithms measured. */
    public enum Alg { RS256, ES256, HS256 }

    private BenchTokens() {
    }

    /** One fresh token (its own jti and subject). */
    public static String token(Alg alg) {
        Instant now = Instant.now();
        TokenBuilder b = TestTokens.jwt();
        switch (alg) {
            case RS256 -> b.signedWith(TestKeys.rsa());
            case ES256 -> b.signedWith(TestKeys.ec256());
            case HS256 -> b.signedWithHmac("HS256", HMAC_SECRET).keyId(HMAC_KEY_ID);
            default -> throw new IllegalArgumentException(alg.name());
        }
        return b.type("at+jwt")
                .without("nbf")
                .subject(UUID.randomUUID().toString())
                .clientId("s6BhdRkqt3")
                .scope("openid orders:read orders:write")
                .issuedAt(now)
                .expiresAt(now.plus(LIFETIME))
                .tokenId(UUID.randomUUID().toString())
                .claim("auth_time", now.getEpochSecond() - 120)
                .claim("acr", "1")
                .sign();
    }

    /** {@code count} distinct tokens, signed in parallel. */
    public static String[] ring(Alg alg, int count) {
        return IntStream.range(0, count).parallel().mapToObj(i -> token(alg)).toArray(String[]::new);
    }
}
