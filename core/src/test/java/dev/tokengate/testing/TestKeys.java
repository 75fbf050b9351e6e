package dev.tokengate.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.jwks.KeySource;
import dev.tokengate.jwks.VerificationKey;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Test key pairs (RSA and EC) generated once per JVM, each with a key id and the JWS algorithm it signs with,
 * plus helpers that expose them as a {@link KeySource} or as JWKS JSON.
 *
 * <p>Keys are generated lazily (holder idiom), so a test that only needs {@link #rsa()} never pays for the
 * P-521 or RSA-1024 key. Every key is immutable; nothing here is mutable state.
 */
public final class TestKeys {

    private TestKeys() {
    }

    /**
     * A test key pair with what its JWK would say about it.
     *
     * @param keyId     the {@code kid}
     * @param algorithm the JWS {@code alg} this key signs with by default (RS256, ES256, ES384, ES512)
     * @param keyPair   the key pair
     */
    public record TestKey(String keyId, String algorithm, KeyPair keyPair) {

        public PublicKey publicKey() {
            return keyPair.getPublic();
        }

        public PrivateKey privateKey() {
            return keyPair.getPrivate();
        }

        /** This key as a {@link KeySource} would return it: with its {@code kid} and its JWK {@code alg}. */
        public VerificationKey verificationKey() {
            return new VerificationKey(Optional.of(keyId), publicKey(), Optional.of(algorithm));
        }

        /** This key with its {@code kid} but no JWK {@code alg} (many JWKS omit it). */
        public VerificationKey verificationKeyWithoutAlgorithm() {
            return new VerificationKey(Optional.of(keyId), publicKey(), Optional.empty());
        }

        /** A copy of this key that claims another key id (for "same kid, other key" tests). */
        public TestKey withKeyId(String otherKeyId) {
            return new TestKey(otherKeyId, algorithm, keyPair);
        }

        @Override
        public String toString() {
            return "TestKey[" + keyId + ", " + algorithm + "]";
        }
    }

    /** The primary RSA-2048 key, {@code kid} "rsa-1", RS256: {@link TestTokens#jwt()} signs with it. */
    public static TestKey rsa() {
        return Rsa1.KEY;
    }

    /** A second RSA-2048 key, {@code kid} "rsa-2", for key rotation. */
    public static TestKey rsa2() {
        return Rsa2.KEY;
    }

    /** An RSA-1024 key, {@code kid} "rsa-1024", which validators must refuse as too small. */
    public static TestKey rsa1024() {
        return Rsa1024.KEY;
    }

    /** An RSA-2048 key that no test trusts ({@code kid} "attacker"): what an attacker signs with. */
    public static TestKey untrustedRsa() {
        return Untrusted.KEY;
    }

    /** An EC P-256 key, {@code kid} "ec-256", ES256. */
    public static TestKey ec256() {
        return Ec256.KEY;
    }

    /** An EC P-384 key, {@code kid} "ec-384", ES384. */
    public static TestKey ec384() {
        return Ec384.KEY;
    }

    /** An EC P-521 key, {@code kid} "ec-521", ES512. */
    public static TestKey ec521() {
        return Ec521.KEY;
    }

    /**
     * A {@link KeySource} over these keys: by key id when the token names one, all keys otherwise; returns the
     * keys with their JWK {@code alg}.
     */
    public static KeySource keySource(TestKey... keys) {
        List<VerificationKey> all = Arrays.stream(keys).map(TestKey::verificationKey).toList();
        return keySource(all);
    }

    /** A {@link KeySource} over these verification keys, by key id when the token names one, all otherwise. */
    public static KeySource keySource(List<VerificationKey> keys) {
        List<VerificationKey> all = List.copyOf(keys);
        return keyId -> keyId.isEmpty()
                ? all
                : all.stream().filter(k -> k.keyId().equals(keyId)).toList();
    }

    /** The public keys as a JWKS document ({@code {"keys":[...]}}) with {@code kid}, {@code alg} and {@code use: sig}. */
    public static String jwksJson(TestKey... keys) {
        return jwksJson(true, keys);
    }

    /** The public keys as a JWKS document; {@code withAlgorithm} false leaves out each key's {@code alg}. */
    public static String jwksJson(boolean withAlgorithm, TestKey... keys) {
        List<Map<String, Object>> jwks = new ArrayList<>();
        for (TestKey key : keys) {
            jwks.add(jwk(key, withAlgorithm));
        }
        try {
            return new ObjectMapper().writeValueAsString(Map.of("keys", jwks));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One public key as a JWK map (kty, kid, use, alg, and n/e or crv/x/y), e.g. for an embedded {@code jwk} header. */
    public static Map<String, Object> jwk(TestKey key, boolean withAlgorithm) {
        Map<String, Object> jwk = new LinkedHashMap<>();
        PublicKey publicKey = key.publicKey();
        if (publicKey instanceof RSAPublicKey rsa) {
            jwk.put("kty", "RSA");
            jwk.put("kid", key.keyId());
            jwk.put("use", "sig");
            if (withAlgorithm) {
                jwk.put("alg", key.algorithm());
            }
            jwk.put("n", base64Url(unsigned(rsa.getModulus(), 0)));
            jwk.put("e", base64Url(unsigned(rsa.getPublicExponent(), 0)));
        } else if (publicKey instanceof ECPublicKey ec) {
            int fieldSize = ec.getParams().getCurve().getField().getFieldSize();
            int length = (fieldSize + 7) / 8;
            jwk.put("kty", "EC");
            jwk.put("kid", key.keyId());
            jwk.put("use", "sig");
            if (withAlgorithm) {
                jwk.put("alg", key.algorithm());
            }
            jwk.put("crv", switch (fieldSize) {
                case 256 -> "P-256";
                case 384 -> "P-384";
                case 521 -> "P-521";
                default -> throw new IllegalArgumentException("unsupported curve size " + fieldSize);
            });
            jwk.put("x", base64Url(unsigned(ec.getW().getAffineX(), length)));
            jwk.put("y", base64Url(unsigned(ec.getW().getAffineY(), length)));
        } else {
            throw new IllegalArgumentException("unsupported key type " + publicKey.getAlgorithm());
        }
        return jwk;
    }

    /** Unsigned big-endian bytes; left-padded to {@code length} when it is positive (JWK EC coordinates). */
    private static byte[] unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        if (length > bytes.length) {
            byte[] padded = new byte[length];
            System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
            return padded;
        }
        return bytes;
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static KeyPair rsaPair(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ecPair(String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(curve));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Rsa1 {
        static final TestKey KEY = new TestKey("rsa-1", "RS256", rsaPair(2048));
    }

    private static final class Rsa2 {
        static final TestKey KEY = new TestKey("rsa-2", "RS256", rsaPair(2048));
    }

    private static final class Rsa1024 {
        static final TestKey KEY = new TestKey("rsa-1024", "RS256", rsaPair(1024));
    }

    private static final class Untrusted {
        static final TestKey KEY = new TestKey("attacker", "RS256", rsaPair(2048));
    }

    private static final class Ec256 {
        static final TestKey KEY = new TestKey("ec-256", "ES256", ecPair("secp256r1"));
    }

    private static final class Ec384 {
        static final TestKey KEY = new TestKey("ec-384", "ES384", ecPair("secp384r1"));
    }

    private static final class Ec521 {
        static final TestKey KEY = new TestKey("ec-521", "ES512", ecPair("secp521r1"));
    }
}
