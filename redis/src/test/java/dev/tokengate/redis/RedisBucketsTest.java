package dev.tokengate.redis;

import dev.tokengate.ErrorResponse;
import dev.tokengate.Outcome;
import dev.tokengate.TokenGate;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Rate;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.control.RateLimits;
import dev.tokengate.log.CallEvent;
import dev.tokengate.redis.testing.CommandMonitor;
import dev.tokengate.redis.testing.RedisClusterProcess;
import dev.tokengate.redis.testing.RedisServerProcess;
import dev.tokengate.redis.testing.SharedRedis;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestRequest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rate limits shared by several gates through Redis, on a test clock: one limit for all nodes, the round trips a
 * request costs (counted by Redis itself, on a server of the test's own so that no other test's commands count),
 * {@code local-first} within its documented bound, both failure modes while that server is stopped, a hung server
 * (frozen: the timeout applies), and a Redis Cluster of three masters.
 */
class RedisBucketsTest {

    private static final Instant NOW = Instant.parse("2029-03-01T09:30:00Z");
    private static RedisServerProcess own;
    private final FakeTime time = new FakeTime(NOW);
    private final List<CallEvent> events = new ArrayList<>();
    private final List<TokenGate> gates = new ArrayList<>();
    private final String prefix = SharedRedis.newPrefix();

    @BeforeAll
    static void startOwnServer() throws Exception {
        own = RedisServerProcess.create();
    }

    @AfterAll
    static void stopOwnServer() throws Exception {
        if (own != null) {
            own.close();
        }
    }

    @AfterEach
    void closeGates() {
        gates.forEach(TokenGate::close);
    }

    /** Tokens "alice-bot-1": subject-client-n. */
    private static VerifiedToken validate(String token) {
        String[] parts = token.split("-");
        return VerifiedToken.builder(VerifiedToken.Kind.JWT).subject(parts[0]).clientId(parts[1])
                .scopes(List.of("read")).expiresAt(NOW.plus(Duration.ofDays(1))).build();
    }

    private TokenGate gate(RedisSettings settings, RateLimits limits) {
        TokenGate gate = TokenGate.builder().validator(RedisBucketsTest::validate).rateLimits(limits)
                .sharedControl(RedisControl.connect(settings.withKeyPrefix(prefix), time))
                .callLogSink(events::add).clock(time).build();
        gates.add(gate);
        return gate;
    }

    private static ErrorResponse call(TokenGate gate, String token) {
        TokenGate.Call call = gate.begin(TestRequest.get("/api/orders").bearer(token));
        int status = 200;
        try {
            if (call.authorize(Requirement.authenticated()) instanceof Outcome.Rejected r) {
                ErrorResponse response = call.errorResponse(r.error());
                status = response.status();
                return response;
            }
            return null;
        } finally {
            call.finish(status);
        }
    }

    private static RateLimits perToken(String rate) {
        return RateLimits.builder().perToken(Rate.parse(rate)).build();
    }

    @Test
    void oneLimitForThreeNodesAdmitsExactlyItsSizeThenEachNodeAnswers429UntilTheWindowEnds() {
        SharedRedis.require();
        try {
            RedisSettings settings = RedisSettings.of(SharedRedis.URI);
            List<TokenGate> nodes = List.of(gate(settings, perToken("10/1m")), gate(settings, perToken("10/1m")),
                    gate(settings, perToken("10/1m")));
            int admitted = 0;
            for (int i = 0; i < 10; i++) {
                if (call(nodes.get(i % 3), "alice-bot-1") == null) {
                    admitted++;
                }
            }
            assertThat(admitted).isEqualTo(10);
            for (TokenGate node : nodes) {
                ErrorResponse refused = call(node, "alice-bot-1");
                assertThat(refused).isNotNull();
                assertThat(refused.status()).isEqualTo(429);
                assertThat(refused.headers()).containsEntry("Retry-After", "60")
                        .containsEntry("RateLimit-Policy", "\"per-token\";q=10;w=60")
                        .containsEntry("RateLimit", "\"per-token\";r=0;t=60");
            }
            assertThat(call(nodes.get(0), "bob-bot-1")).as("another token has its own bucket").isNull();

            time.advance(Duration.ofMinutes(1));
            assertThat(call(nodes.get(2), "alice-bot-1")).as("the next window").isNull();
        } finally {
            SharedRedis.deleteKeys(prefix);
        }
    }

