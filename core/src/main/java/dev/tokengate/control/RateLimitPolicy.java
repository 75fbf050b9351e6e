package dev.tokengate.control;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.tokengate.BearerError;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Rate;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.policy.PolicyDecision;
import dev.tokengate.policy.RequestFacts;
import dev.tokengate.policy.TokenPolicy;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.github.bucket4j.TimeMeter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The policy that enforces a gate's {@link RateLimits} and the routes' own limits; see {@link RateLimits}. */
final class RateLimitPolicy implements TokenPolicy {

    /** The call-log mark of a request refused by a rate limit. */
    static final String MARK = "rate_limited";

    /** A limit: its name in the {@code RateLimit} headers and how a refusal names what was counted. */
    enum Dimension {
        ROUTE("per-route", "with this token on this resource"),
        TOKEN("per-token", "with this token"),
        API_KEY("per-api-key", "with this API key"),
        CLIENT("per-client", "from this client application"),
        SUBJECT("per-subject", "for this user");

        final String policy;
        final String counted;

        Dimension(String policy, String counted) {
            this.policy = policy;
            this.counted = counted;
        }
    }

    /**
     * A bucket's identity: the limit, what it counts (a token hash, a client id, …) and its size. Made only to name a
     * refusal; the buckets themselves are kept by their id in one map per limit, so that a request allocates no key.
     */
    record Key(Dimension dimension, String id, Rate rate) {
    }

    /** A route's bucket and its window (routes have limits of their own sizes). */
    private record RouteBucket(Bucket bucket, Duration window) {
    }

    private final RateLimits limits;
    /** The gate-wide limits, {@code null} when off: read once, not as a new {@code Optional} per request. */
    private final Rate perToken;
    private final Rate perApiKey;
    private final Rate perClient;
    private final Rate perSubject;
    private final TimeMeter time;
    /**
     * The gate-wide buckets, one map per limit, keyed by what they count (Strings: a record key's generated
     * hashCode/equals on the request path kept an undeployed web app's class loader on JDK 17); {@code null} for a
     * limit that is off.
     */
    private final Cache<String, Bucket> byToken;
    private final Cache<String, Bucket> byApiKey;
    private final Cache<String, Bucket> byClient;
    private final Cache<String, Bucket> bySubject;
    /** The routes' buckets, keyed by route and token hash. */
    private final Cache<String, RouteBucket> byRoute;

    RateLimitPolicy(RateLimits limits, Clock clock) {
        this.limits = limits;
        this.perToken = limits.perToken().orElse(null);
        this.perApiKey = limits.perApiKey().orElse(null);
        this.perClient = limits.perClient().orElse(null);
        this.perSubject = limits.perSubject().orElse(null);
        this.time = new ClockTimeMeter(clock);
        this.byToken = limits.perToken().map(this::buckets).orElse(null);
        this.byApiKey = limits.perApiKey().map(this::buckets).orElse(null);
        this.byClient = limits.perClient().map(this::buckets).orElse(null);
        this.bySubject = limits.perSubject().map(this::buckets).orElse(null);
        this.byRoute = Caffeine.newBuilder()
                .maximumSize(limits.maxBuckets())
                .expireAfter(Expiry.accessing((String k, RouteBucket b) -> b.window()))
                .ticker(time::currentTimeNanos)
                .executor(Runnable::run)
                .build();
    }

    /** A bounded map of buckets of one size, each forgotten after a window unused (it is full again by then). */
    private Cache<String, Bucket> buckets(Rate rate) {
        return Caffeine.newBuilder()
                .maximumSize(limits.maxBuckets())
                .expireAfterAccess(rate.window())
                .ticker(time::currentTimeNanos)
                .executor(Runnable::run)
                .build();
    }

