package dev.tokengate.redis;

import dev.tokengate.TokenGate;
import dev.tokengate.control.Revocation;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.redis.testing.RedisServerProcess;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestTokens;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import static dev.tokengate.redis.GateNode.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis goes away and comes back empty, with two nodes on it: a Redis server of the test's own
 * ({@link RedisServerProcess}, never the shared one), stopped and started again on its port. No revocation is lost in
 * either mode: one made during the outage is refused at once where it was made, queued, written and announced on
 * recovery; one made before the outage is written back by the nodes that hold it. In {@code fail-closed} both nodes
 * answer 503 with {@code Retry-After} until they have read the list again. Every wait is on a latch or a future.
 */
class RedisOutageTest extends TwoNodeOutage {

    private void startNodes(RedisSettings.OnFailure onFailure) throws Exception {
        startNodes(onFailure, control -> TokenGate.builder()
                .issuer(JwtValidator.builder().issuer(TestTokens.ISSUER).audiences(TestTokens.AUDIENCE)
                        .keySource(KeySources.jwks(idp.jwksUri()).build()))
                .sharedControl(control).build());
    }

    private static String jwt(String jti) {
        return TestTokens.jwt().scope("read").tokenId(jti).sign();
    }

    private static Instant tokenExpiry() {
        return Instant.now().plus(TestTokens.LIFETIME);
    }

    /** Revokes on A before the outage and waits until B is told: both refuse it. */
    private void revokeBeforeTheOutage(String jti) throws Exception {
        CountDownLatch toldB = b().told(r -> r.value().equals(jti));
        a().gate().revocations().revoke(Revocation.Target.TOKEN_ID, jti, "before the outage", tokenExpiry());
        await(toldB, "B was told before the outage");
    }

    private List<String> fieldsInRedis() {
        RedisClient client = RedisClient.create(RedisURI.create(server.uri()));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return List.copyOf(c.sync().hkeys("outage:{outage:revocations}:entries"));
        } finally {
            client.shutdown();
        }
    }

    @Test
    void failOpenWhenARevocationIsMadeDuringAnOutageThenRefusedThereAtOnceAndEverywhereAfterRecovery()
            throws Exception {
        startNodes(RedisSettings.OnFailure.FAIL_OPEN);
        String before = "jti-before-" + UUID.randomUUID();
        String during = "jti-during-" + UUID.randomUUID();
        String untouched = jwt("jti-untouched-" + UUID.randomUUID());
        revokeBeforeTheOutage(before);
        for (GateNode node : nodes) {
            node.assertStatus(jwt(during), 200, "before the outage");
        }

        try (LogCapture logs = LogCapture.start()) {
            stopRedisAndWaitUntilBothNodesKnow();
            a().gate().revocations().revoke(Revocation.Target.TOKEN_ID, during, "revoked during the outage",
                    tokenExpiry());
            a().gate().revocations().revoke(Revocation.Target.SUBJECT, "eve-" + UUID.randomUUID(), "a second one",
                    null);

            a().assertStatus(jwt(during), 401, "revoked here during the outage");
            b().assertStatus(jwt(during), 200, "fail-open: B serves from its mirror, which has not heard of it yet");
            for (GateNode node : nodes) {
                node.assertStatus(jwt(before), 401, "revoked before the outage, held in the mirror");
                node.assertStatus(untouched, 200, "never revoked");
            }
            assertThat(logs.lines(RedisRevocationStore.class.getName()).stream()
                    .filter(l -> l.startsWith("tokengate cannot write revocations"))).as("one WARN for the outage")
                    .hasSize(1);

            CountDownLatch toldB = b().told(r -> r.value().equals(during));
            server.start(); // empty: nothing is kept on disk
            await(toldB, "B was told of the queued revocation after the recovery");
            waitUntilBothNodesHaveReadTheListAgain();
        }

        for (GateNode node : nodes) {
            node.assertStatus(jwt(during), 401, "revoked during the outage, after the recovery");
            node.assertStatus(jwt(before), 401, "revoked before the outage, after Redis came back empty");
            node.assertStatus(untouched, 200, "never revoked");
        }
        assertThat(fieldsInRedis()).as("written again to the empty Redis")
                .contains("token_id:" + before, "token_id:" + during);
    }

    @Test
    void failClosedDuringAnOutageBothNodesAnswer503WithRetryAfterAndAfterRecoveryTheRightTokensPass()
            throws Exception {
        startNodes(RedisSettings.OnFailure.FAIL_CLOSED);
        String before = "jti-before-" + UUID.randomUUID();
        String during = "jti-during-" + UUID.randomUUID();
        String untouched = jwt("jti-untouched-" + UUID.randomUUID());
        revokeBeforeTheOutage(before);
        for (GateNode node : nodes) {
            node.assertStatus(untouched, 200, "before the outage");
            node.assertStatus(jwt(during), 200, "before the outage");
        }

        stopRedisAndWaitUntilBothNodesKnow();
        a().gate().revocations().revoke(Revocation.Target.TOKEN_ID, during, "revoked during the outage",
                tokenExpiry());
        for (GateNode node : nodes) {
            for (String token : List.of(untouched, jwt(during))) {
                HttpResponse<String> r = node.assertStatus(token, 503, "fail-closed during the outage");
                assertThat(r.headers().firstValue("Retry-After")).as(node + ": Retry-After").isPresent();
            }
        }

        CountDownLatch toldB = b().told(r -> r.value().equals(during));
        server.start();
        await(toldB, "B was told of the queued revocation after the recovery");
        waitUntilBothNodesHaveReadTheListAgain();

        for (GateNode node : nodes) {
            node.assertStatus(untouched, 200, "never revoked, after the recovery");
            node.assertStatus(jwt(during), 401, "revoked during the outage, after the recovery");
            node.assertStatus(jwt(before), 401, "revoked before the outage, after Redis came back empty");
        }
    }
}
