package dev.tokengate.redis.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fixtures the fault and cluster tests stand on: a server that stops and comes back, a three-master cluster. */
class RedisFixturesTest {

    @Test
    void aServerStopsAndComesBackEmptyOnItsPort() throws Exception {
        try (RedisServerProcess server = RedisServerProcess.create()) {
            RedisClient client = RedisClient.create(RedisURI.create(server.uri()));
            try {
                try (StatefulRedisConnection<String, String> c = client.connect()) {
                    c.sync().set("k", "v");
                    assertThat(c.sync().get("k")).isEqualTo("v");
                }
                server.stop();
                assertThat(server.running()).isFalse();
                assertThatThrownBy(client::connect).isInstanceOf(io.lettuce.core.RedisConnectionException.class);
                server.start();
                try (StatefulRedisConnection<String, String> c = client.connect()) {
                    assertThat(c.sync().get("k")).isNull();
                }
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void threeMastersServeEverySlot() throws Exception {
        try (RedisClusterProcess cluster = RedisClusterProcess.create()) {
            List<RedisURI> seeds = new ArrayList<>();
            for (String uri : cluster.uris().split(",")) {
                seeds.add(RedisURI.create(uri));
            }
            RedisClusterClient client = RedisClusterClient.create(seeds);
            try (StatefulRedisClusterConnection<String, String> c = client.connect()) {
                for (int i = 0; i < 30; i++) {
                    c.sync().set("key-" + i, "v" + i);
                }
                assertThat(c.sync().clusterInfo()).contains("cluster_state:ok", "cluster_known_nodes:3");
                for (RedisServerProcess node : cluster.nodes()) { // the keys are spread over the three masters
                    assertThat(c.getConnection("127.0.0.1", node.port()).sync().dbsize()).isPositive();
                }
            } finally {
                client.shutdown();
            }
        }
    }
}
