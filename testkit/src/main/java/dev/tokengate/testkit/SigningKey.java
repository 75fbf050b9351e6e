package dev.tokengate.testkit;

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
import java.util.Objects;

/**
 * A key pair an issuer signs tokens with, with its key id ({@code kid}) and the JWS algorithm it signs with, and
 * its public half as a JWK.
 *
 * <pre>{@code
 * SigningKey key = SigningKey.generate("ES256", "ec-1");
 * String jwks = SigningKey.jwks(key);   // {"keys":[{"kty":"EC","kid":"ec-1",...}]}
 * }</pre>
 *
 * <p>Immutable. Generating an RSA key takes tens to hundreds of milliseconds: reuse keys across tests where the
 * key does not matter.
 */
public final class SigningKey {

    private final String keyId;
    private final String algorithm;
    private final KeyPair keyPair;

    private SigningKey(String keyId, String algorithm, KeyPair keyPair) {
        this.keyId = Objects.requireNonNull(keyId, "keyId");
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.keyPair = Objects.requireNonNull(keyPair, "keyPair");
    }

    /**
     * A key for an existing key pair.
     *
     * @param keyId     the {@code kid} the key's tokens and JWK carry
     * @param algorithm the JWS algorithm it signs with: RS256, RS384, RS512, PS256, PS384, PS512 for an RSA key;
     *                  ES256, ES384, ES512 for an EC key of the matching curve
     * @param keyPair   the key pair
     * @return the key
     * @throws IllegalArgumentException when the algorithm does not suit the key
     */
    public static SigningKey of(String keyId, String algorithm, KeyPair keyPair) {
        String type = keyPair.getPublic().getAlgorithm();
        boolean rsa = algorithm.startsWith("RS") || algorithm.startsWith("PS");
        boolean ec = algorithm.startsWith("ES");
        if (!(rsa && type.equals("RSA") || ec && type.equals("EC"))) {
            throw new IllegalArgumentException("algorithm " + algorithm + " cannot sign with a " + type
                    + " key: use RS*/PS* with RSA, ES* with EC");
        }
        return new SigningKey(keyId, algorithm, keyPair);
    }

    /**
     * Generates a key for this algorithm: RSA-2048 for RS* and PS*, the matching curve (P-256, P-384, P-521) for
     * ES256, ES384, ES512.
     *
     * @param algorithm the JWS algorithm
     * @param keyId     the {@code kid}
     * @return a new key
     * @throws IllegalArgumentException for an algorithm that is not asymmetric
     */
    public static SigningKey generate(String algorithm, String keyId) {
        KeyPair pair = switch (algorithm) {
            case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512" -> rsaPair(2048);
            case "ES256" -> ecPair("secp256r1");
            case "ES384" -> ecPair("secp384r1");
            case "ES512" -> ecPair("secp521r1");
            default -> throw new IllegalArgumentException("cannot generate a key for '" + algorithm
                    + "': use RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384 or ES512");
        };
        return new SigningKey(keyId, algorithm, pair);
    }

    /**
     * Generates an RSA key of this size for RS256 (e.g. 1024 bits, to test that a gate refuses small keys).
     *
     * @param bits  the modulus size
     * @param keyId the {@code kid}
     * @return a new key
     */
    public static SigningKey rsa(int bits, String keyId) {
        return new SigningKey(keyId, "RS256", rsaPair(bits));
    }

    /**
     * The key id.
     *
     * @return the {@code kid}
     */
    public String keyId() {
        return keyId;
    }

    /**
     * The JWS algorithm this key signs with by default.
     *
     * @return e.g. {@code RS256}
     */
    public String algorithm() {
        return algorithm;
    }

    /**
     * The key pair.
     *
     * @return the key pair
     */
    public KeyPair keyPair() {
        return keyPair;
    }

    /**
     * The public key.
     *
     * @return the public key
     */
    public PublicKey publicKey() {
        return keyPair.getPublic();
    }

    /**
     * The private key.
     *
     * @return the private key
     */
    public PrivateKey privateKey() {
        return keyPair.getPrivate();
    }

    /**
     * The same key pair under another key id, for "same {@code kid}, other key" tests.
     *
     * @param otherKeyId the key id the copy claims
     * @return the copy
     */
    public SigningKey withKeyId(String otherKeyId) {
        return new SigningKey(otherKeyId, algorithm, keyPair);
    }

    /**
     * The public key as a JWK: {@code kty}, {@code kid}, {@code use: sig}, {@code alg} when asked, and {@code n},
     * {@code e} or {@code crv}, {@code x}, {@code y}.
     *
     * @param withAlgorithm whether to write {@code alg} (many identity providers leave it out)
     * @return the JWK members, in that order
     */
    public Map<String, Object> jwk(boolean withAlgorithm) {
        Map<String, Object> jwk = new LinkedHashMap<>();
        PublicKey publicKey = publicKey();
        if (publicKey instanceof RSAPublicKey rsa) {
            jwk.put("kty", "RSA");
            jwk.put("kid", keyId);
            jwk.put("use", "sig");
            if (withAlgorithm) {
                jwk.put("alg", algorithm);
            }
            jwk.put("n", base64Url(unsigned(rsa.getModulus(), 0)));
            jwk.put("e", base64Url(unsigned(rsa.getPublicExponent(), 0)));
        } else if (publicKey instanceof ECPublicKey ec) {
            int fieldSize = ec.getParams().getCurve().getField().getFieldSize();
            int length = (fieldSize + 7) / 8;
            jwk.put("kty", "EC");
            jwk.put("kid", keyId);
            jwk.put("use", "sig");
            if (withAlgorithm) {
                jwk.put("alg", algorithm);
            }
            jwk.put("crv", switch (fieldSize) {
                case 256 -> "P-256";
                case 384 -> "P-384";
                case 521 -> "P-521";
                default -> throw new IllegalStateException("unsupported curve size " + fieldSize);
            });
            jwk.put("x", base64Url(unsigned(ec.getW().getAffineX(), length)));
            jwk.put("y", base64Url(unsigned(ec.getW().getAffineY(), length)));
        } else {
            throw new IllegalStateException("unsupported key type " + publicKey.getAlgorithm());
        }
        return jwk;
    }

    /**
     * These keys' public halves as a JWK Set document with {@code alg}.
     *
     * @param keys the keys
     * @return {@code {"keys":[...]}}
     */
    public static String jwks(SigningKey... keys) {
        return jwks(true, Arrays.asList(keys));
    }

    /**
     * These keys' public halves as a JWK Set document.
     *
     * @param withAlgorithm whether each JWK names its {@code alg}
     * @param keys          the keys
     * @return {@code {"keys":[...]}}
     */
    public static String jwks(boolean withAlgorithm, List<SigningKey> keys) {
        List<Map<String, Object>> jwks = new ArrayList<>();
        for (SigningKey key : keys) {
            jwks.add(key.jwk(withAlgorithm));
        }
        return Json.write(Map.of("keys", jwks));
    }

    @Override
    public String toString() {
        return "SigningKey[" + keyId + ", " + algorithm + "]";
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

    static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static KeyPair rsaPair(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate an RSA-" + bits + " key", e);
        }
    }

    private static KeyPair ecPair(String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(curve));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate a " + curve + " key", e);
        }
    }
}
