package dev.tokengate.control;

import dev.tokengate.authorize.Rate;

import java.time.Duration;
import java.util.Optional;

/**
 * A read-only view of a gate's per-token rate-limit buckets, for a console or a dashboard that shows how close a
 * token is to its limit ({@code TokenGate#rateLimitUsage()}). Reading creates no bucket, takes nothing from one and
 * does not keep an idle one alive.
 */
@FunctionalInterface
public interface RateLimitUsage {

    /**
     * How much of the per-token limit ({@value dev.tokengate.config.ConfigKeys#RATE_LIMIT_PER_TOKEN}) one token has
     * used in its current window.
     *
     * @param tokenFingerprint the token's fingerprint, as the call log writes it (first 12 hex digits of its SHA-256)
     * @return the token's window; a token with no bucket (unused for a window, or never used) has used nothing;
     *         empty when tokens are not limited, or when shared buckets cannot be read right now
     */
    Optional<Window> perToken(String tokenFingerprint);

    /**
     * One token's current window of a limit.
     *
     * @param rate     the limit: at most {@code rate.limit()} calls per {@code rate.window()}
     * @param used     the calls counted in the current window, 0 to {@code rate.limit()}
     * @param resetsIn how long until the window ends and the limit admits {@code rate.limit()} calls again; zero
     *                 when nothing is used
     */
    record Window(Rate rate, long used, Duration resetsIn) {

        /**
         * The calls still admitted in this window.
         *
         * @return {@code rate.limit() - used}, at least 0
         */
        public long remaining() {
            return Math.max(0, rate.limit() - used);
        }
    }
}