    @Test
    void anAllowedRequestCostsOneRoundTripWhenNoOtherNodeCameBetweenAndTwoWhenOneDid() throws Exception {
        RedisSettings settings = RedisSettings.of(own.uri());
        TokenGate a = gate(settings, perToken("1000/1m"));
        TokenGate b = gate(settings, perToken("1000/1m"));
        assertThat(call(a, "alice-bot-1")).isNull(); // the bucket is made (a read, a first write)
        assertThat(call(b, "alice-bot-1")).isNull(); // b reads it once
        assertThat(call(a, "alice-bot-1")).isNull(); // a finds it changed by b: swaps from what the script answered

        try (CommandMonitor monitor = CommandMonitor.open(own.port())) {
            for (int i = 0; i < 50; i++) {
                assertThat(call(a, "alice-bot-1")).isNull();
            }
            List<String> sent = monitor.sent();
            assertThat(sent.size()).as("commands of 50 requests on one node").isEqualTo(50);
            assertThat(sent).allMatch(c -> c.contains("\"EVAL\""));

            for (int i = 0; i < 50; i++) {
                assertThat(call(i % 2 == 0 ? b : a, "alice-bot-1")).isNull();
            }
            // each request finds the bucket changed by the other node: the swap fails, answering the state it found,
            // and the retry swaps from it; never a GET
            List<String> alternating = monitor.sent();
            assertThat(alternating.size()).as("commands of 50 requests alternating between two nodes").isEqualTo(100);
            assertThat(alternating).allMatch(c -> c.contains("\"EVAL\""));
        }
    }

    @Test
    void aRefusalTheNodesCopyAlreadyShowsCostsNoRoundTripAndAnotherNodesCostsOne() throws Exception {
        RedisSettings settings = RedisSettings.of(own.uri());
        TokenGate a = gate(settings, perToken("3/1m"));
        TokenGate b = gate(settings, perToken("3/1m"));
        assertThat(admitted(List.of(a), "kate-bot-1", 3)).isEqualTo(3);
        try (CommandMonitor monitor = CommandMonitor.open(own.port())) {
            for (int i = 0; i < 5; i++) {
                assertThat(call(a, "kate-bot-1").status()).isEqualTo(429);
            }
            assertThat(monitor.sent()).as("refusals decided on a's copy of the exhausted bucket").isEmpty();

            assertThat(call(b, "kate-bot-1").status()).isEqualTo(429);
            assertThat(monitor.sent()).as("b has no copy yet: one read").singleElement()
                    .satisfies(c -> assertThat(c).contains("\"GET\""));
        }
    }

