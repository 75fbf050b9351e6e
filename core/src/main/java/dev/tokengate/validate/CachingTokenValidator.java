package dev.tokengate.validate;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.CaffeineSpec;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tokengate.ConfigurationException;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.TokenValidator;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.VerifiedToken;
import dev.tokengate.log.Fingerprints;
import dev.tokengate.observe.GateObserver;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentMap;

/**
 * A {@link TokenValidator} decorator that remembers successful validations, so a token seen again costs a
 * SHA-256 digest and one cache lookup instead of a signature check or an introspection call.
 *
 * <p>Keyed by the SHA-256 digest of the token (the raw token is never stored). An entry lives at most the
 * configured maximum time to live and never beyond the token's {@code exp}; a token without {@code exp} lives
 * the maximum time to live, or less if {@link Builder#maxTimeToLiveWithoutExpiry(Duration)} says so. By default only successes are cached: a rejection or an upstream failure is never
 * remembered. The cache is bounded by size. Thread-safe.
 *
 * <p>Two opt-ins, for validators whose every call costs a network round trip (introspection):
 * <ul>
 *   <li><b>Single flight</b> ({@link Builder#singleFlight(boolean)}): concurrent first uses of one token cause
 *       exactly one delegate call; the other callers wait for it and get its result, or the very exception it
 *       threw. A failure is never kept: the next call after it asks the delegate again. Without it, concurrent
 *       first uses may each call the delegate (cheap for a local JWT check, and no caller waits on another).</li>
 *   <li><b>Negative cache</b> ({@link Builder#negativeTimeToLive(Duration)}): an {@link InvalidTokenException}
 *       is remembered for this (short) time and thrown again, the same instance, without a delegate call. An
 *       {@link UpstreamUnavailableException} or any other failure is never remembered.</li>
 * </ul>
 *
 * <p>A revoked token stays accepted until its entry expires: keep the maximum time to live short when
 * revocation matters, or put the revocation check after this cache.
 */
public final class CachingTokenValidator implements TokenValidator {

    /** The default bound on the number of cached tokens. */
    public static final long DEFAULT_MAXIMUM_SIZE = 10_000;
    /** The default longest time a validation is remembered. */
    public static final Duration DEFAULT_MAX_TIME_TO_LIVE = Duration.ofMinutes(5);

    private static final Set<String> LIFETIME_SPEC_KEYS = Set.of("expireAfterWrite", "expireAfterAccess",
            "refreshAfterWrite", "maximumWeight", "weakKeys", "weakValues", "softValues");

    private final TokenValidator delegate;
    private final Duration maxTimeToLive;
    private final Duration maxTimeToLiveWithoutExpiry;
    private final Duration negativeTimeToLive;
    private final boolean singleFlight;
    /** When set, only verified tokens of this kind are remembered; others are answered and forgotten. */
    private final VerifiedToken.Kind onlyKind;
    private final Clock clock;
    /** Completed futures only, except in single-flight mode, where an entry is put while its delegate call runs. */
    private final AsyncCache<DigestKey, Result> cache;
    private final ConcurrentMap<DigestKey, CompletableFuture<Result>> entries;

    private CachingTokenValidator(Builder b, Caffeine<Object, Object> caffeine) {
        this.delegate = b.delegate;
        this.maxTimeToLive = b.maxTimeToLive;
        this.maxTimeToLiveWithoutExpiry = b.maxTimeToLiveWithoutExpiry == null
                || b.maxTimeToLiveWithoutExpiry.compareTo(b.maxTimeToLive) > 0 ? b.maxTimeToLive : b.maxTimeToLiveWithoutExpiry;
        this.negativeTimeToLive = b.negativeTimeToLive;
        this.singleFlight = b.singleFlight;
        this.onlyKind = b.onlyKind;
        this.clock = b.clock;
        // Maintenance (eviction, expiry) on the calling thread: a few hundred nanoseconds there, where handing it to
        // the common pool costs a thread wake-up per write, which dominates a miss on a busy machine.
        this.cache = caffeine.ticker(b.ticker).expireAfter(new ResultExpiry()).executor(Runnable::run).buildAsync();
        this.entries = cache.asMap();
        if (b.observer != GateObserver.none()) {
            b.observer.cache(b.name, cache.synchronous()::stats);
        }
    }

