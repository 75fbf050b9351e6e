package dev.tokengate.testkit;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Signs JWS signing input with the JDK: RS*, PS*, ES* (in JOSE's r || s form) and HS*. */
final class Jws {

    /** Signs bytes. */
    interface Signer {
        byte[] sign(byte[] content);
    }

    private Jws() {
    }

    static Signer signer(String algorithm, PrivateKey key) {
        return switch (algorithm) {
            case "RS256" -> rsa("SHA256withRSA", null, key);
            case "RS384" -> rsa("SHA384withRSA", null, key);
            case "RS512" -> rsa("SHA512withRSA", null, key);
            case "PS256" -> rsa("RSASSA-PSS", pss("SHA-256", MGF1ParameterSpec.SHA256, 32), key);
            case "PS384" -> rsa("RSASSA-PSS", pss("SHA-384", MGF1ParameterSpec.SHA384, 48), key);
            case "PS512" -> rsa("RSASSA-PSS", pss("SHA-512", MGF1ParameterSpec.SHA512, 64), key);
            case "ES256" -> ec("SHA256withECDSA", 32, key);
            case "ES384" -> ec("SHA384withECDSA", 48, key);
            case "ES512" -> ec("SHA512withECDSA", 66, key);
            default -> throw new IllegalArgumentException("not an asymmetric algorithm: " + algorithm
                    + "; use signedWithHmac for HS256, HS384, HS512");
        };
    }

    static Signer hmac(String algorithm, byte[] secret) {
        String mac = switch (algorithm) {
            case "HS256" -> "HmacSHA256";
            case "HS384" -> "HmacSHA384";
            case "HS512" -> "HmacSHA512";
            default -> throw new IllegalArgumentException("not an HMAC algorithm: " + algorithm);
        };
        byte[] copy = secret.clone();
        return content -> {
            try {
                Mac m = Mac.getInstance(mac);
                m.init(new SecretKeySpec(copy, mac));
                return m.doFinal(content);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot sign with " + mac, e);
            }
        };
    }

    private static PSSParameterSpec pss(String digest, MGF1ParameterSpec mgf, int saltLength) {
        return new PSSParameterSpec(digest, "MGF1", mgf, saltLength, PSSParameterSpec.TRAILER_FIELD_BC);
    }

    private static Signer rsa(String jca, PSSParameterSpec pss, PrivateKey key) {
        if (!(key instanceof RSAPrivateKey)) {
            throw new IllegalArgumentException("an RSA algorithm needs an RSA key, not " + key.getAlgorithm());
        }
        return content -> {
            try {
                Signature s = Signature.getInstance(jca);
                if (pss != null) {
                    s.setParameter(pss);
                }
                s.initSign(key);
                s.update(content);
                return s.sign();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot sign with " + jca, e);
            }
        };
    }

    private static Signer ec(String jca, int length, PrivateKey key) {
        if (!(key instanceof ECPrivateKey)) {
            throw new IllegalArgumentException("an ES algorithm needs an EC key, not " + key.getAlgorithm());
        }
        return content -> {
            try {
                Signature s = Signature.getInstance(jca);
                s.initSign(key);
                s.update(content);
                return joseFromDer(s.sign(), length);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot sign with " + jca, e);
            }
        };
    }

    /** RFC 7518 §3.4: the DER SEQUENCE of two INTEGERs as r and s, each unsigned and left-padded to length. */
    static byte[] joseFromDer(byte[] der, int length) {
        int i = 1; // past SEQUENCE
        i += (der[i] & 0x80) != 0 ? 1 + (der[i] & 0x7f) : 1; // past its length
        byte[] out = new byte[2 * length];
        for (int part = 0; part < 2; part++) {
            i++; // past INTEGER
            int n = der[i++] & 0xff;
            byte[] value = Arrays.copyOfRange(der, i, i + n);
            i += n;
            int skip = 0;
            while (skip < value.length - 1 && value[skip] == 0) {
                skip++;
            }
            int len = value.length - skip;
            System.arraycopy(value, skip, out, part * length + length - len, len);
        }
        return out;
    }
}
