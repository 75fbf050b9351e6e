package dev.tokengate.store;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * The shape of the secrets tokengate issues: a kind prefix, 43 base62 characters from {@link SecureRandom}
 * (256 bits) and a 6-character base62 CRC32 of those characters, e.g.
 * {@code tgat_4kTq…Zr8x1Lm0Qb} (54 characters).
 *
 * <p>Every character is a letter, a digit or {@code _}, inside RFC 6750's b64token syntax, and a whole token
 * is selected by a double click. The checksum lets {@link #checksumValid(String)} refuse a mistyped, truncated
 * or invented token without a database lookup, and lets secret scanners tell real tokens from look-alikes; it is
 * not a secret and adds no strength. Immutable and thread-safe.
 */
public final class TokenFormat {

    /** The base62 alphabet, in the order of digit values. */
    static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    /** Random characters: 62^43 > 2^256. */
    public static final int RANDOM_LENGTH = 43;
    /** Checksum characters: 62^6 > 2^32, enough for any CRC32. */
    public static final int CHECKSUM_LENGTH = 6;
    /** The length of every token (both prefixes are 5 characters). */
    public static final int LENGTH = 5 + RANDOM_LENGTH + CHECKSUM_LENGTH;

    private final TokenKind kind;
    private final SecureRandom random;

    private TokenFormat(TokenKind kind, SecureRandom random) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * The format of this kind of secret, generating with a new {@link SecureRandom}.
     *
     * @param kind access token or API key; not null
     * @return the format
     */
    public static TokenFormat of(TokenKind kind) {
        return new TokenFormat(kind, new SecureRandom());
    }

    /**
     * The kind of secret this format makes and checks.
     *
     * @return the kind, never null
     */
    public TokenKind kind() {
        return kind;
    }

    /**
     * A new secret: prefix, 256 random bits in base62, checksum.
     *
     * @return the secret, e.g. {@code tgat_…}
     */
    public String generate() {
        char[] body = new char[RANDOM_LENGTH];
        byte[] buffer = new byte[RANDOM_LENGTH * 2];
        int filled = 0;
        while (filled < RANDOM_LENGTH) {
            random.nextBytes(buffer);
            for (int i = 0; i < buffer.length && filled < RANDOM_LENGTH; i++) {
                int b = buffer[i] & 0xFF;
                if (b < 248) { // 248 = 4 × 62: rejecting the rest keeps every character uniform
                    body[filled++] = ALPHABET.charAt(b % 62);
                }
            }
        }
        String randomPart = new String(body);
        return kind.prefix() + randomPart + checksum(randomPart);
    }

    /**
     * Whether the token has this kind's prefix, the right length, only base62 characters and a matching
     * checksum. Needs no database; its running time depends only on the token's length, not on where it is wrong.
     *
     * @param token the text to check; may be null
     * @return {@code true} for a well-formed secret of this kind; {@code false} for null or anything else
     */
    public boolean checksumValid(String token) {
        if (token == null || token.length() != LENGTH) {
            return false;
        }
        int bad = 0;
        String prefix = kind.prefix();
        for (int i = 0; i < prefix.length(); i++) {
            bad |= token.charAt(i) ^ prefix.charAt(i);
        }
        int start = prefix.length();
        int end = start + RANDOM_LENGTH;
        for (int i = start; i < LENGTH; i++) {
            bad |= isBase62(token.charAt(i)) ? 0 : 1;
        }
        String expected = checksum(token.substring(start, end));
        for (int i = 0; i < CHECKSUM_LENGTH; i++) {
            bad |= token.charAt(end + i) ^ expected.charAt(i);
        }
        return bad == 0;
    }

    /** The CRC32 of the random part's ASCII bytes, as 6 base62 digits, most significant first. */
    static String checksum(String randomPart) {
        CRC32 crc = new CRC32();
        for (int i = 0; i < randomPart.length(); i++) {
            crc.update(randomPart.charAt(i) & 0xFF);
        }
        long value = crc.getValue();
        char[] out = new char[CHECKSUM_LENGTH];
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            out[i] = ALPHABET.charAt((int) (value % 62));
            value /= 62;
        }
        return new String(out);
    }

    private static boolean isBase62(char c) {
        return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z';
    }

    @Override
    public String toString() {
        return "TokenFormat[" + kind.prefix() + "<" + RANDOM_LENGTH + " base62><" + CHECKSUM_LENGTH + " checksum>]";
    }
}
