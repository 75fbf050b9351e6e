package dev.tokengate.jwks;

import java.security.PublicKey;
import java.util.Objects;
import java.util.Optional;

/**
 * One public key that may verify a JWS signature, with what its JWK said about it.
 *
 * @param keyId     the JWK {@code kid}, if it has one
 * @param publicKey an {@code RSAPublicKey} or {@code ECPublicKey}
 * @param algorithm the JWK {@code alg}, if it names one; a token signed with another algorithm must not use this key
 */
public record VerificationKey(Optional<String> keyId, PublicKey publicKey, Optional<String> algorithm) {
    /**
     * Checks that every component is present.
     *
     * @param keyId the JWK {@code kid}, if it has one
     * @param publicKey an {@code RSAPublicKey} or {@code ECPublicKey}
     * @param algorithm the JWK {@code alg}, if it names one
     */
    public VerificationKey {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(algorithm, "algorithm");
    }

    /**
     * The public key of a JWK a client presents, such as a DPoP proof's {@code jwk} header: {@code RSA} of at least
     * 2048 bits or {@code EC} on P-256, P-384 or P-521 (its point checked to lie on the curve).
     *
     * @param jwk the JWK's members, as parsed JSON; not null
     * @return the key
     * @throws IllegalArgumentException saying what is wrong with the JWK
     */
    public static PublicKey clientKey(java.util.Map<String, Object> jwk) {
        return JwkSetParser.clientKey(Objects.requireNonNull(jwk, "jwk"));
    }
}
