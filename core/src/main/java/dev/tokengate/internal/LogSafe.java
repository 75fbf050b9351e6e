package dev.tokengate.internal;

/**
 * The one way tokengate writes a value it has not verified ({@code iss}, {@code kid}, {@code alg}, {@code typ},
 * {@code aud} of a rejected token) into a log line for operators: quoted, truncated, and with every character that
 * could forge or hide part of a log line escaped. Such values never go to the client at all: messages for clients
 * are fixed texts. Not API.
 */
public final class LogSafe {

    /** The longest part of a value shown, in characters; the rest is replaced by {@code …}. */
    static final int MAX_SHOWN = 100;

    private LogSafe() {
    }

    /**
     * {@code value} in double quotes, cut after {@value #MAX_SHOWN} characters, with {@code "} and {@code \} escaped
     * by a backslash and, as {@code \}{@code uXXXX}, every control character (CR, LF, ESC, …), format character
     * (U+202E right-to-left override, U+200B, U+FEFF, …), line and paragraph separator (U+2028, U+2029), unpaired
     * surrogate and unassigned code point: one value is one visible stretch of one line. {@code null} is
     * {@code null}, unquoted.
     */
    public static String escape(String value) {
        if (value == null) {
            return "null";
        }
        boolean cut = value.length() > MAX_SHOWN;
        String shown = cut ? value.substring(0, MAX_SHOWN) : value;
        StringBuilder out = new StringBuilder(shown.length() + 8).append('"');
        shown.codePoints().forEach(c -> {
            if (c == '"' || c == '\\') {
                out.append('\\').append((char) c);
            } else if (isHidden(c)) {
                for (char unit : Character.toChars(c)) {
                    out.append(String.format("\\u%04X", (int) unit));
                }
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append(cut ? "…\"" : "\"").toString();
    }

    private static boolean isHidden(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SURROGATE, Character.UNASSIGNED -> true;
            default -> false;
        };
    }
}
