package dev.tokengate.jwks;

import static dev.tokengate.jwks.Jwks.EC_256;
import static dev.tokengate.jwks.Jwks.RSA_1024;
import static dev.tokengate.jwks.Jwks.RSA_2048;
import static dev.tokengate.jwks.Jwks.ecJwk;
import static dev.tokengate.jwks.Jwks.kids;
import static dev.tokengate.jwks.Jwks.rsaJwk;
import static dev.tokengate.jwks.Jwks.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokengate.ConfigurationException;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticKeySourceTest {

    @TempDir
    Path dir;

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @Test
    void pemWhenRsaAndEcPublicKeysThenBothOfferedForAnyKid() throws Exception {
        Path file = dir.resolve("keys.pem");
        Files.writeString(file, pem("PUBLIC KEY", RSA_2048.getPublic().getEncoded())
                + pem("PUBLIC KEY", EC_256.getPublic().getEncoded()));

        KeySource keys = KeySources.pem(file);

        assertThat(keys.keys(Optional.of("any"))).extracting(VerificationKey::publicKey)
                .containsExactly(RSA_2048.getPublic(), EC_256.getPublic());
        assertThat(keys.keys(Optional.empty())).hasSize(2);
    }

    @Test
    void pemWhenTextThenParsed() {
        KeySource keys = KeySources.pem(pem("PUBLIC KEY", EC_256.getPublic().getEncoded()));

        assertThat(keys.keys(Optional.empty())).singleElement()
                .satisfies(k -> assertThat(k.publicKey()).isEqualTo(EC_256.getPublic()));
    }

    @Test
    void pemWhenCertificateThenUsesItsKey() throws Exception {
        Certificate certificate = selfSignedCertificate();
        Path file = dir.resolve("cert.pem");
        Files.writeString(file, pem("CERTIFICATE", certificate.getEncoded()));

        PublicKey key = KeySources.pem(file).keys(Optional.empty()).get(0).publicKey();

        assertThat(key).isEqualTo(certificate.getPublicKey());
    }

    @Test
    void pemWhenFileMissingThenConfigurationExceptionNamingSettingAndPath() {
        Path missing = dir.resolve("missing.pem");

        assertThatThrownBy(() -> KeySources.pem(missing))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("pem"))
                .hasMessageContaining(missing.toString());
    }

    @Test
    void pemWhenNotPemOrPrivateKeyOrSmallRsaThenConfigurationException() throws Exception {
        Path garbage = dir.resolve("garbage.pem");
        Files.writeString(garbage, "hello");
        Path secret = dir.resolve("private.pem");
        Files.writeString(secret, pem("PRIVATE KEY", RSA_2048.getPrivate().getEncoded()));
        Path small = dir.resolve("small.pem");
        Files.writeString(small, pem("PUBLIC KEY", RSA_1024.getPublic().getEncoded()));
        Path broken = dir.resolve("broken.pem");
        Files.writeString(broken, pem("PUBLIC KEY", new byte[] {1, 2, 3}));

        assertThatThrownBy(() -> KeySources.pem(garbage)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(garbage.toString()).hasMessageContaining("no PEM block");
        assertThatThrownBy(() -> KeySources.pem(secret)).hasMessageContaining("PRIVATE KEY");
        assertThatThrownBy(() -> KeySources.pem(small)).hasMessageContaining("1024 bits");
        assertThatThrownBy(() -> KeySources.pem(broken)).hasMessageContaining("neither an RSA nor an EC key");
    }

    @Test
    void jwksFileWhenValidThenKeysMatchedByKid() throws Exception {
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, set(rsaJwk("r", RSA_2048), ecJwk("e", "P-256", EC_256)));

        KeySource keys = KeySources.jwksFile(file);

        assertThat(kids(keys.keys(Optional.of("e")))).containsExactly("e");
        assertThat(keys.keys(Optional.of("other"))).isEmpty();
        assertThat(kids(keys.keys(Optional.empty()))).containsExactly("r", "e");
    }

    @Test
    void jwksFileWhenMissingOrInvalidThenConfigurationException() throws Exception {
        Path missing = dir.resolve("missing.json");
        Path invalid = dir.resolve("invalid.json");
        Files.writeString(invalid, "{\"not\":\"a jwks\"}");

        assertThatThrownBy(() -> KeySources.jwksFile(missing))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("jwksFile"))
                .hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> KeySources.jwksFile(invalid))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(invalid.toString());
    }

    @Test
    void jwksFileWhenExactlyOneMebibyteThenReadAndOneByteMoreRefused() throws Exception {
        String jwks = set(rsaJwk("r", RSA_2048), ecJwk("e", "P-256", EC_256));
        Path limit = dir.resolve("limit.json");
        Files.writeString(limit, jwks + " ".repeat(1024 * 1024 - jwks.length()));
        Path over = dir.resolve("over.json");
        Files.writeString(over, jwks + " ".repeat(1024 * 1024 - jwks.length() + 1));

        KeySource keys = KeySources.jwksFile(limit);
        assertThat(kids(keys.keys(Optional.empty()))).containsExactly("r", "e");
        assertThat(keys).hasToString("StaticKeySource[JWKS file " + limit + ", 2 keys]");
        assertThatThrownBy(() -> KeySources.jwksFile(over)).isInstanceOf(ConfigurationException.class)
                .hasMessage("jwksFile: " + over + ": larger than 1048576 bytes");
    }

    /** The JDK has no public API to issue a certificate; its keytool does. */
    private Certificate selfSignedCertificate() throws Exception {
        Path store = dir.resolve("store.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "signer", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=signer", "-validity", "1", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(store.toFile())) {
            keyStore.load(in, "changeit".toCharArray());
        }
        return keyStore.getCertificate("signer");
    }
}
