package dev.tokengate.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A fuzz input read as lines of {@code K:value}, so that a seed is a text file a person can write: each line's
 * first character names a field (a header, the query, the peer …) and the rest, after the colon, is its value.
 * A line may repeat (a header sent twice). The bytes are read as ISO-8859-1, as a container hands header bytes on,
 * so every byte string is some input.
 */
public final class FuzzInput {

    private final List<String> lines;

    private FuzzInput(List<String> lines) {
        this.lines = lines;
    }

    public static FuzzInput of(byte[] data) {
        return new FuzzInput(List.of(new String(data, StandardCharsets.ISO_8859_1).split("\n", -1)));
    }

    /** Every value of the field {@code key}, in order. */
    public List<String> all(char key) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            if (line.length() >= 2 && line.charAt(0) == key && line.charAt(1) == ':') {
                out.add(line.substring(2));
            }
        }
        return out;
    }

    /** The first value of the field {@code key}, or {@code fallback}. */
    public String first(char key, String fallback) {
        List<String> all = all(key);
        return all.isEmpty() ? fallback : all.get(0);
    }
}
