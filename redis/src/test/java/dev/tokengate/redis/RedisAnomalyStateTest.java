package dev.tokengate.redis;

import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.control.Anomaly;
import dev.tokengate.control.SharedAnomalyState.Recorded;
import dev.tokengate.control.SharedAnomalyState.Seen;
import dev.tokengate.redis.testing.RedisClusterProcess;
import dev.tokengate.redis.testing.SharedRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The anomaly state's Lua script on the machine's Redis (and once on a three-master cluster): bounded, windowed,
 * expiring sets per token and rule, and exactly one record told that it crossed the limit.
 */
class RedisAnomalyStateTest {

    private static final Instant T0 = Instant.parse("2029-03-01T09:30:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(10);
    private static final String TOKEN = "a1b2c3d4e5f6";

    private static String prefix;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;
    private static RedisCommands<String, String> redis;
    private RedisConnections connections;
    private RedisAnomalyState state;

    @BeforeAll
    static void connect() {
        SharedRedis.require();
        prefix = SharedRedis.newPrefix();
        client = RedisClient.create(RedisURI.create(SharedRedis.URI));
        connection = client.connect();
        redis = connection.sync();
    }

    @AfterAll
    static void deleteKeys() {
        if (client != null) {
            connection.close();
            client.shutdown();
            SharedRedis.deleteKeys(prefix);
        }
    }

    @BeforeEach
    void open() {
        connections = RedisConnections.connect(RedisSettings.config(ConfigSource.of(Map.of(ConfigKeys.REDIS_URI,
                SharedRedis.URI, ConfigKeys.REDIS_KEY_PREFIX, prefix))));
        state = new RedisAnomalyState(connections);
    }

    @AfterEach
    void close() {
        connections.close();
    }

    private Recorded networks(String token, Instant now, String... networks) {
        List<Seen> seen = java.util.Arrays.stream(networks).map(n -> new Seen(n, now.toEpochMilli())).toList();
        return state.record(Anomaly.Rule.NETWORKS, token, seen, now, WINDOW, 3);
    }

    private static List<String> values(Recorded r) {
        return r.entries().stream().map(Seen::value).toList();
    }

    @Test
    void theRecordThatTakesTheSetOverTheLimitIsToldSoAndTheSetKeepsOnlyMaxPlusOne() {
        String token = "0f0f0f0f0f01";
        assertThat(networks(token, T0, "198.51.100.0/24").crossed()).isFalse();
        assertThat(networks(token, T0.plusSeconds(1), "203.0.113.0/24").crossed()).isFalse();
        assertThat(networks(token, T0.plusSeconds(2), "192.0.2.0/24").crossed()).isFalse();
        Recorded fourth = networks(token, T0.plusSeconds(3), "100.64.0.0/24");
        assertThat(fourth.crossed()).isTrue();
        assertThat(values(fourth)).as("the last seen first")
                .containsExactly("100.64.0.0/24", "192.0.2.0/24", "203.0.113.0/24", "198.51.100.0/24");
        assertThat(fourth.entries().get(0).seenAt()).isEqualTo(T0.plusSeconds(3).toEpochMilli());

        Recorded fifth = networks(token, T0.plusSeconds(4), "2001:db8:1:0:0:0:0:0/48");
        assertThat(fifth.crossed()).as("over already: not told again").isFalse();
        assertThat(values(fifth)).as("bounded: the least recently seen is dropped")
                .containsExactly("2001:db8:1:0:0:0:0:0/48", "100.64.0.0/24", "192.0.2.0/24", "203.0.113.0/24");

        String key = prefix + "anomaly:networks:" + token;
        assertThat(redis.zcard(key)).isEqualTo(4);
        assertThat(redis.pttl(key)).isPositive().isLessThanOrEqualTo(WINDOW.toMillis());
        assertThat(redis.keys(prefix + "*")).allSatisfy(k -> assertThat(k).startsWith(prefix + "anomaly:"));
    }

    @Test
    void anEntryHeldKeepsItsLaterTimeAndTheSetForgetsWhatLeftTheWindow() {
        String token = "0f0f0f0f0f02";
        networks(token, T0.plusSeconds(60), "198.51.100.0/24");
        Recorded late = state.record(Anomaly.Rule.NETWORKS, token, List.of(new Seen("198.51.100.0/24",
                T0.toEpochMilli())), T0.plusSeconds(61), WINDOW, 3); // a node whose use was earlier
        assertThat(late.entries()).containsExactly(new Seen("198.51.100.0/24", T0.plusSeconds(60).toEpochMilli()));

        networks(token, T0.plusSeconds(120), "203.0.113.0/24", "192.0.2.0/24");
        Instant t = T0.plusSeconds(60).plus(WINDOW); // 198.51.100.0/24 was seen a whole window ago: out
        Recorded after = networks(token, t, "100.64.0.0/24");
        assertThat(values(after)).containsExactlyInAnyOrder("100.64.0.0/24", "192.0.2.0/24", "203.0.113.0/24")
                .first().isEqualTo("100.64.0.0/24");
        assertThat(after.crossed()).isFalse();
        assertThat(redis.zscore(prefix + "anomaly:networks:" + token, "198.51.100.0/24")).isNull();

        Recorded again = networks(token, t, "198.51.100.0/24"); // back: four within the window, a new crossing
        assertThat(again.crossed()).isTrue();
    }

    @Test
    void aNodeReportsSeveralNetworksInOneRecordAndAnEntryAlreadyOutOfTheWindowIsNotAdded() {
        String token = "0f0f0f0f0f03";
        Recorded r = state.record(Anomaly.Rule.NETWORKS, token, List.of(
                new Seen("198.51.100.0/24", T0.toEpochMilli()),
                new Seen("203.0.113.0/24", T0.plusSeconds(5).toEpochMilli()),
                new Seen("192.0.2.0/24", T0.minus(WINDOW).toEpochMilli())), T0.plusSeconds(5), WINDOW, 1);
        assertThat(values(r)).containsExactly("203.0.113.0/24", "198.51.100.0/24");
        assertThat(r.crossed()).isTrue();
    }

    @Test
    void denialsAreASetOfTheirOwnPerToken() {
        Recorded first = state.record(Anomaly.Rule.DENIALS, TOKEN, List.of(new Seen("n1-1", T0.toEpochMilli())), T0,
                Duration.ofMinutes(1), 1);
        Recorded second = state.record(Anomaly.Rule.DENIALS, TOKEN, List.of(new Seen("n2-1", T0.toEpochMilli())),
                T0, Duration.ofMinutes(1), 1);
        assertThat(first.crossed()).isFalse();
        assertThat(second.crossed()).isTrue();
        assertThat(second.entries()).hasSize(2);
        assertThat(redis.zcard(prefix + "anomaly:denials:" + TOKEN)).isEqualTo(2);
        assertThat(redis.exists(prefix + "anomaly:networks:" + TOKEN)).isZero();
    }

    @Test
    void aRecordThatAddsAnEntryTheSetDidNotHoldSaysSo() {
        String token = "0f0f0f0f0f04";
        Duration week = Duration.ofDays(7);
        Recorded us = state.record(Anomaly.Rule.COUNTRIES, token, List.of(new Seen("US", T0.toEpochMilli())), T0,
                week, 7);
        assertThat(us.added()).isTrue();
        Recorded again = state.record(Anomaly.Rule.COUNTRIES, token, List.of(new Seen("US", T0.toEpochMilli() + 1)),
                T0.plusMillis(1), week, 7);
        assertThat(again.added()).isFalse();
        Recorded nl = state.record(Anomaly.Rule.COUNTRIES, token, List.of(new Seen("NL", T0.toEpochMilli() + 2)),
                T0.plusMillis(2), week, 7);
        assertThat(nl.added()).isTrue();
        assertThat(nl.crossed()).isFalse();
        assertThat(values(nl)).containsExactly("NL", "US");
    }

    @Test
    void onARedisClusterEachTokensSetLivesOnItsSlotAndTheScriptIsLoadedWhereItIsMissing() throws Exception {
        try (RedisClusterProcess cluster = RedisClusterProcess.create()) {
            RedisConnections onCluster = RedisConnections.connect(RedisSettings.config(ConfigSource.of(Map.of(
                    ConfigKeys.REDIS_URI, cluster.uris()))));
            try {
                RedisAnomalyState clustered = new RedisAnomalyState(onCluster);
                for (int i = 0; i < 12; i++) {
                    String token = String.format("%012x", i);
                    for (int n = 1; n <= 3; n++) {
                        Recorded r = clustered.record(Anomaly.Rule.NETWORKS, token, List.of(new Seen("192.0." + n
                                + ".0/24", T0.toEpochMilli())), T0, WINDOW, 2);
                        assertThat(r.crossed()).as("token %s, network %d", token, n).isEqualTo(n == 3);
                        assertThat(r.entries()).hasSize(n);
                    }
                }
                for (var node : cluster.nodes()) { // the tokens' sets are spread over the three masters
                    RedisClient direct = RedisClient.create(RedisURI.create(node.uri()));
                    try (StatefulRedisConnection<String, String> c = direct.connect()) {
                        assertThat(c.sync().dbsize()).as(node.uri()).isPositive();
                    } finally {
                        direct.shutdown();
                    }
                }
            } finally {
                onCluster.close();
            }
        }
    }
}