    @Test
    void localFirstSyncsInBatchesAndAdmitsAtMostTheDocumentedBoundAcrossThreeNodes() throws Exception {
        RedisSettings settings = RedisSettings.of(own.uri()).withRateLimit(RedisSettings.RateLimitMode.LOCAL_FIRST);
        List<TokenGate> nodes = List.of(gate(settings, perToken("100/1m")), gate(settings, perToken("100/1m")),
                gate(settings, perToken("100/1m")));
        int first;
        int second;
        long roundTrips;
        try (CommandMonitor monitor = CommandMonitor.open(own.port())) {
            first = admitted(nodes, "carol-bot-1", 300);
            roundTrips = monitor.sent().size();
            time.advance(Duration.ofMinutes(1));
            second = admitted(nodes, "carol-bot-1", 300);
        }
        // the bound of RedisBuckets' javadoc: N + nodes x max(1, N / 20) = 100 + 3 x 5 in one window; what a window
        // admitted beyond N is counted in Redis and taken from the next: 2N + 15 over two
        assertThat(first).isBetween(100, 115);
        assertThat(second).isBetween(100 - 15, 115);
        assertThat(first + second).isLessThanOrEqualTo(215);
        // a node syncs once per max(1, N / 20) + 1 = 6 calls it admits (its refusals are answered from its copy),
        // and once more on its first call, after a read: each sync is two swaps here (the other nodes synced since,
        // so the first swap fails answering the state it found, and the retry succeeds)
        assertThat(roundTrips).as("round trips for 300 requests").isLessThanOrEqualTo(2 * (first / 6 + 3) + 3);
        System.out.printf("local-first, 100/1m on 3 nodes, 300 requests a window: %d then %d admitted, %d Redis "
                + "commands in the first window%n", first, second, roundTrips);
    }

    @Test
    void localFirstSyncsAfterASecondOnTheGatesClockEvenWithinItsShare() throws Exception {
        RedisSettings settings = RedisSettings.of(own.uri()).withRateLimit(RedisSettings.RateLimitMode.LOCAL_FIRST);
        TokenGate a = gate(settings, perToken("100/1m"));
        TokenGate b = gate(settings, perToken("100/1m"));
        try (CommandMonitor monitor = CommandMonitor.open(own.port())) {
            assertThat(call(a, "hank-bot-1")).isNull();
            assertThat(monitor.sent()).as("a new bucket: a read, then the first write").hasSize(2);
            assertThat(call(a, "hank-bot-1")).isNull();
            assertThat(monitor.sent()).as("within the node's share of 5: no round trip").isEmpty();
            for (int i = 0; i < 20; i++) {
                assertThat(call(b, "hank-bot-1")).isNull();
            }
            monitor.sent();

            time.advance(Duration.ofMillis(1001));
            assertThat(call(a, "hank-bot-1")).isNull();
            // a second after its last sync on the gate's clock: the node syncs; its copy is stale (b wrote since), so
            // the swap answers what Redis holds and the retry swaps from it
            assertThat(monitor.sent()).hasSize(2).allMatch(c -> c.contains("\"EVAL\""));
        }
    }

    private static int admitted(List<TokenGate> nodes, String token, int requests) {
        int admitted = 0;
        for (int i = 0; i < requests; i++) {
            if (call(nodes.get(i % nodes.size()), token) == null) {
                admitted++;
            }
        }
        return admitted;
    }

    @Test
    void whileRedisIsDownFailOpenCountsOnEachNodeAndWarnsOnceThenSharesAgain() throws Exception {
        RedisSettings settings = RedisSettings.of(own.uri()).withOnFailure(RedisSettings.OnFailure.FAIL_OPEN);
        TokenGate a = gate(settings, perToken("3/1m"));
        assertThat(call(a, "dave-bot-1")).isNull();
        own.stop();
        try (LogCapture log = LogCapture.start()) {
            int admitted = 0;
            for (int i = 0; i < 5; i++) {
                if (call(a, "dave-bot-1") == null) {
                    admitted++;
                }
            }
            assertThat(admitted).as("the node's own bucket of 3").isEqualTo(3);
            assertThat(log.lines(RateLimits.class.getName()))
                    .filteredOn(l -> l.contains("cannot reach the shared rate-limit buckets")).hasSize(1);
        } finally {
            own.start();
        }
        // the server came back empty: the shared bucket starts full again
        awaitReconnected(a, "erin-bot-1");
        int admitted = 0;
        for (int i = 0; i < 5; i++) {
            if (call(a, "dave-bot-1") == null) {
                admitted++;
            }
        }
        assertThat(admitted).isEqualTo(3);
    }

