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

    /** The HTTP method, upper case. */
    String method();

    /** The request path within the application (for servlets: servlet path + path info), for rules and the call log. */
    String path();

    /** All values of a header, in order; an empty list when absent. Header names are case-insensitive. */
    List<String> headers(String name);

    /** The raw query string (without {@code ?}), if any. tokengate parses it itself. */
    Optional<String> queryString();

    /**
     * The values of a field of an {@code application/x-www-form-urlencoded} request body (not the query string);
     * empty when the body is not such a form.
     */
    List<String> formParameters(String name);

    /** The {@code Content-Type} header, if any. */
    default Optional<String> contentType() {
        return headers("Content-Type").stream().findFirst();
    }

    /** The address of the peer that opened the connection (a proxy, if there is one). */
    String remoteAddress();
}
