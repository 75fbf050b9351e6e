package dev.tokengate.redis;

import dev.tokengate.Outcome;
import dev.tokengate.TokenGate;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.log.Fingerprints;
import dev.tokengate.redis.testing.RedisInspector;
import dev.tokengate.redis.testing.SharedRedis;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.DpopProof;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestRequest;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The DPoP replay cache shared through the machine's Redis (a key prefix of this class's own): two gates on two Jetty
 * servers behind one public URL (a trusted proxy's {@code X-Forwarded-*} headers), DPoP-bound JWTs from a real
 * loopback JWKS. A proof accepted by one node is a replay on the other; Redis holds a hash of the proof's key and
 * {@code jti} until the proof is too old, as the gate's clock counts.
 */
class DpopReplayAcrossNodesTest {

    private static final String PREFIX = SharedRedis.newPrefix();
    /** The URL the clients call, as the load balancer in front of both nodes forwards it. */
    private static final String PUBLIC_URL = "https://api.example.com/api/accounts";
    private static LoopbackIssuer idp;
    private final List<GateNode> nodes = new ArrayList<>();

    @BeforeAll
    static void startIssuer() {
        SharedRedis.require();
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    }

    @AfterAll
    static void stopIssuer() {
        if (idp != null) {
            idp.close();
        }
        SharedRedis.deleteKeys(PREFIX);
    }

    @AfterEach
    void stopNodes() throws Exception {
        for (GateNode node : nodes) {
            node.close();
        }
        nodes.clear();
        SharedRedis.deleteKeys(PREFIX);
    }

    /** A node behind the load balancer (loopback is its trusted proxy), sharing token control through Redis. */
    static TokenGate.Builder behindTheLoadBalancer(LoopbackIssuer idp, RedisControl control) {
        return TokenGate.builder()
                .settings(TokenGateConfig.builder().trustedProxies(List.of("127.0.0.1/32"))
                        .forwardedHeader(TokenGateConfig.ForwardedHeader.X_FORWARDED_FOR).build())
                .issuer(JwtValidator.builder().issuer(TestTokens.ISSUER).audiences(TestTokens.AUDIENCE)
                        .keySource(KeySources.jwks(idp.jwksUri()).build()))
                .sharedControl(control);
    }

    /** A JWT bound to the client's key ({@code cnf.jkt}). */
    static String boundToken() {
        return TestTokens.jwt().scope("read").claim("cnf", Map.of("jkt", DpopProof.thumbprint(TestKeys.ec256())))
                .sign();
    }

    static String proof(String token) {
        return DpopProof.by(TestKeys.ec256()).request("GET", PUBLIC_URL).accessToken(token).sign();
    }

    /** The headers of a DPoP request as the load balancer forwards it. */
    static Map<String, String> dpopRequest(String token, String proof) {
        return Map.of("Authorization", "DPoP " + token, "DPoP", proof, "X-Forwarded-For", "198.51.100.7",
                "X-Forwarded-Proto", "https", "X-Forwarded-Host", "api.example.com");
    }

    private GateNode node(String name) throws Exception {
        GateNode node = GateNode.start(name, behindTheLoadBalancer(idp, RedisControl.connect(
                RedisSettings.of(SharedRedis.URI).withKeyPrefix(PREFIX), Clock.systemUTC())).build());
        nodes.add(node);
        return node;
    }

    /** The replay cache's key of a proof, computed here: SHA-256 of the key's thumbprint, a space and the jti. */
    private static String replayKey(String thumbprint, String jti) {
        return PREFIX + "dpop:" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(Fingerprints.sha256(thumbprint + " " + jti));
    }

    @Test
    void aProofAcceptedOnOneNodeIsRefusedAsAReplayOnTheOther() throws Exception {
        GateNode a = node("A");
        GateNode b = node("B");
        String token = boundToken();
        String proof = proof(token);

        try (LogCapture logs = LogCapture.start()) {
            HttpResponse<String> first = a.call(dpopRequest(token, proof));
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);

            HttpResponse<String> replay = b.call(dpopRequest(token, proof));

            assertThat(replay.statusCode()).isEqualTo(401);
            assertThat(replay.headers().firstValue("WWW-Authenticate").orElseThrow())
                    .contains("DPoP realm=", "error=\"invalid_dpop_proof\"", "was used before");
            HttpResponse<String> fresh = b.call(dpopRequest(token, proof(token)));
            assertThat(fresh.statusCode()).as("a new proof for the same token: " + fresh.body()).isEqualTo(200);
            assertThat(logs.text()).doesNotContain(token).doesNotContain(proof);
        }
    }

    @Test
    void redisKeepsAHashOfTheProofUntilItIsTooOldOnTheGatesClock() {
        // the gate's clock is 40 s behind the machine's: the key's time to live is counted on the gate's
        FakeTime time = new FakeTime(Instant.now().minusSeconds(40));
        String token = "dpop.bound.token";
        String jti = "jti-" + UUID.randomUUID();
        Instant iat = time.instant().minusSeconds(20);
        try (TokenGate gate = TokenGate.builder().clock(time).validator(t -> VerifiedToken
                        .builder(VerifiedToken.Kind.JWT).subject("alice").scopes(List.of("read"))
                        .expiresAt(time.instant().plusSeconds(300))
                        .claims(Map.of("cnf", Map.of("jkt", DpopProof.thumbprint(TestKeys.ec256())))).build())
                .sharedControl(RedisControl.connect(RedisSettings.of(SharedRedis.URI).withKeyPrefix(PREFIX), time))
                .build();
             RedisInspector redis = RedisInspector.of(SharedRedis.URI)) {
            String proof = DpopProof.by(TestKeys.ec256()).clock(time).request("GET", PUBLIC_URL).accessToken(token)
                    .claim("jti", jti).issuedAt(iat).sign();

            TokenGate.Call call = gate.begin(TestRequest.get("/api/accounts").url(PUBLIC_URL).dpop(token, proof));
            Outcome outcome = call.authorize(Requirement.allOf("read"));
            call.finish(200);
            assertThat(outcome).isInstanceOf(Outcome.Authenticated.class);

            String key = replayKey(DpopProof.thumbprint(TestKeys.ec256()), jti);
            assertThat(redis.commands().get(key)).isEqualTo("1");
            // iat + 60 s lifetime + 5 s for the nodes' clocks = 45 s from the gate's now, whatever Redis's clock says
            assertThat(redis.commands().pttl(key)).isBetween(Duration.ofSeconds(35).toMillis(),
                    Duration.ofSeconds(45).toMillis());
            assertThat(redis.commands().keys(PREFIX + "dpop:*")).containsExactly(key);
            assertThat(redis.commands().keys(PREFIX + "*" + jti + "*")).as("the jti is not stored as such").isEmpty();
        }
    }
}
