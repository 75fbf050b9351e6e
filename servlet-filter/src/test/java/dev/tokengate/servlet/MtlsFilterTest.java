package dev.tokengate.servlet;

import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.log.CallEvent;
import dev.tokengate.testing.CapturingSink;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestCertificates;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Certificate-bound tokens (RFC 8705) over real mutual TLS: Jetty asks for a client certificate, the filter reads it
 * from {@code jakarta.servlet.request.X509Certificate}, and a token whose {@code cnf.x5t#S256} names it passes only
 * on a connection that presents it. The certificates are made by the test (keytool).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MtlsFilterTest {

    @TempDir
    static Path dir;

    private final LoopbackIssuer idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    private final CapturingSink sink = new CapturingSink();
    private Server server;
    private URI base;
    private KeyStore serverStore;
    private KeyStore clientStore;
    private KeyStore otherStore;

    @BeforeAll
    void start() throws Exception {
        serverStore = TestCertificates.generate(dir, "server");
        clientStore = TestCertificates.generate(dir, "client");
        otherStore = TestCertificates.generate(dir, "other");

        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(serverStore);
        tls.setKeyStorePassword(new String(TestCertificates.PASSWORD));
        tls.setTrustStore(TestCertificates.trusting(TestCertificates.certificate(clientStore),
                TestCertificates.certificate(otherStore)));
        tls.setWantClientAuth(true);
        HttpConfiguration http = new HttpConfiguration();
        http.setHeaderCacheCaseSensitive(true);
        http.addCustomizer(new SecureRequestCustomizer(false));
        server = new Server();
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"),
                new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);

        TokenGate gate = TokenGate.builder().issuer(JwtValidator.builder().issuer(TestTokens.ISSUER)
                        .keySource(KeySources.jwks(idp.jwksUri()).build()).audiences(TestTokens.AUDIENCE))
                .callLogSink(sink).build();
        ServletContextHandler context = new ServletContextHandler("/app");
        context.addFilter(new FilterHolder(new TokenGateFilter(gate, UrlRules.parse(GatedApp.RULES))), "/*",
                EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new LegacyServlet()), "/*");
        server.setHandler(context);
        server.start();
        base = URI.create("https://127.0.0.1:" + connector.getLocalPort());
    }

    @AfterAll
    void stop() throws Exception {
        try {
            server.stop();
        } finally {
            idp.close();
        }
    }

    private HttpClient client(KeyStore identity) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(TestCertificates.trusting(TestCertificates.certificate(serverStore)));
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(identity != null ? identity : TestCertificates.trusting(), TestCertificates.PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private HttpResponse<String> get(KeyStore identity, String token) throws Exception {
        return client(identity).send(HttpRequest.newBuilder(base.resolve("/app/api/accounts/1"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String boundTo(KeyStore store) {
        return TestTokens.jwt().scope("read").claim("cnf", Map.of("x5t#S256",
                TestCertificates.thumbprint(TestCertificates.certificate(store)))).sign();
    }

    @Test
    void requestOverMutualTlsWithTheBoundCertificateThenTheApplicationAnswers() throws Exception {
        sink.drain();
        HttpResponse<String> r = get(clientStore, boundTo(clientStore));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Legacy")).hasValue("yes");
        CallEvent e = sink.next();
        assertThat(e.marks()).contains("mtls");
    }

    @Test
    void requestOverMutualTlsWithAnotherCertificateThen401() throws Exception {
        sink.drain();
        HttpResponse<String> r = get(otherStore, boundTo(clientStore));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("error=\"invalid_token\"", "another client certificate"));
        assertThat(r.headers().firstValue("X-Legacy")).isEmpty();
    }

    @Test
    void requestWithoutAClientCertificateThen401() throws Exception {
        sink.drain();
        HttpResponse<String> r = get(null, boundTo(clientStore));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("error=\"invalid_token\"", "mutual TLS"));
    }

    @Test
    void unboundTokenOverMutualTlsThenAnsweredAsUsual() throws Exception {
        sink.drain();
        assertThat(get(otherStore, TestTokens.jwt().scope("read").sign()).statusCode()).isEqualTo(200);
    }
}
