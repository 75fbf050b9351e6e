package dev.tokengate.log;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
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
    /** The largest token buffer a thread keeps; a longer token gets a buffer of its own. */
    private static final int MAX_KEPT_BUFFER = 16 * 1024;
    /** Each thread's buffer for a token's bytes (at least 32: the digest is written over them once consumed). */
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[1024]);
    /**
     * The token the request on this thread presented and its SHA-256, {@code {token, hash}}, from {@link #remember}
     * to {@link #forget}: the verified-token cache and the token store key the same token by the same hash, and
     * take it from here instead of hashing it again. JDK types only, so that no web application's class loader is
     * kept by a container thread; emptied at the end of every request, so no token outlives its request here.
     */
    private static final ThreadLocal<Object[]> CURRENT = ThreadLocal.withInitial(() -> new Object[2]);

    /**
     * The SHA-256 of the token's ASCII bytes (a character outside US-ASCII counts as {@code ?}).
     *
     * @param token the raw token, ASCII; not null
     * @return the 32-byte hash, a new array
     */
    public static byte[] sha256(String token) {
        byte[] current = current(token);
        if (current != null) {
            return current.clone();
        }
        byte[] scratch = asciiSha256(token);
        if (scratch == null) {
            return SHA256.get().digest(token.getBytes(StandardCharsets.US_ASCII)); // digest() also resets it
        }
        return Arrays.copyOf(scratch, 32);
    }

    /**
     * The SHA-256 of the token, as {@link #sha256(String)}, remembered for this thread until {@link #forget()}, so
     * that the validators below the gate find it instead of hashing the token again.
     *
     * @param token the raw token the current request presented; not null
     * @return the 32-byte hash, a new array
     */
    public static byte[] remember(String token) {
        byte[] scratch = asciiSha256(token);
        Object[] current = CURRENT.get();
        if (scratch == null) { // a token that is not ASCII is never looked up here
            current[0] = null;
            current[1] = null;
            return SHA256.get().digest(token.getBytes(StandardCharsets.US_ASCII));
        }
        byte[] hash = Arrays.copyOf(scratch, 32);
        current[0] = token;
        current[1] = hash;
        return hash.clone();
    }

    /** Forgets the token {@link #remember} kept for this thread; does nothing when it kept none. */
    public static void forget() {
        Object[] current = CURRENT.get();
        current[0] = null;
        current[1] = null;
    }

    /**
     * The SHA-256 of an ASCII token into a buffer of this thread's, valid until the thread's next call of a method
     * of this class: the hash of the token this thread {@linkplain #remember remembered} (the very same string), or
     * else a fresh digest. For a key made at once from it, without copying the token's characters into a new array.
     *
     * @param token the raw token; not null
     * @return the hash in the first 32 bytes, not to be kept or changed; {@code null} when the token is not ASCII
     */
    public static byte[] scratchSha256(String token) {
        byte[] current = current(token);
        return current != null ? current : asciiSha256(token);
    }

    private static byte[] current(String token) {
        Object[] current = CURRENT.get();
        return current[0] == token ? (byte[]) current[1] : null; // the same string: a lookup costs no comparison
    }

    /** One pass copies the characters into this thread's buffer, then the digest is written over them. */
    private static byte[] asciiSha256(String token) {
        int length = token.length();
        byte[] bytes = buffer(length);
        int seen = 0;
        for (int i = 0; i < length; i++) {
            char c = token.charAt(i);
            seen |= c;
            bytes[i] = (byte) c;
        }
        if (seen > 0x7F) {
            return null;
        }
        return digestInPlace(bytes, length);
    }

    /** This thread's buffer, at least {@code length} bytes (and 32). */
    private static byte[] buffer(int length) {
        byte[] bytes = BUFFER.get();
        if (bytes.length < length) {
            bytes = new byte[Math.max(length, 2 * bytes.length)];
            if (bytes.length <= MAX_KEPT_BUFFER) {
                BUFFER.set(bytes);
            }
        }
        return bytes;
    }

    /** The SHA-256 of the first {@code length} bytes, written over the first 32 of them. */
    private static byte[] digestInPlace(byte[] bytes, int length) {
        MessageDigest sha256 = SHA256.get();
        sha256.update(bytes, 0, length);
        try {
            sha256.digest(bytes, 0, 32);
        } catch (DigestException e) {
            throw new IllegalStateException("a SHA-256 digest is 32 bytes", e);
        }
        return bytes;
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
