package dev.tokengate.log;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Digests of tokens: the SHA-256 that keys caches and stores, and the short fingerprint that the call log shows.
 * Not API.
 */
public final class Fingerprints {

    private static final HexFormat HEX = HexFormat.of();

    private Fingerprints() {
    }

    /** Each thread's digester: {@code getInstance} walks the providers, which costs more than the digest itself. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });

    /**
     * The SHA-256 of the token's ASCII bytes.
     *
     * @param token the raw token, ASCII; not null
     * @return the 32-byte hash
     */
    public static byte[] sha256(String token) {
        return SHA256.get().digest(token.getBytes(StandardCharsets.US_ASCII)); // digest() also resets it
    }

    /**
     * The first 12 hex digits of the token's SHA-256: enough to correlate calls, useless to replay.
     *
     * @param token the raw token, ASCII; not null
     * @return 12 lower-case hex digits
     */
    public static String fingerprint(String token) {
        return fingerprint(sha256(token));
    }

    /**
     * The fingerprint of a token whose SHA-256 this is: its first 12 hex digits.
     *
     * @param sha256 the token's SHA-256, at least 6 bytes
     * @return 12 lower-case hex digits
     */
    public static String fingerprint(byte[] sha256) {
        return HEX.formatHex(sha256, 0, 6);
    }

    /**
     * The whole SHA-256 in lower-case hex: how revocation lists and stores name a token.
     *
     * @param sha256 the token's SHA-256
     * @return 64 lower-case hex digits
     */
    public static String hex(byte[] sha256) {
        return HEX.formatHex(sha256);
    }
}
