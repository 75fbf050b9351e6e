package dev.tokengate;

import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.log.CallEvent;
import dev.tokengate.testing.TestCertificates;
import dev.tokengate.testing.TestRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Certificate-bound tokens (RFC 8705) through the pipeline, with real certificates from keytool. */
class MtlsGateTest {

    private static final String BOUND = "mtls.bound.token";

    @TempDir
    static Path dir;
    private static X509Certificate client;
    private static X509Certificate other;

    private final List<CallEvent> events = new ArrayList<>();

    private static synchronized X509Certificate client() {
        if (client == null) {
            client = TestCertificates.certificate(TestCertificates.generate(dir, "client"));
            other = TestCertificates.certificate(TestCertificates.generate(dir, "other"));
        }
        return client;
    }

    private static VerifiedToken validate(String token) {
        if (!token.equals(BOUND)) {
            throw new InvalidTokenException("The token's signature does not verify.", "signature");
        }
        return VerifiedToken.builder(VerifiedToken.Kind.INTROSPECTED).subject("alice").scopes(List.of("read"))
                .claims(Map.of("cnf", Map.of("x5t#S256", TestCertificates.thumbprint(client())))).build();
    }

    private TokenGate gate(TokenGateConfig.Builder config, String header) {
        TokenGate.Builder b = TokenGate.builder().settings(config.build()).validator(MtlsGateTest::validate)
                .callLogSink(events::add);
        return (header == null ? b : b.mtlsCertificateHeader(header)).build();
    }

    private static ErrorResponse run(TokenGate gate, TestRequest request) {
        TokenGate.Call call = gate.begin(request);
        int status = 200;
        try {
            if (call.authorize(Requirement.allOf("read")) instanceof Outcome.Rejected r) {
                ErrorResponse response = call.errorResponse(r.error());
                status = response.status();
                return response;
            }
            return null;
        } finally {
            call.finish(status);
        }
    }

    private static String rfc9440(X509Certificate certificate) throws Exception {
        return ":" + Base64.getEncoder().encodeToString(certificate.getEncoded()) + ":";
    }

    @Test
    void authorizeWhenTheConnectionPresentsTheBoundCertificateThenAdmittedAndMarked() {
        assertThat(run(gate(TokenGateConfig.builder(), null), TestRequest.get("/x").bearer(BOUND)
                .clientCertificate(client()))).isNull();
        assertThat(events.get(0).marks()).contains("mtls");
    }

    @Test
    void authorizeWhenNoClientCertificateThenInvalidToken() {
        ErrorResponse r = run(gate(TokenGateConfig.builder(), null), TestRequest.get("/x").bearer(BOUND));

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.headers().get("WWW-Authenticate")).contains("error=\"invalid_token\"", "mutual TLS");
        assertThat(events.get(0).reason()).hasValueSatisfying(v -> assertThat(v).contains("no client certificate"));
    }

    @Test
    void authorizeWhenAnotherCertificateThenInvalidToken() {
        client();
        ErrorResponse r = run(gate(TokenGateConfig.builder(), null), TestRequest.get("/x").bearer(BOUND)
                .clientCertificate(other));

        assertThat(r.headers().get("WWW-Authenticate")).contains("error=\"invalid_token\"", "another client certificate");
    }

    @Test
    void authorizeWhenATrustedProxyForwardsTheCertificateThenAdmittedAndFromAnyoneElseIgnored() throws Exception {
        TokenGate gate = gate(TokenGateConfig.builder().trustedProxies(List.of("10.0.0.0/8"))
                .forwardedHeader(TokenGateConfig.ForwardedHeader.X_FORWARDED_FOR), "Client-Cert");

        assertThat(run(gate, TestRequest.get("/x").bearer(BOUND).remoteAddress("10.0.0.1")
                .header("X-Forwarded-For", "198.51.100.7").header("Client-Cert", rfc9440(client())))).isNull();
        String pem = java.net.URLEncoder.encode("-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder().encodeToString(client().getEncoded()) + "\n-----END CERTIFICATE-----\n",
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(run(gate, TestRequest.get("/x").bearer(BOUND).remoteAddress("10.0.0.1")
                .header("Client-Cert", pem))).as("nginx's URL-encoded PEM").isNull();
        assertThat(run(gate, TestRequest.get("/x").bearer(BOUND).remoteAddress("198.51.100.9")
                .header("Client-Cert", rfc9440(client()))).status()).as("not from a trusted proxy").isEqualTo(401);
    }

    @Test
    void certificateHeaderKeyIsReadAndCannotNameTheAuthorizationHeader() {
        assertThatThrownBy(() -> TokenGate.builder().mtlsCertificateHeader("Authorization"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(ConfigKeys.MTLS_CERTIFICATE_HEADER);
        assertThatThrownBy(() -> TokenGate.builder().config(ConfigSource.of(Map.of(
                ConfigKeys.MTLS_CERTIFICATE_HEADER, "DPoP")))).isInstanceOf(ConfigurationException.class);
    }
}
