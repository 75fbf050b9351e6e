package dev.tokengate.log;

import dev.tokengate.internal.Json;
import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventAware;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The default call-log sink: one JSON object per request, on one line, at INFO on the SLF4J logger
 * {@value #LOGGER_NAME}, or, when SLF4J has no provider (Payara, GlassFish, a bare Tomcat), on the
 * {@link System.Logger} of that name, which is {@code java.util.logging}'s: the server's log. Route that logger to its
 * own file or drop it in your logging configuration.
 *
 * <p>Fields: {@code time, request_id, trace_id, method, path, status, latency_ms, client_address, subject, client_id,
 * token_fingerprint, scopes, application, api_key_id, decision, error, reason, marks}; absent values are left out.
 *
 * <p>The JSON line is the message. On Logback the same fields also go as the event's SLF4J key-value pairs (strings,
 * {@code status} an {@code Integer}, {@code latency_ms} a {@code Double}, {@code scopes} and {@code marks} lists of
 * strings), so that a JSON encoder such as logstash-logback-encoder writes them as fields of its own, while a
 * pattern layout shows the message alone. Other providers, and {@code java.util.logging}, get the message alone:
 * {@code slf4j-jdk14} and SLF4J's default event builder (used by {@code slf4j-simple}) would write the pairs as
 * {@code key=value} text in front of the JSON line.
 */
public final class Slf4jCallLogSink implements CallLogSink {

    /** The logger the events go to. */
    public static final String LOGGER_NAME = "tokengate.calls";
    /** Logback's logger, which takes key-value pairs as data and leaves the message as it is. */
    private static final String LOGBACK = "ch.qos.logback.classic.Logger";
    /** The sink on {@value #LOGGER_NAME}. */
    static final Slf4jCallLogSink DEFAULT = new Slf4jCallLogSink();

    private final Logger logger;
    /** Whether the logger keeps key-value pairs beside the message: Logback's. */
    private final boolean keyValues;

    /**
     * A sink writing to the {@value #LOGGER_NAME} logger.
     */
    public Slf4jCallLogSink() {
        this(Loggers.logger(LOGGER_NAME));
    }

    Slf4jCallLogSink(Logger logger) {
        this.logger = logger;
        this.keyValues = logger instanceof LoggingEventAware && LOGBACK.equals(logger.getClass().getName());
    }

    /** Whether the logger is enabled for INFO. */
    @Override
    public boolean enabled() {
        return logger.isInfoEnabled();
    }

    @Override
    public void accept(CallEvent e) {
        if (logger.isInfoEnabled()) {
            log(fields(e));
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
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("time", s.windowEnd().toString());
        fields.put("summary", "unauthenticated_denials");
        fields.put("client_address", s.clientAddress());
        fields.put("window_start", s.windowStart().toString());
        fields.put("logged", s.logged());
        fields.put("left_out", s.leftOut());
        fields.put("errors", new TreeMap<>(s.errors()));
        log(fields);
    }

    /** The fields as the message, one line of JSON, and as the event's key-value pairs when the logger takes them. */
    private void log(Map<String, Object> fields) {
        String line = Json.write(fields);
        if (!keyValues) {
            logger.info(line); // logged from this class itself, which java.util.logging's formatters name
            return;
        }
        LoggingEventBuilder event = logger.atInfo();
        fields.forEach(event::addKeyValue);
        event.log(line);
    }

    /**
     * The event as one line of JSON.
     *
     * @param e the event
     * @return its fields, absent ones left out, as a JSON object on one line
     */
    public static String toJson(CallEvent e) {
        return Json.write(fields(e));
    }

    /** The event's fields in the order of the JSON line; absent values left out. */
    private static Map<String, Object> fields(CallEvent e) {
        Map<String, Object> n = new LinkedHashMap<>(32);
        n.put("time", e.time().toString());
        n.put("request_id", e.requestId());
        e.traceId().ifPresent(v -> n.put("trace_id", v));
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
        return n;
    }
}
