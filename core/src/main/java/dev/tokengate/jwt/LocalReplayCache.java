package dev.tokengate.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The replay cache in this node's memory: Caffeine, bounded (the least recently used go first), each key forgotten at
 * its own expiry on the gate's clock. Thread-safe.
 */
final class LocalReplayCache implements ReplayCache {

    /** Each key with its expiry, which is also the entry's. */
    private final Cache<String, Instant> seen;
    private final Clock clock;

    LocalReplayCache(long maximumSize, Clock clock) {
        this.clock = clock;
        this.seen = Caffeine.newBuilder().maximumSize(maximumSize)
                .expireAfter(Expiry.creating((String key, Instant expiresAt) -> remaining(expiresAt)))
                .ticker(() -> {
                    Instant now = clock.instant();
                    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
                })
                .executor(Runnable::run)
                .build();
    }

    private Duration remaining(Instant expiresAt) {
        Duration left = Duration.between(clock.instant(), expiresAt);
        return left.isNegative() ? Duration.ZERO : left;
    }

    @Override
    public boolean firstUse(String key, Instant expiresAt) {
        return seen.asMap().putIfAbsent(key, expiresAt) == null;
    }

    /** Forgets a key recorded by a request that was then refused for another reason (the shared cache was down). */
    void forget(String key) {
        seen.invalidate(key);
    }

    @Override
    public String toString() {
        return "replay cache in memory";
    }
}
