package dev.tokengate.log;

import dev.tokengate.internal.Json;
import org.slf4j.Logger;

/**
 * The default call-log sink: one JSON object per request, on one line, at INFO on the SLF4J logger
 * {@value #LOGGER_NAME}, or, when SLF4J has no provider (Payara, GlassFish, a bare Tomcat), on the
 * {@link System.Logger} of that name, which is {@code java.util.logging}'s: the server's log. Route that logger to its
 * own file or drop it in your logging configuration.
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

    /**
     * A sink writing to the {@value #LOGGER_NAME} logger.
     */
    public Slf4jCallLogSink() {
        this(Loggers.logger(LOGGER_NAME));
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
        logger.info(Json.object()
                .put("time", s.windowEnd().toString())
                .put("summary", "unauthenticated_denials")
                .put("client_address", s.clientAddress())
                .put("window_start", s.windowStart().toString())
                .put("logged", s.logged())
                .put("left_out", s.leftOut())
                .put("errors", new java.util.TreeMap<>(s.errors()))
                .toJson());
    }

    /**
     * The event as one line of JSON.
     *
     * @param e the event; not null
     * @return the JSON object on one line, without the raw token
     */
    public static String toJson(CallEvent e) {
        Json.ObjectWriter n = Json.object();
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
            n.put("scopes", e.scopes());
        }
        e.application().ifPresent(v -> n.put("application", v));
        e.apiKeyId().ifPresent(v -> n.put("api_key_id", v));
        n.put("decision", e.decision());
        e.errorCode().ifPresent(v -> n.put("error", v));
        e.reason().ifPresent(v -> n.put("reason", v));
        if (!e.marks().isEmpty()) {
            n.put("marks", e.marks());
        }
        return n.toJson();
    }
}
