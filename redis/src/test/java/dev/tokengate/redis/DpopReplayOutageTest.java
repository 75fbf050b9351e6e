package dev.tokengate.redis;

import dev.tokengate.log.CallEvent;
import dev.tokengate.redis.testing.RedisInspector;
import dev.tokengate.redis.testing.RedisServerProcess;
import dev.tokengate.testing.LogCapture;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.tokengate.redis.DpopReplayAcrossNodesTest.behindTheLoadBalancer;
import static dev.tokengate.redis.DpopReplayAcrossNodesTest.boundToken;
import static dev.tokengate.redis.DpopReplayAcrossNodesTest.dpopRequest;
import static dev.tokengate.redis.DpopReplayAcrossNodesTest.proof;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared DPoP replay cache while Redis is down, with two nodes on a Redis server of the test's own
 * ({@link RedisServerProcess}), stopped and started again: {@code fail-closed} answers a request with a proof 503
 * (never {@code invalid_token} or {@code invalid_dpop_proof}), {@code fail-open} goes on with each node's own cache,
 * which still refuses the replays it has seen. Every wait is on a future.
 */
class DpopReplayOutageTest extends TwoNodeOutage {

    private final List<CallEvent> events = new CopyOnWriteArrayList<>();

    private void startNodes(RedisSettings.OnFailure onFailure) throws Exception {
        startNodes(onFailure, control -> behindTheLoadBalancer(idp, control).callLogSink(events::add).build());
    }

    private void restartRedis() throws Exception {
        server.start();
        waitUntilBothNodesHaveReadTheListAgain();
    }

    private static void assertStatus(HttpResponse<String> response, int status, String why) {
        assertThat(response.statusCode()).as(why + " (" + response.body() + ")").isEqualTo(status);
    }

    @Test
    void failClosedWhileRedisIsDownAProofIsAnswered503AndAfterRecoveryAcceptedOnceAcrossNodes() throws Exception {
        startNodes(RedisSettings.OnFailure.FAIL_CLOSED);
        String token = boundToken();
        assertStatus(a().call(dpopRequest(token, proof(token))), 200, "before the outage");

        stopRedisAndWaitUntilBothNodesKnow();
        String duringTheOutage = proof(token);
        for (GateNode node : nodes) {
            HttpResponse<String> r = node.call(dpopRequest(token, duringTheOutage));
            assertStatus(r, 503, node + ": fail-closed while the replay cache cannot be reached");
            assertThat(r.headers().firstValue("Retry-After")).as(node + ": Retry-After").contains("5");
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(node + ": not the client's fault").isEmpty();
        }
        CallEvent refused = events.get(events.size() - 1);
        assertThat(refused.marks()).contains("dpop", "shared_state_unavailable");
        assertThat(refused.reason()).hasValueSatisfying(r -> assertThat(r).contains("DPoP replay cache"));

        restartRedis();
        assertStatus(b().call(dpopRequest(token, duringTheOutage)), 200,
                "the proof refused with 503 was never used: accepted once Redis is back");
        HttpResponse<String> replay = a().call(dpopRequest(token, duringTheOutage));
        assertStatus(replay, 401, "then a replay on the other node");
        assertThat(replay.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("invalid_dpop_proof");
    }

    @Test
    void failOpenWhileRedisIsDownEachNodeRefusesTheReplaysItHasSeenAndAfterRecoveryAllAgain() throws Exception {
        startNodes(RedisSettings.OnFailure.FAIL_OPEN);
        String token = boundToken();

        try (LogCapture logs = LogCapture.start()) {
            stopRedisAndWaitUntilBothNodesKnow();
            String proof = proof(token);
            assertStatus(a().call(dpopRequest(token, proof)), 200, "fail-open: A goes on with its own cache");
            HttpResponse<String> replay = a().call(dpopRequest(token, proof));
            assertStatus(replay, 401, "A's own cache still refuses the replay");
            assertThat(replay.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("invalid_dpop_proof",
                    "used before");
            assertStatus(b().call(dpopRequest(token, proof)), 200,
                    "fail-open's price: B has not seen the proof and cannot ask Redis");
            assertThat(logs.lines(dev.tokengate.jwt.DpopVerifier.class.getName()).stream()
                    .filter(l -> l.startsWith("tokengate cannot reach the shared DPoP replay cache")))
                    .as("one WARN per node for the outage").hasSize(2);
            assertThat(logs.text()).doesNotContain(token).doesNotContain(proof);
        }

        restartRedis();
        try (RedisInspector redis = RedisInspector.of(server.uri())) {
            String proof = proof(token);
            assertStatus(a().call(dpopRequest(token, proof)), 200, "after the recovery");
            long sets = redis.commandCalls().getOrDefault("set", 0L);
            assertStatus(a().call(dpopRequest(token, proof)), 401, "a replay on the same node");
            assertThat(redis.commandCalls().getOrDefault("set", 0L)).as("caught by A's own cache: no round trip")
                    .isEqualTo(sets);
            assertStatus(b().call(dpopRequest(token, proof)), 401, "and on the other node, through Redis");
            assertThat(redis.commands().keys("outage:dpop:*")).hasSize(1);
        }
    }
}
