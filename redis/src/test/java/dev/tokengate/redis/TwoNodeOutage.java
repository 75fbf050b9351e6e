package dev.tokengate.redis;

import dev.tokengate.TokenGate;
import dev.tokengate.redis.testing.RedisServerProcess;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testkit.LoopbackIssuer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static dev.tokengate.redis.GateNode.GENEROUS;

/**
 * The set-up of an outage test: two nodes, A and B, on a Redis server of the test's own ({@link RedisServerProcess},
 * never the shared one) that the test stops and starts again on its port, and an issuer on loopback for their JWTs.
 * Every wait is on a future.
 */
abstract class TwoNodeOutage {

    /** The test's own Redis. */
    RedisServerProcess server;
    /** The issuer of the nodes' JWTs (a JWKS on loopback). */
    LoopbackIssuer idp;
    /** A and B, once {@link #startNodes started}. */
    final List<GateNode> nodes = new ArrayList<>();
    private final List<RedisRevocationStore> stores = new ArrayList<>();

    @BeforeEach
    void startRedisAndIssuer() throws Exception {
        server = RedisServerProcess.create();
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    }

    @AfterEach
    void stopAll() throws Exception {
        for (GateNode node : nodes) {
            node.close();
        }
        if (idp != null) {
            idp.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Starts A and B, each with a gate of its own on a connection of its own (key prefix {@code outage:}). */
    void startNodes(RedisSettings.OnFailure onFailure, Function<RedisControl, TokenGate> gate) throws Exception {
        for (String name : List.of("A", "B")) {
            RedisControl control = RedisControl.connect(RedisSettings.of(server.uri()).withKeyPrefix("outage:")
                    .withOnFailure(onFailure), Clock.systemUTC());
            GateNode node = GateNode.start(name, gate.apply(control));
            nodes.add(node);
            stores.add(node.store(control));
        }
    }

    GateNode a() {
        return nodes.get(0);
    }

    GateNode b() {
        return nodes.get(1);
    }

    /** Stops Redis and waits until both nodes' connections know (commands then fail at once). */
    void stopRedisAndWaitUntilBothNodesKnow() throws Exception {
        server.stop();
        waitUntilBothNodesAre(false);
    }

    /** Waits until both nodes are connected again and have read the list again. */
    void waitUntilBothNodesHaveReadTheListAgain() throws Exception {
        waitUntilBothNodesAre(true);
    }

    private void waitUntilBothNodesAre(boolean inSync) throws Exception {
        for (RedisRevocationStore store : stores) {
            store.whenInSync(inSync).get(GENEROUS.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
