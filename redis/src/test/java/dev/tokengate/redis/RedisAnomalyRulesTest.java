package dev.tokengate.redis;

import dev.tokengate.TokenGate;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.control.Anomaly;
import dev.tokengate.control.AnomalyRules;
import dev.tokengate.control.Revocations;
import dev.tokengate.policy.PolicyDecision;
import dev.tokengate.policy.RequestFacts;
import dev.tokengate.policy.TokenPolicy;
import dev.tokengate.control.Revocation;
import dev.tokengate.log.CallEvent;
import dev.tokengate.log.Fingerprints;
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
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The anomaly rules of two nodes (two gates, each behind its own Jetty, on one Redis) counting together: a real JWKS
 * on loopback signs the tokens, loopback is the trusted proxy and its {@code X-Forwarded-For} plays clients on other
 * networks, and one moved clock stands for both nodes'. The machine's Redis serves the ordinary tests (a key prefix of
 * this class's own, deleted after); the command count and the outages use a {@code redis-server} of the test's own.
 */
class RedisAnomalyRulesTest {

    private static final String RULES = "GET /api/admin/* = admin; GET /api/* = read";
    private static final Duration WINDOW = Duration.ofMinutes(10);
    private static final String N1 = "198.51.100.7";
    private static final String N2 = "203.0.113.9";
    private static final String N3 = "192.0.2.1";
    private static final String N4 = "100.64.0.1";
    private static final String N5 = "100.64.1.1";
    private static final String N6 = "100.64.2.1";
    private static final String N7 = "100.64.3.1";

    /** The DB-IP Lite country database the build downloads (see the parent pom: download-maven-plugin). */
    private static final java.nio.file.Path DBIP = java.nio.file.Path.of("target/geoip/package/dbip-country.mmdb");
    private static final String US = "8.8.8.8";
    private static final String NL = "193.0.6.139";

    private static String prefix;
    private static LoopbackIssuer idp;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final FakeTime time = new FakeTime(t0);
    private final List<AutoCloseable> closing = new ArrayList<>();
    private LogCapture logs;
    private String token;

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
    }

    @AfterEach
    void stop() throws Exception {
        try {
            for (int i = closing.size() - 1; i >= 0; i--) {
                closing.get(i).close();
            }
            assertThat(logs.text()).doesNotContain(token);
        } finally {
            logs.close();
        }
    }

    // ---- the networks rule across nodes

    @Test
    void networksSeenHalfOnEachNodeFireOnceOnTheNodeThatSawTheFourth() throws Exception {
        Node a = node(Map.of());
        Node b = node(Map.of());
        assertThat(a.call(N1).marks()).isEmpty();
        assertThat(a.call(N2).marks()).isEmpty();
        assertThat(b.call(N3).marks()).isEmpty();
        CallEvent fourth = b.call(N4);

        assertThat(fourth.status()).isEqualTo(200);
        assertThat(fourth.marks()).containsExactly("anomaly:networks");
        assertThat(b.anomalies).singleElement().satisfies(x -> {
            assertThat(x.rule()).isEqualTo(Anomaly.Rule.NETWORKS);
            assertThat(x.action()).isEqualTo(Anomaly.Action.LOG);
            assertThat(x.count()).isEqualTo(4);
            assertThat(x.seen()).containsExactlyInAnyOrder("198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24",
                    "100.64.0.0/24");
            assertThat(x.clientAddress()).isEqualTo(N4);
            assertThat(x.description()).contains("used from 4 networks within 10m (at most 3 allowed)");
        });
        assertThat(a.anomalies).isEmpty();

        CallEvent onA = a.call(N5); // new to A: A asks Redis, learns the token is over, and does not report it again
        assertThat(onA.status()).isEqualTo(200);
        assertThat(onA.marks()).containsExactly("anomaly:networks");
        assertThat(a.anomalies).isEmpty();
        assertThat(b.anomalies).hasSize(1);
        assertThat(logs.lines("dev.tokengate.control.AnomalyRules")).singleElement()
                .satisfies(l -> assertThat(l).startsWith("tokengate anomaly networks: token "
                        + b.anomalies.get(0).tokenFingerprint()));

        String key = prefix + "anomaly:networks:" + b.anomalies.get(0).tokenFingerprint();
        try (RedisInspector redis = RedisInspector.of(SharedRedis.URI)) {
            assertThat(redis.commands().zrevrange(key, 0, -1)).as("bounded to max + 1, the last seen kept")
                    .containsExactly("100.64.1.0/24", "100.64.0.0/24", "192.0.2.0/24", "203.0.113.0/24");
            assertThat(redis.commands().pttl(key)).isPositive().isLessThanOrEqualTo(WINDOW.toMillis());
            assertThat(redis.commands().keys(prefix + "anomaly:*")).contains(key)
                    .allSatisfy(k -> assertThat(k).doesNotContain(token));
        }
    }

    @Test
    void networksWithActionRevokeRefuseTheTokenOnTheNodeThatSawTheFourth() throws Exception {
        Map<String, String> revoke = Map.of(ConfigKeys.ANOMALY_ACTION, "revoke");
        Node a = node(revoke);
        Node b = node(revoke);
        assertThat(a.call(N1).status()).isEqualTo(200);
        assertThat(a.call(N2).status()).isEqualTo(200);
        assertThat(b.call(N3).status()).isEqualTo(200);
        java.util.concurrent.CountDownLatch toldA = new java.util.concurrent.CountDownLatch(1);
        a.gate.revocations().onRevoke(r -> toldA.countDown());

        HttpResponse<String> fourth = b.get("/api/accounts/1", N4);
        CallEvent refused = b.sink.next();
        assertThat(fourth.statusCode()).isEqualTo(401);
        assertThat(fourth.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("error=\"invalid_token\"", "unusual way"));
        assertThat(refused.marks()).containsExactly("anomaly:networks", "revoked");
        assertThat(b.anomalies).singleElement().satisfies(x -> assertThat(x.action())
                .isEqualTo(Anomaly.Action.REVOKE));
        assertThat(b.gate.revocations().list()).singleElement().satisfies(r -> {
            assertThat(r.target()).isEqualTo(Revocation.Target.TOKEN_ID);
            assertThat(r.reason()).startsWith("anomaly networks: used from 4 networks");
        });
        CallEvent again = b.call(N3); // a known network: refused all the same
        assertThat(again.status()).isEqualTo(401);
        assertThat(again.marks()).containsExactly("revoked");
        assertThat(a.anomalies).isEmpty();
        // the revocation reaches the other node through the shared revocation list
        assertThat(toldA.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("A told of B's revocation").isTrue();
        CallEvent onA = a.call(N1);
        assertThat(onA.status()).isEqualTo(401);
        assertThat(onA.marks()).containsExactly("revoked");
    }

    @Test
    void repeatCallsFromKnownNetworksSendNoCommandToRedis() throws Exception {
        try (RedisServerProcess server = RedisServerProcess.create(); RedisInspector redis = RedisInspector.of(server.uri())) {
            Node a = node(server, "fail-open");
            Node b = node(server, "fail-open");
            a.call(N1);
            a.call(N2);
            b.call(N3); // B learns N1 and N2 from Redis's answer
            Map<String, Long> before = redis.commandCalls();
            for (int i = 0; i < 10; i++) {
                assertThat(a.call("198.51.100." + (10 + i)).status()).isEqualTo(200);
                assertThat(a.call(N2).status()).isEqualTo(200);
                assertThat(b.call(N1).status()).isEqualTo(200);
                assertThat(b.call(N2).status()).isEqualTo(200);
                assertThat(b.call("192.0.2." + (10 + i)).status()).isEqualTo(200);
            }
            assertThat(delta(before, redis.commandCalls())).as("50 repeat calls on two nodes").isEmpty();

            assertThat(a.call(N4).status()).isEqualTo(200); // a network new to A: one script, and the 4th network
            Map<String, Long> one = delta(before, redis.commandCalls());
            assertThat(one).containsEntry("evalsha", 1L); // Redis also counts the commands its script ran
            assertThat(one.keySet()).isSubsetOf("evalsha", "zremrangebyscore", "zcard", "zscore", "zadd",
                    "zremrangebyrank", "pexpire", "zrevrange");
            assertThat(a.anomalies).singleElement().satisfies(x -> assertThat(x.count()).isEqualTo(4));
            assertThat(b.anomalies).isEmpty();
        }
    }

    @Test
    void networksOutOfTheWindowOfTheMovedClockNoLongerCountOnAnyNode() throws Exception {
        Node a = node(Map.of());
        Node b = node(Map.of());
        a.call(N1);
        a.call(N2);
        b.call(N3);
        time.advance(WINDOW); // N1, N2, N3 leave the window on both nodes and in Redis
        assertThat(b.call(N4).marks()).isEmpty();
        assertThat(a.call(N1).marks()).isEmpty(); // new again to A
        assertThat(b.call(N2).marks()).isEmpty();
        assertThat(a.anomalies).isEmpty();
        assertThat(b.anomalies).isEmpty();

        assertThat(a.call(N3).marks()).containsExactly("anomaly:networks");
        assertThat(a.anomalies).singleElement().satisfies(x -> assertThat(x.seen()).containsExactlyInAnyOrder(
                "100.64.0.0/24", "198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24"));
        assertThat(b.anomalies).isEmpty();
    }

    @Test
    void aNetworkInSteadyUseOnOneNodeIsReportedAgainAfterHalfTheWindowAndKeepsCountingOnTheOther()
            throws Exception {
        Node a = node(Map.of());
        Node b = node(Map.of());
        a.call(N1);
        long first = time.millis();
        String key = prefix + "anomaly:networks:" + Fingerprints.fingerprint(Fingerprints.sha256(token));
        try (RedisInspector redis = RedisInspector.of(SharedRedis.URI)) {
            assertThat(redis.commands().zscore(key, "198.51.100.0/24")).isEqualTo((double) first);

            time.advance(Duration.ofMinutes(4));
            a.call(N1); // reported 4 minutes ago: not due
            assertThat(redis.commands().zscore(key, "198.51.100.0/24")).isEqualTo((double) first);

            time.advance(Duration.ofMinutes(2));
            a.call(N1); // reported over 5 minutes ago: reported again
            long second = time.millis();
            assertThat(redis.commands().zscore(key, "198.51.100.0/24")).isEqualTo((double) second);

            time.advance(Duration.ofMinutes(6)); // the first report has left the window; the second has not
            b.call(N2);
            b.call(N3);
            assertThat(b.anomalies).isEmpty();
            assertThat(b.call(N4).marks()).containsExactly("anomaly:networks");
            assertThat(b.anomalies).singleElement().satisfies(x -> assertThat(x.seen()).contains("198.51.100.0/24"));
        }
    }

    // ---- the countries rule across nodes

    @Test
    void countriesSeenOnOtherNodesAreNotNewAndTheNodeThatAddsANewOneFires() throws Exception {
        Map<String, String> countries = Map.of(ConfigKeys.ANOMALY_GEOIP_DATABASE, DBIP.toString());
        Node a = node(countries);
        Node b = node(countries);
        assertThat(a.call(US).marks()).isEmpty(); // the token's first country
        CallEvent nl = b.call(NL);
        assertThat(nl.marks()).containsExactly("anomaly:countries");
        assertThat(b.anomalies).singleElement().satisfies(x -> {
            assertThat(x.rule()).isEqualTo(Anomaly.Rule.COUNTRIES);
            assertThat(x.seen()).containsExactly("US", "NL");
        });
        assertThat(b.call(US).marks()).as("seen on A: not new").isEmpty();
        assertThat(a.call(NL).marks()).as("seen on B: not new").isEmpty();
        assertThat(a.anomalies).isEmpty();
        assertThat(b.anomalies).hasSize(1);
        try (RedisInspector redis = RedisInspector.of(SharedRedis.URI)) {
            String key = prefix + "anomaly:countries:" + Fingerprints.fingerprint(Fingerprints.sha256(token));
            assertThat(redis.commands().zrevrange(key, 0, -1)).containsExactlyInAnyOrder("US", "NL");
            assertThat(redis.commands().pttl(key)).isGreaterThan(Duration.ofDays(6).toMillis());
        }
    }

    // ---- the denials rule across nodes

    @Test
    void denialsOnBothNodesAddUpAndTheNodeWhoseDenialCrossesTheLimitFires() throws Exception {
        Map<String, String> denials = Map.of(ConfigKeys.ANOMALY_MAX_DENIALS, "2/1m");
        Node a = node(denials);
        Node b = node(denials);
        assertThat(a.call("/api/admin/users", N1).status()).isEqualTo(403);
        assertThat(a.call("/api/admin/users", N1).status()).isEqualTo(403);
        assertThat(a.anomalies).isEmpty();
        assertThat(b.call("/api/admin/users", N1).status()).isEqualTo(403);
        assertThat(b.anomalies).singleElement().satisfies(x -> {
            assertThat(x.rule()).isEqualTo(Anomaly.Rule.DENIALS);
            assertThat(x.count()).isEqualTo(3);
        });

        assertThat(a.call("/api/admin/users", N1).status()).isEqualTo(403); // A learns the shared count
        assertThat(a.anomalies).isEmpty();
        CallEvent read = a.call("/api/accounts/1", N1);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.marks()).containsExactly("anomaly:denials");
        assertThat(b.anomalies).hasSize(1);
    }

    // ---- Redis down

    @Test
    void failOpenWhenRedisIsDownTheNodesOwnSketchDecidesAndOnceBackTheCountIsSharedAgain() throws Exception {
        try (RedisServerProcess server = RedisServerProcess.create()) {
            Node a = node(server, "fail-open");
            Node b = node(server, "fail-open");
            a.call(N1);
            a.call(N2);
            b.call(N3); // B's sketch now holds N1, N2 and N3

            server.stop();
            CallEvent fourth = b.call(N4);
            assertThat(fourth.status()).isEqualTo(200);
            assertThat(fourth.marks()).containsExactly("anomaly:networks");
            assertThat(b.anomalies).singleElement().satisfies(x -> assertThat(x.count()).isEqualTo(4));
            CallEvent fifth = b.call(N5);
            assertThat(fifth.marks()).containsExactly("anomaly:networks");
            assertThat(b.anomalies).hasSize(1);
            assertThat(a.call(N1).status()).as("a known network needs no Redis").isEqualTo(200);
            assertThat(logs.lines("dev.tokengate.control.AnomalyRules"))
                    .filteredOn(l -> l.startsWith("tokengate cannot reach the shared anomaly state")).as("one WARN")
                    .singleElement().satisfies(l -> assertThat(l)
                            .contains("each node applies the anomaly rules to what it sees itself"));

            server.start(); // empty: nothing was saved
            a.awaitConnected();
            b.awaitConnected();
            assertThat(b.call(N4).marks()).containsExactly("anomaly:networks");
            assertThat(b.anomalies).as("the crossing B saw alone is not reported twice").hasSize(1);
            assertThat(logs.lines("dev.tokengate.control.AnomalyRules"))
                    .anySatisfy(l -> assertThat(l).startsWith("tokengate cannot reach the shared anomaly state")
                            .contains("working again"));
            try (RedisInspector redis = RedisInspector.of(server.uri())) {
                assertThat(redis.commands().keys("*anomaly:*")).singleElement().satisfies(k -> assertThat(
                        redis.commands().zrange(k, 0, -1)).as("what B saw during the outage, reported now")
                        .containsExactlyInAnyOrder("100.64.0.0/24", "100.64.1.0/24"));
                assertThat(redis.commandCalls()).as("the restarted Redis was sent the script whole")
                        .containsKey("eval");
            }

            time.advance(WINDOW); // a new episode, counted across the nodes again
            a.call(N1);
            a.call(N2);
            b.call(N6);
            assertThat(b.call(N7).marks()).containsExactly("anomaly:networks");
            assertThat(b.anomalies).hasSize(2).last().satisfies(x -> assertThat(x.seen()).containsExactlyInAnyOrder(
                    "198.51.100.0/24", "203.0.113.0/24", "100.64.2.0/24", "100.64.3.0/24"));
            assertThat(a.anomalies).isEmpty();
        }
    }

    @Test
    void failClosedWhenRedisIsDownARequestFromANewNetworkIsRefusedWith503() throws Exception {
        try (RedisServerProcess server = RedisServerProcess.create()) {
            Node a = node(server, "fail-closed");
            assertThat(a.call(N1).status()).isEqualTo(200);
            assertThat(a.call(N2).status()).isEqualTo(200);

            server.stop();
            HttpResponse<String> refused = a.get("/api/accounts/1", N3);
            CallEvent event = a.sink.next();
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(event.marks()).contains("shared_state_unavailable");
            assertThat(a.anomalies).isEmpty();

            server.start();
            a.awaitConnected();
            assertThat(a.call(N3).status()).isEqualTo(200);
            try (RedisInspector redis = RedisInspector.of(server.uri())) {
                assertThat(redis.commands().keys("*anomaly:networks:*")).singleElement().satisfies(k ->
                        assertThat(redis.commands().zrange(k, 0, -1)).contains("192.0.2.0/24"));
            }
        }
    }

    @Test
    void failClosedThePolicyRefusesWith503OnlyTheRequestsThatNeedRedis() throws Exception {
        try (RedisServerProcess server = RedisServerProcess.create()) {
            RedisControl control = RedisControl.connect(RedisSettings.config(ConfigSource.of(Map.of(
                    ConfigKeys.REDIS_URI, server.uri(), ConfigKeys.REDIS_ON_FAILURE, "fail-closed"))), time);
            closing.add(control);
            List<Anomaly> told = Collections.synchronizedList(new ArrayList<>());
            TokenPolicy policy = AnomalyRules.builder().maxNetworks(1, WINDOW).build()
                    .policy(Revocations.inMemory(time), List.of(told::add), true, time, control).orElseThrow();
            VerifiedToken alice = VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("alice").tokenId("jti-1")
                    .build();
            assertThat(policy.check(alice, request(N1))).isEqualTo(PolicyDecision.allow());

            server.stop();
            assertThat(policy.check(alice, request(N1))).as("a known network needs no Redis")
                    .isEqualTo(PolicyDecision.allow());
            assertThat(policy.check(alice, request(N2))).isInstanceOfSatisfying(PolicyDecision.Deny.class, d -> {
                assertThat(d.error().status()).isEqualTo(503);
                assertThat(d.marks()).containsExactly("shared_state_unavailable");
                assertThat(d.reason()).startsWith("shared anomaly state unreachable (fail-closed): ");
            });
            assertThat(told).isEmpty();
            assertThat(logs.lines("dev.tokengate.control.AnomalyRules")).singleElement().satisfies(l -> assertThat(l)
                    .contains("a request from a network or country new for its token is refused with 503"));

            server.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!control.connected()) {
                assertThat(System.nanoTime()).as("reconnected within 30 s").isLessThan(deadline);
                Thread.onSpinWait();
            }
            assertThat(policy.check(alice, request(N2))).as("N1 and N2: over the limit of 1, though Redis lost N1")
                    .isEqualTo(PolicyDecision.allowMarked("anomaly:networks"));
            assertThat(told).singleElement().satisfies(x -> assertThat(x.seen())
                    .containsExactlyInAnyOrder("198.51.100.0/24", "203.0.113.0/24"));
        }
    }

    private RequestFacts request(String client) {
        time.advance(Duration.ofSeconds(1));
        return RequestFacts.builder().requestId("r-" + time.millis()).method("GET").path("/api/accounts/1")
                .clientAddress(client).time(time.instant()).requirement(Requirement.allOf("read"))
                .tokenFingerprint("0a1b2c3d4e5f").build();
    }

    // ---- fixtures

    /** A node on the machine's Redis, configured by keys (the provider's path), with these extra keys. */
    private Node node(Map<String, String> extra) throws Exception {
        Map<String, String> keys = new HashMap<>(extra);
        keys.put(ConfigKeys.REDIS_URI, SharedRedis.URI);
        keys.put(ConfigKeys.REDIS_KEY_PREFIX, prefix);
        return new Node(keys, null);
    }

    /** A node on a Redis of the test's own, whose connection the test can watch. */
    private Node node(RedisServerProcess server, String onFailure) throws Exception {
        RedisControl control = RedisControl.connect(RedisSettings.config(ConfigSource.of(Map.of(
                ConfigKeys.REDIS_URI, server.uri(), ConfigKeys.REDIS_ON_FAILURE, onFailure))), time);
        return new Node(Map.of(), control);
    }

    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> delta = new HashMap<>();
        after.forEach((command, calls) -> {
            long d = calls - before.getOrDefault(command, 0L);
            if (d != 0 && !command.equals("info")) {
                delta.put(command, d);
            }
        });
        return delta;
    }

    /** One gate behind its own Jetty on a loopback port; what its call log and anomaly listener were told. */
    private final class Node implements AutoCloseable {
        final CapturingSink sink = new CapturingSink();
        final List<Anomaly> anomalies = Collections.synchronizedList(new ArrayList<>());
        final TokenGate gate;
        final RedisControl control;
        final Server server = new Server();
        final URI base;

        Node(Map<String, String> extra, RedisControl control) throws Exception {
            closing.add(this);
            this.control = control;
            Map<String, String> keys = new HashMap<>(Map.of(
                    ConfigKeys.JWT_ISSUER, TestTokens.ISSUER,
                    ConfigKeys.JWT_JWKS_URI, idp.jwksUri().toString(),
                    ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE,
                    ConfigKeys.TRUSTED_PROXIES, "127.0.0.1/32",
                    ConfigKeys.FORWARDED_HEADER, "x-forwarded-for",
                    ConfigKeys.ANOMALY_MAX_NETWORKS, "3/10m"));
            if (extra.containsKey(ConfigKeys.ANOMALY_MAX_DENIALS)) {
                keys.remove(ConfigKeys.ANOMALY_MAX_NETWORKS);
            }
            keys.putAll(extra);
            TokenGate.Builder builder = TokenGate.builder().config(ConfigSource.of(keys, Map.of(), new Properties()))
                    .clock(time).callLogSink(sink).anomalyListener(anomalies::add);
            if (control != null) {
                builder.sharedControl(control);
            }
            this.gate = builder.build();
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

        HttpResponse<String> get(String path, String client) throws Exception {
            time.advance(Duration.ofSeconds(1)); // each call a second after the last: distinct last-seen times
            return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token).header("X-Forwarded-For", client).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        /** One request to a read route from this client; its call-log event. */
        CallEvent call(String client) throws Exception {
            return call("/api/accounts/1", client);
        }

        CallEvent call(String path, String client) throws Exception {
            HttpResponse<String> response = get(path, client);
            CallEvent event = sink.next();
            assertThat(event.status()).isEqualTo(response.statusCode());
            return event;
        }

        /**
         * Waits (bounded) for Lettuce to have reconnected after the test's Redis came back, and for the revocation
         * list to be trusted again (read anew: with fail-closed every request is refused until then).
         */
        void awaitConnected() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!control.connected() || !control.revocationStore().trusted()) {
                assertThat(System.nanoTime()).as("reconnected within 30 s").isLessThan(deadline);
                Thread.onSpinWait();
            }
        }

        @Override
        public void close() throws Exception {
            server.stop();
            gate.close();
        }
    }
}