    /**
     * A builder decorating this validator.
     *
     * @param delegate the validator whose answers are cached; not null
     * @return a new builder
     */
    public static Builder builder(TokenValidator delegate) {
        return new Builder(delegate);
    }

    /**
     * A cache with the defaults: at most {@value #DEFAULT_MAXIMUM_SIZE} tokens, each for at most 5 minutes.
     *
     * @param delegate the validator whose answers are cached; not null
     * @return the cache
     */
    public static CachingTokenValidator create(TokenValidator delegate) {
        return builder(delegate).build();
    }

    @Override
    public VerifiedToken validate(String token) {
        Objects.requireNonNull(token, "token");
        byte[] sha256 = Fingerprints.scratchSha256(token); // the gate's hash of this very token, if it made one
        if (sha256 == null) {
            return delegate.validate(token); // not ASCII, so not a b64token: never cached
        }
        DigestKey key = DigestKey.of(sha256);
        return singleFlight ? validateOnce(key, token) : validateUnshared(key, token);
    }

    /**
     * Concurrent first uses of one token may each validate it; all get the same answer and the last one is kept.
     * The delegate runs outside any cache lock, and no caller ever waits for another.
     */
    private VerifiedToken validateUnshared(DigestKey key, String token) {
        CompletableFuture<Result> cached = cache.getIfPresent(key); // counted as a hit or miss when stats are recorded
        if (cached != null && cached.isDone() && !cached.isCompletedExceptionally()) {
            Result result = cached.join();
            if (result != null && !result.stale(clock)) {
                return result.get();
            }
        }
        Result result = call(token);
        if (result.lifetimeNanos() > 0) {
            entries.put(key, CompletableFuture.completedFuture(result));
        }
        return result.get();
    }

    /**
     * The first caller puts an incomplete future for the token, calls the delegate on its own thread and completes
     * the future; every concurrent caller finds the future and waits for it. A failed call's future is removed
     * before it is completed, so the next caller asks again; waiters already holding it get the same exception.
     */
    private VerifiedToken validateOnce(DigestKey key, String token) {
        while (true) {
            CompletableFuture<Result> mine = new CompletableFuture<>();
            CompletableFuture<Result> existing = cache.get(key, (k, executor) -> mine);
            if (existing == mine) {
                return callAndComplete(key, token, mine).get();
            }
            Result result;
            try {
                result = existing.join();
            } catch (CompletionException e) {
                throw rethrow(e);
            }
            if (!result.stale(clock)) {
                return result.get();
            }
            entries.remove(key, existing); // past exp by the wall clock before the ticker: ask again
        }
    }

    private Result callAndComplete(DigestKey key, String token, CompletableFuture<Result> mine) {
        Result result;
        try {
            result = call(token);
        } catch (RuntimeException | Error e) {
            entries.remove(key, mine);
            mine.completeExceptionally(e);
            throw e;
        }
        if (result.lifetimeNanos() <= 0) {
            entries.remove(key, mine);
        }
        mine.complete(result); // Caffeine now fixes the entry's lifetime, or drops it if the lifetime is zero
        return result;
    }

    /** One delegate call; a rejection becomes a result when (and only when) rejections are remembered. */
    private Result call(String token) {
        try {
            return new Result(delegate.validate(token), null);
        } catch (InvalidTokenException e) {
            if (negativeTimeToLive.isZero()) {
                throw e;
            }
            return new Result(null, e);
        }
    }

    private static RuntimeException rethrow(CompletionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        throw e;
    }

    /**
     * Forgets the cached verified tokens that match (a revocation of their subject, client or id).
     *
     * @param which true for the tokens to forget; not null
     */
    public void evictIf(Predicate<VerifiedToken> which) {
        entries.values().removeIf(f -> {
            if (!f.isDone() || f.isCompletedExceptionally()) {
                return false;
            }
            Result r = f.join();
            return r.token != null && which.test(r.token);
        });
    }

    /**
     * Forgets the cached answer for the token whose SHA-256 this is.
     *
     * @param sha256 the token's SHA-256, 32 bytes
     */
    public void evict(byte[] sha256) {
        entries.remove(DigestKey.of(sha256));
    }

