package dev.tokengate.jwt;

import java.time.Instant;

/**
 * A replay cache: it remembers values that may be used once (a DPoP proof's key thumbprint and {@code jti}, hashed)
 * until they expire, and tells whether a value is used for the first time. Each gate keeps one in its memory;
 * {@code tokengate-redis} shares one through Redis ({@link dev.tokengate.control.SharedControl#replayCache()}), so
 * that a proof accepted by one node is a replay on every other.
 *
 * <p>A shared cache throws a {@link RuntimeException} when it cannot be reached; the DPoP verifier then answers 503
 * ({@code fail-closed}) or goes on with the node's own cache ({@code fail-open}). Implementations are thread-safe.
 */
public interface ReplayCache {

    /**
     * Records a value and tells whether this is its first use, atomically: of two callers with the same key, at most
     * one is told {@code true} before the key expires.
     *
     * @param key       the value used once, short and already hashed (e.g. a base64url SHA-256); never a token or
     *                  a proof
     * @param expiresAt when a later use would be refused anyway (the proof is too old by then) and the key may be
     *                  forgotten; after now
     * @return {@code true} the first time (the key is now recorded), {@code false} for a replay
     * @throws RuntimeException when a shared cache cannot be reached (whether the key was recorded is unknown)
     */
    boolean firstUse(String key, Instant expiresAt);
}
