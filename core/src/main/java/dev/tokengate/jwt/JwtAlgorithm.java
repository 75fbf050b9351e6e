package dev.tokengate.jwt;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.SignatureException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A JWS algorithm tokengate can verify with the JCA, with the key it requires: an RSA key of at least 2048 bits
 * (RS*, PS*), an EC key on the matching NIST curve (ES*), or an HMAC secret of at least the hash length (HS*).
 */
enum JwtAlgorithm {
    RS256(Family.RSA, null, 0, "SHA256withRSA", null),
    RS384(Family.RSA, null, 0, "SHA384withRSA", null),
    RS512(Family.RSA, null, 0, "SHA512withRSA", null),
    PS256(Family.RSA, null, 0, "RSASSA-PSS", pss("SHA-256", MGF1ParameterSpec.SHA256, 32)),
    PS384(Family.RSA, null, 0, "RSASSA-PSS", pss("SHA-384", MGF1ParameterSpec.SHA384, 48)),
    PS512(Family.RSA, null, 0, "RSASSA-PSS", pss("SHA-512", MGF1ParameterSpec.SHA512, 64)),
    ES256(Family.EC, "secp256r1", 0, "SHA256withECDSAinP1363Format", null),
    ES384(Family.EC, "secp384r1", 0, "SHA384withECDSAinP1363Format", null),
    ES512(Family.EC, "secp521r1", 0, "SHA512withECDSAinP1363Format", null),
    HS256(Family.HMAC, null, 32, "HmacSHA256", null),
    HS384(Family.HMAC, null, 48, "HmacSHA384", null),
    HS512(Family.HMAC, null, 64, "HmacSHA512", null);

    /** The smallest RSA modulus accepted, in bits. */
    static final int MIN_RSA_BITS = 2048;

    /** The default allow-list of an issuer verified with public keys. */
    static final Set<JwtAlgorithm> ASYMMETRIC = EnumSet.range(RS256, ES512);

    enum Family { RSA, EC, HMAC }

    private static final Map<String, JwtAlgorithm> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(Enum::name, a -> a));

    private final Family family;
    private final String curveName;
    private final ECParameterSpec curve;
    private final int minSecretBytes;
    /** The JCA name of the signature or MAC algorithm. */
    private final String jcaName;
    /** The PSS parameters (RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash), for PS* only. */
    private final PSSParameterSpec pssParameters;
    /** The length of a JOSE (R || S) ECDSA signature, for ES* only: twice the curve's coordinate length. */
    private final int ecSignatureBytes;
    /**
     * Each thread's JCA engine for this algorithm, looked up once: {@code getInstance} walks the providers on every
     * call, which costs more than the rest of a JWT's checks. An engine is re-initialised with the key on every use.
     */
    private final ThreadLocal<Signature> signatures = ThreadLocal.withInitial(this::newSignature);
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    JwtAlgorithm(Family family, String curveName, int minSecretBytes, String jcaName, PSSParameterSpec pssParameters) {
        this.family = family;
        this.curveName = curveName;
        this.curve = curveName == null ? null : curve(curveName);
        this.minSecretBytes = minSecretBytes;
        this.jcaName = jcaName;
        this.pssParameters = pssParameters;
        this.ecSignatureBytes = curve == null ? 0 : 2 * ((curve.getOrder().bitLength() + 7) / 8);
    }

    /** The algorithm with exactly this JWS name ({@code alg} is case-sensitive, RFC 7515 §4.1.1). */
    static Optional<JwtAlgorithm> named(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
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

    /**
     * Whether {@code signature} is this algorithm's signature of {@code input[0, length)} under a public key already
     * checked by {@link #unsuitability(PublicKey)}. Verified with the JCA directly over the token's own bytes: no
     * second decoding of the token. An ECDSA signature must be in JOSE form (R || S, RFC 7518 §3.4) of exactly
     * the curve's length with neither half zero (CVE-2022-21449); a DER signature is refused.
     */
    boolean verifies(PublicKey key, byte[] input, int length, byte[] signature) {
        if (family == Family.EC && !isJoseEcSignature(signature)) {
            return false;
        }
        Signature verifier = signatures.get();
        try {
            verifier.initVerify(key); // also resets whatever a failed earlier use left behind
            verifier.update(input, 0, length);
            return verifier.verify(signature);
        } catch (InvalidKeyException | SignatureException e) {
            return false;
        }
    }

    /** Whether {@code signature} is this HMAC algorithm's MAC of {@code input[0, length)}, compared in constant time. */
    boolean verifies(byte[] secret, byte[] input, int length, byte[] signature) {
        if (family != Family.HMAC) {
            throw new IllegalStateException(name() + " takes a public key, not a secret");
        }
        Mac mac = macs.get();
        try {
            mac.init(new SecretKeySpec(secret, jcaName)); // also resets whatever a failed earlier use left behind
            mac.update(input, 0, length);
            return MessageDigest.isEqual(mac.doFinal(), signature);
        } catch (InvalidKeyException e) {
            return false;
        }
    }

    private Signature newSignature() {
        if (family == Family.HMAC) {
            return null;
        }
        try {
            Signature signature = Signature.getInstance(jcaName);
            if (pssParameters != null) {
                signature.setParameter(pssParameters);
            }
            return signature;
        } catch (NoSuchAlgorithmException | InvalidAlgorithmParameterException e) {
            throw new IllegalStateException("the JVM cannot verify " + name() + " signatures", e);
        }
    }

    private Mac newMac() {
        try {
            return Mac.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM cannot compute " + name() + " MACs", e);
        }
    }

    private boolean isJoseEcSignature(byte[] signature) {
        if (signature.length != ecSignatureBytes) {
            return false;
        }
        int half = ecSignatureBytes / 2;
        return !allZero(signature, 0, half) && !allZero(signature, half, ecSignatureBytes);
    }

    private static boolean allZero(byte[] bytes, int from, int to) {
        int bits = 0;
        for (int i = from; i < to; i++) {
            bits |= bytes[i];
        }
        return bits == 0;
    }

    private static PSSParameterSpec pss(String hash, MGF1ParameterSpec mgf1, int saltBytes) {
        return new PSSParameterSpec(hash, "MGF1", mgf1, saltBytes, PSSParameterSpec.TRAILER_FIELD_BC);
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
