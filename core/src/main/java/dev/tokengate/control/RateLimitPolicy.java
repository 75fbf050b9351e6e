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
import io.github.bucket4j.ConsumptionProbe;
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

    /** A bucket's identity: the limit, what it counts (a token hash, a client id, …) and its size. */
    record Key(Dimension dimension, String id, Rate rate) {
    }

    private final RateLimits limits;
    private final TimeMeter time;
    private final Cache<Key, Bucket> buckets;

    RateLimitPolicy(RateLimits limits, Clock clock) {
        this.limits = limits;
        this.time = new ClockTimeMeter(clock);
        this.buckets = Caffeine.newBuilder()
                .maximumSize(limits.maxBuckets())
                .expireAfter(Expiry.accessing((Key k, Bucket b) -> k.rate().window()))
                .ticker(time::currentTimeNanos)
                .executor(Runnable::run)
                .build();
    }

    @Override
    public PolicyDecision check(VerifiedToken token, RequestFacts request) {
        List<Key> keys = keys(token, request);
        if (keys.isEmpty()) {
            return PolicyDecision.allow();
        }
        List<Bucket> taken = new ArrayList<>(keys.size());
        for (Key key : keys) {
            Bucket bucket = buckets.get(key, k -> newBucket(k.rate()));
            ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
            if (!probe.isConsumed()) {
                for (Bucket b : taken) {
                    b.addTokens(1); // a refused request counts against no limit
                }
                return refusal(key, probe);
            }
            taken.add(bucket);
        }
        return PolicyDecision.allow();
    }

    /** The buckets this request counts against, most specific first; the gate-wide ones only on its first check. */
    private List<Key> keys(VerifiedToken token, RequestFacts request) {
        List<Key> keys = new ArrayList<>(5);
        Optional<String> hash = request.tokenHash();
        Requirement requirement = request.requirement();
        if (requirement.rateLimit().isPresent() && hash.isPresent()) {
            String route = requirement.route().orElseGet(requirement::toString);
            keys.add(new Key(Dimension.ROUTE, route + ' ' + hash.get(), requirement.rateLimit().get()));
        }
        if (request.rechecked()) {
            return keys; // a second adapter's rule for the same request: the gate-wide limits counted it already
        }
        limits.perToken().ifPresent(rate -> hash.ifPresent(h -> keys.add(new Key(Dimension.TOKEN, h, rate))));
        limits.perApiKey().ifPresent(rate -> request.apiKey().flatMap(k -> k.tokenId().or(k::subject))
                .ifPresent(id -> keys.add(new Key(Dimension.API_KEY, id, rate))));
        limits.perClient().ifPresent(rate -> token.clientId()
                .ifPresent(id -> keys.add(new Key(Dimension.CLIENT, id, rate))));
        limits.perSubject().ifPresent(rate -> token.subject()
                .ifPresent(id -> keys.add(new Key(Dimension.SUBJECT, id, rate))));
        return keys;
    }

    private Bucket newBucket(Rate rate) {
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(rate.limit()).refillIntervally(rate.limit(), rate.window()))
                .withCustomTimePrecision(time)
                .build();
    }

    private static PolicyDecision refusal(Key key, ConsumptionProbe probe) {
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

    /** Bucket4j's time, read from the gate's clock (so that tests move it). */
    private record ClockTimeMeter(Clock clock) implements TimeMeter {
        @Override
        public long currentTimeNanos() {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }

        @Override
        public boolean isWallClockBased() {
            return true;
        }
    }
}
