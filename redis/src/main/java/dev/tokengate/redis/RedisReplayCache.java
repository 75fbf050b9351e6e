package dev.tokengate.redis;

import dev.tokengate.jwt.ReplayCache;
import io.lettuce.core.SetArgs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The DPoP proofs' replay cache in Redis: one key per accepted proof, {@code <prefix>dpop:<hash>} (the base64url
 * SHA-256 of its key's thumbprint and {@code jti}, never the proof), written by {@code SET key 1 NX PX <ms>}: one
 * round trip, atomic across nodes (of two nodes given the same proof, one writes the key, the other is told it
 * exists). The key lives until the proof is too old, measured on the gate's clock ({@code PX}, not {@code PXAT}:
 * Redis's clock is not read). The gate asks only for the proofs its own cache has not seen. Thread-safe.
 */
final class RedisReplayCache implements ReplayCache {

    private final RedisConnections redis;
    private final Clock clock;

    RedisReplayCache(RedisConnections redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    /**
     * {@inheritDoc}
     *
     * @throws io.lettuce.core.RedisException when Redis cannot be reached (at once while disconnected) or does not
     *                                        answer within {@value dev.tokengate.config.ConfigKeys#REDIS_TIMEOUT}
     */
    @Override
    public boolean firstUse(String key, Instant expiresAt) {
        long ttl = Math.max(1, Duration.between(clock.instant(), expiresAt).toMillis());
        return "OK".equals(redis.sync().set(key(key), "1", SetArgs.Builder.nx().px(ttl)));
    }

    /** The Redis key of a proof's hash: {@code <prefix>dpop:<hash>}. */
    String key(String hash) {
        return redis.key("dpop:" + hash);
    }

    @Override
    public String toString() {
        return "DPoP replay cache in " + redis;
    }
}
