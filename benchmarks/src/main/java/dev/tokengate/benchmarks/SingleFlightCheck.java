package dev.tokengate.benchmarks;

import dev.tokengate.introspection.IntrospectionValidator;
import dev.tokengate.testkit.LoopbackIssuer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Single flight: {@value #THREADS} threads present the same fresh opaque token at once, released together by a
 * latch, to one introspection validator over an endpoint that answers after 5 ms; counts the upstream calls for
 * that token. Repeated for several fresh tokens.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.tokengate.benchmarks.SingleFlightCheck [ROUNDS]}; prints one line per
 * round and a summary line {@code single-flight: ...}. Exits 1 if any round made other than one call.
 */
public final class SingleFlightCheck {

    static final int THREADS = 100;

    private SingleFlightCheck() {
    }

    /** The number of upstream calls in each round. */
    public static List<Integer> run(int rounds) throws Exception {
        List<Integer> calls = new ArrayList<>();
        try (LoopbackIssuer server = LoopbackIssuer.start().clientAuthentication(false)
                .delay(Duration.ofMillis(IntrospectionBenchmark.DELAY_MILLIS))
                .introspectionAnswer(IntrospectionBenchmark.activeAnswer())) {
            IntrospectionValidator validator = IntrospectionBenchmark.validator(server).build();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                for (int round = 0; round < rounds; round++) {
                    String token = "opaque-" + UUID.randomUUID();
                    CountDownLatch ready = new CountDownLatch(THREADS);
                    CountDownLatch go = new CountDownLatch(1);
                    List<Future<?>> results = new ArrayList<>();
                    for (int t = 0; t < THREADS; t++) {
                        results.add(pool.submit(() -> {
                            ready.countDown();
                            go.await();
                            return validator.validate(token);
                        }));
                    }
                    ready.await();
                    go.countDown();
                    for (Future<?> result : results) {
                        result.get(30, TimeUnit.SECONDS);
                    }
                    calls.add(server.introspections(token));
                }
            } finally {
                pool.shutdownNow();
            }
        }
        return calls;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true"); // see IntrospectionBenchmark
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        List<Integer> calls = run(rounds);
        boolean met = calls.stream().allMatch(c -> c == 1);
        System.out.println("single-flight: " + THREADS + " threads x " + rounds + " fresh tokens, upstream calls per token: "
                + calls + " -> " + (met ? "exactly 1 every time (target met)" : "TARGET MISSED"));
        System.exit(met ? 0 : 1);
    }
}
