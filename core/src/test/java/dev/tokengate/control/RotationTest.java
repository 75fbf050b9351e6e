package dev.tokengate.control;

import dev.tokengate.BearerError;
import dev.tokengate.Outcome;
import dev.tokengate.TokenGate;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.log.CallEvent;
import dev.tokengate.store.IssuedToken;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.StoredTokenValidator;
import dev.tokengate.store.TokenKind;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestRequest;
import dev.tokengate.testing.TestTokens;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rotation through a whole gate on a real (H2) token database with a test clock: the old secret works, marked
 * {@code rotated} in the call log, until the grace period ends, also from the store cache; then it is refused.
 */
class RotationTest {

    private static final Instant START = Instant.parse("2026-11-30T09:00:00Z");

    private final FakeTime time = new FakeTime(START);
    private final List<CallEvent> events = new ArrayList<>();
    private JdbcTokenStore store;
    private TokenGate gate;

    @BeforeEach
    void start() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:rotation-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        store = JdbcTokenStore.builder().dataSource(h2).clock(time).rotationGrace(Duration.ofHours(1)).flushInterval(Duration.ZERO).build();
        store.createSchema();
        gate = TokenGate.builder().tokenStore(store).clock(time).callLogSink(events::add).build();
    }

    @AfterEach
    void stop() {
        gate.close();
    }

    private Outcome call(TestRequest request, Requirement requirement) {
        TokenGate.Call call = gate.begin(request);
        Outcome outcome = call.authorize(requirement);
        call.finish(outcome instanceof Outcome.Rejected r ? r.error().status() : 200);
        return outcome;
    }

    private CallEvent last() {
        return events.get(events.size() - 1);
    }

    @Test
    void oldSecretInGraceThenAcceptedAndMarkedRotatedNewOneUnmarkedAfterGraceRefusedSayingSo() {
        IssuedToken old = store.create(TokenKind.ACCESS_TOKEN, "CI deploy", "alice", "ci", List.of("read"), List.of(), null);
        time.advance(Duration.ofSeconds(30));
        IssuedToken fresh = store.rotate(old.metadata().id()); // at 09:00:30, the grace period ends at 10:00:30

        assertThat(call(TestRequest.get("/orders").bearer(old.token()), Requirement.allOf("read")))
                .isInstanceOf(Outcome.Authenticated.class);
        assertThat(last().marks()).containsExactly(Rotations.MARK);
        assertThat(last().decision()).isEqualTo("allow");
        assertThat(call(TestRequest.get("/orders").bearer(fresh.token()), Requirement.allOf("read")))
                .isInstanceOf(Outcome.Authenticated.class);
        assertThat(last().marks()).isEmpty();

        time.advance(Duration.ofMinutes(59).plusSeconds(45)); // 15 s of grace left; the validation is cached
        assertThat(call(TestRequest.get("/orders").bearer(old.token()), Requirement.allOf("read")))
                .isInstanceOf(Outcome.Authenticated.class);
        time.advance(Duration.ofSeconds(15)); // the grace period is over: the cache does not serve it any longer

        Outcome refused = call(TestRequest.get("/orders").bearer(old.token()), Requirement.allOf("read"));
        assertThat(refused).isInstanceOf(Outcome.Rejected.class);
        BearerError error = ((Outcome.Rejected) refused).error();
        assertThat(error.status()).isEqualTo(401);
        assertThat(error.code()).contains(BearerError.Code.INVALID_TOKEN);
        assertThat(error.description()).isEqualTo("The token was rotated at 2026-11-30T09:00:30Z and has been "
                + "replaced; use the new token.");
        assertThat(call(TestRequest.get("/orders").bearer(fresh.token()), Requirement.allOf("read")))
                .isInstanceOf(Outcome.Authenticated.class);
    }

    @Test
    void apiKeyInGraceThenHybridCallMarkedRotated() {
        IssuedToken key = store.create(TokenKind.API_KEY, "billing app", "billing", "billing", List.of(), List.of(), null);
        IssuedToken token = store.create(TokenKind.ACCESS_TOKEN, "web", "alice", null, List.of("read"), List.of(), null);
        store.rotate(key.metadata().id());

        try (LogCapture logs = LogCapture.start()) {
            Outcome o = call(TestRequest.get("/orders").bearer(token.token()).header("X-API-Key", key.token()),
                    Requirement.allOf("read").withApiKey());

            assertThat(o).isInstanceOf(Outcome.Authenticated.class);
            assertThat(last().marks()).containsExactly(Rotations.MARK);
            assertThat(last().apiKeyId()).contains(key.metadata().id());
            assertThat(logs.text()).doesNotContain(key.token(), token.token());
        }
    }

    @Test
    void markWhenNotAStoredTokenThenNone() {
        var jwt = dev.tokengate.VerifiedToken.builder(dev.tokengate.VerifiedToken.Kind.JWT)
                .subject(TestTokens.SUBJECT).claims(java.util.Map.of(RotationPolicy.REPLACED_BY_CLAIM, "x")).build();
        var facts = dev.tokengate.policy.RequestFacts.builder().requestId("r").method("GET").path("/")
                .clientAddress("192.0.2.1").time(START).requirement(Requirement.authenticated()).build();

        assertThat(Rotations.policy().check(jwt, facts)).isEqualTo(dev.tokengate.policy.PolicyDecision.allow());
        assertThat(RotationPolicy.REPLACED_BY_CLAIM).isEqualTo(StoredTokenValidator.REPLACED_BY_CLAIM);
    }
}
