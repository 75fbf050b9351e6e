package dev.tokengate.benchmarks;

import dev.tokengate.TokenValidator;
import dev.tokengate.benchmarks.BenchTokens.Alg;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.validate.CachingTokenValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CI smoke run: every JMH benchmark, in process, one warm-up and one measurement iteration of 100 ms, so the
 * benchmarks keep compiling and running. The figures mean nothing; {@code benchmarks/run.sh} makes the real ones.
 */
class BenchmarksSmokeTest {

    @Test
    void everyBenchmarkRunsAndEveryContestantAcceptsTheTokens(@TempDir Path dir) throws Exception {
        System.setProperty("tokengate.bench.ring", "256"); // signing 4096 RSA tokens per benchmark is the full run's job
        Options options = new OptionsBuilder()
                .include(TokenValidationBenchmark.class.getSimpleName())
                .include(IntrospectionBenchmark.class.getSimpleName())
                .forks(0)
                .warmupIterations(1)
                .warmupTime(TimeValue.milliseconds(100))
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .result(dir.resolve("smoke.json").toString())
                .resultFormat(org.openjdk.jmh.results.format.ResultFormatType.JSON)
                .build();

        Collection<RunResult> results = new Runner(options).run();

        // 10 validation contestants (9 and the cache miss path alone) x 3 algorithms, 2 introspection variants
        assertThat(results).hasSize(10 * 3 + 2);
        Path md = dir.resolve("micro.md");
        Path png = dir.resolve("chart.png");
        Report.main(new String[] {dir.resolve("smoke.json").toString(), md.toString(), png.toString()});
        assertThat(Files.readString(md)).contains("| raw JCA signature check (floor) |", "#### Targets (RS256, same run)");
        assertThat(Files.size(png)).isPositive();
    }

    @Test
    void firstSeenStackMissesOnAllButAtMostTheCacheSizeOfTheRing() {
        try (LoopbackIssuer jwks = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa(), TestKeys.ec256()))) {
            TokenValidator uncached = Contestants.tokengate(Alg.ES256, jwks);
            AtomicInteger calls = new AtomicInteger();
            CachingTokenValidator firstSeen = Contestants.tokengateCached(token -> {
                calls.incrementAndGet();
                return uncached.validate(token);
            }, TokenValidationBenchmark.MISS_CACHE_SIZE);
            String[] ring = BenchTokens.ring(Alg.ES256, 256);

            for (int lap = 0; lap < 2; lap++) {
                for (String token : ring) {
                    firstSeen.validate(token);
                }
            }

            // TinyLFU keeps the first few entries against a cyclic scan: at most the cache's size of a lap may hit.
            assertThat(calls.get()).as("validations that reached the JWT validator")
                    .isGreaterThanOrEqualTo(2 * ring.length - TokenValidationBenchmark.MISS_CACHE_SIZE);
        }
    }

    @Test
    void tokensAreRealisticAccessTokens() {
        String token = BenchTokens.token(Alg.RS256);
        assertThat(token.length()).isBetween(650, 800);
    }

    @Test
    void singleFlightMakesOneUpstreamCall() throws Exception {
        assertThat(SingleFlightCheck.run(2)).isEqualTo(List.of(1, 1));
    }
}
