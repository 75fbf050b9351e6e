package dev.tokengate.jwt;

import dev.tokengate.InvalidTokenException;
import dev.tokengate.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A compact JWS parsed once, strictly: the token's own bytes with its decoded, not yet verified header, claims and
 * signature. It is the only parse of a JWT in tokengate: routing reads {@code iss} from it, and the
 * {@link JwtValidator} of that issuer verifies its signature over the same bytes and reads the claims from it.
 *
 * <p>Parsing is strict so that one token has exactly one reading, one fingerprint and one cache key: each part is
 * canonical base64url (no padding, no character outside the URL-safe alphabet, zero unused bits in the final
 * character); header and claims are well-formed UTF-8 JSON objects, with duplicated member names, trailing content
 * non-numeric numbers, unpaired surrogate escapes and nesting deeper than {@value Json#MAX_DEPTH} refused, and
 * insignificant whitespace accepted anywhere JSON allows it ({@link Json#JOSE}). Claim values are plain, unmodifiable
 * Java values: String, Boolean, Long (BigInteger when larger), Double, List, Map, or null. Immutable and thread-safe.
 */
final class ParsedJwt {

    static final String NOT_A_JWT = "The token is not a JWT";
    /** The largest decoded header or claims buffer a thread keeps. */
    private static final int MAX_KEPT_BUFFER = 8 * 1024;
    /** Each thread's buffer for a decoded header or claims set; a JDK type, so it keeps no class loader alive. */
    private static final ThreadLocal<byte[]> JSON_BUFFER = ThreadLocal.withInitial(() -> new byte[1024]);

    /** The token's bytes: the signing input is {@code ascii[0, signingInputLength)}. */
    private final byte[] ascii;
    private final int signingInputLength;
    private final Map<String, Object> header;
    private final Map<String, Object> claims;
    private final byte[] signature;

    private ParsedJwt(byte[] ascii, int signingInputLength, Map<String, Object> header,
            Map<String, Object> claims, byte[] signature) {
        this.ascii = ascii;
        this.signingInputLength = signingInputLength;
        this.header = header;
        this.claims = claims;
        this.signature = signature;
    }

    /**
     * Splits and decodes a token, without verifying anything.
     *
     * @throws InvalidTokenException when it is a JWE, or not three canonical base64url parts whose first two are
     *         JSON objects; the message never contains the token
     */
    static ParsedJwt parse(String token) {
        Objects.requireNonNull(token, "token");
        // String.indexOf is a vectorised intrinsic: finding the dots costs far less than a loop over the characters.
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        int parts = second < 0 ? (first < 0 ? 1 : 2) : 3;
        for (int dot = second; parts >= 3 && parts < 6 && (dot = token.indexOf('.', dot + 1)) >= 0; ) {
            parts++; // counted up to six: more than five parts is as much "not a JWT" as six
        }
        if (parts == 5) {
            throw new InvalidTokenException(
                    "The token is encrypted (JWE); encrypted tokens are not accepted, send a signed JWT", "enc");
        }
        if (parts != 3) {
            throw new InvalidTokenException(NOT_A_JWT);
        }
        // Any character outside US-ASCII becomes '?', which no part may contain: the bytes are the token's own.
        byte[] ascii = token.getBytes(StandardCharsets.US_ASCII);
        Map<String, Object> header = object(ascii, 0, first);
        Map<String, Object> claims = object(ascii, first + 1, second);
        byte[] signature;
        try {
            signature = Base64Url.decode(ascii, second + 1, ascii.length);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException(NOT_A_JWT);
        }
        return new ParsedJwt(ascii, second, header, claims, signature);
    }

    /**
     * The {@code iss} claim as the token states it, <em>not verified</em>: fit to choose which issuer's validator
     * verifies the token, never to be trusted, shown or logged.
     *
     * @throws InvalidTokenException when {@code iss} is present but not a string
     */
    Optional<String> issuer() {
        return claimString("iss");
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

    Map<String, Object> header() {
        return header;
    }

    Map<String, Object> claims() {
        return claims;
    }

    /** The token's bytes; the signing input is the first {@link #signingInputLength()} of them. Not a copy. */
    byte[] ascii() {
        return ascii;
    }

    /** The length of the signing input: header, dot, claims (RFC 7515 §5.2). */
    int signingInputLength() {
        return signingInputLength;
    }

    /** The decoded signature; empty when the token has none. Not a copy. */
    byte[] signature() {
        return signature;
    }

    Optional<String> headerString(String name) {
        return string(header, name, "header parameter");
    }

    Optional<String> claimString(String name) {
        return string(claims, name, "claim");
    }

    private static Map<String, Object> object(byte[] ascii, int from, int to) {
        if (from == to) {
            throw new InvalidTokenException(NOT_A_JWT);
        }
        try {
            // Decoded into this thread's buffer: the reader copies out every string and keeps no reference to it.
            int length = Base64Url.decodedLength(from, to);
            byte[] json = JSON_BUFFER.get();
            if (json.length < length) {
                json = new byte[length];
                if (length <= MAX_KEPT_BUFFER) {
                    JSON_BUFFER.set(json);
                }
            }
            Base64Url.decode(ascii, from, to, json);
            return Json.JOSE.readObject(json, length); // checks the UTF-8 itself
        } catch (IllegalArgumentException | Json.ParseException e) {
            // Parser messages may quote the token's content: keep them out of the client-facing message.
            throw new InvalidTokenException(NOT_A_JWT);
        }
    }

    /** The header parameter names only: never a claim, a value or the token. */
    @Override
    public String toString() {
        return "ParsedJwt[header=" + header.keySet() + "]";
    }
}
