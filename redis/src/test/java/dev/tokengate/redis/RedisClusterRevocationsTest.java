package dev.tokengate.redis;

import dev.tokengate.TokenGate;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.control.Revocation;
import dev.tokengate.redis.testing.RedisClusterProcess;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import static dev.tokengate.redis.GateNode.await;

/**
 * Cluster mode: two gates configured by keys alone ({@code tokengate.redis.uri} naming the three masters of a Redis
 * Cluster the test starts, found through the service loader) share their revocations: the scripts run on the one
 * slot their keys hash to, the announcements reach the other node.
 */
class RedisClusterRevocationsTest {

    private static RedisClusterProcess cluster;
    private static LoopbackIssuer idp;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = RedisClusterProcess.create();
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (idp != null) {
            idp.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static GateNode node(String name) throws Exception {
        Map<String, String> keys = Map.of(
                "tokengate.jwt.issuer", TestTokens.ISSUER,
                "tokengate.jwt.jwks-uri", idp.jwksUri().toString(),
                "tokengate.jwt.audience", TestTokens.AUDIENCE,
                ConfigKeys.REDIS_URI, cluster.uris(),
                ConfigKeys.REDIS_KEY_PREFIX, "cluster-test:");
        return GateNode.start(name, TokenGate.builder().config(ConfigSource.of(keys, Map.of(), new Properties())).build());
    }

    @Test
    void aRevocationOnOneNodeIsRefusedByTheOtherOnACluster() throws Exception {
        List<GateNode> nodes = new ArrayList<>();
        try {
            nodes.add(node("A"));
            nodes.add(node("B"));
            String jti = "jti-" + UUID.randomUUID();
            String jwt = TestTokens.jwt().scope("read").tokenId(jti).sign();
            for (GateNode node : nodes) {
                node.assertStatus(jwt, 200, "before the revocation");
            }
            CountDownLatch toldB = nodes.get(1).told(r -> r.value().equals(jti));

            nodes.get(0).gate().revocations().revoke(Revocation.Target.TOKEN_ID, jti, "stolen",
                    Instant.now().plus(TestTokens.LIFETIME));
            await(toldB, "B was told of A's revocation");

            for (GateNode node : nodes) {
                node.assertStatus(jwt, 401, "revoked on A");
            }
            try (GateNode late = node("C")) {
                late.assertStatus(jwt, 401, "a node started later reads the list from the cluster");
            }
        } finally {
            for (GateNode node : nodes) {
                node.close();
            }
        }
    }
}
