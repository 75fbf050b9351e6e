package dev.tokengate.jaxrs;

import dev.tokengate.ErrorResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import java.nio.charset.StandardCharsets;

/** The refusals this adapter sends: the core's {@link ErrorResponse} as it is, or a bare 503 when there is none. */
final class Responses {

    private static final String UNAVAILABLE = "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,"
            + "\"detail\":\"The server could not check the request; try again shortly.\","
            + "\"error\":\"temporarily_unavailable\"}";

    private Responses() {
    }

    /** Aborts the request with the core's error response: status, headers and problem body unchanged. */
    static void abort(ContainerRequestContext request, ErrorResponse error) {
        Response.ResponseBuilder b = Response.status(error.status());
        error.headers().forEach(b::header);
        request.abortWith(b.entity(error.body().getBytes(StandardCharsets.UTF_8)).type(error.contentType()).build());
    }

    /** Aborts with a 503 for a failure of tokengate itself, when no call exists to format the error. */
    static void abortUnavailable(ContainerRequestContext request) {
        request.abortWith(Response.status(503).header("Cache-Control", "no-store")
                .entity(UNAVAILABLE.getBytes(StandardCharsets.UTF_8)).type("application/problem+json").build());
    }
}
