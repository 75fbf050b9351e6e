package dev.tokengate.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tokengate.testing.FuzzInput;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fuzzes the {@code traceparent} reader ({@link TraceParent}) with any header values: input lines {@code T:} are the
 * header's fields (a line may repeat). It never throws, and it answers a trace id exactly when the W3C grammar of
 * version 00, written here as a regular expression, accepts the one field: the id is that field's, 32 lower-case
 * hex digits, never all zeros.
 */
class TraceParentFuzzTest {

    /** Version 00 of https://www.w3.org/TR/trace-context/#traceparent-header-field-values, with optional white space. */
    private static final Pattern GRAMMAR =
            Pattern.compile("[ \\t]*00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}[ \\t]*");
    private static final String ZERO_TRACE = "0".repeat(32);
    private static final String ZERO_PARENT = "0".repeat(16);

    @FuzzTest(maxDuration = "30s")
    void traceIdAnswersExactlyWhatTheVersion00GrammarAccepts(byte[] data) {
        List<String> fields = FuzzInput.of(data).all('T');

        Optional<String> traceId = TraceParent.traceId(fields);

        Matcher m = fields.size() == 1 ? GRAMMAR.matcher(fields.get(0)) : null;
        boolean accepted = m != null && m.matches() && !m.group(1).equals(ZERO_TRACE) && !m.group(2).equals(ZERO_PARENT);
        if (accepted) {
            assertThat(traceId).contains(m.group(1));
        } else {
            assertThat(traceId).isEmpty();
        }
        traceId.ifPresent(id -> assertThat(id).matches("[0-9a-f]{32}").isNotEqualTo(ZERO_TRACE));
    }
}
