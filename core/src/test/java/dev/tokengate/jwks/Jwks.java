package dev.tokengate.jwks;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/** Key pairs and JWK JSON for the tests of this package; keys are generated once per JVM per kind. */
final class Jwks {

    static final KeyPair RSA_2048 = rsa(2048);
    static final KeyPair RSA_1024 = rsa(1024);
    static final KeyPair EC_256 = ec("secp256r1");
    static final KeyPair EC_384 = ec("secp384r1");
    static final KeyPair EC_521 = ec("secp521r1");

    private Jwks() {
    }

    static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair ec(String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(curve));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An RSA JWK with {@code kid} and {@code alg: RS256}. */
    static String rsaJwk(String kid, KeyPair pair) {
        RSAPublicKey key = (RSAPublicKey) pair.getPublic();
        return "{\"kty\":\"RSA\",\"kid\":\"" + kid + "\",\"use\":\"sig\",\"alg\":\"RS256\",\"n\":\""
                + b64(key.getModulus()) + "\",\"e\":\"" + b64(key.getPublicExponent()) + "\"}";
    }

    /** An EC JWK on {@code crv} with {@code kid}, without {@code alg}. */
    static String ecJwk(String kid, String crv, KeyPair pair) {
        ECPublicKey key = (ECPublicKey) pair.getPublic();
        int size = (key.getParams().getCurve().getField().getFieldSize() + 7) / 8;
        return "{\"kty\":\"EC\",\"kid\":\"" + kid + "\",\"crv\":\"" + crv + "\",\"x\":\""
                + b64(key.getW().getAffineX(), size) + "\",\"y\":\"" + b64(key.getW().getAffineY(), size) + "\"}";
    }

    static String set(String... jwks) {
        return Arrays.stream(jwks).collect(Collectors.joining(",", "{\"keys\":[", "]}"));
    }

    static List<String> kids(List<VerificationKey> keys) {
        return keys.stream().map(k -> k.keyId().orElse("")).toList();
    }

    private static String b64(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes[0] == 0 && bytes.length > 1) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String b64(BigInteger value, int size) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[size];
        int copy = Math.min(raw.length, size);
        System.arraycopy(raw, raw.length - copy, out, size - copy, copy);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }
}
