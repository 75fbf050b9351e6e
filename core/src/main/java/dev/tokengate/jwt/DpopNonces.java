package dev.tokengate.jwt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * DPoP server nonces (RFC 9449 §8) without shared state: the nonce of a time slot is the HMAC-SHA256 of the slot's
 * number under a secret, so every node with the same secret issues and accepts the same nonces. A nonce is accepted
 * in its slot and the next one; after that the client is told the current one ({@code use_dpop_nonce}).
 */
final class DpopNonces {

    private static final String MAC = "HmacSHA256";

    private final byte[] secret;
    private final long slotSeconds;
    private final Clock clock;
    /** The last nonce made and its slot, so that a slot's nonce is computed once. */
    private volatile Issued last = new Issued(Long.MIN_VALUE, "");

    private record Issued(long slot, String nonce) {
    }

    DpopNonces(byte[] secret, Duration slot, Clock clock) {
        this.secret = secret.clone();
        this.slotSeconds = slot.toSeconds();
        this.clock = clock;
    }

    /** The nonce of the current slot: what a client is told to use. */
    String current() {
        return current(slot());
    }

    private String current(long slot) {
        Issued issued = last;
        if (issued.slot() != slot) {
            issued = new Issued(slot, nonce(slot));
            last = issued;
        }
        return issued.nonce();
    }

    /** Whether {@code nonce} is the current slot's or the previous slot's. */
    boolean accepts(String nonce) {
        byte[] given = nonce.getBytes(StandardCharsets.US_ASCII);
        long slot = slot();
        // both compared, whatever the first answer: the time taken says nothing about which slot matched
        boolean current = MessageDigest.isEqual(given, current(slot).getBytes(StandardCharsets.US_ASCII));
        boolean previous = MessageDigest.isEqual(given, nonce(slot - 1).getBytes(StandardCharsets.US_ASCII));
        return current | previous;
    }

    private long slot() {
        return Math.floorDiv(clock.instant().getEpochSecond(), slotSeconds);
    }

    private String nonce(long slot) {
        try {
            Mac mac = Mac.getInstance(MAC);
            mac.init(new SecretKeySpec(secret, MAC));
            mac.update("tokengate dpop-nonce ".getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    mac.doFinal(ByteBuffer.allocate(Long.BYTES).putLong(slot).array()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM has no " + MAC, e);
        }
    }
}
