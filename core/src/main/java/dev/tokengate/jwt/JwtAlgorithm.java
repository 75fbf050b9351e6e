package dev.tokengate.jwt;

import com.auth0.jwt.algorithms.Algorithm;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * A JWS algorithm tokengate can verify with java-jwt, with the key it requires: an RSA key of at least 2048 bits
 * (RS*, PS*), an EC key on the matching NIST curve (ES*), or an HMAC secret of at least the hash length (HS*).
 */
enum JwtAlgorithm {
    RS256(Family.RSA, null, 0),
    RS384(Family.RSA, null, 0),
    RS512(Family.RSA, null, 0),
    PS256(Family.RSA, null, 0),
    PS384(Family.RSA, null, 0),
    PS512(Family.RSA, null, 0),
    ES256(Family.EC, "secp256r1", 0),
    ES384(Family.EC, "secp384r1", 0),
    ES512(Family.EC, "secp521r1", 0),
    HS256(Family.HMAC, null, 32),
    HS384(Family.HMAC, null, 48),
    HS512(Family.HMAC, null, 64);

    /** The smallest RSA modulus accepted, in bits. */
    static final int MIN_RSA_BITS = 2048;

    /** The default allow-list of an issuer verified with public keys. */
    static final Set<JwtAlgorithm> ASYMMETRIC = EnumSet.range(RS256, ES512);

    enum Family { RSA, EC, HMAC }

    private final Family family;
    private final String curveName;
    private final ECParameterSpec curve;
    private final int minSecretBytes;

    JwtAlgorithm(Family family, String curveName, int minSecretBytes) {
        this.family = family;
        this.curveName = curveName;
        this.curve = curveName == null ? null : curve(curveName);
        this.minSecretBytes = minSecretBytes;
    }

    /** The algorithm with exactly this JWS name ({@code alg} is case-sensitive, RFC 7515 §4.1.1). */
    static Optional<JwtAlgorithm> named(String name) {
        return Arrays.stream(values()).filter(a -> a.name().equals(name)).findFirst();
    }

    Family family() {
        return family;
    }

    boolean isHmac() {
        return family == Family.HMAC;
    }

    int minSecretBytes() {
        return minSecretBytes;
    }

    /** Whether this key is of the type, size and curve this algorithm requires; an explanation when it is not. */
    Optional<String> unsuitability(PublicKey key) {
        switch (family) {
            case RSA -> {
                if (!(key instanceof RSAPublicKey rsa)) {
                    return Optional.of("not an RSA key");
                }
                int bits = rsa.getModulus().bitLength();
                return bits < MIN_RSA_BITS ? Optional.of("an RSA key of " + bits + " bits (at least " + MIN_RSA_BITS + " required)") : Optional.empty();
            }
            case EC -> {
                if (!(key instanceof ECPublicKey ec)) {
                    return Optional.of("not an EC key");
                }
                ECParameterSpec p = ec.getParams();
                boolean same = p.getCurve().equals(curve.getCurve()) && p.getGenerator().equals(curve.getGenerator())
                        && p.getOrder().equals(curve.getOrder()) && p.getCofactor() == curve.getCofactor();
                return same ? Optional.empty() : Optional.of("an EC key not on " + curveName);
            }
            default -> {
                return Optional.of("an HMAC algorithm takes no public key");
            }
        }
    }

    /** The java-jwt verifier for a public key already checked by {@link #unsuitability(PublicKey)}. */
    Algorithm verifier(PublicKey key) {
        return switch (this) {
            case RS256 -> Algorithm.RSA256((RSAPublicKey) key, null);
            case RS384 -> Algorithm.RSA384((RSAPublicKey) key, null);
            case RS512 -> Algorithm.RSA512((RSAPublicKey) key, null);
            case PS256 -> Algorithm.RSA256PSS((RSAPublicKey) key, null);
            case PS384 -> Algorithm.RSA384PSS((RSAPublicKey) key, null);
            case PS512 -> Algorithm.RSA512PSS((RSAPublicKey) key, null);
            case ES256 -> Algorithm.ECDSA256((ECPublicKey) key, null);
            case ES384 -> Algorithm.ECDSA384((ECPublicKey) key, null);
            case ES512 -> Algorithm.ECDSA512((ECPublicKey) key, null);
            default -> throw new IllegalStateException(name() + " takes a secret, not a public key");
        };
    }

    /** The java-jwt verifier for an HMAC secret. */
    Algorithm verifier(byte[] secret) {
        return switch (this) {
            case HS256 -> Algorithm.HMAC256(secret);
            case HS384 -> Algorithm.HMAC384(secret);
            case HS512 -> Algorithm.HMAC512(secret);
            default -> throw new IllegalStateException(name() + " takes a public key, not a secret");
        };
    }

    private static ECParameterSpec curve(String name) {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec(name));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM does not support the EC curve " + name, e);
        }
    }
}
