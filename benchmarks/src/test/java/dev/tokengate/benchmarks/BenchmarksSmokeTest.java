package dev.tokengate.benchmarks;

import dev.tokengate.TokenValidator;
import dev.tokengate.benchmarks.BenchTokens.Alg;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.validate.CachingTokenValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
                .addProfiler(GCProfiler.class) // allocation per operation: does not depend on the machine's load
                .shouldFailOnError(true)
                .result(dir.resolve("smoke.json").toString())
                .resultFormat(org.openjdk.jmh.results.format.ResultFormatType.JSON)
                .build();

        Collection<RunResult> results = new Runner(options).run();

        // 10 validation contestants (9 and the cache miss path alone) x 3 algorithms, 2 introspection variants
        assertThat(results).hasSize(10 * 3 + 2);
        // The allocation figures as a sanity check (one short in-process iteration: rough, but not timing).
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            if (name.startsWith("tokengate")) {
                double bytes = r.getSecondaryResults().get("gc.alloc.rate.norm").getScore();
                System.out.printf("allocation %s %s: %.0f B/op%n", name, r.getParams().getParam("alg"), bytes);
                assertThat(bytes).as("B/op of %s", name).isPositive();
            }
        }
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

    /**
     * Fresh tokens end to end: the benchmark server (Jetty, Jersey, the filter, the JAX-RS feature and the filter with
     * the policy chain on), each token sent once to each protected endpoint. Prints requests/s and the server's
     * allocation per request as figures; asserts only that every fresh token was validated and accepted, and a
     * tampered one refused.
     */
    @Test
    void freshTokensEndToEndThroughTheFilterAndJaxRs(@TempDir Path dir) throws Exception {
        int count = 200;
        org.eclipse.jetty.server.Server server = EndToEndServer.start(0, dir, count);
        try {
            int port = ((org.eclipse.jetty.server.ServerConnector) server.getConnectors()[0]).getLocalPort();
            List<String> tokens = Files.readAllLines(dir.resolve("unique.txt"));
            HttpClient client = HttpClient.newHttpClient();
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            for (String path : List.of("/servlet/hello", "/jaxrs/hello", "/chain/hello")) {
                URI uri = URI.create("http://127.0.0.1:" + port + path);
                long allocatedBefore = allocated(threads);
                long start = System.nanoTime();
                for (String token : tokens) {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri)
                            .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(response.statusCode()).as("a fresh token at %s", path).isEqualTo(200);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("fresh tokens end to end %s: %d requests, %.0f requests/s (one client, in the test "
                        + "JVM: a sanity figure), %.1f KB allocated per request in the JVM%n", path, count,
                        count / seconds, (allocated(threads) - allocatedBefore) / 1024.0 / count);
                String tampered = tokens.get(0).substring(0, tokens.get(0).length() - 4) + "AAAA";
                assertThat(client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + tampered).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).as("a tampered token at %s", path).isEqualTo(401);
            }
        } finally {
            server.stop();
        }
    }

    /** Bytes allocated so far by every live thread of this JVM (server and client). */
    private static long allocated(com.sun.management.ThreadMXBean threads) {
        long sum = 0;
        for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            sum += Math.max(0, bytes);
        }
        return sum;
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
