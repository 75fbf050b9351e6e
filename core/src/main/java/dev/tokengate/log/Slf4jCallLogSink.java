package dev.tokengate.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokengate.internal.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default call-log sink: one JSON object per request, on one line, at INFO on the SLF4J logger
 * {@value #LOGGER_NAME}. Route that logger to its own file or drop it in your logging configuration.
 *
 * <p>Fields: {@code time, request_id, method, path, status, latency_ms, client_address, subject, client_id,
 * token_fingerprint, scopes, application, api_key_id, decision, error, reason, marks}; absent values are left out.
 */
public final class Slf4jCallLogSink implements CallLogSink {

    /** The logger the events go to. */
    public static final String LOGGER_NAME = "tokengate.calls";
    /** The sink on {@value #LOGGER_NAME}. */
    static final Slf4jCallLogSink DEFAULT = new Slf4jCallLogSink();

    private final Logger logger;

    public Slf4jCallLogSink() {
        this(LoggerFactory.getLogger(LOGGER_NAME));
    }

    Slf4jCallLogSink(Logger logger) {
        this.logger = logger;
    }

    @Override
    public void accept(CallEvent e) {
        if (logger.isInfoEnabled()) {
            logger.info(toJson(e));
        }
    }

    /**
     * One JSON line: {@code time} (the window's end), {@code summary: "unauthenticated_denials"},
     * {@code client_address, window_start, logged, left_out} and {@code errors} (count by error code).
     */
    @Override
    public void summary(DenialSummary s) {
        if (!logger.isInfoEnabled()) {
            return;
        }
        ObjectNode n = Json.object();
        n.put("time", s.windowEnd().toString());
        n.put("summary", "unauthenticated_denials");
        n.put("client_address", s.clientAddress());
        n.put("window_start", s.windowStart().toString());
        n.put("logged", s.logged());
        n.put("left_out", s.leftOut());
        ObjectNode errors = n.putObject("errors");
        new java.util.TreeMap<>(s.errors()).forEach(errors::put);
        try {
            logger.info(Json.WRITER.writeValueAsString(n));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("a tree of strings and numbers always serialises", ex);
        }
    }

    /** The event as one line of JSON. */
    public static String toJson(CallEvent e) {
        ObjectNode n = Json.object();
        n.put("time", e.time().toString());
        n.put("request_id", e.requestId());
        n.put("method", e.method());
        n.put("path", e.path());
        n.put("status", e.status());
        n.put("latency_ms", e.latency().toNanos() / 1_000_000.0);
        n.put("client_address", e.clientAddress());
        e.subject().ifPresent(v -> n.put("subject", v));
        e.clientId().ifPresent(v -> n.put("client_id", v));
        e.tokenFingerprint().ifPresent(v -> n.put("token_fingerprint", v));
        if (!e.scopes().isEmpty()) {
            ArrayNode scopes = n.putArray("scopes");
            e.scopes().forEach(scopes::add);
        }
        e.application().ifPresent(v -> n.put("application", v));
        e.apiKeyId().ifPresent(v -> n.put("api_key_id", v));
        n.put("decision", e.decision());
        e.errorCode().ifPresent(v -> n.put("error", v));
        e.reason().ifPresent(v -> n.put("reason", v));
        if (!e.marks().isEmpty()) {
            ArrayNode marks = n.putArray("marks");
            e.marks().forEach(marks::add);
        }
        try {
            return Json.WRITER.writeValueAsString(n);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("a tree of strings and numbers always serialises", ex);
        }
    }
}
