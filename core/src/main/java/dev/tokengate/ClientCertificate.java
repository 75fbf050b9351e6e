package dev.tokengate;

import java.io.ByteArrayInputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Finds the client certificate of a mutual-TLS request: the container's ({@link RequestView#clientCertificate()}),
 * else, only when the socket's peer is a trusted proxy and a header is configured, the certificate that proxy
 * forwarded: RFC 9440's {@code :base64-DER:} form, or a URL-encoded PEM (nginx's {@code $ssl_client_escaped_cert}).
 * A header from anyone else is never read. Not API.
 */
final class ClientCertificate {

    private ClientCertificate() {
    }

    static Optional<X509Certificate> resolve(RequestView request, List<IpRange> trustedProxies, Optional<String> header) {
        Optional<X509Certificate> direct = request.clientCertificate();
        if (direct.isPresent() || header.isEmpty() || trustedProxies.isEmpty()
                || !ClientAddress.isTrusted(request.remoteAddress(), trustedProxies)) {
            return direct;
        }
        List<String> values = request.headers(header.get());
        return values.size() == 1 ? parse(values.get(0).strip()) : Optional.empty();
    }

    /** The certificate in a forwarded header's value; empty for anything that is not exactly one certificate. */
    static Optional<X509Certificate> parse(String value) {
        try {
            byte[] der;
            if (value.length() > 2 && value.startsWith(":") && value.endsWith(":")) {
                der = Base64.getDecoder().decode(value.substring(1, value.length() - 1));
            } else {
                String pem = URLDecoder.decode(value, StandardCharsets.UTF_8);
                String body = pem.replace("-----BEGIN CERTIFICATE-----", "").replace("-----END CERTIFICATE-----", "")
                        .replaceAll("\\s", "");
                der = Base64.getDecoder().decode(body);
            }
            return Optional.of((X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der)));
        } catch (IllegalArgumentException | CertificateException | ClassCastException e) {
            return Optional.empty();
        }
    }
}
