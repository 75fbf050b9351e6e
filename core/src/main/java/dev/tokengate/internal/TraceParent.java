package dev.tokengate.internal;

import java.util.List;
import java.util.Optional;

/**
 * The trace id of a W3C Trace Context {@code traceparent} header (https://www.w3.org/TR/trace-context/), read
 * strictly: version {@code 00} only, exactly {@code 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>} in lower
 * case, neither id all zeros, one header field only. Anything else (a later version, upper case, a field repeated,
 * a comma list) has no trace id: the header comes from the client, so it is dropped silently rather than logged.
 * HTTP's optional white space (spaces and tabs) around the value is ignored.
 */
public final class TraceParent {

    /** The header's name. */
    public static final String HEADER = "traceparent";

    private static final int LENGTH = 55; // 2 + 1 + 32 + 1 + 16 + 1 + 2

    private TraceParent() {
    }

    /**
     * The trace id (32 lower-case hex digits) of the request's {@code traceparent} header values.
     *
     * @param values every value of the header, in order
     * @return the trace id, or empty when there is no header, more than one, or one that is not well-formed
     */
    public static Optional<String> traceId(List<String> values) {
        if (values.size() != 1) {
            return Optional.empty();
        }
        String v = strip(values.get(0));
        if (v.length() != LENGTH || v.charAt(0) != '0' || v.charAt(1) != '0'
                || v.charAt(2) != '-' || v.charAt(35) != '-' || v.charAt(52) != '-'
                || !lowerHex(v, 3, 35) || !lowerHex(v, 36, 52) || !lowerHex(v, 53, 55)
                || zeros(v, 3, 35) || zeros(v, 36, 52)) {
            return Optional.empty();
        }
        return Optional.of(v.substring(3, 35));
    }

    /** Without HTTP's optional white space (SP, HTAB) at either end. */
    private static String strip(String v) {
        int start = 0;
        int end = v.length();
        while (start < end && (v.charAt(start) == ' ' || v.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (v.charAt(end - 1) == ' ' || v.charAt(end - 1) == '\t')) {
            end--;
        }
        return v.substring(start, end);
    }

    private static boolean lowerHex(String v, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = v.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean zeros(String v, int from, int to) {
        for (int i = from; i < to; i++) {
            if (v.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }
}
