package dev.tokengate.sample;


import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the console calls a token in the "recent calls" view, found by the token fingerprint that every call-log
 * event carries (the first 12 hex digits of the token's SHA-256, as the README documents): a personal access
 * token by its name and id, filled when the console issues it (a call without a label is shown by its client).
 * Bounded, least recently used first out. Thread-safe.
 */
final class CallLabels {

    /** How the console names a token; {@code tokenId} is set for tokens of the token database. */
    record Label(String name, Optional<String> tokenId) {
    }

    private static final int CAPACITY = 10_000;

    private final Map<String, Label> byFingerprint = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Label> eldest) {
            return size() > CAPACITY;
        }
    };

    /** Remembers a personal access token at issue. */
    void rememberIssued(String token, String name, String tokenId) {
        put(fingerprint(token), new Label(name, Optional.of(tokenId)));
    }

    Optional<Label> find(String fingerprint) {
        synchronized (byFingerprint) {
            return Optional.ofNullable(byFingerprint.get(fingerprint));
        }
    }

    private void put(String fingerprint, Label label) {
        synchronized (byFingerprint) {
            byFingerprint.put(fingerprint, label);
        }
    }

    /** The call log's fingerprint of a token: the first 12 hex digits of its SHA-256. */
    static String fingerprint(String token) {
        return HexFormat.of().formatHex(sha256(token), 0, 6);
    }

    /** The SHA-256 of a token's ASCII bytes: what the token database stores and looks up. */
    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
