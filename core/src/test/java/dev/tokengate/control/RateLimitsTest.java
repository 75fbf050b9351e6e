package dev.tokengate.control;

import dev.tokengate.ConfigurationException;
import dev.tokengate.ErrorResponse;
import dev.tokengate.Outcome;
import dev.tokengate.TokenGate;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Rate;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.log.CallEvent;
import dev.tokengate.log.Fingerprints;
import dev.tokengate.policy.PolicyDecision;
import dev.tokengate.policy.RequestFacts;
import dev.tokengate.policy.TokenPolicy;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.TestRequest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rate limits on a test clock: exact admissions at window boundaries, each dimension, the 429 and its log. */
class RateLimitsTest {

    private static final Instant NOW = Instant.parse("2029-03-01T09:30:00Z");
    private final FakeTime time = new FakeTime(NOW);
    private final List<CallEvent> events = new ArrayList<>();

    /** Tokens "alice-bot-1", "alice-bot-2" (client bot), "alice-web" (client web), "bob-bot": subject-client-n. */
    private static VerifiedToken validate(String token) {
        String[] parts = token.split("-");
        return VerifiedToken.builder(VerifiedToken.Kind.JWT).subject(parts[0]).clientId(parts[1])
                .scopes(List.of("read", "trade")).expiresAt(NOW.plus(Duration.ofDays(1))).build();
    }

    private TokenGate gate(RateLimits limits) {
        return TokenGate.builder().validator(RateLimitsTest::validate).rateLimits(limits)
                .callLogSink(events::add).clock(time).build();
    }

    private static ErrorResponse run(TokenGate gate, String token, Requirement requirement) {
        TokenGate.Call call = gate.begin(TestRequest.get("/api/orders").bearer(token));
        int status = 200;
        try {
            if (call.authorize(requirement) instanceof Outcome.Rejected r) {
                ErrorResponse response = call.errorResponse(r.error());
                status = response.status();
                return response;
            }
            return null;
        } finally {
            call.finish(status);
        }
    }

    /** How many of {@code n} requests are admitted. */
    private static int admitted(TokenGate gate, String token, Requirement requirement, int n) {
        int admitted = 0;
        for (int i = 0; i < n; i++) {
            if (run(gate, token, requirement) == null) {
                admitted++;
            }
        }
        return admitted;
    }

    private static RateLimits perToken(String rate) {
        return RateLimits.builder().perToken(Rate.parse(rate)).build();
    }

