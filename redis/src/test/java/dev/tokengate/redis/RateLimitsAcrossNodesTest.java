package dev.tokengate.redis;

import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.log.CallEvent;
import dev.tokengate.redis.testing.RedisServerProcess;
import dev.tokengate.redis.testing.RedisInspector;
import dev.tokengate.redis.testing.SharedRedis;
import dev.tokengate.servlet.TokenGateFilter;
import dev.tokengate.testing.CapturingSink;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One per-token rate limit kept by three nodes together: three gates, each behind its own Jetty with the servlet
 * filter, configured by their keys ({@code tokengate.rate-limit.per-token}, {@code tokengate.redis.uri}), a real JWKS
 * on loopback signing the tokens, and one moved clock for all three nodes. The machine's Redis holds the bucket (a key
 * prefix of this class's own, deleted after); the outage uses a {@code redis-server} of the test's own.
 */
class RateLimitsAcrossNodesTest {

    private static final String RULES = "GET /api/* = read";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static String prefix;
    private static LoopbackIssuer idp;

    private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final FakeTime time = new FakeTime(t0);
    private final List<Node> nodes = new ArrayList<>();
    private LogCapture logs;
    private String token;
    private final List<String> tokens = new ArrayList<>();

    @BeforeAll
    static void startIssuer() {
        SharedRedis.require();
        prefix = SharedRedis.newPrefix();
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    }

    @AfterAll
    static void stopIssuer() {
        if (idp != null) {
            idp.close();
            SharedRedis.deleteKeys(prefix);
        }
    }

