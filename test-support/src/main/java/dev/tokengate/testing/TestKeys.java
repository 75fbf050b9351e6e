package dev.tokengate.testing;

import dev.tokengate.jwks.KeySource;
import dev.tokengate.jwks.VerificationKey;
import dev.tokengate.testkit.SigningKey;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tests' key pairs (RSA and EC, the testkit's {@link SigningKey}s), generated once per JVM, each with a key id
 * and the JWS algorithm it signs with, plus helpers that expose them as core's {@link VerificationKey} and
 * {@link KeySource}, or as JWKS JSON.
 *
 * <p>Keys are generated lazily (holder idiom), so a test that only needs {@link #rsa()} never pays for the
 * P-521 or RSA-1024 key. Every key is immutable; nothing here is mutable state.
 */
public final class TestKeys {

    private TestKeys() {
    }

    /** The primary RSA-2048 key, {@code kid} "rsa-1", RS256: {@link TestTokens#jwt()} signs with it. */
    public static SigningKey rsa() {
        return Rsa1.KEY;
    }

    /** A second RSA-2048 key, {@code kid} "rsa-2", for key rotation. */
    public static SigningKey rsa2() {
        return Rsa2.KEY;
    }

    /** An RSA-1024 key, {@code kid} "rsa-1024", which validators must refuse as too small. */
    public static SigningKey rsa1024() {
        return Rsa1024.KEY;
    }

    /** An RSA-2048 key that no test trusts ({@code kid} "attacker"): what an attacker signs with. */
    public static SigningKey untrustedRsa() {
        return Untrusted.KEY;
    }

    /** An EC P-256 key, {@code kid} "ec-256", ES256. */
    public static SigningKey ec256() {
        return Ec256.KEY;
    }

    /** An EC P-384 key, {@code kid} "ec-384", ES384. */
    public static SigningKey ec384() {
        return Ec384.KEY;
    }

    /** An EC P-521 key, {@code kid} "ec-521", ES512. */
    public static SigningKey ec521() {
        return Ec521.KEY;
    }

    /** This key as a {@link KeySource} would return it: with its {@code kid} and its JWK {@code alg}. */
    public static VerificationKey verificationKey(SigningKey key) {
        return new VerificationKey(Optional.of(key.keyId()), key.publicKey(), Optional.of(key.algorithm()));
    }

    /** This key with its {@code kid} but no JWK {@code alg} (many JWKS omit it). */
    public static VerificationKey verificationKeyWithoutAlgorithm(SigningKey key) {
        return new VerificationKey(Optional.of(key.keyId()), key.publicKey(), Optional.empty());
    }

    /**
     * A {@link KeySource} over these keys: by key id when the token names one, all keys otherwise; returns the
     * keys with their JWK {@code alg}.
     */
    public static KeySource keySource(SigningKey... keys) {
        return keySource(Arrays.stream(keys).map(TestKeys::verificationKey).toList());
    }

    /** A {@link KeySource} over these verification keys, by key id when the token names one, all otherwise. */
    public static KeySource keySource(List<VerificationKey> keys) {
        List<VerificationKey> all = List.copyOf(keys);
        return keyId -> keyId.isEmpty()
                ? all
                : all.stream().filter(k -> k.keyId().equals(keyId)).toList();
    }

    /** The public keys as a JWKS document ({@code {"keys":[...]}}) with {@code kid}, {@code alg} and {@code use: sig}. */
    public static String jwksJson(SigningKey... keys) {
        return SigningKey.jwks(keys);
    }

    /** The public keys as a JWKS document; {@code withAlgorithm} false leaves out each key's {@code alg}. */
    public static String jwksJson(boolean withAlgorithm, SigningKey... keys) {
        return SigningKey.jwks(withAlgorithm, List.of(keys));
    }

    /** One public key as a JWK map (kty, kid, use, alg, and n/e or crv/x/y), e.g. for an embedded {@code jwk} header. */
    public static Map<String, Object> jwk(SigningKey key, boolean withAlgorithm) {
        return key.jwk(withAlgorithm);
    }

    private static final class Rsa1 {
        static final SigningKey KEY = SigningKey.generate("RS256", "rsa-1");
    }

    private static final class Rsa2 {
        static final SigningKey KEY = SigningKey.generate("RS256", "rsa-2");
    }

    private static final class Rsa1024 {
        static final SigningKey KEY = SigningKey.rsa(1024, "rsa-1024");
    }

    private static final class Untrusted {
        static final SigningKey KEY = SigningKey.generate("RS256", "attacker");
    }

    private static final class Ec256 {
        static final SigningKey KEY = SigningKey.generate("ES256", "ec-256");
    }

    private static final class Ec384 {
        static final SigningKey KEY = SigningKey.generate("ES384", "ec-384");
    }

    private static final class Ec521 {
        static final SigningKey KEY = SigningKey.generate("ES512", "ec-521");
    }
}
