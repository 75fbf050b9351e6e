package dev.tokengate.redis;

import dev.tokengate.TokenGate;
import dev.tokengate.control.Revocation;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.log.Fingerprints;
import dev.tokengate.redis.testing.SharedRedis;
import dev.tokengate.store.IssuedToken;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.TokenKind;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import static dev.tokengate.redis.GateNode.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three gates on three Jetty servers, one Redis (the machine's, a key prefix of this class's own) and one token
 * database (H2 in memory, one database for the three nodes' stores), JWTs from a real loopback JWKS: a revocation made
 * on one node is refused by the others from the moment they are told of it, whatever their caches hold.
 */
class RevocationsAcrossNodesTest {

    private static final String PREFIX = SharedRedis.newPrefix();
    private static final String DATABASE = "jdbc:h2:mem:nodes-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private static JdbcTokenStore admin;
    private static LoopbackIssuer idp;
    private final List<GateNode> nodes = new ArrayList<>();

    @BeforeAll
    static void startServices() {
        SharedRedis.require();
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
        admin = JdbcTokenStore.builder().jdbcUrl(DATABASE).username("sa").build();
        admin.createSchema();
    }

    @AfterAll
    static void stopServices() {
        if (admin != null) {
            admin.close();
        }
        if (idp != null) {
            idp.close();
            SharedRedis.deleteKeys(PREFIX);
        }
    }

    @BeforeEach
    void startNodes() throws Exception {
        for (String name : List.of("A", "B", "C")) {
            TokenGate gate = TokenGate.builder()
                    .issuer(JwtValidator.builder().issuer(TestTokens.ISSUER).audiences(TestTokens.AUDIENCE)
                            .keySource(KeySources.jwks(idp.jwksUri()).build()))
                    .tokenStore(JdbcTokenStore.builder().jdbcUrl(DATABASE).username("sa").build())
                    .storeCacheTtl(Duration.ofSeconds(30))
                    .sharedControl(RedisControl.connect(RedisSettings.of(SharedRedis.URI).withKeyPrefix(PREFIX),
                            Clock.systemUTC()))
                    .build();
            nodes.add(GateNode.start(name, gate));
        }
    }

    @AfterEach
    void stopNodes() throws Exception {
        for (GateNode node : nodes) {
            node.close();
        }
        SharedRedis.deleteKeys(PREFIX);
    }

    private GateNode node(int i) {
        return nodes.get(i);
    }

    @Test
    void aCachedJwtRevokedOnOneNodeIsRefusedByTheOthersOnceTold() throws Exception {
        String jti = "jti-" + UUID.randomUUID();
        String jwt = TestTokens.jwt().scope("read").tokenId(jti).sign();
        String other = TestTokens.jwt().scope("read").tokenId("jti-" + UUID.randomUUID()).sign();
        for (GateNode node : nodes) {
            node.assertStatus(jwt, 200, "before the revocation (now in the verified-token cache)");
        }
        CountDownLatch toldB = node(1).told(r -> r.value().equals(jti));
        CountDownLatch toldC = node(2).told(r -> r.value().equals(jti));

        try (LogCapture logs = LogCapture.start()) {
            node(0).gate().revocations().revoke(Revocation.Target.TOKEN_ID, jti, "stolen laptop",
                    Instant.now().plus(TestTokens.LIFETIME));
            node(0).assertStatus(jwt, 401, "revoked here");

            await(toldB, "B was told of A's revocation");
            await(toldC, "C was told of A's revocation");
            for (GateNode node : nodes.subList(1, 3)) {
                HttpResponse<String> refused = node.assertStatus(jwt, 401, "revoked on A");
                assertThat(refused.headers().firstValue("WWW-Authenticate").orElseThrow())
                        .contains("error=\"invalid_token\"", "This token has been revoked");
                node.assertStatus(other, 200, "another token of the same subject");
            }
            assertThat(logs.text()).doesNotContain(jwt);
        }
    }

    @Test
    void aStoredTokenRevokedOnOneNodeIsRefusedByAnotherAtOnceDespiteItsStoreCacheAndAcceptedOnceLifted()
            throws Exception {
        IssuedToken pat = admin.create(TokenKind.ACCESS_TOKEN, "ci", "alice", null, List.of("read"), List.of(), null);
        String hash = Fingerprints.hex(Fingerprints.sha256(pat.token()));
        node(1).assertStatus(pat.token(), 200, "before the revocation (now in B's store cache for 30 s)");
        CountDownLatch toldB = node(1).told(r -> r.value().equals(hash));

        try (LogCapture logs = LogCapture.start()) {
            node(0).gate().revocations().revokeTokenText(pat.token(), "pasted in a chat", null);
            await(toldB, "B was told of A's revocation");

            node(1).assertStatus(pat.token(), 401, "revoked on A, though B's store cache still holds it");
            node(2).assertStatus(pat.token(), 401, "revoked on A");

            assertThat(node(0).gate().revocations().lift(Revocation.Target.TOKEN, hash)).isTrue();
            // A barrier: B applies A's changes in the order A made them, so once it is told of this one, it has
            // applied the lift before it.
            String barrier = "barrier-" + UUID.randomUUID();
            CountDownLatch barrierOnB = node(1).told(r -> r.value().equals(barrier));
            node(0).gate().revocations().revoke(Revocation.Target.SUBJECT, barrier, "ordering", null);
            await(barrierOnB, "B was told of the revocation after the lift");

            node(1).assertStatus(pat.token(), 200, "lifted on A");
            assertThat(node(1).gate().revocations().list()).extracting(Revocation::value).containsExactly(barrier);
            assertThat(logs.text()).doesNotContain(pat.token());
        }
    }
}