    @BeforeEach
    void start() {
        logs = LogCapture.start();
        token = TestTokens.jwt().clock(time).expiresAt(t0.plus(Duration.ofDays(1))).scope("read").sign();
        tokens.add(token);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            for (Node node : nodes) {
                node.close();
            }
            for (String t : tokens) {
                assertThat(logs.text()).as("no log line holds a raw token").doesNotContain(t);
            }
        } finally {
            logs.close();
        }
    }

    @Test
    void tenPerMinuteSharedByThreeNodesAdmitsTenThenEachNodeAnswers429UntilTheNextWindow() throws Exception {
        List<Node> three = List.of(node(SharedRedis.URI, "shared", "fail-open"),
                node(SharedRedis.URI, "shared", "fail-open"), node(SharedRedis.URI, "shared", "fail-open"));

        for (int i = 0; i < 10; i++) {
            HttpResponse<String> response = three.get(i % 3).get();
            assertThat(response.statusCode()).as("request %d, on node %d", i + 1, i % 3).isEqualTo(200);
        }
        for (Node node : three) {
            HttpResponse<String> refused = node.get();
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("60");
            assertThat(refused.headers().firstValue("RateLimit-Policy")).hasValue("\"per-token\";q=10;w=60");
            assertThat(refused.headers().firstValue("RateLimit")).hasValue("\"per-token\";r=0;t=60");
            assertThat(node.last.marks()).contains("rate_limited");
        }
        try (RedisInspector redis = RedisInspector.of(SharedRedis.URI)) {
            assertThat(redis.commands().keys(prefix + "rl:*")).as("one key for the one bucket").singleElement()
                    .satisfies(key -> {
                        assertThat(key).startsWith(prefix + "rl:per-token:").doesNotContain(token);
                        // expires 10 s after the bucket would be full again
                        assertThat(redis.commands().pttl(key)).isPositive().isLessThanOrEqualTo(70_000);
                    });
        }

        time.advance(Duration.ofSeconds(30));
        HttpResponse<String> halfway = three.get(1).get();
        assertThat(halfway.statusCode()).isEqualTo(429);
        assertThat(halfway.headers().firstValue("Retry-After")).hasValue("30");

        time.advance(Duration.ofSeconds(30));
        for (int i = 0; i < 10; i++) {
            assertThat(three.get((i + 2) % 3).get().statusCode()).as("the next window, request %d", i + 1)
                    .isEqualTo(200);
        }
        assertThat(three.get(0).get().statusCode()).isEqualTo(429);
    }

    @Test
    void whileRedisIsDownAFailClosedNodeAnswers503WithRetryAfterThenSharesOneBucketAgain() throws Exception {
        try (RedisServerProcess own = RedisServerProcess.create()) {
            Node a = node(own.uri(), "shared", "fail-closed");
            Node b = node(own.uri(), "shared", "fail-closed");
            assertThat(a.get().statusCode()).isEqualTo(200);

            own.stop();
            HttpResponse<String> refused = b.get();
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(refused.body()).contains("temporarily_unavailable");

            own.start();
            // Lettuce reconnects after a back-off, and the nodes read the revocation list anew: bounded, no timing
            for (Node node : List.of(a, b)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (node.get(token).statusCode() == 503) {
                    assertThat(System.nanoTime()).as("served again within 30 s").isLessThan(deadline);
                    Thread.onSpinWait();
                }
            }
            // one bucket in Redis for both nodes again (a token of its own: the calls above are not counted in it)
            String another = TestTokens.jwt().clock(time).expiresAt(t0.plus(Duration.ofDays(1))).scope("read")
                    .subject("bob").sign();
            tokens.add(another);
            int admitted = 0;
            for (int i = 0; i < 14; i++) {
                if ((i % 2 == 0 ? a : b).get(another).statusCode() == 200) {
                    admitted++;
                }
            }
            assertThat(admitted).as("one shared bucket of 10 again").isEqualTo(10);
        }
    }

    private Node node(String redisUri, String rateLimit, String onFailure) throws Exception {
        Node node = new Node(Map.of(
                ConfigKeys.RATE_LIMIT_PER_TOKEN, "10/1m",
                ConfigKeys.REDIS_URI, redisUri,
                ConfigKeys.REDIS_KEY_PREFIX, prefix,
                ConfigKeys.REDIS_RATE_LIMIT, rateLimit,
                ConfigKeys.REDIS_ON_FAILURE, onFailure));
        nodes.add(node);
        return node;
    }

    /** One gate behind its own Jetty on a loopback port, and what its call log was told. */
    private final class Node implements AutoCloseable {
        final CapturingSink sink = new CapturingSink();
        CallEvent last;
        final TokenGate gate;
        final Server server = new Server();
        final URI base;

        Node(Map<String, String> extra) throws Exception {
            Map<String, String> keys = new HashMap<>(Map.of(
                    ConfigKeys.JWT_ISSUER, TestTokens.ISSUER,
                    ConfigKeys.JWT_JWKS_URI, idp.jwksUri().toString(),
                    ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE));
            keys.putAll(extra);
            this.gate = TokenGate.builder().config(ConfigSource.of(keys, Map.of(), new Properties()))
                    .clock(time).callLogSink(sink).build();
            ServletContextHandler context = new ServletContextHandler("/");
            context.addFilter(new FilterHolder(new TokenGateFilter(gate, UrlRules.parse(RULES))), "/*",
                    EnumSet.of(DispatcherType.REQUEST));
            context.addServlet(new ServletHolder(new HttpServlet() {
                @Override
                protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                    response.getWriter().write("ok");
                }
            }), "/*");
            ServerConnector connector = new ServerConnector(server, 1, 1);
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);
            server.setHandler(context);
            server.start();
            this.base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
        }

        HttpResponse<String> get() throws Exception {
            return get(token);
        }

        /** One request; the call log's event of it is then in {@link #last}. */
        HttpResponse<String> get(String bearer) throws Exception {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/orders"))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + bearer).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            last = sink.next(); // the event may come just after the response
            assertThat(last.status()).isEqualTo(response.statusCode());
            return response;
        }

        @Override
        public void close() throws Exception {
            server.stop();
            gate.close();
        }
    }
}
