package dev.tokengate.benchmarks;

import dev.tokengate.Outcome;
import dev.tokengate.TokenGate;
import dev.tokengate.authorize.Rate;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.benchmarks.BenchTokens.Alg;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.control.Revocation;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestRequest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What sharing token control through Redis costs one request on a verified-token cache hit, against the same gate
 * without Redis, in one run: {@code route=cached} has no rate limit (with Redis on, the revocation check reads the
 * node's mirror of 1,000 entries: no round trip); {@code route=limited} has a per-route limit the benchmark never
 * reaches (with Redis on, one Bucket4j round trip to the machine's Redis per request, {@code tokengate.redis.uri} or
 * {@code -Dtokengate.bench.redis}, default {@code redis://127.0.0.1:6379}). One thread: the latency a request sees.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class RedisOverheadBenchmark {

    @Param({"off", "on"})
    public String redis;

    @Param({"cached", "limited"})
    public String route;

    LoopbackIssuer jwks;
    TokenGate gate;
    TestRequest request;
    Requirement requirement;
    String prefix;

    @Setup(Level.Trial)
    public void setUp() {
        jwks = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa())).cacheControl("max-age=3600");
        Map<String, String> keys = new HashMap<>(Map.of(
                "tokengate.jwt.issuer", BenchTokens.ISSUER,
                "tokengate.jwt.jwks-uri", jwks.jwksUri().toString(),
                "tokengate.jwt.audience", BenchTokens.AUDIENCE,
                "tokengate.jwt.type", "at+jwt"));
        prefix = "tokengate-bench-" + UUID.randomUUID().toString().substring(0, 8) + ":";
        if (redis.equals("on")) {
            keys.put("tokengate.redis.uri", System.getProperty("tokengate.bench.redis", "redis://127.0.0.1:6379"));
            keys.put("tokengate.redis.key-prefix", prefix);
        }
        requirement = route.equals("limited")
                ? Requirement.allOf("orders:read").withRateLimit(Rate.parse("1000000000/1m"))
                : Requirement.allOf("orders:read");
        gate = TokenGate.builder().config(ConfigSource.of(keys, Map.of(), new Properties()))
                .callLogSink(event -> { }).build();
        Instant later = Instant.now().plusSeconds(3600);
        for (int i = 0; i < 500; i++) {
            gate.revocations().revoke(Revocation.Target.TOKEN_ID, "other-" + i, "benchmark", later);
            gate.revocations().revoke(Revocation.Target.SUBJECT, "someone-" + i, "benchmark", later);
        }
        request = TestRequest.get("/balances").bearer(BenchTokens.token(Alg.RS256)).remoteAddress("198.51.100.7");
        if (!(request() instanceof Outcome.Authenticated)) {
            throw new IllegalStateException("the token is refused: the benchmark would measure a refusal");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Revocation r : gate.revocations().list()) {
            gate.revocations().lift(r.target(), r.value());
        }
        gate.close();
        jwks.close();
    }

    @Benchmark
    public Outcome request() {
        TokenGate.Call call = gate.begin(request);
        Outcome outcome = call.authorize(requirement);
        call.finish(200);
        return outcome;
    }
}
