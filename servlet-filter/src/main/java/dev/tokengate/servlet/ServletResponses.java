package dev.tokengate.servlet;

import dev.tokengate.ErrorResponse;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes tokengate's refusals to a servlet response: the status, the {@code WWW-Authenticate} challenge and other
 * headers, and the {@code application/problem+json} body of an {@link ErrorResponse}. Shared by the servlet-side
 * adapters (the filter, the Jakarta Security mechanism), so a refusal reads the same whichever sent it. A response
 * already committed is left alone.
 */
public final class ServletResponses {

    private static final byte[] UNAVAILABLE = ("{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,"
            + "\"detail\":\"The server could not check the request; try again shortly.\","
            + "\"error\":\"temporarily_unavailable\"}").getBytes(StandardCharsets.UTF_8);

    private ServletResponses() {
    }

    /**
     * Sends this refusal; nothing is written when the response is already committed.
     *
     * @param response the response to write to
     * @param error the refusal: status, headers and problem body
     * @throws IOException when the body cannot be written to the client
     */
    public static void send(HttpServletResponse response, ErrorResponse error) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.setStatus(error.status());
        error.headers().forEach(response::setHeader);
        response.setContentType(error.contentType());
        byte[] body = error.body().getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /**
     * Sends the API's RFC 9728 metadata document: 200, JSON, cacheable.
     *
     * @param response the response to write to
     * @param document the JSON document ({@link dev.tokengate.ResourceMetadata#document})
     * @param head     {@code true} for a {@code HEAD} request: the headers without the body
     * @throws IOException when the body cannot be written to the client
     */
    public static void sendMetadata(HttpServletResponse response, String document, boolean head) throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setHeader("Cache-Control", dev.tokengate.ResourceMetadata.CACHE_CONTROL);
        response.setContentType(dev.tokengate.ResourceMetadata.CONTENT_TYPE);
        byte[] body = document.getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        if (!head) {
            response.getOutputStream().write(body);
        }
    }

    /**
     * Sends 503 {@code temporarily_unavailable}: tokengate itself could not check the request. Nothing is written when
     * the response is already committed.
     *
     * @param response the response to write to
     * @throws IOException when the body cannot be written to the client
     */
    public static void sendUnavailable(HttpServletResponse response) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/problem+json");
        response.setContentLength(UNAVAILABLE.length);
        response.getOutputStream().write(UNAVAILABLE);
    }
}
