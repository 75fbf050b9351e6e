package dev.tokengate.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * The JSON readers and writers of tokengate, one per strictness purpose, each named for what it reads or writes;
 * no class keeps a mapper of its own. Every reader and writer here is immutable and thread-safe. Not API.
 *
 * <ul>
 *   <li>{@link #JOSE}: a JWS header or claims set, the input an attacker controls. Strict: a duplicated member
 *       name, {@code NaN}/{@code Infinity}, comments, single quotes, unquoted names, trailing commas and trailing
 *       tokens are all refused, so that no other parser can read different claims out of the same bytes. (The
 *       caller makes sure the bytes are UTF-8: Jackson would also accept UTF-16 and UTF-32.)</li>
 *   <li>{@link #UPSTREAM}: a document from a server tokengate is configured to trust (JWK set, discovery
 *       document, introspection answer). Standard JSON with duplicated member names refused: a duplicated
 *       {@code active} or {@code keys} is an answer nobody can read one way only.</li>
 *   <li>{@link #WRITER}: what tokengate writes itself (call-log lines): compact, one line.</li>
 * </ul>
 */
public final class Json {

    /** Reads a JOSE header or claims set into a {@code Map}: see the class comment. Integers become {@code Long}. */
    public static final ObjectReader JOSE = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build()
            .readerFor(Map.class);

    /** Reads a document from a trusted server (JWKS, discovery, introspection) as a tree: see the class comment. */
    public static final ObjectReader UPSTREAM = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build()
            .reader();

    /** Writes tokengate's own JSON (call-log lines) compactly, on one line. */
    public static final ObjectWriter WRITER = JsonMapper.builder().build().writer();

    private Json() {
    }

    /** A new, empty object to fill and hand to {@link #WRITER}. */
    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }
}
