package dev.tokengate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Each named reader is as strict as its purpose says, and the writer writes one line. */
class JsonTest {

    private static Object jose(String json) throws IOException {
        return Json.JOSE.readObject(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void joseWhenPlainObjectThenMapWithLongIntegers() throws IOException {
        assertThat(jose("{\"exp\":1700000000,\"n\":1.5,\"a\":[1]}"))
                .isEqualTo(Map.of("exp", 1700000000L, "n", 1.5, "a", java.util.List.of(1L)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"sub\":\"a\",\"sub\":\"b\"}",     // duplicated member
            "{\"a\":{\"b\":1,\"b\":2}}",          // duplicated nested member
            "{\"exp\":NaN}",                      // not a number
            "{\"sub\":\"a\"}{\"sub\":\"b\"}",     // a second value after the object
            "{\"sub\":\"a\"} x",                  // trailing garbage
            "{\"sub\":\"a\",}",                   // trailing comma
            "{'sub':'a'}",                        // single quotes
            "{sub:\"a\"}",                        // unquoted name
            "{\"sub\":\"a\" /* c */}",            // comment
            "{\"n\":01}",                         // leading zero
            "{\"sub\":\"a\"",                      // unterminated object
            "{\"a\":[1,2",                          // unterminated array
            "{",                                  // nothing but the opening brace
            "[{\"sub\":\"a\"}]"})                  // not an object
    void joseWhenAnythingButStrictJsonThenRefused(String json) {
        assertThatThrownBy(() -> jose(json)).isInstanceOf(IOException.class);
    }

    @Test
    void upstreamWhenDuplicatedMemberThenRefused() {
        assertThatThrownBy(() -> Json.UPSTREAM.readTree("{\"active\":false,\"active\":true}"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void upstreamWhenStandardJsonThenTree() throws IOException {
        assertThat(Json.UPSTREAM.readTree("{\"active\":true,\"exp\":1.5e9}").path("active").booleanValue()).isTrue();
    }

    @Test
    void writerWhenObjectWithLineBreaksInValuesThenOneLine() throws IOException {
        String line = Json.WRITER.writeValueAsString(Json.object().put("path", "/a\nb").put("status", 401));

        assertThat(line).isEqualTo("{\"path\":\"/a\\nb\",\"status\":401}").doesNotContain("\n");
    }

    @Test
    void isUtf8WhenWellFormedOrAsciiOrEmptyThenTrueElseFalse() {
        assertThat(Json.isUtf8(new byte[0])).isTrue();
        assertThat(Json.isUtf8("{\"active\":true}".getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(Json.isUtf8("{\"sub\":\"j\u00f6rg\"}".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(Json.isUtf8(new byte[] {(byte) 0xFF})).isFalse();
        assertThat(Json.isUtf8(new byte[] {(byte) 0xC3})).as("a truncated sequence").isFalse();
        assertThat(Json.isUtf8(new byte[] {'{', (byte) 0xC0, (byte) 0xAF, '}'})).as("an overlong '/'").isFalse();
    }

    @Test
    @SuppressWarnings("unchecked")
    void joseWhenNullValueThenKeptAsNull() throws IOException {
        assertThat((Map<String, Object>) jose("{\"a\":null,\"b\":false}")).hasSize(2).containsEntry("a", null)
                .containsEntry("b", false);
    }
}
