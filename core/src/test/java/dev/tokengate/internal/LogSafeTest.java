package dev.tokengate.internal;

import static org.assertj.core.api.Assertions.assertThat;

import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** How a value that was not verified is written into a log line. */
class LogSafeTest {

    @Test
    void escapeWhenPlainThenQuotedAsIs() {
        assertThat(LogSafe.escape("https://issuer.example.com/zoë")).isEqualTo("\"https://issuer.example.com/zoë\"");
    }

    static Stream<Arguments> hidden() {
        return Stream.of(
                arguments("a\nb", "\"a\\u000Ab\""),             // a line break would start a forged log line
                arguments("a\r\nb", "\"a\\u000D\\u000Ab\""),
                arguments("a\u001B[31mb", "\"a\\u001B[31mb\""),   // terminal escape sequence
                arguments("a\u202Eb", "\"a\\u202Eb\""),           // right-to-left override: text shown reversed
                arguments("a\u2028b", "\"a\\u2028b\""),           // line separator
                arguments("a\u2029b", "\"a\\u2029b\""),           // paragraph separator
                arguments("a\u200Bb", "\"a\\u200Bb\""),           // zero-width space (a format character)
                arguments("a\uFEFFb", "\"a\\uFEFFb\""),
                arguments("a\uD800b", "\"a\\uD800b\""),           // an unpaired surrogate
                arguments("a\"b\\c", "\"a\\\"b\\\\c\""));      // the quote cannot be closed early, nor an escape faked
    }

    @ParameterizedTest
    @MethodSource("hidden")
    void escapeWhenHiddenOrLineBreakingCharacterThenEscaped(String value, String logged) {
        assertThat(LogSafe.escape(value)).isEqualTo(logged);
    }

    @Test
    void escapeWhenFormatCharacterOutsideTheBmpThenBothHalvesEscaped() {
        assertThat(LogSafe.escape("a\uDB40\uDC01b")).isEqualTo("\"a\\uDB40\\uDC01b\""); // U+E0001 LANGUAGE TAG
    }

    @Test
    void escapeWhenLongThenCut() {
        String logged = LogSafe.escape("x".repeat(1000));

        assertThat(logged).isEqualTo("\"" + "x".repeat(LogSafe.MAX_SHOWN) + "…\"");
    }

    @Test
    void escapeWhenNullThenNull() {
        assertThat(LogSafe.escape(null)).isEqualTo("null");
    }

    @Test
    void escapeWhenExactlyTheLengthShownThenNotCut() {
        String value = "y".repeat(LogSafe.MAX_SHOWN);

        assertThat(LogSafe.escape(value)).isEqualTo("\"" + value + "\"");
    }
}
