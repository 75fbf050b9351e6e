package dev.tokengate.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON reader and writer of tokengate: strict RFC 8259, hand-written so that no JSON library comes with
 * tokengate into an application (on WildFly, a jackson-databind in {@code WEB-INF/lib} switches RESTEasy from JSON-B
 * to Jackson for the whole application). Every reader and writer here is immutable and thread-safe. Not API.
 *
 * <p>Both readers read exactly one JSON value from bytes that must be well-formed UTF-8 (RFC 8259 §8.1: overlong
 * forms, encoded surrogates, code points beyond U+10FFFF and truncated sequences are refused), and refuse what a more
 * lenient parser would read one way or another: a duplicated member name, {@code NaN}/{@code Infinity}, comments,
 * single quotes, unquoted names, leading zeros, trailing commas, a byte order mark, an unpaired surrogate escape
 * ({@code "\}{@code uD800"}) and anything after the value but whitespace. Nesting deeper than {@value #MAX_DEPTH} and a number
 * longer than {@value #MAX_NUMBER_LENGTH} characters are refused, so hostile input can neither exhaust the stack nor
 * buy quadratic number conversions. A value is read as {@code String}, {@code Boolean}, {@code Long} (a
 * {@code BigInteger} beyond a long), {@code Double} (any number with a fraction or an exponent; one beyond a double's
 * range is infinite), {@code null}, or an unmodifiable {@code List} or {@code Map} (in member order) of those.
 *
 * <ul>
 *   <li>{@link #JOSE}: a JWS header or claims set, the input an attacker controls, at most
 *       {@value #MAX_JOSE_BYTES} bytes. On every first-seen token's path: it reads straight from the bytes, with no
 *       copy of the input and no intermediate tokens.</li>
 *   <li>{@link #UPSTREAM}: a document from a server tokengate is configured to trust (JWK set, discovery document,
 *       introspection answer), as large as the fetcher's cap let through. Duplicated member names are refused here
 *       too: a duplicated {@code active} or {@code keys} is an answer nobody can read one way only.</li>
 *   <li>{@link #write} and {@link #object()}: what tokengate writes itself (call-log lines, problem bodies): compact,
 *       one line, members in the order they were put.</li>
 * </ul>
 */
public final class Json {

    /** The deepest nesting of arrays and objects that is read (and written). */
    public static final int MAX_DEPTH = 64;
    /** The longest number that is read, in characters: a longer one costs quadratic time to convert. */
    public static final int MAX_NUMBER_LENGTH = 1000;
    /** The largest JOSE header or claims set read: a token is at most 16 KiB, its decoded JSON three quarters. */
    public static final int MAX_JOSE_BYTES = 16 * 1024;

    /** Reads a JOSE header or claims set: see the class comment. */
    public static final Reader JOSE = new Reader(MAX_JOSE_BYTES);

    /** Reads a document from a trusted server (JWKS, discovery, introspection): see the class comment. */
    public static final Reader UPSTREAM = new Reader(Integer.MAX_VALUE);

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Json() {
    }

    /**
     * Whether the bytes are well-formed UTF-8 (RFC 3629): no overlong form, no encoded surrogate, nothing beyond
     * U+10FFFF, no truncated sequence. The readers check this themselves; a caller checks first only to tell this
     * failure apart in its message.
     */
    public static boolean isUtf8(byte[] bytes) {
        int i = 0;
        while (i < bytes.length) {
            if (bytes[i] >= 0) {
                i++;
            } else {
                i = utf8End(bytes, i);
                if (i < 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether the bytes are empty or JSON whitespace only. */
    public static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /**
     * The JSON kind of a value read by a {@link Reader}: {@code string}, {@code number}, {@code boolean},
     * {@code null}, {@code array} or {@code object}; for messages that say what a member was instead.
     */
    public static String kind(Object value) {
        if (value == null) {
            return "null";
        } else if (value instanceof String) {
            return "string";
        } else if (value instanceof Number) {
            return "number";
        } else if (value instanceof Boolean) {
            return "boolean";
        } else if (value instanceof List) {
            return "array";
        } else if (value instanceof Map) {
            return "object";
        }
        throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
    }

    /**
     * The end (exclusive) of the well-formed UTF-8 sequence of more than one byte that starts at {@code i}, or -1
     * (RFC 3629 §4's table: the second byte's range depends on the first).
     */
    private static int utf8End(byte[] in, int i) {
        return utf8End(in, i, in.length);
    }

    private static int utf8End(byte[] in, int i, int limit) {
        int b = in[i] & 0xFF;
        int length;
        int low = 0x80;
        int high = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) {
            length = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            length = 3;
            if (b == 0xE0) {
                low = 0xA0;      // overlong below
            } else if (b == 0xED) {
                high = 0x9F;     // U+D800..U+DFFF, surrogates
            }
        } else if (b >= 0xF0 && b <= 0xF4) {
            length = 4;
            if (b == 0xF0) {
                low = 0x90;      // overlong below
            } else if (b == 0xF4) {
                high = 0x8F;     // beyond U+10FFFF
            }
        } else {
            return -1;           // a continuation byte, C0/C1 (overlong), F5..FF
        }
        if (i + length > limit) {
            return -1;
        }
        int second = in[i + 1] & 0xFF;
        if (second < low || second > high) {
            return -1;
        }
        for (int k = i + 2; k < i + length; k++) {
            if ((in[k] & 0xC0) != 0x80) {
                return -1;
            }
        }
        return i + length;
    }

    /** The bytes are not one strict JSON value of the expected kind; the message says what and at which offset. */
    public static final class ParseException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int offset;

        ParseException(String message, int offset) {
            super(message + " at offset " + offset);
            this.offset = offset;
        }

        /** Where in the input, in bytes from its start. */
        public int offset() {
            return offset;
        }
    }

    /** A strict reader of one JSON value into plain, unmodifiable Java values. Immutable and thread-safe. */
    public static final class Reader {
        private final int maxBytes;

        private Reader(int maxBytes) {
            this.maxBytes = maxBytes;
        }

        /**
         * The object in {@code json}.
         *
         * @throws ParseException when it is not exactly one strict JSON object (anything after it is refused too)
         */
        public Map<String, Object> readObject(byte[] json) throws ParseException {
            return readObject(json, json.length);
        }

        /**
         * The object in the first {@code length} bytes of {@code json} (a reused buffer): nothing read keeps the
         * array, so the caller may reuse it as soon as this returns.
         *
         * @throws ParseException when they are not exactly one strict JSON object
         */
        public Map<String, Object> readObject(byte[] json, int length) throws ParseException {
            Parser parser = start(json, length);
            if (parser.skipWhitespace() != '{') {
                throw parser.error("not a JSON object");
            }
            Map<String, Object> object = parser.object();
            parser.end();
            return object;
        }

        /**
         * The value in {@code json}: any kind, the caller checks which.
         *
         * @throws ParseException when it is not exactly one strict JSON value
         */
        public Object read(byte[] json) throws ParseException {
            Parser parser = start(json);
            Object value = parser.value();
            parser.end();
            return value;
        }

        private Parser start(byte[] json) throws ParseException {
            return start(json, json.length);
        }

        private Parser start(byte[] json, int length) throws ParseException {
            if (length > maxBytes) {
                throw new ParseException("larger than " + maxBytes + " bytes", 0);
            }
            return new Parser(json, length);
        }
    }

    /**
     * Whether this map is an object this reader made: unmodifiable, and held by nothing that could change it, so a
     * holder that must own an unmodifiable copy can keep it as it is.
     *
     * @param map a map; not null
     * @return true for an object read by a {@link Reader}
     */
    public static boolean isReadOnlyObject(Map<?, ?> map) {
        return map instanceof ReadOnlyObject || map == Collections.emptyMap();
    }

    /** A JSON object as read: the parser's map, in the document's order, behind an unmodifiable view. */
    private static final class ReadOnlyObject<K, V> extends AbstractMap<K, V> {
        private final Map<K, V> map;
        private final Map<K, V> view;

        ReadOnlyObject(Map<K, V> map) {
            this.map = map;
            this.view = Collections.unmodifiableMap(map);
        }

        @Override
        public V get(Object key) {
            return map.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return map.containsKey(key);
        }

        @Override
        public int size() {
            return map.size();
        }

        @Override
        public Set<Entry<K, V>> entrySet() {
            return view.entrySet();
        }

        @Override
        public Set<K> keySet() {
            return view.keySet();
        }

        @Override
        public java.util.Collection<V> values() {
            return view.values();
        }

        @Override
        public void forEach(java.util.function.BiConsumer<? super K, ? super V> action) {
            map.forEach(action);
        }
    }

    /** Member names read as constants: the JOSE header's and the registered and common access-token claims. */
    private static final String[][] KNOWN_NAMES;
    private static final int MAX_KNOWN_NAME;

    static {
        List<String> names = List.of("alg", "kid", "typ", "cty", "crit", "jku", "jwk", "x5u", "x5c", "x5t", "x5t#S256",
                "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "scope", "scp", "client_id", "azp", "cid", "auth_time",
                "acr", "amr", "cnf", "jkt", "sid", "nonce", "roles", "groups", "entitlements", "active", "token_type",
                "username", "email", "name", "kty", "use", "key_ops", "crv", "x", "y", "n", "e", "keys", "htm", "htu",
                "ath", "tid", "oid", "ver");
        int max = names.stream().mapToInt(String::length).max().orElseThrow();
        String[][] byLength = new String[max + 1][];
        for (int length = 0; length <= max; length++) {
            int l = length;
            byLength[length] = names.stream().filter(n -> n.length() == l).toArray(String[]::new);
        }
        KNOWN_NAMES = byLength;
        MAX_KNOWN_NAME = max;
    }

    /** One pass over one input, recursive descent. Not thread-safe: one per read. */
    private static final class Parser {
        private final byte[] in;
        /** The end of the input in {@link #in}: a reused buffer may hold more. */
        private final int limit;
        private int pos;
        private int depth;
        private char[] chars; // for strings with escapes or non-ASCII characters, grown as needed

        Parser(byte[] in, int limit) {
            this.in = in;
            this.limit = limit;
        }

        /** The next byte that is not whitespace (left at {@code pos}), or -1 at the end. */
        int skipWhitespace() {
            byte[] in = this.in;
            int i = pos;
            while (i < limit) {
                byte b = in[i];
                if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                    pos = i;
                    return b & 0xFF;
                }
                i++;
            }
            pos = i;
            return -1;
        }

        void end() throws ParseException {
            if (skipWhitespace() != -1) {
                throw error("content after the JSON value");
            }
        }

        Object value() throws ParseException {
            int b = skipWhitespace();
            switch (b) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    literal("true");
                    return Boolean.TRUE;
                case 'f':
                    literal("false");
                    return Boolean.FALSE;
                case 'n':
                    literal("null");
                    return null;
                case '-':
                case '0':
                case '1':
                case '2':
                case '3':
                case '4':
                case '5':
                case '6':
                case '7':
                case '8':
                case '9':
                    return number();
                default:
                    throw unexpected("a JSON value");
            }
        }

        Map<String, Object> object() throws ParseException {
            enter();
            int b = skipWhitespace();
            if (b == '}') {
                pos++;
                depth--;
                return Collections.emptyMap();
            }
            Map<String, Object> map = new LinkedHashMap<>();
            while (true) {
                if (b != '"') {
                    throw unexpected("a member name in double quotes");
                }
                int at = pos;
                String name = name();
                if (skipWhitespace() != ':') {
                    throw unexpected("':'");
                }
                pos++;
                Object value = value();
                int size = map.size();
                map.put(name, value);
                if (map.size() == size) {
                    throw new ParseException("duplicated member name " + LogSafe.escape(name), at);
                }
                b = skipWhitespace();
                if (b == ',') {
                    pos++;
                    b = skipWhitespace();
                } else if (b == '}') {
                    pos++;
                    depth--;
                    return new ReadOnlyObject<>(map);
                } else {
                    throw unexpected("',' or '}'");
                }
            }
        }

        List<Object> array() throws ParseException {
            enter();
            if (skipWhitespace() == ']') {
                pos++;
                depth--;
                return Collections.emptyList();
            }
            List<Object> list = new ArrayList<>();
            while (true) {
                list.add(value());
                int b = skipWhitespace();
                if (b == ',') {
                    pos++;
                } else if (b == ']') {
                    pos++;
                    depth--;
                    return Collections.unmodifiableList(list);
                } else {
                    throw unexpected("',' or ']'");
                }
            }
        }

        private void enter() throws ParseException {
            if (++depth > MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH + " arrays and objects");
            }
            pos++;
        }

        private void literal(String word) throws ParseException {
            int length = word.length();
            if (pos + length > limit) {
                throw unexpected("'" + word + "'");
            }
            for (int k = 0; k < length; k++) {
                if (in[pos + k] != word.charAt(k)) {
                    pos += k;
                    throw unexpected("'" + word + "'");
                }
            }
            pos += length;
        }

        /** The string whose opening quote is at {@code pos}; most are ASCII without escapes, read in one copy. */
        String string() throws ParseException {
            byte[] in = this.in;
            int start = pos + 1;
            int i = start;
            while (i < limit) {
                byte c = in[i];
                if (c == '"') {
                    pos = i + 1;
                    return new String(in, start, i - start, StandardCharsets.ISO_8859_1);
                }
                if (c == '\\' || c < 0x20) { // a signed byte: every non-ASCII byte is below 0x20 too
                    return escapedString(start, i);
                }
                i++;
            }
            pos = start - 1;
            throw error("unterminated string");
        }

        /**
         * A member name: a registered JOSE or JWT name ({@code alg}, {@code iss}, {@code exp}, …) is the one constant
         * string, not a new one per token; any other name is read as {@link #string()} reads it.
         */
        String name() throws ParseException {
            byte[] in = this.in;
            int start = pos + 1;
            int end = start;
            while (end < limit && end - start <= MAX_KNOWN_NAME && in[end] != '"' && in[end] != '\\') {
                end++;
            }
            int length = end - start;
            if (end < limit && in[end] == '"' && length <= MAX_KNOWN_NAME) {
                for (String known : KNOWN_NAMES[length]) {
                    if (sameAscii(known, in, start)) {
                        pos = end + 1;
                        return known;
                    }
                }
            }
            return string();
        }

        private static boolean sameAscii(String known, byte[] in, int start) {
            for (int k = 0; k < known.length(); k++) {
                if (in[start + k] != known.charAt(k)) {
                    return false;
                }
            }
            return true;
        }

        /** The rest of a string from {@code i}, its ASCII start {@code start..i} already checked. */
        private String escapedString(int start, int i) throws ParseException {
            byte[] in = this.in;
            char[] buf = chars(Math.max(64, 2 * (i - start)));
            int n = 0;
            for (int k = start; k < i; k++) {
                buf[n++] = (char) in[k];
            }
            while (true) {
                if (i >= limit) {
                    pos = start - 1;
                    throw error("unterminated string");
                }
                if (n + 2 > buf.length) {
                    buf = chars(2 * buf.length);
                }
                int c = in[i] & 0xFF;
                if (c == '"') {
                    pos = i + 1;
                    return new String(buf, 0, n);
                } else if (c == '\\') {
                    if (i + 1 >= limit) {
                        pos = start - 1;
                        throw error("unterminated string");
                    }
                    int escaped = in[i + 1];
                    switch (escaped) {
                        case '"' -> buf[n++] = '"';
                        case '\\' -> buf[n++] = '\\';
                        case '/' -> buf[n++] = '/';
                        case 'b' -> buf[n++] = '\b';
                        case 'f' -> buf[n++] = '\f';
                        case 'n' -> buf[n++] = '\n';
                        case 'r' -> buf[n++] = '\r';
                        case 't' -> buf[n++] = '\t';
                        case 'u' -> {
                            char unit = hex4(i + 2);
                            if (Character.isSurrogate(unit)) {
                                // only a high surrogate escape followed by a low one is a character
                                boolean paired = Character.isHighSurrogate(unit) && i + 8 <= limit
                                        && in[i + 6] == '\\' && in[i + 7] == 'u'
                                        && Character.isLowSurrogate(hex4(i + 8));
                                if (!paired) {
                                    pos = i;
                                    throw error("an unpaired surrogate \\u" + hex(unit));
                                }
                                buf[n++] = unit;
                                buf[n++] = hex4(i + 8);
                                i += 6;
                            } else {
                                buf[n++] = unit;
                            }
                            i += 4;
                        }
                        default -> {
                            pos = i;
                            throw error("an invalid escape");
                        }
                    }
                    i += 2;
                } else if (c < 0x20) {
                    pos = i;
                    throw error("a control character not escaped in a string");
                } else if (c < 0x80) {
                    buf[n++] = (char) c;
                    i++;
                } else {
                    int end = utf8End(in, i, limit);
                    if (end < 0) {
                        pos = i;
                        throw error("ill-formed UTF-8");
                    }
                    int codePoint = c & (0xFF >> (end - i + 1)); // the payload bits of the lead byte
                    for (int k = i + 1; k < end; k++) {
                        codePoint = (codePoint << 6) | (in[k] & 0x3F);
                    }
                    n += Character.toChars(codePoint, buf, n);
                    i = end;
                }
            }
        }

        private char[] chars(int size) {
            if (chars == null || chars.length < size) {
                char[] grown = new char[size];
                if (chars != null) {
                    System.arraycopy(chars, 0, grown, 0, chars.length);
                }
                chars = grown;
            }
            return chars;
        }

        /** The four hex digits at {@code i} (after a backslash and u) as one UTF-16 unit. */
        private char hex4(int i) throws ParseException {
            if (i + 4 > limit) {
                pos = Math.min(i, limit);
                throw error("a \\u escape without four hex digits");
            }
            int unit = 0;
            for (int k = i; k < i + 4; k++) {
                int digit = Character.digit(in[k], 16);
                if (digit < 0 || in[k] < 0) {
                    pos = k;
                    throw error("a \\u escape without four hex digits");
                }
                unit = (unit << 4) | digit;
            }
            return (char) unit;
        }

        /** RFC 8259 §6: {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}. */
        Object number() throws ParseException {
            byte[] in = this.in;
            int start = pos;
            int i = start;
            boolean negative = in[i] == '-';
            if (negative) {
                i++;
            }
            int digitsStart = i;
            if (i < limit && in[i] == '0') {
                i++;
            } else {
                i = digits(i);
            }
            int integerEnd = i;
            boolean integral = true;
            if (i < limit && in[i] == '.') {
                integral = false;
                i = digits(i + 1);
            }
            if (i < limit && (in[i] == 'e' || in[i] == 'E')) {
                integral = false;
                i++;
                if (i < limit && (in[i] == '+' || in[i] == '-')) {
                    i++;
                }
                i = digits(i);
            }
            if (i - start > MAX_NUMBER_LENGTH) {
                throw error("a number longer than " + MAX_NUMBER_LENGTH + " characters");
            }
            pos = i;
            if (integral) {
                if (integerEnd - digitsStart <= 18) { // fits a long whatever the digits
                    long value = 0;
                    for (int k = digitsStart; k < integerEnd; k++) {
                        value = value * 10 + (in[k] - '0');
                    }
                    return negative ? -value : value;
                }
                BigInteger big = new BigInteger(new String(in, start, i - start, StandardCharsets.ISO_8859_1));
                return big.bitLength() < 64 ? (Object) big.longValue() : big;
            }
            return Double.parseDouble(new String(in, start, i - start, StandardCharsets.ISO_8859_1));
        }

        /** The end of one or more digits from {@code i}. */
        private int digits(int i) throws ParseException {
            int from = i;
            while (i < limit && in[i] >= '0' && in[i] <= '9') {
                i++;
            }
            if (i == from) {
                pos = i;
                throw unexpected("a digit");
            }
            return i;
        }

        ParseException error(String what) {
            return new ParseException(what, pos);
        }

        ParseException unexpected(String expected) {
            if (pos >= limit) {
                return error("unexpected end of input, expected " + expected);
            }
            int b = in[pos] & 0xFF;
            String found = b > 0x20 && b < 0x7F ? "'" + (char) b + "'" : "byte 0x" + hex(b).substring(2);
            return error("unexpected " + found + ", expected " + expected);
        }
    }

    private static String hex(int unit) {
        return new String(new char[] {HEX[(unit >> 12) & 0xF], HEX[(unit >> 8) & 0xF], HEX[(unit >> 4) & 0xF],
                HEX[unit & 0xF]});
    }

    /**
     * {@code value} as compact JSON on one line: a {@code String}, {@code Boolean}, integer {@code Number}
     * ({@code Long}, {@code Integer}, {@code Short}, {@code Byte}, {@code BigInteger}), {@code BigDecimal},
     * {@code Double} or {@code Float}, {@code null}, a {@code Map} with {@code String} keys (in its iteration order)
     * or a {@code Collection}, of those, nested at most {@value #MAX_DEPTH} deep. An infinite double is written
     * {@code 1e999} ({@code -1e999}), which reads back as the same infinity; NaN, which JSON cannot hold, as
     * {@code null}. What a {@link Reader} read is written so that it reads back equal.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder(64);
        value(out, value, 0);
        return out.toString();
    }

    private static void value(StringBuilder out, Object value, int depth) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            string(out, s);
        } else if (value instanceof Boolean b) {
            out.append(b.booleanValue());
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte || value instanceof BigInteger || value instanceof BigDecimal) {
            out.append(value);
        } else if (value instanceof Double || value instanceof Float) {
            number(out, ((Number) value).doubleValue());
        } else if (value instanceof Map<?, ?> map) {
            nested(depth);
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String name)) {
                    throw new IllegalArgumentException("a JSON member name must be a String, not " + e.getKey());
                }
                if (!first) {
                    out.append(',');
                }
                first = false;
                string(out, name);
                out.append(':');
                value(out, e.getValue(), depth + 1);
            }
            out.append('}');
        } else if (value instanceof Collection<?> list) {
            nested(depth);
            out.append('[');
            boolean first = true;
            for (Object item : list) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                value(out, item, depth + 1);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("JSON cannot hold a " + value.getClass().getName());
        }
    }

    private static void nested(int depth) {
        if (depth >= MAX_DEPTH) {
            throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH + " arrays and objects");
        }
    }

    private static void number(StringBuilder out, double value) {
        if (Double.isNaN(value)) {
            out.append("null");
        } else if (Double.isInfinite(value)) {
            out.append(value > 0 ? "1e999" : "-1e999");
        } else {
            out.append(value); // Double.toString: 1.5, 1.0E10, 4.9E-324, -0.0, all JSON numbers
        }
    }

    /**
     * {@code s} in double quotes, with {@code "}, {@code \}, every control character, U+2028 and U+2029 (line breaks
     * to JavaScript) and every unpaired surrogate escaped: the line stays one line, and well-formed UTF-8.
     */
    private static void string(StringBuilder out, String s) {
        out.append('"');
        int length = s.length();
        int from = 0;
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && c < 0x2028) {
                continue; // the common case: nothing to escape
            }
            if (c > 0x2029 && !Character.isSurrogate(c)) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++; // a pair, written as it is
                continue;
            }
            out.append(s, from, i);
            from = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append("\\u").append(hex(c));
            }
        }
        out.append(s, from, length).append('"');
    }

    /** A new, empty object to put members into, in order, and then {@link ObjectWriter#toJson() write}. */
    public static ObjectWriter object() {
        return new ObjectWriter();
    }

    /**
     * One JSON object written as its members are put, straight into one buffer: no tree. The caller puts each name
     * once. Not thread-safe; done after {@link #toJson()}.
     */
    public static final class ObjectWriter {
        private final StringBuilder out = new StringBuilder(256).append('{');
        private boolean empty = true;
        private boolean done;

        private ObjectWriter() {
        }

        private StringBuilder name(String name) {
            if (done) {
                throw new IllegalStateException("the object was written already");
            }
            if (!empty) {
                out.append(',');
            }
            empty = false;
            string(out, name);
            return out.append(':');
        }

        /** A string member; {@code null} is written as JSON {@code null}. */
        public ObjectWriter put(String name, String value) {
            StringBuilder o = name(name);
            if (value == null) {
                o.append("null");
            } else {
                string(o, value);
            }
            return this;
        }

        /** An integer member. */
        public ObjectWriter put(String name, long value) {
            name(name).append(value);
            return this;
        }

        /** A number member (see {@link Json#write} for the infinities and NaN). */
        public ObjectWriter put(String name, double value) {
            number(name(name), value);
            return this;
        }

        /** A boolean member. */
        public ObjectWriter put(String name, boolean value) {
            name(name).append(value);
            return this;
        }

        /**
         * A member of any value {@link Json#write} takes: a list, a map, a number.
         *
         * @throws IllegalArgumentException when JSON cannot hold it
         */
        public ObjectWriter put(String name, Object value) {
            value(name(name), value, 1);
            return this;
        }

        /** The object, on one line. */
        public String toJson() {
            if (!done) {
                out.append('}');
                done = true;
            }
            return out.toString();
        }

        @Override
        public String toString() {
            return toJson();
        }
    }
}
