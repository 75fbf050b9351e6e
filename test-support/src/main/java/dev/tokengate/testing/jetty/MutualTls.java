package dev.tokengate.testing.jetty;

import dev.tokengate.testing.TestCertificates;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;

/**
 * The certificates of a mutual-TLS test, made by the test (keytool): the server's, a client's that tokens get bound
 * to, and another client's that the server trusts as much. {@link TestServer#startTls} serves over TLS asking for
 * (not requiring) a client certificate; {@link #client(KeyStore)} makes a JDK client presenting one, or none.
 */
public final class MutualTls {

    private final KeyStore server;
    private final KeyStore client;
    private final KeyStore other;

    private MutualTls(Path dir) {
        this.server = TestCertificates.generate(dir, "server");
        this.client = TestCertificates.generate(dir, "client");
        this.other = TestCertificates.generate(dir, "other");
    }

    /**
     * Generates the three identities.
     *
     * @param dir where keytool writes the key stores
     * @return the certificates
     */
    public static MutualTls generate(Path dir) {
        return new MutualTls(dir);
    }

    /** The identity tokens are bound to. */
    public KeyStore client() {
        return client;
    }

    /** An identity the server trusts too, but no token is bound to. */
    public KeyStore other() {
        return other;
    }

    /** A token's {@code cnf} binding it to this identity's certificate (RFC 8705 {@code x5t#S256}). */
    public static Map<String, Object> confirmation(KeyStore identity) {
        return Map.of("x5t#S256", TestCertificates.thumbprint(TestCertificates.certificate(identity)));
    }

    /** The server side: its identity, trusting both clients, asking for a client certificate. */
    SslContextFactory.Server serverTls() {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(server);
        tls.setKeyStorePassword(new String(TestCertificates.PASSWORD));
        tls.setTrustStore(TestCertificates.trusting(TestCertificates.certificate(client),
                TestCertificates.certificate(other)));
        tls.setWantClientAuth(true);
        return tls;
    }

    /**
     * A client trusting the server and presenting {@code identity}'s certificate.
     *
     * @param identity the client's key store, or {@code null} to present no certificate
     * @return a new client
     */
    public HttpClient client(KeyStore identity) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(TestCertificates.trusting(TestCertificates.certificate(server)));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(identity != null ? identity : TestCertificates.trusting(), TestCertificates.PASSWORD);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
            return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the test's TLS client", e);
        }
    }
}
