package dev.tokengate;

import java.util.List;
import java.util.Optional;

/**
 * The container-neutral view of an HTTP request that the pipeline reads; each adapter (servlet, JAX-RS,
 * Jakarta Security) implements it once.
 *
 * <p>Implementations must not consume the request body on behalf of tokengate: {@link #formParameters} is only
 * asked for when form-body tokens are enabled, and an adapter answers it the way its container keeps the
 * body readable for the application.
 */
public interface RequestView {

    /**
     * The HTTP method, upper case.
     *
     * @return the method, e.g. {@code GET}
     */
    String method();

    /**
     * The request path within the application (for servlets: servlet path + path info), for rules and the call log.
     *
     * @return the path, starting with {@code /}; not decoded beyond what the container does
     */
    String path();

    /**
     * All values of a header, in order; an empty list when absent. Header names are case-insensitive.
     *
     * @param name the header's name, any case
     * @return the values, empty when the header is absent
     */
    List<String> headers(String name);

    /**
     * The raw query string (without {@code ?}), if any. tokengate parses it itself.
     *
     * @return the query string, still percent-encoded; empty when the request has none
     */
    Optional<String> queryString();

    /**
     * The values of a field of an {@code application/x-www-form-urlencoded} request body (not the query string);
     * empty when the body is not such a form.
     *
     * @param name the field's name
     * @return the decoded values in order, empty when the field or such a body is absent
     */
    List<String> formParameters(String name);

    /**
     * The {@code Content-Type} header, if any.
     *
     * @return the header's first value, empty when absent
     */
    default Optional<String> contentType() {
        return headers("Content-Type").stream().findFirst();
    }

    /**
     * The URL the request was sent to as the container received it, without query and fragment: scheme, host, port
     * and the whole path (context path included), e.g. {@code https://api.example.com/app/accounts/7}. The gate
     * replaces scheme and host by what a trusted proxy forwarded; DPoP proofs ({@code htu}) are checked against it.
     *
     * @return the URL; empty when the adapter cannot tell (DPoP proofs are then refused)
     */
    default Optional<String> url() {
        return Optional.empty();
    }

    /**
     * The client certificate the TLS connection was authenticated with (mutual TLS), as the container verified it: for
     * servlets the first of {@code jakarta.servlet.request.X509Certificate}.
     *
     * @return the client's certificate; empty without mutual TLS or when the adapter cannot tell
     */
    default Optional<java.security.cert.X509Certificate> clientCertificate() {
        return Optional.empty();
    }

    /**
     * The address of the peer that opened the connection (a proxy, if there is one).
     *
     * @return the peer's address as text (IPv4 or IPv6), never null
     */
    String remoteAddress();

    /**
     * The path the application is deployed at, as the client sent it (for servlets the context path), e.g.
     * {@code /app}: where the API's RFC 9728 metadata is served when {@code tokengate.resource} is not set.
     *
     * @return the path without a trailing {@code /}; empty for an application at the root
     */
    default String basePath() {
        return "";
    }
}
