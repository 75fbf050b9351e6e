package dev.tokengate.testing.jetty;

import dev.tokengate.TokenGate;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.log.CallEvent;
import dev.tokengate.testing.CapturingSink;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.testkit.LoopbackIssuer;
import org.eclipse.jetty.server.Handler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Certificate-bound tokens (RFC 8705) over real mutual TLS, whatever the adapter: Jetty asks for a client
 * certificate, the adapter reads it from the servlet request ({@code jakarta.servlet.request.X509Certificate}), and a
 * token whose {@code cnf.x5t#S256} names it passes only on a connection that presents it. The certificates are made by
 * the test (keytool). An adapter's test extends this with its application ({@link #context}), the path to call and
 * how its application's answer shows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class MutualTlsContract {

    @TempDir
    static Path dir;

    private final LoopbackIssuer idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    private final CapturingSink sink = new CapturingSink();
    private final String path;
    private final Consumer<HttpResponse<String>> answered;
    private final Consumer<HttpResponse<String>> notAnswered;
    private MutualTls tls;
    private TestServer server;

    /**
     * The adapter's test.
     *
     * @param path        the path the test calls with {@code GET}, needing the scope {@code read}
     * @param answered    asserts that the application answered (the gate let the request through)
     * @param notAnswered asserts that an answer is not the application's (the gate refused the request)
     */
    protected MutualTlsContract(String path, Consumer<HttpResponse<String>> answered,
            Consumer<HttpResponse<String>> notAnswered) {
        this.path = path;
        this.answered = answered;
        this.notAnswered = notAnswered;
    }

    /**
     * The adapter's application behind {@code gate}, in a servlet context of the adapter's Jetty environment.
     *
     * @param gate the gate, which reads JWTs of {@link TestTokens#ISSUER} from a JWKS on loopback
     * @return the context, not yet started, where the test's path needs the scope {@code read}
     */
    protected abstract Handler context(TokenGate gate) throws Exception;

    @BeforeAll
    void start() throws Exception {
        tls = MutualTls.generate(dir);
        TokenGate gate = TokenGate.builder().issuer(JwtValidator.builder().issuer(TestTokens.ISSUER)
                        .keySource(KeySources.jwks(idp.jwksUri()).build()).audiences(TestTokens.AUDIENCE))
                .callLogSink(sink).build();
        server = TestServer.startTls(context(gate), tls);
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
        return tls.client(identity).send(server.request(path).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String boundTo(KeyStore identity) {
        return TestTokens.jwt().scope("read").claim("cnf", MutualTls.confirmation(identity)).sign();
    }

    @Test
    void requestOverMutualTlsWithTheBoundCertificateThenTheApplicationAnswers() throws Exception {
        sink.drain();
        HttpResponse<String> r = get(tls.client(), boundTo(tls.client()));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        answered.accept(r);
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
        notAnswered.accept(r);
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
