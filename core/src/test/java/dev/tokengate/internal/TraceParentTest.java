package dev.tokengate.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The W3C {@code traceparent} header, read strictly: one well-formed version-00 field or no trace id. */
class TraceParentTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String VALID = "00-" + TRACE + "-00f067aa0ba902b7-01";

    @Test
    void traceIdWhenWellFormedThenTheTraceId() {
        assertThat(TraceParent.traceId(List.of(VALID))).contains(TRACE);
        assertThat(TraceParent.traceId(List.of("00-" + TRACE + "-00f067aa0ba902b7-00"))).as("not sampled").contains(TRACE);
        assertThat(TraceParent.traceId(List.of("00-" + TRACE + "-00f067aa0ba902b7-ff"))).as("unknown flags").contains(TRACE);
        assertThat(TraceParent.traceId(List.of(" \t" + VALID + "\t "))).as("HTTP's optional white space").contains(TRACE);
    }

    @Test
    void traceIdWhenNoHeaderOrSeveralThenEmpty() {
        assertThat(TraceParent.traceId(List.of())).isEmpty();
        assertThat(TraceParent.traceId(List.of(VALID, VALID))).as("a repeated field restarts the trace").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            " ",
            "00",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // a later version
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // the forbidden version
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",    // all-zero trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",    // all-zero parent id
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",    // upper case
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",     // trace id one digit short
            "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01",   // one digit long
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",   // trailing data, not allowed in version 00
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7x01",
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",    // not hex
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
            "00-+bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-４bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // a full-width digit
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01,00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n", // CR LF are not optional white space
            "\n00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00 -4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    })
    void traceIdWhenMalformedThenEmpty(String value) {
        assertThat(TraceParent.traceId(List.of(value))).isEmpty();
    }
}
