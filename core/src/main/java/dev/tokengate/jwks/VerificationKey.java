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
}