    @Override
    public PolicyDecision check(VerifiedToken token, RequestFacts request) {
        Requirement requirement = request.requirement();
        boolean route = requirement.rateLimit().isPresent();
        boolean gateWide = !request.rechecked() && (byToken != null || byApiKey != null || byClient != null
                || bySubject != null);
        if (!route && !gateWide) {
            return PolicyDecision.allow();
        }
        // Each limit takes one call in turn; a refusal gives back what the limits before it took.
        // keyed by the token's fingerprint (made for the call log anyway), as the buckets of one token are
        Optional<String> hash = request.tokenFingerprint();
        if (hash.isEmpty()) {
            hash = request.tokenHash().map(h -> h.substring(0, 12));
        }
        Bucket routeBucket = null;
        String routeId = null;
        if (route && hash.isPresent()) {
            Rate rate = requirement.rateLimit().get();
            routeId = requirement.route().orElseGet(requirement::toString) + ' ' + hash.get();
            RouteBucket b = byRoute.getIfPresent(routeId);
            if (b == null) {
                b = byRoute.get(routeId, k -> new RouteBucket(newBucket(rate), rate.window()));
            }
            routeBucket = b.bucket();
            if (!routeBucket.tryConsume(1)) {
                return refusal(new Key(Dimension.ROUTE, routeId, rate), routeBucket);
            }
        }
        if (!gateWide) {
            return PolicyDecision.allow();
        }
        String apiKey = byApiKey == null ? null
                : request.apiKey().flatMap(k -> k.tokenId().or(k::subject)).orElse(null);
        String client = byClient == null ? null : token.clientId().orElse(null);
        String subject = bySubject == null ? null : token.subject().orElse(null);
        Bucket byTokenB = null;
        Bucket byKeyB = null;
        Bucket byClientB = null;
        if (byToken != null && hash.isPresent()) {
            byTokenB = bucket(byToken, hash.get(), perToken);
            if (!byTokenB.tryConsume(1)) {
                return refusal(new Key(Dimension.TOKEN, hash.get(), perToken), byTokenB, routeBucket);
            }
        }
        if (apiKey != null) {
            byKeyB = bucket(byApiKey, apiKey, perApiKey);
            if (!byKeyB.tryConsume(1)) {
                return refusal(new Key(Dimension.API_KEY, apiKey, perApiKey), byKeyB, routeBucket,
                        byTokenB);
            }
        }
        if (client != null) {
            byClientB = bucket(byClient, client, perClient);
            if (!byClientB.tryConsume(1)) {
                return refusal(new Key(Dimension.CLIENT, client, perClient), byClientB, routeBucket,
                        byTokenB, byKeyB);
            }
        }
        if (subject != null) {
            Bucket b = bucket(bySubject, subject, perSubject);
            if (!b.tryConsume(1)) {
                return refusal(new Key(Dimension.SUBJECT, subject, perSubject), b, routeBucket,
                        byTokenB, byKeyB, byClientB);
            }
        }
        return PolicyDecision.allow();
    }

    private Bucket bucket(Cache<String, Bucket> cache, String id, Rate rate) {
        Bucket bucket = cache.getIfPresent(id);
        return bucket != null ? bucket : cache.get(id, k -> newBucket(rate));
    }

    private Bucket newBucket(Rate rate) {
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(rate.limit()).refillIntervally(rate.limit(), rate.window()))
                .withCustomTimePrecision(time)
                .withSynchronizationStrategy(SynchronizationStrategy.SYNCHRONIZED) // in place: no state copy per call
                .build();
    }

    /**
     * The 429 for the limit {@code key} that {@code bucket} keeps; the calls the limits before it took are given back
     * ({@code taken}, nulls skipped): a refused request counts against no limit.
     */
    private static PolicyDecision refusal(Key key, Bucket bucket, Bucket... taken) {
        for (Bucket b : taken) {
            if (b != null) {
                b.addTokens(1);
            }
        }
        EstimationProbe probe = bucket.estimateAbilityToConsume(1);
        Rate rate = key.rate();
        long wait = seconds(probe.getNanosToWaitForRefill());
        long window = seconds(rate.window().toNanos());
        String name = '"' + key.dimension().policy + '"';
        BearerError error = BearerError.builder(429, BearerError.Code.RATE_LIMITED,
                        "Too many requests " + key.dimension().counted + ": at most " + rate.limit() + " per "
                                + window(rate) + "; try again in " + wait + " s.")
                .retryAfter(Duration.ofSeconds(wait))
                .header("RateLimit-Policy", name + ";q=" + rate.limit() + ";w=" + window)
                .header("RateLimit", name + ";r=" + Math.max(0, probe.getRemainingTokens()) + ";t=" + wait)
                .build();
        String reason = "over the " + key.dimension().policy + " rate limit " + rate + " ("
                + describe(key) + "); the next request is admitted in " + wait + " s";
        return new PolicyDecision.Deny(error, reason, List.of(MARK));
    }

    /** What a key counts, for operators: never a token (its hash's first 12 digits are the fingerprint). */
    private static String describe(Key key) {
        return switch (key.dimension()) {
            case ROUTE -> {
                int space = key.id().lastIndexOf(' ');
                yield "route " + key.id().substring(0, space) + ", token " + key.id().substring(space + 1, space + 13);
            }
            case TOKEN -> "token " + key.id().substring(0, 12);
            case API_KEY -> "API key " + key.id();
            case CLIENT -> "client " + key.id();
            case SUBJECT -> "subject " + key.id();
        };
    }

    private static String window(Rate rate) {
        String text = rate.toString();
        return text.substring(text.indexOf('/') + 1);
    }

    /** Whole seconds, rounded up, at least 1. */
    private static long seconds(long nanos) {
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }

    @Override
    public String toString() {
        return "rate limits " + limits;
    }

    /**
     * Bucket4j's time, read from the gate's clock (so that tests move it), to the millisecond: {@code millis()}, unlike
     * {@code instant()}, allocates nothing, and windows are whole seconds.
     */
    private record ClockTimeMeter(Clock clock) implements TimeMeter {
        @Override
        public long currentTimeNanos() {
            return clock.millis() * 1_000_000L;
        }

        @Override
        public boolean isWallClockBased() {
            return true;
        }
    }
}
