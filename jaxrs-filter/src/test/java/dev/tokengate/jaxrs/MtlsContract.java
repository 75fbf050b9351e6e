package dev.tokengate.jaxrs;

import dev.tokengate.TokenGate;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.log.CallEvent;
import dev.tokengate.testing.CapturingSink;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.testing.jetty.MutualTls;
import dev.tokengate.testing.jetty.TestServer;
import dev.tokengate.testkit.LoopbackIssuer;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Application;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Certificate-bound tokens (RFC 8705) on a real Jakarta REST runtime over real mutual TLS: Jetty asks for a client
 * certificate, the feature reads it from the servlet request, and a token whose {@code cnf.x5t#S256} names it passes
 * only on a connection that presents it. The certificates are made by the test (keytool).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MtlsContract {

    @TempDir
    static java.nio.file.Path dir;

    private final LoopbackIssuer idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    private final CapturingSink sink = new CapturingSink();
    private MutualTls tls;
    private TestServer server;

    /** The runtime under test. */
    abstract JaxrsRuntime runtime();

    @Path("/accounts")
    public static class Accounts {
        @GET
        @RequiresScopes("read")
        public String list() {
            return "accounts";
        }
    }

    @BeforeAll
    void start() throws Exception {
        tls = MutualTls.generate(dir);
        TokenGate gate = TokenGate.builder().issuer(JwtValidator.builder().issuer(TestTokens.ISSUER)
                        .keySource(KeySources.jwks(idp.jwksUri()).build()).audiences(TestTokens.AUDIENCE))
                .callLogSink(sink).build();
        TokenGateFeature feature = new TokenGateFeature(gate);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        runtime().deploy(context, new Application() {
            @Override
            public Set<Object> getSingletons() {
                return Set.of(feature, new Accounts());
            }
        });
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
        return tls.client(identity).send(server.request("/accounts").header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String boundTo(KeyStore identity) {
        return TestTokens.jwt().scope("read").claim("cnf", MutualTls.confirmation(identity)).sign();
    }

    @Test
    void requestOverMutualTlsWithTheBoundCertificateThenTheResourceAnswers() throws Exception {
        sink.drain();
        HttpResponse<String> r = get(tls.client(), boundTo(tls.client()));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("accounts");
        CallEvent e = sink.next();
        assertThat(e.marks()).contains("mtls");
    }

    @Test
    void requestOverMutualTlsWithAnotherCertificateThen401() throws Exception {
        HttpResponse<String> r = get(tls.other(), boundTo(tls.client()));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("error=\"invalid_token\"", "another client certificate"));
        assertThat(r.body()).doesNotContain("accounts");
    }

    @Test
    void requestWithoutAClientCertificateThen401() throws Exception {
        HttpResponse<String> r = get(null, boundTo(tls.client()));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("error=\"invalid_token\"", "mutual TLS"));
    }

    @Test
    void unboundTokenOverMutualTlsThenAnsweredAsUsual() throws Exception {
        assertThat(get(tls.other(), TestTokens.jwt().scope("read").sign()).statusCode()).isEqualTo(200);
    }
}
