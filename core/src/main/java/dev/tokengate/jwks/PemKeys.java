package dev.tokengate.jwks;

import dev.tokengate.ConfigurationException;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads public keys from PEM text: SubjectPublicKeyInfo ({@code BEGIN PUBLIC KEY}) or X.509 certificates
 * ({@code BEGIN CERTIFICATE}, whose key is used; the certificate itself is not checked), RSA of at least
 * {@value JwkSetParser#MIN_RSA_BITS} bits or EC. Anything else is a {@link ConfigurationException}.
 */
final class PemKeys {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

    private PemKeys() {
    }

    /**
     * The keys of every block in {@code pem}.
     *
     * @param setting the setting being read, for the exception
     * @param origin  where the text came from (a path), for the exception
     */
    static List<VerificationKey> parse(String pem, String setting, String origin) {
        List<VerificationKey> keys = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(setting, origin + ": " + type + " block is not base64", e);
            }
            PublicKey key = switch (type) {
                case "PUBLIC KEY" -> spki(der, setting, origin);
                case "CERTIFICATE" -> certificate(der, setting, origin);
                default -> throw new ConfigurationException(setting, origin + ": unsupported PEM block '" + type
                        + "'; expected PUBLIC KEY or CERTIFICATE (never a private key)");
            };
            if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < JwkSetParser.MIN_RSA_BITS) {
                throw new ConfigurationException(setting, origin + ": RSA key of " + rsa.getModulus().bitLength()
                        + " bits, at least " + JwkSetParser.MIN_RSA_BITS + " required");
            }
            if (!(key instanceof RSAPublicKey) && !(key instanceof ECPublicKey)) {
                throw new ConfigurationException(setting, origin + ": " + key.getAlgorithm()
                        + " key not supported; use RSA or EC");
            }
            keys.add(new VerificationKey(Optional.empty(), key, Optional.empty()));
        }
        if (keys.isEmpty()) {
            throw new ConfigurationException(setting, origin
                    + ": no PEM block found; expected -----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----");
        }
        return List.copyOf(keys);
    }

    private static PublicKey spki(byte[] der, String setting, String origin) {
        for (String algorithm : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new ConfigurationException(setting, origin + ": PUBLIC KEY block is neither an RSA nor an EC key");
    }

    private static PublicKey certificate(byte[] der, String setting, String origin) {
        try {
            return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der))
                    .getPublicKey();
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException(setting, origin + ": CERTIFICATE block is not an X.509 certificate", e);
        }
    }
}
