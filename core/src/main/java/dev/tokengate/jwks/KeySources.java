package dev.tokengate.jwks;

import dev.tokengate.internal.Settings;
import dev.tokengate.ConfigurationException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The ways to get a {@link KeySource}: a JWKS endpoint, an issuer to discover, a PEM public key or certificate,
 * a JWKS file.
 *
 * <pre>{@code
 * KeySource idp = KeySources.discover(URI.create("https://idp.example.com")).build();
 * KeySource jwks = KeySources.jwks(URI.create("https://idp.example.com/jwks")).readTimeout(Duration.ofSeconds(3)).build();
 * KeySource pem = KeySources.pem(Path.of("/etc/app/signer.pem"));
 * }</pre>
 */
public final class KeySources {

    private static final long MAX_FILE_BYTES = 1024 * 1024;

    private KeySources() {
    }

    /**
     * A builder for a cached JWKS endpoint source; see {@link JwksKeySource}.
     *
     * @param jwksUri the JWKS endpoint, an absolute http or https URI
     * @return a new builder
     */
    public static JwksKeySource.Builder jwks(URI jwksUri) {
        return JwksKeySource.builder(jwksUri);
    }

    /**
     * A builder for a source that discovers the issuer's JWKS; see {@link DiscoveryKeySource}.
     *
     * @param issuer the issuer, exactly as in tokens' {@code iss}
     * @return a new builder
     */
    public static DiscoveryKeySource.Builder discover(URI issuer) {
        return DiscoveryKeySource.builder(issuer);
    }

    /**
     * The public keys in a PEM file ({@code PUBLIC KEY} or {@code CERTIFICATE} blocks, RSA ≥ 2048 bits or EC),
     * read now. They have no key id and are offered for every token.
     *
     * @param file the PEM file; not null
     * @return a source of those keys
     * @throws ConfigurationException naming {@code pem} and the path when the file is missing or not such PEM
     */
    public static KeySource pem(Path file) {
        String text = read("pem", file);
        return new StaticKeySource(PemKeys.parse(text, "pem", file.toString()), false, "PEM " + file);
    }

    /**
     * The public keys in PEM text ({@code PUBLIC KEY} or {@code CERTIFICATE} blocks), for keys held in
     * configuration rather than a file; see {@link #pem(Path)}.
     *
     * @param pemText the PEM text; not null
     * @return a source of those keys
     * @throws ConfigurationException naming {@code pem} when the text is not such PEM (or a key is too weak)
     */
    public static KeySource pem(String pemText) {
        Settings.required("pem", pemText);
        return new StaticKeySource(PemKeys.parse(pemText, "pem", "PEM text"), false, "PEM text");
    }

    /**
     * The signature keys in a JWK set file, read now and matched by {@code kid} like an endpoint's.
     *
     * @param file the JWK set file; not null
     * @return a source of those keys
     * @throws ConfigurationException naming {@code jwksFile} and the path when the file is missing or not a JWK set
     */
    public static KeySource jwksFile(Path file) {
        String text = read("jwksFile", file);
        try {
            List<VerificationKey> keys = JwkSetParser.parse(text.getBytes(StandardCharsets.UTF_8), file.toString());
            return new StaticKeySource(keys, true, "JWKS file " + file);
        } catch (JwkSetParser.JwksFormatException e) {
            throw new ConfigurationException("jwksFile", file + ": " + e.getMessage(), e);
        }
    }

    private static String read(String setting, Path file) {
        Settings.required(setting, file);
        try {
            if (!Files.isRegularFile(file)) {
                throw new ConfigurationException(setting, file + ": no such file");
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigurationException(setting, file + ": larger than " + MAX_FILE_BYTES + " bytes");
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigurationException(setting, file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }
}