    @Test
    void perTokenWhenOverTheLimitThen429WithRetryAfterAndRateLimitHeaders() {
        TokenGate gate = gate(perToken("5/1m"));
        assertThat(admitted(gate, "alice-bot-1", Requirement.authenticated(), 5)).isEqualTo(5);
        time.advance(Duration.ofSeconds(30));
        ErrorResponse refused = run(gate, "alice-bot-1", Requirement.authenticated());

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.headers()).containsEntry("Retry-After", "30")
                .containsEntry("RateLimit-Policy", "\"per-token\";q=5;w=60")
                .containsEntry("RateLimit", "\"per-token\";r=0;t=30")
                .containsEntry("Cache-Control", "no-store")
                .doesNotContainKey("WWW-Authenticate");
        assertThat(refused.contentType()).isEqualTo("application/problem+json");
        assertThat(refused.body()).contains("\"status\":429", "\"error\":\"rate_limited\"",
                "\"title\":\"Too Many Requests\"", "at most 5 per 1m; try again in 30 s.");
        CallEvent event = events.get(events.size() - 1);
        assertThat(event.decision()).isEqualTo("rate_limited");
        assertThat(event.status()).isEqualTo(429);
        assertThat(event.marks()).containsExactly("rate_limited");
        assertThat(event.reason()).hasValueSatisfying(r -> assertThat(r)
                .startsWith("over the per-token rate limit 5/1m (token ").doesNotContain("alice-bot-1"));
    }

    @Test
    void rateLimitUsageReadsTheTokensWindowWithoutTakingFromItOrKeepingItAlive() {
        TokenGate gate = gate(perToken("5/1m"));
        String fingerprint = Fingerprints.fingerprint("alice-bot-1");
        assertThat(gate.rateLimitUsage().perToken(fingerprint)).hasValueSatisfying(w -> {
            assertThat(w.rate()).isEqualTo(Rate.parse("5/1m"));
            assertThat(w.used()).isZero();
            assertThat(w.remaining()).isEqualTo(5);
            assertThat(w.resetsIn()).isZero();
        });
        assertThat(admitted(gate, "alice-bot-1", Requirement.authenticated(), 3)).isEqualTo(3);
        time.advance(Duration.ofSeconds(20));
        for (int i = 0; i < 3; i++) { // reading takes nothing
            assertThat(gate.rateLimitUsage().perToken(fingerprint)).hasValueSatisfying(w -> {
                assertThat(w.used()).isEqualTo(3);
                assertThat(w.remaining()).isEqualTo(2);
                assertThat(w.resetsIn()).isEqualTo(Duration.ofSeconds(40));
            });
        }
        assertThat(admitted(gate, "alice-bot-1", Requirement.authenticated(), 4)).isEqualTo(2);
        assertThat(gate.rateLimitUsage().perToken(fingerprint).orElseThrow().used()).isEqualTo(5);
        assertThat(gate.rateLimitUsage().perToken(Fingerprints.fingerprint("bob-bot-1")).orElseThrow().used()).isZero();
        time.advance(Duration.ofSeconds(40)); // the next window: full again
        assertThat(gate.rateLimitUsage().perToken(fingerprint).orElseThrow().used()).isZero();
    }

    @Test
    void rateLimitUsageWhenTokensAreNotLimitedThenEmpty() {
        TokenGate gate = gate(RateLimits.builder().perClient(Rate.parse("5/1m")).build());
        assertThat(admitted(gate, "alice-bot-1", Requirement.authenticated(), 3)).isEqualTo(3);
        assertThat(gate.rateLimitUsage().perToken(Fingerprints.fingerprint("alice-bot-1"))).isEmpty();
    }

    @Test
    void perTokenAdmitsExactlyTheLimitInEachWindowAtItsBoundaries() {
        TokenGate gate = gate(perToken("100/1m"));
        assertThat(admitted(gate, "alice-bot-1", Requirement.authenticated(), 150)).isEqualTo(100);
        time.advance(Duration.ofSeconds(60).minusNanos(1));                  // the last nanosecond of the window
        assertThat(admitted(gate, "alice-bot-1", Requirement.authenticated(), 10)).isZero();
        assertThat(run(gate, "alice-bot-1", Requirement.authenticated()).headers()).containsEntry("Retry-After", "1");
        time.advance(Duration.ofNanos(1));                                     // the next window
        assertThat(admitted(gate, "alice-bot-1", Requirement.authenticated(), 150)).isEqualTo(100);
        time.advance(Duration.ofMinutes(5));                                   // idle for 5 windows: no credit saved up
        assertThat(admitted(gate, "alice-bot-1", Requirement.authenticated(), 500)).isEqualTo(100);
    }

    /**
     * The accuracy figures of docs/token-control.md, limit 100/1m. A client sending 10 requests a second for 10
     * minutes: every window of the bucket admits exactly 100, and so does every sliding minute. A client that
     * waits for the end of a window: one request at its start, 99 at its end and 100 at the start of the next are
     * 199 in a fraction of a second, the worst any sliding minute can see (2N - 1).
     */
    @Test
    void accuracyOfAMinuteWindow() {
        TokenGate gate = gate(perToken("100/1m"));
        List<Long> admittedAt = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            if (run(gate, "alice-bot-1", Requirement.authenticated()) == null) {
                admittedAt.add(Duration.between(NOW, time.instant()).toMillis());
            }
            time.advance(Duration.ofMillis(100));
        }
        assertThat(admittedAt).hasSize(1000);
        for (int window = 0; window < 10; window++) {
            long from = window * 60_000L;
            assertThat(admittedAt.stream().filter(t -> t >= from && t < from + 60_000).count())
                    .as("window " + window).isEqualTo(100);
        }
        long worstSlidingMinute = 0;
        for (long start = 0; start <= 540_000; start += 100) {
            long s = start;
            worstSlidingMinute = Math.max(worstSlidingMinute,
                    admittedAt.stream().filter(t -> t >= s && t < s + 60_000).count());
        }
        assertThat(worstSlidingMinute).isEqualTo(100);

        assertThat(run(gate, "bob-bot-1", Requirement.authenticated())).isNull();
        time.advance(Duration.ofMillis(59_900));
        int atTheEdge = admitted(gate, "bob-bot-1", Requirement.authenticated(), 150);
        time.advance(Duration.ofMillis(100));
        int afterTheEdge = admitted(gate, "bob-bot-1", Requirement.authenticated(), 150);
        assertThat(atTheEdge + afterTheEdge).isEqualTo(199);
    }

    @Test
    void perClientCountsEveryTokenOfTheClient() {
        TokenGate gate = gate(RateLimits.builder().perClient(Rate.parse("3/1m")).build());
        assertThat(admitted(gate, "alice-bot-1", Requirement.authenticated(), 2)).isEqualTo(2);
        assertThat(admitted(gate, "alice-bot-2", Requirement.authenticated(), 2)).isEqualTo(1);
        ErrorResponse refused = run(gate, "bob-bot-1", Requirement.authenticated());
        assertThat(refused.headers()).containsEntry("RateLimit-Policy", "\"per-client\";q=3;w=60");
        assertThat(refused.body()).contains("from this client application");
        assertThat(events.get(events.size() - 1).reason()).hasValue(
                "over the per-client rate limit 3/1m (client bot); the next request is admitted in 60 s");
        assertThat(admitted(gate, "alice-web-1", Requirement.authenticated(), 3)).isEqualTo(3);
    }

    @Test
    void perSubjectCountsEveryClientOfTheUser() {
        TokenGate gate = gate(RateLimits.builder().perSubject(Rate.parse("3/10s")).build());
        assertThat(admitted(gate, "alice-bot-1", Requirement.authenticated(), 2)).isEqualTo(2);
        assertThat(admitted(gate, "alice-web-1", Requirement.authenticated(), 2)).isEqualTo(1);
        assertThat(run(gate, "alice-web-2", Requirement.authenticated()).headers())
                .containsEntry("RateLimit-Policy", "\"per-subject\";q=3;w=10").containsEntry("Retry-After", "10");
        assertThat(admitted(gate, "bob-bot-1", Requirement.authenticated(), 3)).isEqualTo(3);
        time.advance(Duration.ofSeconds(10));
        assertThat(admitted(gate, "alice-web-1", Requirement.authenticated(), 5)).isEqualTo(3);
    }

    @Test
    void perApiKeyCountsTheApplicationsKeyOnlyWhereARouteVerifiedOne() {
        TokenPolicy policy = RateLimits.builder().perApiKey(Rate.parse("2/1m")).build().policy(time);
        VerifiedToken user = validate("alice-bot-1");
        VerifiedToken key = VerifiedToken.builder(VerifiedToken.Kind.STORED).subject("partner-app").tokenId("42").build();
        RequestFacts withKey = facts("alice-bot-1", Requirement.authenticated().withApiKey()).withApiKey(key);
        RequestFacts withoutKey = facts("alice-bot-1", Requirement.authenticated());

        assertThat(policy.check(user, withKey)).isInstanceOf(PolicyDecision.Allow.class);
        assertThat(policy.check(validate("bob-web-1"), withKey)).isInstanceOf(PolicyDecision.Allow.class);
        PolicyDecision third = policy.check(user, withKey);
        assertThat(third).isInstanceOfSatisfying(PolicyDecision.Deny.class, d -> {
            assertThat(d.error().headers()).containsEntry("RateLimit-Policy", "\"per-api-key\";q=2;w=60");
            assertThat(d.reason()).contains("API key 42");
            assertThat(d.hasMark("rate_limited")).isTrue();
        });
        for (int i = 0; i < 5; i++) {
            assertThat(policy.check(user, withoutKey)).isInstanceOf(PolicyDecision.Allow.class);
        }
    }

    @Test
    void perRouteLimitCountsEachTokenOnEachRouteApart() {
        UrlRules rules = UrlRules.parse("""
                POST /api/orders = trade + rate-limit 2/1m
                DELETE /api/orders/* = trade + rate-limit 2/1m
                /* = authenticated
                """);
        Requirement place = rules.requirementFor("POST", "/api/orders");
        Requirement cancel = rules.requirementFor("DELETE", "/api/orders/7");
        assertThat(place).isEqualTo(cancel);            // the same requirement, two routes
        TokenGate gate = gate(RateLimits.none());

        assertThat(admitted(gate, "alice-bot-1", place, 5)).isEqualTo(2);
        ErrorResponse refused = run(gate, "alice-bot-1", place);
        assertThat(refused.headers()).containsEntry("RateLimit-Policy", "\"per-route\";q=2;w=60")
                .containsEntry("Retry-After", "60");
        assertThat(events.get(events.size() - 1).reason()).contains("over the per-route rate limit 2/1m (route "
                + "POST /api/orders, token " + dev.tokengate.log.Fingerprints.hex(
                dev.tokengate.log.Fingerprints.sha256("alice-bot-1")).substring(0, 12)
                + "); the next request is admitted in 60 s");
        assertThat(admitted(gate, "alice-bot-1", cancel, 5)).isEqualTo(2);
        assertThat(admitted(gate, "alice-bot-2", place, 5)).isEqualTo(2);
        assertThat(admitted(gate, "alice-bot-1", rules.requirementFor("GET", "/api/orders"), 20)).isEqualTo(20);
    }

    @Test
    void aRequestRefusedByOneLimitTakesNothingFromTheOthers() {
        TokenGate gate = gate(RateLimits.builder().perToken(Rate.parse("3/1h")).perClient(Rate.parse("2/1m")).build());
        assertThat(admitted(gate, "alice-bot-1", Requirement.authenticated(), 3)).isEqualTo(2); // the client's limit
        time.advance(Duration.ofMinutes(1));
        assertThat(run(gate, "alice-bot-1", Requirement.authenticated())).isNull();               // the token's third
        assertThat(run(gate, "alice-bot-1", Requirement.authenticated()).headers())
                .containsEntry("RateLimit-Policy", "\"per-token\";q=3;w=3600");
    }

    @Test
    void aSecondAdaptersRuleForTheSameRequestDoesNotCountItAgain() {
        TokenGate gate = gate(perToken("2/1m"));
        for (int i = 0; i < 2; i++) {
            TokenGate.Call call = gate.begin(TestRequest.get("/api/orders").bearer("alice-bot-1"));
            assertThat(call.authorize(Requirement.authenticated())).isInstanceOf(Outcome.Authenticated.class);
            assertThat(call.authorize(Requirement.allOf("read"))).isInstanceOf(Outcome.Authenticated.class);
            call.finish(200);
        }
        assertThat(run(gate, "alice-bot-1", Requirement.authenticated()).status()).isEqualTo(429);
    }

    @Test
    void aClientChosenRequestIdDoesNotSkipTheCount() {
        TokenGate gate = gate(perToken("2/1m"));
        int admitted = 0;
        for (int i = 0; i < 5; i++) {
            TokenGate.Call call = gate.begin(TestRequest.get("/api/orders").bearer("alice-bot-1")
                    .header("X-Request-Id", "same-id"));
            admitted += call.authorize(Requirement.authenticated()) instanceof Outcome.Authenticated ? 1 : 0;
            call.finish(200);
        }
        assertThat(admitted).isEqualTo(2);
    }

    @Test
    void withoutLimitsNothingIsCounted() {
        TokenGate gate = gate(RateLimits.none());
        assertThat(admitted(gate, "alice-bot-1", Requirement.authenticated(), 1000)).isEqualTo(1000);
    }

    @Test
    void configReadsEachKeyAndNamesTheKeyOfAMalformedValue() {
        RateLimits limits = RateLimits.config(source(Map.of(ConfigKeys.RATE_LIMIT_PER_TOKEN, "100/1m",
                ConfigKeys.RATE_LIMIT_PER_CLIENT, "1000 / 1h", ConfigKeys.RATE_LIMIT_PER_SUBJECT, "20/30s",
                ConfigKeys.RATE_LIMIT_PER_API_KEY, "5000/1d")));
        assertThat(limits.perToken()).contains(Rate.of(100, Duration.ofMinutes(1)));
        assertThat(limits.perClient()).contains(Rate.of(1000, Duration.ofHours(1)));
        assertThat(limits.perSubject()).contains(Rate.of(20, Duration.ofSeconds(30)));
        assertThat(limits.perApiKey()).contains(Rate.of(5000, Duration.ofDays(1)));
        assertThat(RateLimits.config(source(Map.of())).perToken()).isEmpty();

        for (String bad : List.of("100", "100/", "/1m", "0/1m", "100/0s", "100/500ms", "ten/1m", "100/1 minute", "-1/1m")) {
            assertThatThrownBy(() -> RateLimits.config(source(Map.of(ConfigKeys.RATE_LIMIT_PER_CLIENT, bad))))
                    .as(bad).isInstanceOfSatisfying(ConfigurationException.class, e -> {
                        assertThat(e.key()).isEqualTo(ConfigKeys.RATE_LIMIT_PER_CLIENT);
                        assertThat(e.getMessage()).contains(ConfigKeys.RATE_LIMIT_PER_CLIENT + " (parameter)");
                    });
        }
        assertThatThrownBy(() -> RateLimits.config(source(Map.of(ConfigKeys.RATE_LIMIT_PER_TOKEN, "100"))))
                .hasMessageContaining("write N/duration, e.g. 100/1m");
    }

    @Test
    void theGateReadsTheKeys() {
        TokenGate gate = TokenGate.builder().config(source(Map.of("tokengate.jwt.issuer", "https://issuer.example",
                        "tokengate.jwt.audience", "api", "tokengate.jwt.jwks-uri", "http://127.0.0.1:9/jwks",
                        ConfigKeys.RATE_LIMIT_PER_TOKEN, "2/1m")))
                .validator(RateLimitsTest::validate).callLogSink(events::add).clock(time).build();
        assertThat(admitted(gate, "alice-bot-1", Requirement.authenticated(), 4)).isEqualTo(2);
        gate.close();
    }

    @Test
    void builderTakesAtLeastOneBucketAndNamesEachLimit() {
        assertThatThrownBy(() -> RateLimits.builder().maxBuckets(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBuckets must be at least 1, was 0");
        assertThat(RateLimits.builder().maxBuckets(1).build().maxBuckets()).isEqualTo(1);
        assertThat(RateLimits.none().maxBuckets()).isEqualTo(RateLimits.DEFAULT_MAX_BUCKETS);
        RateLimits limits = RateLimits.builder().perToken(Rate.parse("10/1m")).perClient(Rate.parse("20/1m"))
                .perSubject(Rate.parse("30/1h")).perApiKey(Rate.parse("40/1s")).maxBuckets(7).build();
        assertThat(limits.perToken()).contains(Rate.parse("10/1m"));
        assertThat(limits.perApiKey()).contains(Rate.parse("40/1s"));
        assertThat(limits).hasToString("RateLimits[per-token=10/1m, per-client=20/1m, per-subject=30/1h, "
                + "per-api-key=40/1s, max buckets 7]");
        assertThat(RateLimits.none()).hasToString("RateLimits[per-token=null, per-client=null, per-subject=null, "
                + "per-api-key=null, max buckets 100000]");
        assertThatThrownBy(() -> RateLimits.builder().perToken(null)).hasMessage("perToken");
        assertThatThrownBy(() -> RateLimits.none().policy(null)).hasMessage("clock");
    }

    private static ConfigSource source(Map<String, String> parameters) {
        return ConfigSource.of(parameters, Map.of(), new Properties());
    }

    private RequestFacts facts(String token, Requirement requirement) {
        byte[] hash = dev.tokengate.log.Fingerprints.sha256(token);
        return RequestFacts.builder().requestId("r").method("GET").path("/api").clientAddress("192.0.2.1")
                .time(time.instant()).requirement(requirement).tokenHash(hash)
                .tokenFingerprint(HexFormat.of().formatHex(hash).substring(0, 12)).build();
    }

    /**
     * Buckets "shared" by the gates given the same instance (Bucket4j's local buckets in one map, on the test clock;
     * the Redis ones are tested in tokengate-redis), failing while {@code down}.
     */
    private final class MapBuckets implements SharedBuckets {
        final java.util.concurrent.ConcurrentHashMap<String, io.github.bucket4j.Bucket> buckets =
                new java.util.concurrent.ConcurrentHashMap<>();
        volatile boolean down;

        @Override
        public io.github.bucket4j.Bucket bucket(String id, io.github.bucket4j.BucketConfiguration configuration) {
            io.github.bucket4j.Bucket real = buckets.computeIfAbsent(id, k -> io.github.bucket4j.Bucket.builder()
                    .addLimit(configuration.getBandwidths()[0])
                    .withCustomTimePrecision(new io.github.bucket4j.TimeMeter() {
                        @Override
                        public long currentTimeNanos() {
                            return time.millis() * 1_000_000L;
                        }

                        @Override
                        public boolean isWallClockBased() {
                            return true;
                        }
                    }).build());
            return (io.github.bucket4j.Bucket) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[]{io.github.bucket4j.Bucket.class}, (proxy, method, args) -> {
                        if (down) {
                            throw new IllegalStateException("shared store down");
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }

    private TokenGate sharedGate(MapBuckets buckets, boolean failClosed, RateLimits limits) {
        SharedControl shared = new SharedControl() {
            @Override
            public RevocationStore revocationStore() {
                return new RevocationStore() {
                    @Override
                    public List<Revocation> load(Instant now) {
                        return List.of();
                    }

                    @Override
                    public void save(Revocation revocation) {
                    }

                    @Override
                    public boolean remove(Revocation.Target target, String value) {
                        return false;
                    }
                };
            }

            @Override
            public SharedBuckets buckets() {
                return buckets;
            }

            @Override
            public SharedAnomalyState anomalyState() {
                throw new UnsupportedOperationException("no anomaly rules here");
            }

            @Override
            public boolean failClosed() {
                return failClosed;
            }

            @Override
            public void close() {
            }
        };
        return TokenGate.builder().validator(RateLimitsTest::validate).rateLimits(limits).sharedControl(shared)
                .callLogSink(events::add).clock(time).build();
    }

    @Test
    void sharedBucketsMakeOneLimitOfTwoGatesKeyedByLimitAndWhatItCounts() {
        MapBuckets buckets = new MapBuckets();
        RateLimits limits = RateLimits.builder().perToken(Rate.parse("4/1m")).perClient(Rate.parse("100/1m")).build();
        TokenGate a = sharedGate(buckets, false, limits);
        TokenGate b = sharedGate(buckets, false, limits);

        assertThat(admitted(a, "alice-bot-1", Requirement.authenticated(), 2)).isEqualTo(2);
        assertThat(admitted(b, "alice-bot-1", Requirement.authenticated(), 5)).isEqualTo(2);

        assertThat(buckets.buckets.keySet()).hasSize(2).anyMatch(k -> k.startsWith("per-token:"))
                .contains("per-client:bot").allMatch(k -> !k.contains("alice-bot-1"));
        time.advance(Duration.ofMinutes(1));
        assertThat(admitted(b, "alice-bot-1", Requirement.authenticated(), 1)).isEqualTo(1);
    }

    @Test
    void sharedBucketsDownFailOpenCountOnThisNodeAndWarnOnce() {
        MapBuckets buckets = new MapBuckets();
        TokenGate gate = sharedGate(buckets, false, perToken("3/1m"));
        assertThat(admitted(gate, "alice-bot-1", Requirement.authenticated(), 1)).isEqualTo(1);
        buckets.down = true;
        try (dev.tokengate.testing.LogCapture log = dev.tokengate.testing.LogCapture.start()) {
            assertThat(admitted(gate, "alice-bot-1", Requirement.authenticated(), 5)).isEqualTo(3);
            assertThat(log.lines(RateLimits.class.getName()))
                    .filteredOn(m -> m.contains("cannot reach the shared rate-limit buckets")).hasSize(1);
        }
        buckets.down = false;
        assertThat(admitted(gate, "alice-bot-1", Requirement.authenticated(), 5)).isEqualTo(2);
    }

    @Test
    void sharedBucketsDownFailClosedAnswer503WithRetryAfter() {
        MapBuckets buckets = new MapBuckets();
        TokenGate gate = sharedGate(buckets, true, perToken("3/1m"));
        buckets.down = true;
        ErrorResponse refused = run(gate, "alice-bot-1", Requirement.authenticated());
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.headers()).containsEntry("Retry-After", "5");
        assertThat(events.get(events.size() - 1).marks()).contains("shared_state_unavailable");
        buckets.down = false;
        assertThat(admitted(gate, "alice-bot-1", Requirement.authenticated(), 5)).isEqualTo(3);
    }
}
