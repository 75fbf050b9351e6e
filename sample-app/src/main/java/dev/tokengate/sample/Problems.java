package dev.tokengate.sample;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokengate.UpstreamUnavailableException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 9457 problem responses for the app's own errors (tokengate writes its own for token errors), and the
 * exception mappers that keep stack traces out of responses.
 */
final class Problems {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String MEDIA_TYPE = "application/problem+json";

    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

    private Problems() {
    }

    /** The request body or a value in it is not acceptable: 400 with what is wrong and how to fix it. */
    static final class BadRequestException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequestException(String detail) {
            super(detail);
        }
    }

    static Response problem(int status, String title, String detail) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "about:blank");
        n.put("title", title);
        n.put("status", status);
        n.put("detail", detail);
        return Response.status(status).type(MEDIA_TYPE).entity(n.toString()).build();
    }

    /** Reads a JSON object body, or fails with a 400 that shows an example of the expected body. */
    static JsonNode object(String body, String example) {
        JsonNode n;
        try {
            n = body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new BadRequestException("The body is not valid JSON; send e.g. " + example);
        }
        if (n == null || !n.isObject()) {
            throw new BadRequestException("The body must be a JSON object, e.g. " + example);
        }
        return n;
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getName() + " as JSON", e);
        }
    }

    /** 400 for {@link BadRequestException}. */
    static final class BadRequestMapper implements ExceptionMapper<BadRequestException> {
        @Override
        public Response toResponse(BadRequestException e) {
            return problem(400, "Bad Request", e.getMessage());
        }
    }

    /** 409 for a state the request cannot change. */
    static final class ConflictMapper implements ExceptionMapper<Ledger.ConflictException> {
        @Override
        public Response toResponse(Ledger.ConflictException e) {
            return problem(409, "Conflict", e.getMessage());
        }
    }

    /** The runtime's own errors (404 no such resource, 405, 415, …) as problems. */
    static final class WebApplicationMapper implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            Response r = e.getResponse();
            if (r.hasEntity() && r.getMediaType() != null && MEDIA_TYPE.equals(r.getMediaType().toString())) {
                return r; // already a problem written by this app
            }
            int status = r.getStatus();
            String title = r.getStatusInfo().getReasonPhrase();
            String detail = switch (status) {
                case 404 -> "No such resource.";
                case 405 -> "This resource does not support that method.";
                case 415 -> "Send the body as application/json.";
                default -> title + ".";
            };
            Response.ResponseBuilder b = Response.fromResponse(problem(status, title, detail));
            r.getHeaders().forEach((k, v) -> {
                if (k.equalsIgnoreCase("Allow")) {
                    v.forEach(value -> b.header(k, value));
                }
            });
            return b.build();
        }
    }

    /**
     * The app's database, or the token database behind the console, is down or hung: 503 with {@code Retry-After},
     * one WARN line (no stack trace: an outage is not a bug, and a stack per request would flood the log).
     */
    static Response unavailable(RuntimeException e) {
        LOG.warn("request answered 503: {}", e.getMessage());
        return Response.fromResponse(problem(503, "Service Unavailable", "The database is not answering; try again "
                + "shortly.")).header("Retry-After", RETRY_AFTER_SECONDS).build();
    }

    static final int RETRY_AFTER_SECONDS = 5;

    /** 503 for the app's own database ({@link Database.UnavailableException}). */
    static final class DatabaseUnavailableMapper implements ExceptionMapper<Database.UnavailableException> {
        @Override
        public Response toResponse(Database.UnavailableException e) {
            return unavailable(e);
        }
    }

    /** 503 for the token database behind the console (issuing, listing, revoking). */
    static final class TokenDatabaseUnavailableMapper implements ExceptionMapper<UpstreamUnavailableException> {
        @Override
        public Response toResponse(UpstreamUnavailableException e) {
            return unavailable(e);
        }
    }

    /** Anything else is a 500 whose details go to the log, not to the client. */
    static final class UnexpectedMapper implements ExceptionMapper<RuntimeException> {
        @Override
        public Response toResponse(RuntimeException e) {
            LOG.error("request failed", e);
            return problem(500, "Internal Server Error", "The server failed; the log has the details.");
        }
    }
}
