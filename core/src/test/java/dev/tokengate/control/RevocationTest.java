package dev.tokengate.control;

import dev.tokengate.ErrorResponse;
import dev.tokengate.Outcome;
import dev.tokengate.TokenGate;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.log.CallEvent;
import dev.tokengate.log.Fingerprints;
import dev.tokengate.store.IssuedToken;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.TokenKind;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestRequest;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.testkit.TokenBuilder;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The revocation list through a whole gate: real JWTs checked against keys served by a loopback JWKS endpoint, the
 * verified-token cache on (a revoked token must be refused although its verification is cached), stored tokens in a
 * real H2 database behind their 30-second cache, and the list kept in that database across gates.
 */
class RevocationTest {

    private static final Instant NOW = Instant.parse("2029-03-01T09:30:00Z");
    private static LoopbackIssuer idp;

    private final FakeTime time = new FakeTime(NOW);
    private final List<CallEvent> events = new ArrayList<>();

    @BeforeAll
    static void startIssuer() {
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    }

    @AfterAll
    static void stopIssuer() {
        idp.close();
    }

    private TokenGate.Builder gate() {
        return TokenGate.builder()
                .issuer(JwtValidator.builder().issuer(idp.baseUri().toString()).audiences(TestTokens.AUDIENCE)
                        .keySource(KeySources.jwks(idp.jwksUri()).build()))
                .clock(time).callLogSink(events::add);
    }

    private String jwt(String subject, String client, String jti) {
        TokenBuilder b = TestTokens.jwt().issuer(idp.baseUri().toString()).subject(subject).clientId(client)
                .scope("read").clock(time).signedWith(TestKeys.rsa());
        if (jti != null) {
            b.tokenId(jti);
        }
        return b.sign();
    }

    private static Outcome call(TokenGate gate, String token) {
        TokenGate.Call call = gate.begin(TestRequest.get("/balances").bearer(token));
        Outcome outcome = call.authorize(Requirement.allOf("read"));
        call.finish(outcome instanceof Outcome.Rejected r ? call.errorResponse(r.error()).status() : 200);
        return outcome;
    }

