package dev.tokengate.testing.conformance;

import dev.tokengate.config.ConfigKeys;
import dev.tokengate.testing.DpopProof;
import dev.tokengate.testing.TestCertificates;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proofs of possession behind a reverse proxy, whatever the adapter: a DPoP proof must name the URL the client called
 * (RFC 9449 §4.3: {@code htu}), which behind a TLS-terminating proxy is the public one that a trusted proxy forwards
 * ({@code X-Forwarded-Proto} / {@code X-Forwarded-Host} or RFC 7239 {@code Forwarded}), not the container's; and a
 * certificate-bound token (RFC 8705) is checked against the client certificate that a trusted proxy forwards in
 * {@value ConfigKeys#MTLS_CERTIFICATE_HEADER}. A peer that is not a trusted proxy cannot do either.
 */
public abstract class ProofOfPossessionContract extends ConformanceContract {

    /** The origin clients call, in front of the proxy. */
    private static final String PUBLIC = "https://api.example.com";
    /** The test's HTTP client connects from loopback: the proxy, when trusted. */
    private static final Map<String, String> BEHIND_X_FORWARDED = Map.of(ConfigKeys.TRUSTED_PROXIES, "127.0.0.1/32",
            ConfigKeys.FORWARDED_HEADER, "x-forwarded-for");
    private static final String[] FORWARDED_BY_PROXY = {"X-Forwarded-For: 203.0.113.7", "X-Forwarded-Proto: https",
            "X-Forwarded-Host: api.example.com"};

    @TempDir
    Path dir;

    private static String dpopBound() {
        return TestTokens.jwt().scope("read").claim("cnf", Map.of("jkt", DpopProof.thumbprint(TestKeys.ec256()))).sign();
    }

    private static RawHttp.Response withProof(URI base, String token, String htu, String... more) throws Exception {
        String proof = DpopProof.by(TestKeys.ec256()).request("GET", htu).accessToken(token).sign();
        String[] lines = new String[more.length + 2];
        lines[0] = "Authorization: DPoP " + token;
        lines[1] = "DPoP: " + proof;
        System.arraycopy(more, 0, lines, 2, more.length);
        return RawHttp.get(base, GatedApp.READ, lines);
    }

    @Test
    void dpopProofNamingThePublicUrlATrustedProxyForwardedIsAccepted() throws Exception {
        URI base = deploy(BEHIND_X_FORWARDED);
        String token = dpopBound();

        RawHttp.Response r = withProof(base, token, PUBLIC + GatedApp.READ, FORWARDED_BY_PROXY);

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).startsWith("subject=");
    }

    @Test
    void dpopProofNamingTheContainersUrlBehindATrustedProxyIsRefused() throws Exception {
        URI base = deploy(BEHIND_X_FORWARDED);
        String token = dpopBound();

        RawHttp.Response r = withProof(base, token, base + GatedApp.READ, FORWARDED_BY_PROXY);

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.challenge()).contains("error=\"invalid_dpop_proof\"", "htu");
    }

    @Test
    void dpopProofBehindAnRfc7239ProxyNamesTheForwardedProtoAndHost() throws Exception {
        URI base = deploy(Map.of(ConfigKeys.TRUSTED_PROXIES, "127.0.0.1/32", ConfigKeys.FORWARDED_HEADER, "forwarded"));
        String token = dpopBound();

        RawHttp.Response r = withProof(base, token, PUBLIC + GatedApp.READ,
                "Forwarded: for=203.0.113.7;proto=https;host=api.example.com");

        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    @Test
    void forwardedOriginFromAPeerThatIsNoTrustedProxyIsIgnored() throws Exception {
        URI base = base(); // no trusted proxies: the headers are the client's own
        String token = dpopBound();

        assertThat(withProof(base, token, PUBLIC + GatedApp.READ, FORWARDED_BY_PROXY).status()).isEqualTo(401);
        assertThat(withProof(base, token, base + GatedApp.READ, FORWARDED_BY_PROXY).status()).isEqualTo(200);
    }

    private static String rfc9440(X509Certificate certificate) throws CertificateEncodingException {
        return ":" + Base64.getEncoder().encodeToString(certificate.getEncoded()) + ":";
    }

    @Test
    void certificateBoundTokenIsCheckedAgainstTheCertificateATrustedProxyForwards() throws Exception {
        X509Certificate client = TestCertificates.certificate(TestCertificates.generate(dir, "client"));
        X509Certificate other = TestCertificates.certificate(TestCertificates.generate(dir, "other"));
        String token = TestTokens.jwt().scope("read").claim("cnf",
                Map.of("x5t#S256", TestCertificates.thumbprint(client))).sign();
        Map<String, String> settings = new java.util.HashMap<>(BEHIND_X_FORWARDED);
        settings.put(ConfigKeys.MTLS_CERTIFICATE_HEADER, "Client-Cert");
        URI behindProxy = deploy(settings);

        assertThat(RawHttp.get(behindProxy, GatedApp.READ, "Authorization: Bearer " + token,
                "X-Forwarded-For: 203.0.113.7", "Client-Cert: " + rfc9440(client)).status()).isEqualTo(200);
        RawHttp.Response another = RawHttp.get(behindProxy, GatedApp.READ, "Authorization: Bearer " + token,
                "X-Forwarded-For: 203.0.113.7", "Client-Cert: " + rfc9440(other));
        assertThat(another.status()).isEqualTo(401);
        assertThat(another.challenge()).contains("error=\"invalid_token\"", "another client certificate");
        assertThat(RawHttp.get(behindProxy, GatedApp.READ, "Authorization: Bearer " + token,
                "X-Forwarded-For: 203.0.113.7").status()).isEqualTo(401);

        URI direct = deploy(Map.of(ConfigKeys.MTLS_CERTIFICATE_HEADER, "Client-Cert")); // no trusted proxies
        RawHttp.Response forged = RawHttp.get(direct, GatedApp.READ, "Authorization: Bearer " + token,
                "Client-Cert: " + rfc9440(client));
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.challenge()).contains("mutual TLS");
    }
}
