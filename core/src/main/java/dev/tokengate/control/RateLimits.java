package dev.tokengate.control;

import dev.tokengate.authorize.Rate;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.policy.TokenPolicy;

import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * The rate limits of a gate: at most so many requests per window per token ({@value ConfigKeys#RATE_LIMIT_PER_TOKEN}),
 * per client id ({@value ConfigKeys#RATE_LIMIT_PER_CLIENT}), per subject ({@value ConfigKeys#RATE_LIMIT_PER_SUBJECT})
 * and per API key ({@value ConfigKeys#RATE_LIMIT_PER_API_KEY}, the calling application's key on routes that require
 * one), each off unless set, plus each route's own limit per token ({@link Requirement#withRateLimit}: a URL rule's
 * {@code + rate-limit 10/1m}, a JAX-RS method's {@code @RateLimit("10/1m")}).
 *
 * <pre>{@code
 * TokenGate gate = TokenGate.builder().issuer(...)
 *         .rateLimits(RateLimits.builder().perToken(Rate.parse("100/1m")).perClient(Rate.parse("1000/1m")).build())
 *         .build();
 * }</pre>
 *
 * <p>A request over a limit is refused with 429 {@code rate_limited}, {@code Retry-After} (whole seconds until the
 * limit admits a request again) and the IETF {@code RateLimit-Policy} / {@code RateLimit} headers naming the limit
 * ({@code "per-token";q=100;w=60}, {@code "per-token";r=0;t=30}); its call-log decision is {@code rate_limited}.
 * Each limit is a Bucket4j bucket of {@code N} tokens refilled all at once every window (N requests per window,
 * counted from the bucket's first request), running on the gate's {@code Clock}; buckets live in one bounded
 * Caffeine map keyed by limit and token hash (never the token), client id, subject or API key id, and are dropped
 * when idle for their window (a full bucket is the same as none). A request refused by one limit gives back what it
 * took from the others; a request refused by an earlier policy or a revocation takes nothing.
 */
public final class RateLimits {

    /** How many buckets a gate keeps at most, for all its limits together, unless told otherwise. */
    public static final long DEFAULT_MAX_BUCKETS = 100_000;

    private static final RateLimits NONE = builder().build();

    private final Rate perToken;
    private final Rate perClient;
    private final Rate perSubject;
    private final Rate perApiKey;
    private final long maxBuckets;

    private RateLimits(Builder b) {
        this.perToken = b.perToken;
        this.perClient = b.perClient;
        this.perSubject = b.perSubject;
        this.perApiKey = b.perApiKey;
        this.maxBuckets = b.maxBuckets;
    }

    /**
     * No gate-wide limit: only the routes' own.
     *
     * @return the empty limits
     */
    public static RateLimits none() {
        return NONE;
    }

    /**
     * A builder with no gate-wide limit.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The limits the {@code tokengate.rate-limit.*} keys of the source set.
     *
     * @param source the gate's configuration; not null
     * @return the limits the keys set; none when no key is set
     * @throws dev.tokengate.ConfigurationException naming the key and its layer for a value that is not
     *                                              {@code N/duration}
     */
    public static RateLimits config(ConfigSource source) {
        Builder b = builder();
        source.read(ConfigKeys.RATE_LIMIT_PER_TOKEN, Rate::parse, b::perToken);
        source.read(ConfigKeys.RATE_LIMIT_PER_CLIENT, Rate::parse, b::perClient);
        source.read(ConfigKeys.RATE_LIMIT_PER_SUBJECT, Rate::parse, b::perSubject);
        source.read(ConfigKeys.RATE_LIMIT_PER_API_KEY, Rate::parse, b::perApiKey);
        return b.build();
    }

    /**
     * The limit per token (by its hash), if any.
     *
     * @return the rate, empty when tokens are not limited
     */
    public Optional<Rate> perToken() {
        return Optional.ofNullable(perToken);
    }

    /**
     * The limit per client id, if any; a token without a client id is not limited by it.
     *
     * @return the rate, empty when clients are not limited
     */
    public Optional<Rate> perClient() {
        return Optional.ofNullable(perClient);
    }

    /**
     * The limit per subject, if any; a token without a subject is not limited by it.
     *
     * @return the rate, empty when subjects are not limited
     */
    public Optional<Rate> perSubject() {
        return Optional.ofNullable(perSubject);
    }

    /**
     * The limit per API key, on routes that require one, if any.
     *
     * @return the rate, empty when API keys are not limited
     */
    public Optional<Rate> perApiKey() {
        return Optional.ofNullable(perApiKey);
    }

    /**
     * The most buckets kept at once; beyond it the least useful are dropped (and start full again).
     *
     * @return the number of buckets, at least 1
     */
    public long maxBuckets() {
        return maxBuckets;
    }

    /**
     * The policy that enforces these limits and the routes' own, on the gate's clock; the gate puts it in its chain
     * after the revocation list.
     *
     * @param clock the gate's clock; not null
     * @return the policy
     */
    public TokenPolicy policy(Clock clock) {
        return new RateLimitPolicy(this, Objects.requireNonNull(clock, "clock"));
    }

    /**
     * The policy that enforces these limits with buckets every node shares: while they cannot be reached, limited
     * requests are counted on this node alone ({@code fail-open}) or refused with 503 ({@code fail-closed}).
     *
     * @param clock the gate's clock; not null
     * @param shared the state shared between nodes; not null
     * @return the policy
     */
    public TokenPolicy policy(Clock clock, SharedControl shared) {
        return new RateLimitPolicy(this, Objects.requireNonNull(clock, "clock"), shared.buckets(), shared.failClosed());
    }

    /**
     * Bucket4j's time read from a gate's clock, to the millisecond ({@code millis()}, unlike {@code instant()},
     * allocates nothing, and windows are whole seconds): what the gate's buckets count on, and what a
     * {@link SharedBuckets} store should give Bucket4j, so that every bucket of a gate moves with one clock.
     *
     * @param clock the gate's clock; not null
     * @return a time meter that reads {@code clock.millis()}
     */
    public static io.github.bucket4j.TimeMeter timeMeter(Clock clock) {
        Objects.requireNonNull(clock, "clock");
        return new io.github.bucket4j.TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return clock.millis() * 1_000_000L;
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }

    @Override
    public String toString() {
        return "RateLimits[per-token=" + perToken + ", per-client=" + perClient + ", per-subject=" + perSubject
                + ", per-api-key=" + perApiKey + ", max buckets " + maxBuckets + "]";
    }

    /** Builds {@link RateLimits}; every limit is off unless set. */
    public static final class Builder {
        private Rate perToken;
        private Rate perClient;
        private Rate perSubject;
        private Rate perApiKey;
        private long maxBuckets = DEFAULT_MAX_BUCKETS;

        private Builder() {
        }

        /**
         * At most this many requests per window with one token ({@value ConfigKeys#RATE_LIMIT_PER_TOKEN}).
         *
         * @param rate the limit; not null
         * @return this builder
         */
        public Builder perToken(Rate rate) {
            this.perToken = Objects.requireNonNull(rate, "perToken");
            return this;
        }

        /**
         * At most this many requests per window from one client id ({@value ConfigKeys#RATE_LIMIT_PER_CLIENT}).
         *
         * @param rate the limit; not null
         * @return this builder
         */
        public Builder perClient(Rate rate) {
            this.perClient = Objects.requireNonNull(rate, "perClient");
            return this;
        }

        /**
         * At most this many requests per window for one subject ({@value ConfigKeys#RATE_LIMIT_PER_SUBJECT}).
         *
         * @param rate the limit; not null
         * @return this builder
         */
        public Builder perSubject(Rate rate) {
            this.perSubject = Objects.requireNonNull(rate, "perSubject");
            return this;
        }

        /**
         * At most this many requests per window with one API key, on routes that require one
         * ({@value ConfigKeys#RATE_LIMIT_PER_API_KEY}).
         *
         * @param rate the limit; not null
         * @return this builder
         */
        public Builder perApiKey(Rate rate) {
            this.perApiKey = Objects.requireNonNull(rate, "perApiKey");
            return this;
        }

        /**
         * The most buckets kept at once, for all limits together; default {@value RateLimits#DEFAULT_MAX_BUCKETS}.
         *
         * @param maxBuckets the most buckets, at least 1
         * @return this builder
         * @throws IllegalArgumentException for less than 1
         */
        public Builder maxBuckets(long maxBuckets) {
            if (maxBuckets < 1) {
                throw new IllegalArgumentException("maxBuckets must be at least 1, was " + maxBuckets);
            }
            this.maxBuckets = maxBuckets;
            return this;
        }

        /**
         * Builds the limits.
         *
         * @return the limits
         */
        public RateLimits build() {
            return new RateLimits(this);
        }
    }
}
