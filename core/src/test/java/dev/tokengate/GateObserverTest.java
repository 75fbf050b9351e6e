package dev.tokengate;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.jwks.JwksKeySource;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.observe.GateObserver;
import dev.tokengate.observe.Observation;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestRequest;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a gate tells its observer, against a real JWKS endpoint on loopback: each validation as a scope with the
 * upstream calls it caused inside it, each decision, the key-set age, the caches, the rate-limit events.
 */
class GateObserverTest {

    private final FakeTime time = new FakeTime(Instant.now());
    private final LoopbackIssuer idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    private final Recorder recorder = new Recorder();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        idp.close();
    }

    /** A gate from keys whose JWKS is the loopback server's, with the recorder as its only observer. */
    private TokenGate gate(Map<String, String> more) {
        Map<String, String> keys = new LinkedHashMap<>(Map.of(
                ConfigKeys.JWT_ISSUER, TestTokens.ISSUER,
                ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE,
                ConfigKeys.JWT_JWKS_URI, idp.jwksUri().toString(),
                ConfigKeys.METRICS, "off",
                ConfigKeys.TRACING, "off"));
        keys.putAll(more);
        TokenGate gate = TokenGate.builder().config(ConfigSource.of(keys, Map.of(), new Properties()))
                .observer(recorder).clock(time).callLogSink(e -> { }).build();
        opened.add(gate);
        return gate;
    }

    private static int run(TokenGate gate, TestRequest request, Requirement requirement) {
        TokenGate.Call call = gate.begin(request);
        int status = 200;
        try {
            if (call.authorize(requirement) instanceof Outcome.Rejected r) {
                status = call.errorResponse(r.error()).status();
            }
        } finally {
            call.finish(status);
        }
        return status;
    }

    private String token() {
        return TestTokens.jwt().clock(time).sign();
    }

    @Test
    void validateWhenKeysAreFetchedThenTheFetchIsReportedInsideTheValidation() {
        TokenGate gate = gate(Map.of());

        assertThat(run(gate, TestRequest.get("/orders").bearer(token()), Requirement.allOf("read"))).isEqualTo(200);

        assertThat(recorder.events).containsExactly(
                "start validation jwt",
                "start jwks " + idp.jwksUri(),
                "end jwks ok",
                "end validation ok",
                "decided allow -");
    }

    @Test
    void validateWhenTheSameTokenComesAgainThenOnlyTheCacheAnswersAndItCountsAHit() {
        TokenGate gate = gate(Map.of());
        String token = token();
        run(gate, TestRequest.get("/orders").bearer(token), Requirement.authenticated());
        recorder.events.clear();

        run(gate, TestRequest.get("/orders").bearer(token), Requirement.authenticated());

        assertThat(recorder.events).containsExactly("start validation jwt", "end validation ok", "decided allow -");
        assertThat(recorder.caches).containsOnlyKeys("verified-tokens");
        CacheStats stats = recorder.caches.get("verified-tokens").get();
        assertThat(stats.hitCount()).isEqualTo(1);
        assertThat(stats.missCount()).isEqualTo(1);
    }

    @Test
    void validateWhenTheSignatureIsWrongThenInvalidAndTheDecisionCarriesTheErrorCode() {
        TokenGate gate = gate(Map.of());
        String forged = TestTokens.jwt().clock(time).signedWith(TestKeys.untrustedRsa()).keyId("rsa-1").sign();

        assertThat(run(gate, TestRequest.get("/orders").bearer(forged), Requirement.authenticated())).isEqualTo(401);

        assertThat(recorder.events).containsExactly("start validation jwt", "start jwks " + idp.jwksUri(), "end jwks ok",
                "end validation invalid", "decided deny invalid_token");
    }

    @Test
    void validateWhenTheJwksIsDownThenTheFetchAndTheValidationEndInError() {
        idp.down();
        TokenGate gate = gate(Map.of());

        assertThat(run(gate, TestRequest.get("/orders").bearer(token()), Requirement.authenticated())).isEqualTo(503);

        assertThat(recorder.events).containsExactly("start validation jwt", "start jwks " + idp.jwksUri(), "end jwks error",
                "end validation error", "decided deny temporarily_unavailable");
    }

    @Test
    void decideWhenNoTokenOrAnOpenRouteThenNoValidationIsReported() {
        TokenGate gate = gate(Map.of());

        run(gate, TestRequest.get("/orders"), Requirement.authenticated());
        run(gate, TestRequest.get("/health"), Requirement.permit());

        assertThat(recorder.events).containsExactly("decided deny missing_token", "decided permit -");
        assertThat(recorder.decisions).allSatisfy(d -> assertThat(d.duration()).isPositive());
    }

    @Test
    void decideWhenOverTheRateLimitThenARateLimitedEventAndDecision() {
        TokenGate gate = gate(Map.of(ConfigKeys.RATE_LIMIT_PER_TOKEN, "1/1m"));
        String token = token();
        run(gate, TestRequest.get("/orders").bearer(token), Requirement.authenticated());
        recorder.events.clear();

        assertThat(run(gate, TestRequest.get("/orders").bearer(token), Requirement.authenticated())).isEqualTo(429);

        assertThat(recorder.events).endsWith("decided rate_limited rate_limited", "rate limited");
    }

    @Test
    void anomalyWhenARuleFiresThenTheObserverLearnsItsRule() {
        TokenGate gate = gate(Map.of(ConfigKeys.ANOMALY_MAX_DENIALS, "1/1m"));
        String token = token();

        for (int i = 0; i < 3; i++) {
            run(gate, TestRequest.get("/admin").bearer(token), Requirement.allOf("admin"));
        }

        assertThat(recorder.events).containsOnlyOnce("anomaly denials");
    }

    @Test
    void keySetWhenFetchedThenItsAgeFollowsTheKeySourcesTicker() {
        JwksKeySource keys = JwksKeySource.builder(idp.jwksUri()).ticker(time).executor(Runnable::run)
                .observer(recorder).build();
        TokenGate gate = TokenGate.builder().issuer(JwtValidator.builder().issuer(TestTokens.ISSUER)
                        .audiences(TestTokens.AUDIENCE).keySource(keys))
                .observer(recorder).clock(time).callLogSink(e -> { }).build();
        opened.add(gate);
        Supplier<Optional<Duration>> age = recorder.keySets.get(TestTokens.ISSUER);
        assertThat(age.get()).isEmpty();

        run(gate, TestRequest.get("/orders").bearer(token()), Requirement.authenticated());
        time.advance(Duration.ofSeconds(42));

        assertThat(age.get()).contains(Duration.ofSeconds(42));
        assertThat(recorder.events).contains("start jwks " + idp.jwksUri(), "end jwks ok");
    }

    @Test
    void validateWhenTheApplicationsOwnValidatorThenReportedAsCustom() {
        TokenGate gate = TokenGate.builder().validator(t -> {
                    throw new InvalidTokenException("no");
                })
                .observer(recorder).callLogSink(e -> { }).build();

        run(gate, TestRequest.get("/x").bearer("abc"), Requirement.authenticated());

        assertThat(recorder.events).containsExactly("start validation custom", "end validation invalid",
                "decided deny invalid_token");
    }

    @Test
    void observerWhenSeveralThenEachIsToldAndScopesEndInReverseOrder() {
        Recorder second = new Recorder();
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        GateObserver first = new GateObserver() {
            @Override
            public Observation validating(ValidationKind kind) {
                return result -> order.add("first");
            }
        };
        GateObserver last = new GateObserver() {
            @Override
            public Observation validating(ValidationKind kind) {
                return result -> order.add("last");
            }
        };
        TokenGate gate = TokenGate.builder().validator(TokenGateTest::validate)
                .observer(first).observer(second).observer(last).callLogSink(e -> { }).build();

        run(gate, TestRequest.get("/x").bearer("good.token.value"), Requirement.authenticated());

        assertThat(second.events).containsExactly("start validation custom", "end validation ok", "decided allow -");
        assertThat(order).containsExactly("last", "first");
        assertThat(GateObserver.of(List.of())).isSameAs(GateObserver.none());
        assertThat(GateObserver.of(List.of(second))).isSameAs(second);
    }

    /** Writes what it is told as lines, in order, across threads. */
    static final class Recorder implements GateObserver {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final List<Decision> decisions = Collections.synchronizedList(new ArrayList<>());
        final Map<String, Supplier<CacheStats>> caches = Collections.synchronizedMap(new LinkedHashMap<>());
        final Map<String, Supplier<Optional<Duration>>> keySets = Collections.synchronizedMap(new LinkedHashMap<>());

        @Override
        public void decided(Decision decision) {
            decisions.add(decision);
            events.add("decided " + decision.outcome() + " " + decision.errorCode().orElse("-"));
        }

        @Override
        public Observation validating(ValidationKind kind) {
            events.add("start validation " + kind.value());
            return result -> events.add("end validation " + result.value());
        }

        @Override
        public Observation calling(Upstream upstream, String target) {
            events.add("start " + upstream.value() + " " + target);
            return result -> events.add("end " + upstream.value() + " " + result.value());
        }

        @Override
        public Executor propagating(Executor executor) {
            return executor;
        }

        @Override
        public void keySet(String issuer, Supplier<Optional<Duration>> age) {
            keySets.put(issuer, age);
        }

        @Override
        public void cache(String cache, Supplier<CacheStats> stats) {
            caches.put(cache, stats);
        }

        @Override
        public void rateLimited() {
            events.add("rate limited");
        }

        @Override
        public void anomaly(String rule) {
            events.add("anomaly " + rule);
        }
    }
}
