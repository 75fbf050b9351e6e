package dev.tokengate.jwks;

import dev.tokengate.internal.Json;
import dev.tokengate.log.Loggers;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * Turns a JWK set (RFC 7517) into the verification keys it holds, skipping (with a log line naming the
 * {@code kid}) every key tokengate will not verify with: encryption keys, symmetric ({@code oct}) and unknown
 * key types, RSA keys under {@value #MIN_RSA_BITS} bits, malformed keys. One bad key never fails the set; a
 * document that is not a JSON object with a {@code keys} array does. {@code x5c}, {@code x5u} and {@code jku}
 * are ignored: nothing a key names is ever fetched.
 */
final class JwkSetParser {

    /** The smallest RSA modulus accepted, in bits. */
    static final int MIN_RSA_BITS = 2048;

    private static final Logger LOG = Loggers.logger(JwkSetParser.class);

    private static final Map<String, String> CURVES =
            Map.of("P-256", "secp256r1", "P-384", "secp384r1", "P-521", "secp521r1");
    private static final Map<String, String> EC_ALGORITHMS = Map.of("P-256", "ES256", "P-384", "ES384", "P-521", "ES512");

    private JwkSetParser() {
    }

    /**
     * Parses a JWK set.
     *
     * @param json   the document
     * @param source where it came from, for log lines and error messages
     * @throws JwksFormatException when the document is not a JSON object with a {@code keys} array
     */
    static List<VerificationKey> parse(byte[] json, String source) throws JwksFormatException {
        Object root;
        try {
            root = Json.UPSTREAM.read(json);
        } catch (Json.ParseException e) {
            throw new JwksFormatException("not valid JSON (" + e.getMessage() + ")", e);
        }
        if (!(root instanceof Map<?, ?> set)) {
            throw new JwksFormatException("not a JSON object");
        }
        if (!(set.get("keys") instanceof List<?> keys)) {
            throw new JwksFormatException("has no \"keys\" array");
        }
        List<VerificationKey> result = new ArrayList<>();
        int index = 0;
        for (Object jwk : keys) {
            parseKey(jwk, index++, source).ifPresent(result::add);
        }
        return List.copyOf(result);
    }

    private static Optional<VerificationKey> parseKey(Object member, int index, String source) {
        if (!(member instanceof Map<?, ?> jwk)) {
            LOG.warn("Skipping key #{} of {}: not a JSON object", index, source);
            return Optional.empty();
        }
        Optional<String> kid = text(jwk, "kid");
        String name = kid.map(k -> "kid '" + k + "'").orElse("key #" + index + " (no kid)");
        Optional<String> use = text(jwk, "use");
        if (use.isPresent() && !use.get().equals("sig")) {
            // Encryption keys are routinely published next to signing keys: not worth a warning.
            LOG.debug("Skipping {} of {}: use '{}' is not 'sig'", name, source, use.get());
            return Optional.empty();
        }
        if (jwk.get("key_ops") instanceof List<?> ops && !ops.contains("verify")) {
            LOG.debug("Skipping {} of {}: key_ops does not include 'verify'", name, source);
            return Optional.empty();
        }
        String kty = text(jwk, "kty").orElse("");
        Optional<String> alg = text(jwk, "alg");
        try {
            PublicKey key;
            switch (kty) {
                case "RSA" -> {
                    if (alg.isPresent() && !alg.get().matches("(RS|PS)(256|384|512)")) {
                        throw new IllegalArgumentException("alg '" + alg.get() + "' is not an RSA signature algorithm");
                    }
                    key = rsa(jwk);
                    int bits = ((RSAPublicKey) key).getModulus().bitLength();
                    if (bits < MIN_RSA_BITS) {
                        LOG.warn("Skipping {} of {}: RSA key of {} bits, at least {} required", name, source, bits,
                                MIN_RSA_BITS);
                        return Optional.empty();
                    }
                }
                case "EC" -> {
                    String crv = text(jwk, "crv").orElse("");
                    if (!CURVES.containsKey(crv)) {
                        throw new IllegalArgumentException("unsupported curve '" + crv + "'");
                    }
                    if (alg.isPresent() && !alg.get().equals(EC_ALGORITHMS.get(crv))) {
                        throw new IllegalArgumentException("alg '" + alg.get() + "' does not match curve " + crv);
                    }
                    key = ec(jwk, crv);
                }
                case "oct" -> {
                    LOG.warn("Skipping {} of {}: symmetric (oct) keys do not belong in a public JWK set", name, source);
                    return Optional.empty();
                }
                default -> {
                    LOG.warn("Skipping {} of {}: unsupported kty '{}'", name, source, kty);
                    return Optional.empty();
                }
            }
            if (jwk.containsKey("d")) {
                LOG.warn("{} of {} contains private key material; only its public part is used", name, source);
            }
            return Optional.of(new VerificationKey(kid, key, alg));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            LOG.warn("Skipping {} of {}: {}", name, source, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The public key of one JWK that a client presents (a DPoP proof's {@code jwk}): {@code RSA} of at least
     * {@value #MIN_RSA_BITS} bits or {@code EC} on P-256, P-384 or P-521 with its point on the curve.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static PublicKey clientKey(Map<?, ?> jwk) {
        String kty = text(jwk, "kty").orElse("");
        try {
            switch (kty) {
                case "RSA" -> {
                    PublicKey key = rsa(jwk);
                    int bits = ((RSAPublicKey) key).getModulus().bitLength();
                    if (bits < MIN_RSA_BITS) {
                        throw new IllegalArgumentException("an RSA key of " + bits + " bits, at least " + MIN_RSA_BITS
                                + " required");
                    }
                    return key;
                }
                case "EC" -> {
                    String crv = text(jwk, "crv").orElse("");
                    if (!CURVES.containsKey(crv)) {
                        throw new IllegalArgumentException("unsupported curve '" + crv + "'");
                    }
                    return ec(jwk, crv);
                }
                default -> throw new IllegalArgumentException("unsupported kty (use RSA or EC)");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a usable " + kty + " key", e);
        }
    }

    private static PublicKey rsa(Map<?, ?> jwk) throws GeneralSecurityException {
        BigInteger n = unsigned(jwk, "n");
        BigInteger e = unsigned(jwk, "e");
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
    }

    private static PublicKey ec(Map<?, ?> jwk, String crv) throws GeneralSecurityException {
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec(CURVES.get(crv)));
        ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
        ECPoint point = new ECPoint(unsigned(jwk, "x"), unsigned(jwk, "y"));
        requireOnCurve(point, spec, crv);
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, spec));
    }

    /** The JDK does not check that a public point lies on its curve; a key that does not is garbage. */
    private static void requireOnCurve(ECPoint point, ECParameterSpec spec, String crv) {
        BigInteger p = ((ECFieldFp) spec.getCurve().getField()).getP();
        BigInteger x = point.getAffineX();
        BigInteger y = point.getAffineY();
        if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            throw new IllegalArgumentException("coordinates out of range for " + crv);
        }
        BigInteger left = y.modPow(BigInteger.TWO, p);
        BigInteger right = x.pow(3).add(spec.getCurve().getA().multiply(x)).add(spec.getCurve().getB()).mod(p);
        if (!left.equals(right)) {
            throw new IllegalArgumentException("point is not on curve " + crv);
        }
    }

    private static BigInteger unsigned(Map<?, ?> jwk, String member) {
        String value = text(jwk, member)
                .orElseThrow(() -> new IllegalArgumentException("missing member '" + member + "'"));
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("member '" + member + "' is not base64url", e);
        }
        if (bytes.length == 0) {
            throw new IllegalArgumentException("member '" + member + "' is empty");
        }
        return new BigInteger(1, bytes);
    }

    private static Optional<String> text(Map<?, ?> jwk, String member) {
        return jwk.get(member) instanceof String value ? Optional.of(value) : Optional.empty();
    }

    /** The document is not a JWK set at all. */
    static final class JwksFormatException extends Exception {
        private static final long serialVersionUID = 1L;

        JwksFormatException(String message) {
            super(message);
        }

        JwksFormatException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
