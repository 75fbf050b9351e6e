package dev.tokengate.control;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.tokengate.BearerError;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Rate;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.log.Loggers;
import dev.tokengate.policy.PolicyDecision;
import dev.tokengate.policy.RequestFacts;
import dev.tokengate.policy.TokenPolicy;
import dev.tokengate.internal.WarningEpisode;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.github.bucket4j.TimeMeter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;

/** The policy that enforces a gate's {@link RateLimits} and the routes' own limits; see {@link RateLimits}. */
final class RateLimitPolicy implements TokenPolicy, RateLimitUsage {

    private static final Logger LOG = Loggers.logger(RateLimits.class);
    private static final Duration SHARED_RETRY = Duration.ofSeconds(5);

    /** The call-log mark of a request refused by a rate limit. */
    static final String MARK = "rate_limited";

    /** A limit: its name in the {@code RateLimit} headers and how a refusal names what was counted. */
    enum Dimension {
        ROUTE("per-route", "with this token on this resource"),
        TOKEN("per-token", "with this token"),
        API_KEY("per-api-key", "with this API key"),
        CLIENT("per-client", "from this client application"),
        SUBJECT("per-subject", "for this user");

        /** A shared bucket's id: the limit's name, a colon, what it counts. */
        String id(String counted) {
            return policy + ':' + counted;
        }

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
    /** Where the buckets are kept when every node shares them, else {@code null} (this node's memory). */
    private final SharedBuckets shared;
    /** With shared buckets: whether a request is refused (503) while they cannot be reached. */
    private final boolean failClosed;
    /** With shared buckets that fail open: this node's own buckets, counted while the shared ones cannot be reached. */
    private final RateLimitPolicy local;
    private final WarningEpisode sharedFailures;

    RateLimitPolicy(RateLimits limits, Clock clock) {
        this(limits, clock, null, false);
    }

    RateLimitPolicy(RateLimits limits, Clock clock, SharedBuckets shared, boolean failClosed) {
        this.shared = shared;
        this.failClosed = failClosed;
        this.local = shared == null || failClosed ? null : new RateLimitPolicy(limits, clock);
        this.sharedFailures = shared == null ? null : new WarningEpisode(LOG, "tokengate cannot reach the shared "
                + "rate-limit buckets; " + (failClosed ? "limited requests are refused with 503"
                : "each node counts on its own meanwhile"), clock, WarningEpisode.SUMMARY_INTERVAL);
        this.limits = limits;
        this.perToken = limits.perToken().orElse(null);
        this.perApiKey = limits.perApiKey().orElse(null);
        this.perClient = limits.perClient().orElse(null);
        this.perSubject = limits.perSubject().orElse(null);
        this.time = RateLimits.timeMeter(clock);
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
        if (shared == null) {
            return count(token, request);
        }
        PolicyDecision decision;
        try {
            decision = count(token, request);
        } catch (RuntimeException e) {
            sharedFailures.failure(e.getMessage() == null ? e.toString() : e.getMessage());
            if (failClosed) {
                return new PolicyDecision.Deny(BearerError.unavailable("The rate limit cannot be checked right now; "
                        + "try again shortly.", SHARED_RETRY), "shared rate-limit buckets unreachable (fail-closed): "
                        + e, List.of(RevocationPolicy.UNAVAILABLE_MARK));
            }
            return local.count(token, request);
        }
        sharedFailures.recovered();
        return decision;
    }

    private PolicyDecision count(VerifiedToken token, RequestFacts request) {
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
                b = byRoute.get(routeId, k -> new RouteBucket(newBucket(Dimension.ROUTE, k, rate), rate.window()));
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
            byTokenB = bucket(byToken, Dimension.TOKEN, hash.get(), perToken);
            if (!byTokenB.tryConsume(1)) {
                return refusal(new Key(Dimension.TOKEN, hash.get(), perToken), byTokenB, routeBucket);
            }
        }
        if (apiKey != null) {
            byKeyB = bucket(byApiKey, Dimension.API_KEY, apiKey, perApiKey);
            if (!byKeyB.tryConsume(1)) {
                return refusal(new Key(Dimension.API_KEY, apiKey, perApiKey), byKeyB, routeBucket,
                        byTokenB);
            }
        }
        if (client != null) {
            byClientB = bucket(byClient, Dimension.CLIENT, client, perClient);
            if (!byClientB.tryConsume(1)) {
                return refusal(new Key(Dimension.CLIENT, client, perClient), byClientB, routeBucket,
                        byTokenB, byKeyB);
            }
        }
        if (subject != null) {
            Bucket b = bucket(bySubject, Dimension.SUBJECT, subject, perSubject);
            if (!b.tryConsume(1)) {
                return refusal(new Key(Dimension.SUBJECT, subject, perSubject), b, routeBucket,
                        byTokenB, byKeyB, byClientB);
            }
        }
        return PolicyDecision.allow();
    }

    /**
     * The token's per-token bucket as it stands, read without touching the cache's access order (an idle bucket still
     * expires after its window) and without consuming; with shared buckets, read from the shared store.
     */
    @Override
    public Optional<Window> perToken(String tokenFingerprint) {
        if (byToken == null) {
            return Optional.empty();
        }
        Bucket bucket = byToken.policy().getIfPresentQuietly(tokenFingerprint);
        if (bucket == null) {
            return Optional.of(new Window(perToken, 0, Duration.ZERO));
        }
        try {
            long available = Math.max(0, Math.min(perToken.limit(), bucket.getAvailableTokens()));
            long used = perToken.limit() - available;
            Duration resetsIn = used == 0 ? Duration.ZERO
                    : Duration.ofNanos(bucket.estimateAbilityToConsume(available + 1).getNanosToWaitForRefill());
            return Optional.of(new Window(perToken, used, resetsIn));
        } catch (RuntimeException e) {
            return Optional.empty(); // shared buckets unreachable: say nothing rather than something wrong
        }
    }

    private Bucket bucket(Cache<String, Bucket> cache, Dimension dimension, String id, Rate rate) {
        Bucket bucket = cache.getIfPresent(id);
        return bucket != null ? bucket : cache.get(id, k -> newBucket(dimension, k, rate));
    }

    private Bucket newBucket(Dimension dimension, String id, Rate rate) {
        if (shared != null) {
            return shared.bucket(dimension.id(id), BucketConfiguration.builder()
                    .addLimit(limit -> limit.capacity(rate.limit()).refillIntervally(rate.limit(), rate.window()))
                    .build());
        }
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
}
