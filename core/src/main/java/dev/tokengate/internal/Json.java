package dev.tokengate.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON readers and writers of tokengate, one per strictness purpose, each named for what it reads or writes;
 * no class keeps a mapper of its own. Every reader and writer here is immutable and thread-safe. Not API.
 *
 * <ul>
 *   <li>{@link #JOSE}: a JWS header or claims set, the input an attacker controls. Strict: a duplicated member
 *       name, {@code NaN}/{@code Infinity}, comments, single quotes, unquoted names, trailing commas and trailing
 *       tokens are all refused, so that no other parser can read different claims out of the same bytes. (The
 *       caller makes sure the bytes are well-formed UTF-8: Jackson would also accept UTF-16 and UTF-32, and
 *       overlong forms and encoded surrogates.)</li>
 *   <li>{@link #UPSTREAM}: a document from a server tokengate is configured to trust (JWK set, discovery
 *       document, introspection answer). Standard JSON with duplicated member names refused: a duplicated
 *       {@code active} or {@code keys} is an answer nobody can read one way only.</li>
 *   <li>{@link #WRITER}: what tokengate writes itself (call-log lines): compact, one line.</li>
 * </ul>
 */
public final class Json {

    /**
     * Reads a JOSE header or claims set: see the class comment. The result is an unmodifiable {@code Map} whose values
     * are String, Boolean, Long (BigInteger beyond a long), Double, null, and unmodifiable List and Map of the same.
     * Read straight off the streaming parser, with no data-binding layer between: this is on every first-seen
     * token's path.
     */
    public static final Reader JOSE = new Reader(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build());

    /** Reads a document from a trusted server (JWKS, discovery, introspection) as a tree: see the class comment. */
    public static final ObjectReader UPSTREAM = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build()
            .reader();

    /** Writes tokengate's own JSON (call-log lines) compactly, on one line. */
    public static final ObjectWriter WRITER = JsonMapper.builder().build().writer();

    private Json() {
    }

    /**
     * Whether the bytes are well-formed UTF-8 (RFC 8259 §8.1 requires it of JSON between systems). Check before
     * {@link #UPSTREAM}: once Jackson's parser has read a member name, it can read an ill-formed variant of that name
     * ({@code "acti\xFFve"}) as the name itself.
     */
    public static boolean isUtf8(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) { // only a non-ASCII byte can be ill-formed: most answers are ASCII and skip the decoder
                try {
                    StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)); // reports, never replaces
                    return true;
                } catch (CharacterCodingException e) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A strict reader of one JSON object into plain, unmodifiable Java values. Immutable and thread-safe. */
    public static final class Reader {
        private final JsonFactory factory;

        private Reader(JsonFactory factory) {
            this.factory = factory;
        }

        /**
         * The object in {@code json}.
         *
         * @throws IOException when it is not exactly one strict JSON object (anything after it is refused too)
         */
        public Map<String, Object> readObject(byte[] json) throws IOException {
            try (JsonParser parser = factory.createParser(json)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    throw new JsonParseException(parser, "not a JSON object");
                }
                Map<String, Object> object = object(parser);
                if (parser.nextToken() != null) {
                    throw new JsonParseException(parser, "content after the JSON object");
                }
                return object;
            }
        }

        private static Map<String, Object> object(JsonParser parser) throws IOException {
            Map<String, Object> map = new LinkedHashMap<>();
            String name;
            while ((name = parser.nextFieldName()) != null) {
                map.put(name, value(parser, parser.nextToken()));
            }
            return Collections.unmodifiableMap(map);
        }

        private static Object value(JsonParser parser, JsonToken token) throws IOException {
            switch (token) {
                case START_OBJECT:
                    return object(parser);
                case START_ARRAY: {
                    List<Object> list = new ArrayList<>();
                    JsonToken next;
                    while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
                        list.add(value(parser, next));
                    }
                    return Collections.unmodifiableList(list);
                }
                case VALUE_STRING:
                    return parser.getText();
                case VALUE_NUMBER_INT:
                    return parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                            ? parser.getBigIntegerValue() : (Object) parser.getLongValue();
                case VALUE_NUMBER_FLOAT:
                    return parser.getDoubleValue();
                case VALUE_TRUE:
                    return Boolean.TRUE;
                case VALUE_FALSE:
                    return Boolean.FALSE;
                case VALUE_NULL:
                    return null;
                default:
                    throw new JsonParseException(parser, "unexpected " + token);
            }
        }
    }

    /** A new, empty object to fill and hand to {@link #WRITER}. */
    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }
}