    /** The number of cached tokens (and rejections), after pending maintenance. For tests and metrics. */
    long size() {
        cache.synchronous().cleanUp();
        return cache.synchronous().estimatedSize();
    }

    /** A delegate's answer: a verified token, or a remembered rejection. */
    private final class Result {
        private final VerifiedToken token;
        private final InvalidTokenException rejection;
        /** The wall-clock time (epoch millis) from which this result must no longer be served, whatever the ticker says. */
        private final long staleAtMillis;
        /** How long the cache keeps it, fixed when it is made (once, not again when Caffeine asks). */
        private final long lifetimeNanos;

        Result(VerifiedToken token, InvalidTokenException rejection) {
            this.token = token;
            this.rejection = rejection;
            Instant staleAt = token != null ? token.expiresAt().orElse(Instant.MAX)
                    : clock.instant().plus(negativeTimeToLive);
            this.staleAtMillis = epochMillis(staleAt);
            this.lifetimeNanos = token == null ? negativeTimeToLive.toNanos()
                    : onlyKind == null || token.kind() == onlyKind ? CachingTokenValidator.this.lifetimeNanos(token) : 0;
        }

        VerifiedToken get() {
            if (rejection != null) {
                throw rejection;
            }
            return token;
        }

        boolean stale(Clock now) {
            return now.millis() >= staleAtMillis; // millis(), unlike instant(), allocates nothing
        }

        long lifetimeNanos() {
            return lifetimeNanos;
        }
    }

    private long lifetimeNanos(VerifiedToken token) {
        Optional<Instant> expiresAt = token.expiresAt();
        Duration lifetime = expiresAt.isPresent() ? maxTimeToLive : maxTimeToLiveWithoutExpiry;
        if (expiresAt.isPresent()) {
            Duration untilExpiry = Duration.between(clock.instant(), expiresAt.get());
            if (untilExpiry.compareTo(lifetime) < 0) {
                lifetime = untilExpiry;
            }
        }
        return lifetime.isNegative() ? 0 : lifetime.toNanos();
    }

    /** Epoch millis rounded up, so a result is never served past its instant; saturated far in the future. */
    private static long epochMillis(Instant instant) {
        if (instant.getEpochSecond() >= Long.MAX_VALUE / 1000 - 1) {
            return Long.MAX_VALUE;
        }
        long millis = instant.toEpochMilli();
        return instant.getNano() % 1_000_000 == 0 ? millis : millis + 1;
    }

    @Override
    public String toString() {
        return "CachingTokenValidator[maxTimeToLive=" + maxTimeToLive
                + (maxTimeToLiveWithoutExpiry.equals(maxTimeToLive) ? "" : ", withoutExp=" + maxTimeToLiveWithoutExpiry)
                + (singleFlight ? ", singleFlight" : "")
                + (negativeTimeToLive.isZero() ? "" : ", negativeTimeToLive=" + negativeTimeToLive)
                + ", delegate=" + delegate + "]";
    }

    /**
     * Entry lifetime: min(max time to live, exp − now) for a token, the negative time to live for a rejection;
     * fixed when the result is written (for an asynchronous entry, when its call completes); reads do not extend it.
     */
    private final class ResultExpiry implements Expiry<DigestKey, Result> {
        @Override
        public long expireAfterCreate(DigestKey key, Result value, long currentTime) {
            return value.lifetimeNanos();
        }

        @Override
        public long expireAfterUpdate(DigestKey key, Result value, long currentTime, long currentDuration) {
            return value.lifetimeNanos();
        }

        @Override
        public long expireAfterRead(DigestKey key, Result value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }

    /**
     * A SHA-256 digest held as four longs: equality is four comparisons and the hash is the first 32 bits of an
     * already uniform digest, so a hit costs no more than the digest itself and one map probe.
     */
    static final class DigestKey {
        private final long a;
        private final long b;
        private final long c;
        private final long d;

        private DigestKey(long a, long b, long c, long d) {
            this.a = a;
            this.b = b;
            this.c = c;
            this.d = d;
        }

        /** The key of a SHA-256 digest (32 bytes). */
        static DigestKey of(byte[] digest) {
            return new DigestKey(longAt(digest, 0), longAt(digest, 8), longAt(digest, 16), longAt(digest, 24));
        }

