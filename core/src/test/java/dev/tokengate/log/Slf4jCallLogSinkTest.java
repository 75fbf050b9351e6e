package dev.tokengate.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.testing.LogCapture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The default sink's JSON lines, field by field, and the fingerprints they carry. */
class Slf4jCallLogSinkTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant TIME = Instant.parse("2026-11-30T12:00:00.123Z");

    private static CallEvent full() {
        return new CallEvent(TIME, "req-1", "POST", "/api/orders", 403, Duration.ofNanos(1_500_000), "203.0.113.9",
                Optional.of("alice"), Optional.of("bot"), Optional.of("0123456789ab"), List.of("read", "trade"),
                Optional.of("partner"), Optional.of("key-7"), "deny", Optional.of("insufficient_scope"),
                Optional.of("needs admin"));
    }

    @Test
    void toJsonWhenEveryFieldPresentThenEachWrittenWithItsValue() throws Exception {
        JsonNode n = JSON.readTree(Slf4jCallLogSink.toJson(full()));

        assertThat(n.get("time").asText()).isEqualTo("2026-11-30T12:00:00.123Z");
        assertThat(n.get("request_id").asText()).isEqualTo("req-1");
        assertThat(n.get("method").asText()).isEqualTo("POST");
        assertThat(n.get("path").asText()).isEqualTo("/api/orders");
        assertThat(n.get("status").asInt()).isEqualTo(403);
        assertThat(n.get("latency_ms").asDouble()).isEqualTo(1.5);
        assertThat(n.get("client_address").asText()).isEqualTo("203.0.113.9");
        assertThat(n.get("subject").asText()).isEqualTo("alice");
        assertThat(n.get("client_id").asText()).isEqualTo("bot");
        assertThat(n.get("token_fingerprint").asText()).isEqualTo("0123456789ab");
        assertThat(n.get("scopes")).extracting(JsonNode::asText).containsExactly("read", "trade");
        assertThat(n.get("application").asText()).isEqualTo("partner");
        assertThat(n.get("api_key_id").asText()).isEqualTo("key-7");
        assertThat(n.get("decision").asText()).isEqualTo("deny");
        assertThat(n.get("error").asText()).isEqualTo("insufficient_scope");
        assertThat(n.get("reason").asText()).isEqualTo("needs admin");
        assertThat(n.size()).isEqualTo(16);
    }

    @Test
    void toJsonWhenOptionalFieldsAbsentThenLeftOutAndOneLine() throws Exception {
        CallEvent bare = new CallEvent(TIME, "req-2", "GET", "/health", 200, Duration.ZERO, "", Optional.empty(),
                Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty(), "permit",
                Optional.empty(), Optional.empty());
        String line = Slf4jCallLogSink.toJson(bare);

        assertThat(line).doesNotContain("\n");
        assertThat(JSON.readTree(line).fieldNames()).toIterable().containsExactly("time", "request_id", "method", "path",
                "status", "latency_ms", "client_address", "decision");
    }

    @Test
    void acceptAndSummaryWhenCalledThenOneInfoLineEachOnTheCallsLogger() throws Exception {
        try (LogCapture logs = LogCapture.start()) {
            Slf4jCallLogSink sink = new Slf4jCallLogSink();
            sink.accept(full());
            sink.summary(new DenialSummary(TIME, TIME.plusSeconds(60), "203.0.113.9", 100, 3,
                    Map.of("missing_token", 2, "invalid_token", 1)));

            List<String> lines = logs.lines(Slf4jCallLogSink.LOGGER_NAME);
            assertThat(lines).hasSize(2);
            assertThat(JSON.readTree(lines.get(0)).get("request_id").asText()).isEqualTo("req-1");
            JsonNode s = JSON.readTree(lines.get(1));
            assertThat(s.get("summary").asText()).isEqualTo("unauthenticated_denials");
            assertThat(s.get("time").asText()).isEqualTo("2026-11-30T12:01:00.123Z");
            assertThat(s.get("window_start").asText()).isEqualTo("2026-11-30T12:00:00.123Z");
            assertThat(s.get("client_address").asText()).isEqualTo("203.0.113.9");
            assertThat(s.get("logged").asInt()).isEqualTo(100);
            assertThat(s.get("left_out").asInt()).isEqualTo(3);
            assertThat(s.get("errors").fieldNames()).toIterable().containsExactly("invalid_token", "missing_token");
            assertThat(s.get("errors").get("missing_token").asInt()).isEqualTo(2);
        }
    }

    @Test
    void acceptWhenLogbackThenEveryFieldAlsoAKeyValuePairAndTheMessageStaysTheJsonLine() throws Exception {
        CallEvent traced = new CallEvent(TIME, "req-3", Optional.of("4bf92f3577b34da6a3ce929d0e0e4736"), "GET",
                "/api/{x}", 200, Duration.ofNanos(2_250_000), "203.0.113.9", Optional.of("alice"), Optional.empty(),
                Optional.of("0123456789ab"), List.of("read"), Optional.empty(), Optional.empty(), "allow",
                Optional.empty(), Optional.empty(), List.of("rotated"));
        try (LogCapture logs = LogCapture.start()) {
            new Slf4jCallLogSink().accept(traced);

            String line = logs.lines(Slf4jCallLogSink.LOGGER_NAME).get(0);
            assertThat(line).as("the message is the JSON line, no key=value prefix, no {} replaced")
                    .isEqualTo(Slf4jCallLogSink.toJson(traced)).startsWith("{\"time\":").contains("/api/{x}");
            assertThat(logs.keyValues(Slf4jCallLogSink.LOGGER_NAME)).singleElement().satisfies(pairs -> {
                assertThat(pairs.keySet()).containsExactly("time", "request_id", "trace_id", "method", "path", "status",
                        "latency_ms", "client_address", "subject", "token_fingerprint", "scopes", "decision", "marks");
                assertThat(pairs).containsEntry("request_id", "req-3")
                        .containsEntry("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")
                        .containsEntry("status", 200)
                        .containsEntry("latency_ms", 2.25)
                        .containsEntry("scopes", List.of("read"))
                        .containsEntry("marks", List.of("rotated"))
                        .containsEntry("token_fingerprint", "0123456789ab");
                JsonNode json = JSON.readTree(line);
                pairs.forEach((k, v) -> assertThat(json.has(k)).as("JSON field " + k).isTrue());
                assertThat(json.size()).isEqualTo(pairs.size());
            });
        }
    }

    @Test
    void summaryWhenLogbackThenItsFieldsAlsoKeyValuePairs() {
        try (LogCapture logs = LogCapture.start()) {
            new Slf4jCallLogSink().summary(new DenialSummary(TIME, TIME.plusSeconds(60), "203.0.113.9", 100, 3,
                    Map.of("missing_token", 3)));

            assertThat(logs.keyValues(Slf4jCallLogSink.LOGGER_NAME)).singleElement().satisfies(pairs -> assertThat(pairs)
                    .containsEntry("summary", "unauthenticated_denials").containsEntry("client_address", "203.0.113.9")
                    .containsEntry("left_out", 3).containsEntry("errors", Map.of("missing_token", 3)));
        }
    }

    @Test
    void acceptWhenTheLoggerTakesNoWholeEventsThenTheJsonLineAloneAsBefore() {
        List<String> messages = new java.util.ArrayList<>();
        org.slf4j.Logger plain = new org.slf4j.helpers.LegacyAbstractLogger() {
            @Override
            protected String getFullyQualifiedCallerName() {
                return null;
            }

            @Override
            protected void handleNormalizedLoggingCall(org.slf4j.event.Level level, org.slf4j.Marker marker,
                                                       String message, Object[] arguments, Throwable thrown) {
                messages.add(message + (arguments == null ? "" : java.util.Arrays.toString(arguments)));
            }

            @Override
            public boolean isTraceEnabled() {
                return true;
            }

            @Override
            public boolean isDebugEnabled() {
                return true;
            }

            @Override
            public boolean isInfoEnabled() {
                return true;
            }

            @Override
            public boolean isWarnEnabled() {
                return true;
            }

            @Override
            public boolean isErrorEnabled() {
                return true;
            }
        };

        new Slf4jCallLogSink(plain).accept(full());

        assertThat(messages).as("slf4j-simple, for one, would prefix key=value pairs to the message")
                .containsExactly(Slf4jCallLogSink.toJson(full()));
    }

    @Test
    void summaryWhenACustomSinkDoesNotTakeSummariesThenTheyStillReachTheCallsLogger() {
        CallLogSink custom = event -> { };
        try (LogCapture logs = LogCapture.start()) {
            custom.summary(new DenialSummary(TIME, TIME, "198.51.100.1", 1, 1, Map.of("missing_token", 1)));
            assertThat(logs.lines(Slf4jCallLogSink.LOGGER_NAME)).singleElement().asString()
                    .contains("\"client_address\":\"198.51.100.1\"", "\"left_out\":1");
        }
    }

    @Test
    void fingerprintIsTheFirstTwelveHexDigitsOfTheSha256() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        assertThat(Fingerprints.fingerprint("abc")).isEqualTo("ba7816bf8f01");
        assertThat(Fingerprints.sha256("abc")).hasSize(32).startsWith((byte) 0xba, (byte) 0x78);
        assertThat(Fingerprints.fingerprint("abc")).isEqualTo(Fingerprints.fingerprint("abc"));
        assertThat(Fingerprints.fingerprint("abd")).isNotEqualTo(Fingerprints.fingerprint("abc"));
    }

    @Test
    void denialSummaryCopiesItsErrors() {
        java.util.Map<String, Integer> errors = new java.util.HashMap<>(Map.of("missing_token", 1));
        DenialSummary s = new DenialSummary(TIME, TIME, "a", 1, 1, errors);
        errors.put("invalid_token", 5);
        assertThat(s.errors()).containsOnlyKeys("missing_token");
    }
}