    @Test
    void revokingAJwtByJtiRefusesItOnTheNextRequestThoughItsVerificationIsCached() {
        try (TokenGate gate = gate().build()) {
            String token = jwt("alice", "trading-app", "jti-1");
            String other = jwt("alice", "trading-app", "jti-2");
            assertThat(call(gate, token)).isInstanceOf(Outcome.Authenticated.class);
            assertThat(call(gate, token)).isInstanceOf(Outcome.Authenticated.class); // now a cache hit

            Revocation r = gate.revocations().revoke(Revocation.Target.TOKEN_ID, "jti-1", "laptop stolen", null);

            Outcome refused = call(gate, token);
            assertThat(refused).isInstanceOf(Outcome.Rejected.class);
            TokenGate.Call c = gate.begin(TestRequest.get("/balances").bearer(token));
            ErrorResponse response = c.errorResponse(((Outcome.Rejected) c.authorize(Requirement.allOf("read"))).error());
            c.finish(response.status());
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.headers().get("WWW-Authenticate")).contains("error=\"invalid_token\"",
                    "This token has been revoked");
            CallEvent e = events.get(events.size() - 1);
            assertThat(e.decision()).isEqualTo("deny");
            assertThat(e.errorCode()).contains("invalid_token");
            assertThat(e.reason()).contains("revoked token_id jti-1: laptop stolen");
            assertThat(e.marks()).containsExactly("revoked");
            assertThat(call(gate, other)).isInstanceOf(Outcome.Authenticated.class);
            assertThat(r.expiresAt()).isEmpty();
            assertThat(gate.revocations().list()).containsExactly(r);
        }
    }

    @Test
    void revokeTokenLastsUntilTheTokensExpiryAndIsThenForgotten() {
        try (TokenGate gate = gate().build()) {
            String token = jwt("alice", "trading-app", "jti-9");
            TokenGate.Call first = gate.begin(TestRequest.get("/balances").bearer(token));
            VerifiedToken verified = ((Outcome.Authenticated) first.authorize(Requirement.allOf("read"))).token();
            first.finish(200);

            Revocation r = gate.revocations().revokeToken(verified, null, "signed out");
            assertThat(r.target()).isEqualTo(Revocation.Target.TOKEN_ID);
            assertThat(r.expiresAt()).isEqualTo(verified.expiresAt()).contains(NOW.plus(TestTokens.LIFETIME));
            assertThat(call(gate, token)).isInstanceOf(Outcome.Rejected.class);

            time.advance(TestTokens.LIFETIME);
            assertThat(gate.revocations().list()).isEmpty();
        }
    }

    @Test
    void aTokenWithoutIdIsRevokedByTheHashOfItsTextWhichIsNeverKept() {
        try (TokenGate gate = gate().build()) {
            String token = TestTokens.jwt().issuer(idp.baseUri().toString()).subject("bob").without("jti").scope("read")
                    .clock(time).signedWith(TestKeys.rsa()).sign();
            TokenGate.Call first = gate.begin(TestRequest.get("/balances").bearer(token));
            VerifiedToken verified = ((Outcome.Authenticated) first.authorize(Requirement.allOf("read"))).token();
            first.finish(200);
            String hash = Fingerprints.hex(Fingerprints.sha256(token));

            Revocation r = gate.revocations().revokeToken(verified, hash, "leaked in a ticket");

            assertThat(r.target()).isEqualTo(Revocation.Target.TOKEN);
            assertThat(r.value()).isEqualTo(hash).doesNotContain(token);
            assertThat(r.displayValue()).isEqualTo(events.get(0).tokenFingerprint().orElseThrow());
            assertThat(call(gate, token)).isInstanceOf(Outcome.Rejected.class);
        }
    }

    @Test
    void revokingTheTextOfATokenHashesIt() {
        try (TokenGate gate = gate().build()) {
            String token = jwt("carol", "reports", null);
            assertThat(call(gate, token)).isInstanceOf(Outcome.Authenticated.class);
            Revocation r = gate.revocations().revokeTokenText(token, "pasted in chat", null);
            assertThat(r.value()).isEqualTo(Fingerprints.hex(Fingerprints.sha256(token)));
            assertThat(call(gate, token)).isInstanceOf(Outcome.Rejected.class);
            assertThat(r.toString()).doesNotContain(token).contains(Fingerprints.fingerprint(token));
        }
    }

    @Test
    void revokingASubjectOrAClientRefusesAllTheirTokensUntilLifted() {
        try (TokenGate gate = gate().build()) {
            String alice1 = jwt("alice", "trading-app", "a1");
            String alice2 = jwt("alice", "mobile", "a2");
            String bobBot = jwt("bob", "bot", "b1");
            String carol = jwt("carol", "trading-app", "c1");

            gate.revocations().revoke(Revocation.Target.SUBJECT, "alice", "account closed", null);
            gate.revocations().revoke(Revocation.Target.CLIENT, "bot", "bot retired", NOW.plus(Duration.ofDays(1)));

            assertThat(call(gate, alice1)).isInstanceOf(Outcome.Rejected.class);
            assertThat(call(gate, alice2)).isInstanceOf(Outcome.Rejected.class);
            assertThat(call(gate, bobBot)).isInstanceOf(Outcome.Rejected.class);
            assertThat(events.get(events.size() - 1).reason()).contains("revoked client bot: bot retired");
            assertThat(events.get(events.size() - 1).marks()).containsExactly("revoked");
            assertThat(call(gate, carol)).isInstanceOf(Outcome.Authenticated.class);

            assertThat(gate.revocations().lift(Revocation.Target.SUBJECT, "alice")).isTrue();
            assertThat(gate.revocations().lift(Revocation.Target.SUBJECT, "alice")).isFalse();
            assertThat(call(gate, alice1)).isInstanceOf(Outcome.Authenticated.class);

            time.advance(Duration.ofDays(1));
            assertThat(call(gate, jwt("bob", "bot", "b2"))).isInstanceOf(Outcome.Authenticated.class);
            assertThat(gate.revocations().list()).isEmpty();
        }
    }

    @Test
    void listIsNewestFirstWithReasons() {
        try (TokenGate gate = gate().build()) {
            Revocation first = gate.revocations().revoke(Revocation.Target.SUBJECT, "alice", "first", null);
            time.advance(Duration.ofSeconds(1));
            Revocation second = gate.revocations().revoke(Revocation.Target.CLIENT, "bot", "second", null);
            assertThat(gate.revocations().list()).containsExactly(second, first);
            assertThat(gate.revocations().toString()).contains("2 entries", "in memory");
        }
    }

    @Test
    void entriesAreCheckedForSanity() {
        assertThatThrownBy(() -> new Revocation(Revocation.Target.TOKEN, "eyJhbGciOi.raw.token", "x", NOW, Optional.empty()))
                .hasMessageContaining("never by its text");
        assertThatThrownBy(() -> new Revocation(Revocation.Target.SUBJECT, "alice", " ", NOW, Optional.empty()))
                .hasMessageContaining("needs a reason");
        assertThatThrownBy(() -> new Revocation(Revocation.Target.SUBJECT, "", "r", NOW, Optional.empty()))
                .hasMessageContaining("1 to 500 characters");
        assertThat(Revocation.Target.parse("JTI")).isEqualTo(Revocation.Target.TOKEN_ID);
        assertThat(Revocation.Target.parse("client_id")).isEqualTo(Revocation.Target.CLIENT);
        assertThat(Revocation.Target.parse(" api_key ")).isEqualTo(Revocation.Target.API_KEY);
        assertThatThrownBy(() -> Revocation.Target.parse("user")).hasMessageContaining("write token, token_id (jti)");
    }

    // ------------------------------------------------------------------------------------------ stored tokens

    private static JdbcDataSource h2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:revocations-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return ds;
    }

    @Test
    void revokingAStoredTokenByIdEvictsItFromTheStoreCacheAndRefusesItAtOnce() {
        JdbcDataSource ds = h2();
        JdbcTokenStore store = JdbcTokenStore.builder().dataSource(ds).clock(time).build();
        store.createSchema();
        IssuedToken issued = store.create(TokenKind.ACCESS_TOKEN, "ci", "alice", null, List.of("read"), List.of(), null);
        try (TokenGate gate = gate().tokenStore(store).build()) {
            assertThat(call(gate, issued.token())).isInstanceOf(Outcome.Authenticated.class);
            assertThat(call(gate, issued.token())).isInstanceOf(Outcome.Authenticated.class); // cached for 30 s

            gate.revocations().revoke(Revocation.Target.TOKEN_ID, issued.metadata().id(), "owner asked", null);

            assertThat(call(gate, issued.token())).isInstanceOf(Outcome.Rejected.class);
            assertThat(events.get(events.size() - 1).reason()).contains("revoked token_id " + issued.metadata().id()
                    + ": owner asked");
        }
    }

    @Test
    void revokingAnApiKeyRefusesTheCallingApplicationOnHybridRoutesSayingItIsTheKey() {
        JdbcDataSource ds = h2();
        JdbcTokenStore store = JdbcTokenStore.builder().dataSource(ds).clock(time).build();
        store.createSchema();
        IssuedToken key = store.create(TokenKind.API_KEY, "billing app", "billing", null, List.of(), List.of(), null);
        String user = jwt("alice", "trading-app", "u1");
        try (TokenGate gate = gate().tokenStore(store).build()) {
            Requirement hybrid = Requirement.parse("read + api-key");
            TokenGate.Call ok = gate.begin(TestRequest.get("/balances").bearer(user).header("X-API-Key", key.token()));
            assertThat(ok.authorize(hybrid)).isInstanceOf(Outcome.Authenticated.class);
            ok.finish(200);

            gate.revocations().revoke(Revocation.Target.API_KEY, key.metadata().id(), "contract ended", null);

            TokenGate.Call refused = gate.begin(TestRequest.get("/balances").bearer(user).header("X-API-Key", key.token()));
            Outcome outcome = refused.authorize(hybrid);
            ErrorResponse response = refused.errorResponse(((Outcome.Rejected) outcome).error());
            refused.finish(response.status());
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.headers().get("WWW-Authenticate"))
                    .contains("The calling application's API key has been revoked");
            assertThat(events.get(events.size() - 1).reason())
                    .contains("revoked api_key " + key.metadata().id() + ": contract ended");
            assertThat(call(gate, user)).as("the user's token on a route without an API key")
                    .isInstanceOf(Outcome.Authenticated.class);
        }
    }

    @Test
    void theListIsKeptInTheTokenDatabaseAndReadByTheNextGate() {
        JdbcDataSource ds = h2();
        String token = jwt("alice", "trading-app", "kept-1");
        try (JdbcTokenStore store = JdbcTokenStore.builder().dataSource(ds).clock(time).build()) {
            store.createSchema();
        }
        try (TokenGate gate = gate().tokenStore(JdbcTokenStore.builder().dataSource(ds).clock(time).build()).build()) {
            gate.revocations().revoke(Revocation.Target.TOKEN_ID, "kept-1", "compromised", NOW.plus(Duration.ofHours(1)));
            gate.revocations().revoke(Revocation.Target.SUBJECT, "mallory", "fired", null);
            gate.revocations().revoke(Revocation.Target.CLIENT, "old-app", "short", NOW.plus(Duration.ofMinutes(1)));
        }
        time.advance(Duration.ofMinutes(2));
        try (TokenGate restarted = gate().tokenStore(JdbcTokenStore.builder().dataSource(ds).clock(time).build()).build()) {
            assertThat(call(restarted, token)).isInstanceOf(Outcome.Rejected.class);
            assertThat(restarted.revocations().list()).extracting(Revocation::value)
                    .containsExactlyInAnyOrder("mallory", "kept-1");
            Revocation kept = restarted.revocations().list().stream().filter(r -> r.value().equals("kept-1"))
                    .findFirst().orElseThrow();
            assertThat(kept).isEqualTo(new Revocation(Revocation.Target.TOKEN_ID, "kept-1", "compromised", NOW,
                    Optional.of(NOW.plus(Duration.ofHours(1)))));
            assertThat(restarted.revocations().lift(Revocation.Target.SUBJECT, "mallory")).isTrue();
        }
        try (TokenGate third = gate().tokenStore(JdbcTokenStore.builder().dataSource(ds).clock(time).build()).build()) {
            assertThat(third.revocations().list()).extracting(Revocation::value).containsExactly("kept-1");
        }
    }

    @Test
    void revocationsStoreKeySaysWhetherTheTokenDatabaseKeepsTheList() {
        String url = "jdbc:h2:mem:revocation-key-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        try (JdbcTokenStore store = JdbcTokenStore.builder().jdbcUrl(url).clock(time).build()) {
            store.createSchema();
        }
        java.util.function.Function<String, TokenGate> gateWith = where -> TokenGate.builder()
                .config(dev.tokengate.config.ConfigSource.of(where == null
                        ? java.util.Map.of("tokengate.store.jdbc-url", url)
                        : java.util.Map.of("tokengate.store.jdbc-url", url, "tokengate.revocations.store", where),
                        java.util.Map.of(), new java.util.Properties())).clock(time).build();
        try (TokenGate memory = gateWith.apply("memory")) {
            memory.revocations().revoke(Revocation.Target.SUBJECT, "only-here", "memory only", null);
            assertThat(memory.revocations().toString()).contains("in memory");
        }
        try (TokenGate database = gateWith.apply(null)) {
            assertThat(database.revocations().toString()).contains("kept in the table tokengate_token_revocation");
            assertThat(database.revocations().list()).isEmpty(); // the memory-only entry went with its gate
        }
        assertThatThrownBy(() -> gateWith.apply("redis")).hasMessageContaining(
                "tokengate.revocations.store").hasMessageContaining("'redis' is not where revocations can be kept; "
                + "write database or memory");
    }

    /** A store that fails until told otherwise: the list serves what it holds and reads again 10 s later. */
    private static final class FlakyStore implements RevocationStore {
        volatile boolean down = true;
        final AtomicInteger loads = new AtomicInteger();
        final List<Revocation> saved = new ArrayList<>();
        final java.util.concurrent.CountDownLatch read = new java.util.concurrent.CountDownLatch(1);

        @Override
        public List<Revocation> load(Instant now) {
            loads.incrementAndGet();
            if (down) {
                throw new UpstreamUnavailableException("database down", null, null);
            }
            List<Revocation> held = List.of(new Revocation(Revocation.Target.SUBJECT, "alice", "from the store", NOW,
                    Optional.empty()));
            read.countDown();
            return held;
        }

        @Override
        public void save(Revocation revocation) {
            if (down) {
                throw new UpstreamUnavailableException("database down", null, null);
            }
            saved.add(revocation);
        }

        @Override
        public boolean remove(Revocation.Target target, String value) {
            return false;
        }
    }

    @Test
    void aStoreThatCannotBeReadIsRetriedEveryTenSecondsOffTheRequestThreadWithOneWarning() throws Exception {
        FlakyStore store = new FlakyStore();
        try (LogCapture logs = LogCapture.start(); TokenGate gate = gate().revocationStore(store).build()) {
            String alice = jwt("alice", "trading-app", "f1");
            assertThat(call(gate, alice)).isInstanceOf(Outcome.Authenticated.class);
            assertThat(call(gate, alice)).isInstanceOf(Outcome.Authenticated.class);
            assertThat(store.loads).hasValue(1);
            assertThatThrownBy(() -> gate.revocations().revoke(Revocation.Target.CLIENT, "x", "y", null))
                    .isInstanceOf(UpstreamUnavailableException.class);
            assertThat(call(gate, jwt("dave", "x", "f2"))).isInstanceOf(Outcome.Rejected.class); // held in memory

            time.advance(Duration.ofSeconds(10));
            store.down = false;
            // the read is due: the request hands it to the store's thread and is answered from what is held (whether
            // the read has finished by then is a race, so that answer is not checked)
            call(gate, alice);
            assertThat(store.read.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the store read").isTrue();
            // a lift runs on the same single store thread, after the read: when it returns, the read is merged
            assertThat(gate.revocations().lift(Revocation.Target.SUBJECT, "nobody")).isFalse();
            assertThat(call(gate, alice)).isInstanceOf(Outcome.Rejected.class);
            assertThat(store.loads).hasValue(2);
            assertThat(logs.text()).containsOnlyOnce("it answers from the entries it holds: database down")
                    .containsOnlyOnce("working again").contains("read 1 revocations from");
        }
    }
}