        private static long longAt(byte[] bytes, int offset) {
            long value = 0;
            for (int i = offset; i < offset + 8; i++) {
                value = (value << 8) | (bytes[i] & 0xFF);
            }
            return value;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DigestKey k && a == k.a && b == k.b && c == k.c && d == k.d;
        }

        @Override
        public int hashCode() {
            return (int) (a >>> 32);
        }

        @Override
        public String toString() {
            return "DigestKey[" + Long.toHexString(a) + "…]";
        }
    }

    /**
     * Builds a {@link CachingTokenValidator}; setters fail fast with a {@link ConfigurationException} naming the
     * setting.
     */
    public static final class Builder {
        private final TokenValidator delegate;
        private Long maximumSize;
        private Duration maxTimeToLive = DEFAULT_MAX_TIME_TO_LIVE;
        private Duration maxTimeToLiveWithoutExpiry;
        private Duration negativeTimeToLive = Duration.ZERO;
        private boolean singleFlight;
        private VerifiedToken.Kind onlyKind;
        private String spec;
        private Ticker ticker = Ticker.systemTicker();
        private Clock clock = Clock.systemUTC();
        private GateObserver observer = GateObserver.none();
        private String name;

        private Builder(TokenValidator delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
        }

        /**
         * The most tokens kept (least recently/frequently used are evicted first); default 10,000.
         *
         * @param maximumSize at least 1
         * @return this builder
         * @throws ConfigurationException naming {@code maximumSize} for less than 1
         */
        public Builder maximumSize(long maximumSize) {
            if (maximumSize < 1) {
                throw new ConfigurationException("maximumSize", "must be at least 1, was " + maximumSize);
            }
            this.maximumSize = maximumSize;
            return this;
        }

        /**
         * The longest a validation is remembered, whatever the token's {@code exp}; default 5 minutes.
         *
         * @param maxTimeToLive positive
         * @return this builder
         * @throws ConfigurationException naming {@code maxTimeToLive} for zero or less
         */
        public Builder maxTimeToLive(Duration maxTimeToLive) {
            Objects.requireNonNull(maxTimeToLive, "maxTimeToLive");
            if (maxTimeToLive.isNegative() || maxTimeToLive.isZero()) {
                throw new ConfigurationException("maxTimeToLive", "must be positive, was " + maxTimeToLive);
            }
            this.maxTimeToLive = maxTimeToLive;
            return this;
        }

        /**
         * The longest a token without {@code exp} is remembered; default, and never more than,
         * {@link #maxTimeToLive(Duration)}. For validators whose answers may lack an expiry (introspection).
         *
         * @param maxTimeToLive positive
         * @return this builder
         * @throws ConfigurationException naming {@code maxTimeToLiveWithoutExpiry} for zero or less
         */
        public Builder maxTimeToLiveWithoutExpiry(Duration maxTimeToLive) {
            Objects.requireNonNull(maxTimeToLive, "maxTimeToLiveWithoutExpiry");
            if (maxTimeToLive.isNegative() || maxTimeToLive.isZero()) {
                throw new ConfigurationException("maxTimeToLiveWithoutExpiry", "must be positive, was " + maxTimeToLive);
            }
            this.maxTimeToLiveWithoutExpiry = maxTimeToLive;
            return this;
        }

        /**
         * Whether concurrent first uses of one token share one delegate call (the others wait for it); default
         * off. Turn it on when a delegate call is expensive or rate-limited upstream, as introspection is.
         *
         * @param singleFlight {@code true} to share one delegate call among concurrent first uses
         * @return this builder
         */
        public Builder singleFlight(boolean singleFlight) {
            this.singleFlight = singleFlight;
            return this;
        }

        /**
         * How long a rejection ({@link InvalidTokenException}) is remembered and thrown again without a delegate
         * call; default zero, rejections are not remembered. Keep it short: it spares the upstream a replayed bad
         * token, at the price of a token that becomes valid later (rare) being refused this long. Upstream
         * failures are never remembered.
         *
         * @param negativeTimeToLive zero (not remembered) or more, at most the maximum time to live
         * @return this builder
         * @throws ConfigurationException naming {@code negativeTimeToLive} for a negative duration
         */
        public Builder negativeTimeToLive(Duration negativeTimeToLive) {
            Objects.requireNonNull(negativeTimeToLive, "negativeTimeToLive");
            if (negativeTimeToLive.isNegative()) {
                throw new ConfigurationException("negativeTimeToLive", "must not be negative, was " + negativeTimeToLive);
            }
            this.negativeTimeToLive = negativeTimeToLive;
            return this;
        }

