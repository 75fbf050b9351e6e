package dev.tokengate.benchmarks;

import dev.tokengate.VerifiedToken;
import dev.tokengate.introspection.IntrospectionValidator;
import dev.tokengate.testkit.LoopbackIssuer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * An opaque token checked by RFC 7662 introspection against an endpoint on loopback that answers after
 * {@value #DELAY_MILLIS} ms, as a real authorization server across a network would: tokengate's introspection
 * validator with its cache (the default) and without it ({@code cacheTtl} zero: one call per validation).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// The JDK's test HTTP server sends headers and body in two writes; without TCP_NODELAY, Nagle and the client's
// delayed ACK add 40 ms to every answer, which no real authorization server does.
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-Dsun.net.httpserver.nodelay=true"})
@State(Scope.Benchmark)
public class IntrospectionBenchmark {

    static final int DELAY_MILLIS = 5;
    static final String TOKEN = "opaque-benchmark-token-2YotnFZFEjr1zCsicMWpAA";

    LoopbackIssuer server;
    IntrospectionValidator cached;
    IntrospectionValidator uncached;

    @Setup(Level.Trial)
    public void setUp() {
        server = LoopbackIssuer.start().clientAuthentication(false).delay(Duration.ofMillis(DELAY_MILLIS)).introspectionAnswer(activeAnswer());
        cached = validator(server).build();
        uncached = validator(server).cacheTtl(Duration.ZERO).build();
        cached.validate(TOKEN);
        uncached.validate(TOKEN);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        server.close();
    }

    static IntrospectionValidator.Builder validator(LoopbackIssuer server) {
        return IntrospectionValidator.builder(server.introspectionUri())
                .clientId("orders-api")
                .clientSecret("benchmark-introspection-secret");
    }

    static String activeAnswer() {
        long now = Instant.now().getEpochSecond();
        return "{\"active\":true,\"sub\":\"alice\",\"client_id\":\"s6BhdRkqt3\",\"scope\":\"orders:read orders:write\","
                + "\"iss\":\"" + BenchTokens.ISSUER + "\",\"aud\":\"" + BenchTokens.AUDIENCE + "\",\"iat\":" + now
                + ",\"exp\":" + (now + BenchTokens.LIFETIME.toSeconds()) + ",\"token_type\":\"Bearer\"}";
    }

    @Benchmark
    public VerifiedToken introspectionCached() {
        return cached.validate(TOKEN);
    }

    @Benchmark
    public VerifiedToken introspectionUncached() {
        return uncached.validate(TOKEN);
    }
}
