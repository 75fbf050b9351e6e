package dev.tokengate.jwt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tokengate.InvalidTokenException;
import java.io.IOException;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A compact JWS split into its decoded, <em>unverified</em> header and claims, as plain Java values.
 *
 * <p>Values are plain, unmodifiable Java values: String, Boolean, Long (BigInteger when larger), Double, List,
 * Map, or null. JSON is parsed strictly: a duplicated member name makes the token invalid, so no two parsers can read
 * different claims out of it.
 */
record JwtParts(String token, Map<String, Object> header, Map<String, Object> claims) {

    static final String NOT_A_JWT = "The token is not a JWT";

    private static final ObjectReader OBJECT_READER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .build()
            .readerFor(Map.class);

    /**
     * Splits and decodes a token.
     *
     * @throws InvalidTokenException when it is a JWE, or not three base64url parts whose first two are JSON objects
     */
    static JwtParts parse(String token) {
        int parts = 1;
        for (int i = 0; i < token.length(); i++) {
            if (token.charAt(i) == '.') {
                parts++;
            }
        }
        if (parts == 5) {
            throw new InvalidTokenException(
                    "The token is encrypted (JWE); encrypted tokens are not accepted, send a signed JWT", "enc");
        }
        if (parts != 3) {
            throw new InvalidTokenException(NOT_A_JWT);
        }
        int first = token.indexOf('.');
        int second = token.indexOf('.', first + 1);
        Map<String, Object> header = object(token.substring(0, first));
        Map<String, Object> claims = object(token.substring(first + 1, second));
        return new JwtParts(token, header, claims);
    }

    /** A header parameter or claim that must be a string when present. */
    static Optional<String> string(Map<String, Object> map, String name, String what) {
        Object value = map.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof String s) {
            return Optional.of(s);
        }
        throw new InvalidTokenException("The token's " + what + " (" + name + ") is not a string", name);
    }

    Optional<String> headerString(String name) {
        return string(header, name, "header parameter");
    }

    Optional<String> claimString(String name) {
        return string(claims, name, "claim");
    }

    private static Map<String, Object> object(String part) {
        if (part.isEmpty()) {
            throw new InvalidTokenException(NOT_A_JWT);
        }
        try {
            byte[] json = Base64.getUrlDecoder().decode(part);
            Object value = OBJECT_READER.readValue(json);
            if (!(value instanceof Map<?, ?> map)) {
                throw new InvalidTokenException(NOT_A_JWT);
            }
            return immutable(map);
        } catch (IllegalArgumentException | IOException e) {
            // Parser messages may quote the token's content: keep them out of the client-facing message.
            throw new InvalidTokenException(NOT_A_JWT);
        }
    }

    /**
     * Makes the parser's own maps and lists unmodifiable in place, without copying them: Jackson builds
     * {@code LinkedHashMap}s and {@code ArrayList}s that nothing else holds, with integral numbers already
     * {@code Long} ({@code USE_LONG_FOR_INTS}) or {@code BigInteger}.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> immutable(Map<?, ?> map) {
        Map<String, Object> own = (Map<String, Object>) map;
        own.replaceAll((k, v) -> plain(v));
        return Collections.unmodifiableMap(own);
    }

    @SuppressWarnings("unchecked")
    private static Object plain(Object value) {
        if (value instanceof Map<?, ?> map) {
            return immutable(map);
        }
        if (value instanceof List<?> list) {
            ((List<Object>) list).replaceAll(JwtParts::plain);
            return Collections.unmodifiableList(list);
        }
        return value;
    }

    @Override
    public String toString() {
        return "JwtParts[header=" + header + "]";
    }
}