        /**
         * A Caffeine spec for tuning, e.g. {@code "maximumSize=50000,initialCapacity=1000"}; its size bound, if it
         * has one, replaces the default. Lifetime keys, {@code maximumWeight} ({@code expireAfter*}, {@code refreshAfterWrite}) and
         * reference keys are refused: the lifetime is governed by {@code exp} and {@link #maxTimeToLive(Duration)}.
         *
         * @param spec the Caffeine spec; not null
         * @return this builder
         * @throws ConfigurationException naming {@code spec} for an invalid spec or a refused key
         */
        public Builder spec(String spec) {
            Objects.requireNonNull(spec, "spec");
            try {
                CaffeineSpec.parse(spec);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("spec", "not a valid Caffeine spec: " + e.getMessage(), e);
            }
            for (String key : specKeys(spec)) {
                if (LIFETIME_SPEC_KEYS.contains(key)) {
                    throw new ConfigurationException("spec", key
                            + " is not allowed: entry lifetime follows the token's exp and maxTimeToLive");
                }
            }
            this.spec = spec;
            return this;
        }

        /**
         * Remembers only verified tokens of this kind; a token of another kind (a JWT the delegate had introspected)
         * is answered and not remembered, so that its own validator's cache rules apply. Default: every kind.
         */
        Builder onlyKind(VerifiedToken.Kind kind) {
            this.onlyKind = Objects.requireNonNull(kind, "kind");
            return this;
        }

        /**
         * The ticker entry lifetimes are measured with; default {@link Ticker#systemTicker()}. For tests.
         *
         * @param ticker the time source; not null
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * The wall clock a token's {@code exp} is compared with; default {@link Clock#systemUTC()}.
         *
         * @param clock the time source; not null
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Reports this cache's statistics (hits, misses, evictions) to the observer under this name; Caffeine records
         * them only for an observer other than {@link GateObserver#none()}, the default.
         *
         * @param observer the observer
         * @param name     the cache's name, e.g. {@code verified-tokens}
         * @return this builder
         */
        public Builder observer(GateObserver observer, String name) {
            this.observer = Objects.requireNonNull(observer, "observer");
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Builds the cache.
         *
         * @return the cache
         * @throws ConfigurationException when both {@code maximumSize} and a spec with a size bound are given, or
         *         the negative time to live exceeds the maximum time to live
         */
        public CachingTokenValidator build() {
            if (negativeTimeToLive.compareTo(maxTimeToLive) > 0) {
                throw new ConfigurationException("negativeTimeToLive", "must not exceed maxTimeToLive ("
                        + negativeTimeToLive + " > " + maxTimeToLive + ")");
            }
            Caffeine<Object, Object> caffeine;
            if (spec == null) {
                caffeine = Caffeine.newBuilder().maximumSize(maximumSize == null ? DEFAULT_MAXIMUM_SIZE : maximumSize);
            } else {
                caffeine = Caffeine.from(spec);
                Set<String> keys = Set.copyOf(specKeys(spec));
                boolean bounded = keys.contains("maximumSize");
                if (bounded && maximumSize != null) {
                    throw new ConfigurationException("maximumSize", "set either maximumSize or a spec with one, not both");
                }
                if (!bounded) {
                    caffeine.maximumSize(maximumSize == null ? DEFAULT_MAXIMUM_SIZE : maximumSize);
                }
            }
            if (observer != GateObserver.none() && (spec == null || !specKeys(spec).contains("recordStats"))) {
                caffeine.recordStats(); // hits and misses, only when someone reads them
            }
            return new CachingTokenValidator(this, caffeine);
        }

        private static java.util.List<String> specKeys(String spec) {
            return Arrays.stream(spec.split(","))
                    .map(s -> s.split("=", 2)[0].trim())
                    .toList();
        }
    }
}
