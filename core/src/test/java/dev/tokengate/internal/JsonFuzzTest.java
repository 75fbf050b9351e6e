package dev.tokengate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Fuzzes tokengate's JSON reader and writer ({@link Json}) with any bytes: the reader either reads a value or refuses
 * with its {@link Json.ParseException}, never another exception (no stack overflow, no number format or index error);
 * what it reads, it reads from well-formed UTF-8 only, the strictest Jackson reads the same value (so the hand-written
 * reader is never more lenient than the parser it replaced), the JOSE reader reads the same object, and the writer
 * writes it on one line so that it reads back equal.
 */
class JsonFuzzTest {

    /** Jackson at its strictest: duplicated names and trailing tokens refused. */
    private static final ObjectMapper JACKSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    @FuzzTest(maxDuration = "30s")
    void readRefusesWithAParseErrorOrReadsBackWhatItWrites(byte[] data) throws Json.ParseException {
        Object value;
        try {
            value = Json.UPSTREAM.read(data);
        } catch (Json.ParseException e) {
            assertThat(e.getMessage()).contains(" at offset ");
            assertThat(e.offset()).isBetween(0, data.length);
            return;
        }
        assertThat(Json.isUtf8(data)).as("read from well-formed UTF-8 only").isTrue();
        try {
            assertThat(longs(JACKSON.readValue(data, Object.class))).as("the value strict Jackson reads").isEqualTo(value);
        } catch (IOException e) {
            fail("read what strict Jackson refuses (" + e.getMessage() + ")");
        }
        if (value instanceof Map && data.length <= Json.MAX_JOSE_BYTES) {
            assertThat(Json.JOSE.readObject(data)).as("the JOSE reader reads the same object").isEqualTo(value);
        }

        String written = Json.write(value);
        assertThat(written).doesNotContain("\n", "\r", "\u2028", "\u2029");
        assertThat(Json.UPSTREAM.read(written.getBytes(StandardCharsets.UTF_8))).isEqualTo(value);
    }

    /** Jackson's value with each Integer a Long, as {@link Json} reads every integer that fits a long. */
    private static Object longs(Object value) {
        if (value instanceof Integer i) {
            return i.longValue();
        } else if (value instanceof List<?> list) {
            return list.stream().map(JsonFuzzTest::longs).collect(Collectors.toList()); // keeps null
        } else if (value instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k, longs(v)));
            return out;
        }
        return value;
    }
}
