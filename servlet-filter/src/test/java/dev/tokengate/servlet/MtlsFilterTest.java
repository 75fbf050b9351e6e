package dev.tokengate.servlet;

import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.log.CallEvent;
import dev.tokengate.testing.CapturingSink;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.testing.jetty.MutualTls;
import dev.tokengate.testing.jetty.TestServer;
import dev.tokengate.testkit.LoopbackIssuer;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.EnumSet;

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
    private MutualTls tls;
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
        tls = MutualTls.generate(dir);
        TokenGate gate = TokenGate.builder().issuer(JwtValidator.builder().issuer(TestTokens.ISSUER)
                        .keySource(KeySources.jwks(idp.jwksUri()).build()).audiences(TestTokens.AUDIENCE))
                .callLogSink(sink).build();
        ServletContextHandler context = new ServletContextHandler("/app");
        context.addFilter(new FilterHolder(new TokenGateFilter(gate, UrlRules.parse(GatedApp.RULES))), "/*",
                EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new LegacyServlet()), "/*");
        server = TestServer.startTls(context, tls);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            server.close();
        } finally {
            idp.close();
        }
    }

    private HttpResponse<String> get(KeyStore identity, String token) throws Exception {
        return tls.client(identity).send(server.request("/app/api/accounts/1")
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String boundTo(KeyStore store) {
        return TestTokens.jwt().scope("read").claim("cnf", MutualTls.confirmation(store)).sign();
    }

    @Test
    void requestOverMutualTlsWithTheBoundCertificateThenTheApplicationAnswers() throws Exception {
        sink.drain();
        HttpResponse<String> r = get(tls.client(), boundTo(tls.client()));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Legacy")).hasValue("yes");
        CallEvent e = sink.next();
        assertThat(e.marks()).contains("mtls");
    }

    @Test
    void requestOverMutualTlsWithAnotherCertificateThen401() throws Exception {
        sink.drain();
        HttpResponse<String> r = get(tls.other(), boundTo(tls.client()));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("error=\"invalid_token\"", "another client certificate"));
        assertThat(r.headers().firstValue("X-Legacy")).isEmpty();
    }

    @Test
    void requestWithoutAClientCertificateThen401() throws Exception {
        sink.drain();
        HttpResponse<String> r = get(null, boundTo(tls.client()));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("error=\"invalid_token\"", "mutual TLS"));
    }

    @Test
    void unboundTokenOverMutualTlsThenAnsweredAsUsual() throws Exception {
        sink.drain();
        assertThat(get(tls.other(), TestTokens.jwt().scope("read").sign()).statusCode()).isEqualTo(200);
    }
}
