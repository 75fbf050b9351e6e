package dev.tokengate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.CaffeineSpec;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link TokenValidator} decorator that remembers successful validations, so a token seen again costs a
 * SHA-256 digest and one cache lookup instead of a signature check or an introspection call.
 *
 * <p>Keyed by the SHA-256 digest of the token (the raw token is never stored). An entry lives at most the
 * configured maximum time to live and never beyond the token's {@code exp}; a token without {@code exp} lives
 * the maximum time to live. Only successes are cached: a rejection or an upstream failure is never remembered.
 * The cache is bounded by size. Thread-safe.
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
    private final Clock clock;
    private final MessageDigest sha256;
    private final Cache<DigestKey, VerifiedToken> cache;

    private CachingTokenValidator(Builder b, Caffeine<Object, Object> caffeine) {
        this.delegate = b.delegate;
        this.maxTimeToLive = b.maxTimeToLive;
        this.clock = b.clock;
        this.sha256 = sha256();
        this.cache = caffeine.ticker(b.ticker).expireAfter(new TokenExpiry()).build();
    }

    /** A builder decorating this validator. */
    public static Builder builder(TokenValidator delegate) {
        return new Builder(delegate);
    }

    /** A cache with the defaults: at most {@value #DEFAULT_MAXIMUM_SIZE} tokens, each for at most 5 minutes. */
    public static CachingTokenValidator create(TokenValidator delegate) {
        return builder(delegate).build();
    }

    @Override
    public VerifiedToken validate(String token) {
        Objects.requireNonNull(token, "token");
        if (!DigestKey.isAscii(token)) {
            return delegate.validate(token); // not a b64token: never cached
        }
        DigestKey key = DigestKey.of(token, sha256);
        VerifiedToken cached = cache.getIfPresent(key);
        if (cached != null && !expired(cached)) {
            return cached;
        }
        // Validate outside any cache lock: a delegate may do I/O (JWKS, introspection). Concurrent first uses of
        // one token may each validate it; all get the same answer and the last one is kept.
        VerifiedToken verified = delegate.validate(token);
        if (lifetimeNanos(verified) > 0) {
            cache.put(key, verified);
        }
        return verified;
    }

    /** The number of cached tokens, after pending maintenance. For tests and metrics. */
    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    private boolean expired(VerifiedToken token) {
        return token.expiresAt().map(exp -> !clock.instant().isBefore(exp)).orElse(false);
    }

    private long lifetimeNanos(VerifiedToken token) {
        Duration lifetime = maxTimeToLive;
        if (token.expiresAt().isPresent()) {
            Duration untilExpiry = Duration.between(clock.instant(), token.expiresAt().get());
            if (untilExpiry.compareTo(lifetime) < 0) {
                lifetime = untilExpiry;
            }
        }
        return lifetime.isNegative() ? 0 : lifetime.toNanos();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform supports SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "CachingTokenValidator[maxTimeToLive=" + maxTimeToLive + ", delegate=" + delegate + "]";
    }

    /** Entry lifetime: min(max time to live, exp − now), fixed at write; reads do not extend it. */
    private final class TokenExpiry implements Expiry<DigestKey, VerifiedToken> {
        @Override
        public long expireAfterCreate(DigestKey key, VerifiedToken value, long currentTime) {
            return lifetimeNanos(value);
        }

        @Override
        public long expireAfterUpdate(DigestKey key, VerifiedToken value, long currentTime, long currentDuration) {
            return lifetimeNanos(value);
        }

        @Override
        public long expireAfterRead(DigestKey key, VerifiedToken value, long currentTime, long currentDuration) {
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

        /** Whether every character is ASCII, so that {@link #of} maps distinct tokens to distinct bytes. */
        static boolean isAscii(String token) {
            for (int i = 0; i < token.length(); i++) {
                if (token.charAt(i) > 0x7F) {
                    return false;
                }
            }
            return true;
        }

        /** The key of an ASCII token (see {@link #isAscii(String)}). */
        static DigestKey of(String token, MessageDigest prototype) {
            int length = token.length();
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++) {
                bytes[i] = (byte) token.charAt(i);
            }
            byte[] digest = digester(prototype).digest(bytes);
            return new DigestKey(longAt(digest, 0), longAt(digest, 8), longAt(digest, 16), longAt(digest, 24));
        }

        private static MessageDigest digester(MessageDigest prototype) {
            try {
                return (MessageDigest) prototype.clone(); // far cheaper than getInstance's provider lookup
            } catch (CloneNotSupportedException e) {
                return sha256();
            }
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
        private String spec;
        private Ticker ticker = Ticker.systemTicker();
        private Clock clock = Clock.systemUTC();

        private Builder(TokenValidator delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
        }

        /** The most tokens kept (least recently/frequently used are evicted first); default 10,000. */
        public Builder maximumSize(long maximumSize) {
            if (maximumSize < 1) {
                throw new ConfigurationException("maximumSize", "must be at least 1, was " + maximumSize);
            }
            this.maximumSize = maximumSize;
            return this;
        }

        /** The longest a validation is remembered, whatever the token's {@code exp}; default 5 minutes. */
        public Builder maxTimeToLive(Duration maxTimeToLive) {
            Objects.requireNonNull(maxTimeToLive, "maxTimeToLive");
            if (maxTimeToLive.isNegative() || maxTimeToLive.isZero()) {
                throw new ConfigurationException("maxTimeToLive", "must be positive, was " + maxTimeToLive);
            }
            this.maxTimeToLive = maxTimeToLive;
            return this;
        }

        /**
         * A Caffeine spec for tuning, e.g. {@code "maximumSize=50000,initialCapacity=1000"}; its size bound, if it
         * has one, replaces the default. Lifetime keys, {@code maximumWeight} ({@code expireAfter*}, {@code refreshAfterWrite}) and
         * reference keys are refused: the lifetime is governed by {@code exp} and {@link #maxTimeToLive(Duration)}.
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

        /** The ticker entry lifetimes are measured with; default {@link Ticker#systemTicker()}. For tests. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** The wall clock a token's {@code exp} is compared with; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the cache.
         *
         * @throws ConfigurationException when both {@code maximumSize} and a spec with a size bound are given
         */
        public CachingTokenValidator build() {
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
            return new CachingTokenValidator(this, caffeine);
        }

        private static java.util.List<String> specKeys(String spec) {
            return Arrays.stream(spec.split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .map(s -> s.split("=", 2)[0].trim())
                    .toList();
        }
    }
}