    @Test
    void whileRedisIsDownFailClosedAnswers503WithRetryAfter() throws Exception {
        RedisSettings settings = RedisSettings.of(own.uri()).withOnFailure(RedisSettings.OnFailure.FAIL_CLOSED);
        TokenGate a = gate(settings, perToken("3/1m"));
        assertThat(call(a, "frank-bot-1")).isNull();
        own.stop();
        try {
            ErrorResponse refused = call(a, "frank-bot-2");
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.headers()).containsKey("Retry-After");
            assertThat(refused.body()).contains("temporarily_unavailable");
        } finally {
            own.start();
        }
    }

    @Test
    void aHungRedisCountsAsDownOnceTheTimeoutHasPassedThenSharesAgain() throws Exception {
        RedisSettings settings = RedisSettings.of(own.uri()).withTimeout(Duration.ofMillis(200))
                .withOnFailure(RedisSettings.OnFailure.FAIL_OPEN);
        TokenGate a = gate(settings, perToken("3/1m"));
        TokenGate b = gate(settings, perToken("3/1m"));
        assertThat(call(a, "ivan-bot-1")).isNull();
        own.pause();
        try (LogCapture log = LogCapture.start()) {
            // each limited call waits for the timeout (200 ms; the connection stays open), then counts locally
            assertThat(admitted(List.of(a), "ivan-bot-1", 5)).as("the node's own bucket of 3").isEqualTo(3);
            assertThat(log.lines(RateLimits.class.getName()))
                    .filteredOn(l -> l.contains("cannot reach the shared rate-limit buckets")).hasSize(1);
        } finally {
            own.resume();
        }
        assertThat(admitted(List.of(a, b), "judy-bot-1", 6)).as("one shared bucket of 3 for both nodes again")
                .isEqualTo(3);
    }

    @Test
    void oneLimitOnARedisClusterOfThreeMastersEachBucketInTheSlotOfItsKey() throws Exception {
        try (RedisClusterProcess cluster = RedisClusterProcess.create()) {
            RedisSettings settings = RedisSettings.of(cluster.uris());
            assertThat(settings.cluster()).isTrue();
            List<TokenGate> nodes = List.of(gate(settings, perToken("2/1m")), gate(settings, perToken("2/1m")),
                    gate(settings, perToken("2/1m")));
            for (int t = 0; t < 12; t++) {
                assertThat(admitted(nodes, "user" + t + "-bot-1", 3)).as("token %d: 2 of 3 across the nodes", t)
                        .isEqualTo(2);
            }
            int masters = 0;
            int keys = 0;
            for (RedisServerProcess master : cluster.nodes()) {
                RedisClient client = RedisClient.create(RedisURI.create(master.uri()));
                try (StatefulRedisConnection<String, String> c = client.connect()) {
                    int here = c.sync().keys(prefix + "rl:*").size();
                    keys += here;
                    masters += here > 0 ? 1 : 0;
                } finally {
                    client.shutdown();
                }
            }
            assertThat(keys).as("one key per bucket").isEqualTo(12);
            assertThat(masters).as("the buckets spread over the masters").isGreaterThan(1);
        }
    }

    /**
     * Waits until the gate's connection is back (Lettuce reconnects on its own, after a back-off): calls with a
     * throw-away token until the server sees a command of the buckets (not a connection's handshake, which comes
     * before the connection takes commands, nor the revocation store's). Bounded; the start-up of a server, not a
     * timing.
     */
    private void awaitReconnected(TokenGate gate, String token) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (CommandMonitor monitor = CommandMonitor.open(own.port())) {
            while (System.nanoTime() < deadline) {
                call(gate, token);
                // a bucket's command: not a connection's handshake, nor the revocation store's resynchronisation
                if (monitor.sent().stream().anyMatch(command -> !command.contains("\"HELLO\"")
                        && !command.contains("\"CLIENT\"") && !command.contains("revocations"))) {
                    return;
                }
                Thread.onSpinWait();
            }
        }
        throw new AssertionError("the gate did not reconnect to Redis within 30 s");
    }

}
