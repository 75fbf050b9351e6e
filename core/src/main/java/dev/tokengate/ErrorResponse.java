package dev.tokengate;

import java.util.Map;

/**
 * A refusal ready to write: status, headers ({@code WWW-Authenticate}, {@code Cache-Control}, then the error's own,
 * such as {@code Retry-After} or {@code RateLimit}) and an RFC 9457 {@code application/problem+json} body. Every
 * adapter writes it as it is.
 *
 * @param status      the HTTP status
 * @param headers     header name to value, in the order to write them
 * @param contentType the body's media type
 * @param body        the body (UTF-8)
 */
public record ErrorResponse(int status, Map<String, String> headers, String contentType, String body) {
    /**
     * Copies the headers into an unmodifiable map that keeps their order.
     *
     * @param status the HTTP status
     * @param headers header name to value, in the order to write them; not null
     * @param contentType the body's media type
     * @param body the body (UTF-8)
     */
    public ErrorResponse {
        headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
    }
}
