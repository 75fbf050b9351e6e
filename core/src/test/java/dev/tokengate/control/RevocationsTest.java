package dev.tokengate.control;

import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.log.Fingerprints;
import dev.tokengate.policy.PolicyDecision;
import dev.tokengate.policy.RequestFacts;
import dev.tokengate.policy.TokenPolicy;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.LogCapture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The revocation list and its policy on their own: the injected clock, a store in memory that can be taken down,
 * lookups by every target, what a lifted or expired entry does, and the policy's wording for tokens and API keys.
 */
class RevocationsTest {

    private static final Instant NOW = Instant.parse("2029-03-01T09:30:00Z");
    private static final String HASH = Fingerprints.hex(Fingerprints.sha256("opaque-token"));

    private final FakeTime time = new FakeTime(NOW);

    /** A store held in memory that fails while {@code down}, counting its reads and noting whether it was closed. */
    private static final class MemoryStore implements RevocationStore {
        final ConcurrentHashMap<String, Revocation> rows = new ConcurrentHashMap<>();
        final AtomicInteger loads = new AtomicInteger();
        volatile boolean down;
        volatile boolean closed;
        volatile boolean trusted = true;
        volatile RevocationStore.Listener listener;

        @Override
        public void subscribe(RevocationStore.Listener listener) {
            this.listener = listener;
        }

        @Override
        public boolean trusted() {
            return trusted;
        }

        @Override
        public List<Revocation> load(Instant now) {
            loads.incrementAndGet();
            if (down) {
                throw new UpstreamUnavailableException("database down", null, null);
            }
            return List.copyOf(rows.values());
        }

        @Override
        public void save(Revocation revocation) {
            if (down) {
                throw new UpstreamUnavailableException("database down", null, null);
            }
            rows.put(revocation.target() + "/" + revocation.value(), revocation);
        }

        @Override
        public boolean remove(Revocation.Target target, String value) {
            return rows.remove(target + "/" + value) != null;
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public String toString() {
            return "memory store";
        }
    }

    private static VerifiedToken token(String subject, String client, String jti) {
        VerifiedToken.Builder b = VerifiedToken.builder(VerifiedToken.Kind.JWT).subject(subject).clientId(client);
        if (jti != null) {
            b.tokenId(jti);
        }
        return b.build();
    }

    private RequestFacts request(String tokenText, VerifiedToken apiKey) {
        return RequestFacts.builder().requestId("r").method("GET").path("/api").clientAddress("192.0.2.1")
                .time(time.instant()).requirement(Requirement.allOf("read")).tokenHash(tokenText == null ? null : Fingerprints.sha256(tokenText))
                .apiKey(apiKey).build();
    }

    private static Revocation entry(Revocation.Target target, String value, String reason, Instant at) {
        return new Revocation(target, value, reason, at, Optional.empty());
    }

    @Test
    void eachTargetIsFoundAndOthersAreNot() {
        Revocations list = Revocations.inMemory(time);
        VerifiedToken alice = token("alice", "app", "j1");
        assertThat(list.find(alice, request("opaque-token", null))).isEmpty();

        list.revoke(Revocation.Target.TOKEN, HASH, "leaked", null);
        assertThat(list.find(alice, request("opaque-token", null))).get().extracting(Revocation::target)
                .isEqualTo(Revocation.Target.TOKEN);
        assertThat(list.find(alice, request("other-token", null))).isEmpty();
        assertThat(list.find(alice, request(null, null))).isEmpty();

        list.revoke(Revocation.Target.CLIENT, "app", "client compromised", null);
        assertThat(list.find(alice, request(null, null))).get().extracting(Revocation::target)
                .isEqualTo(Revocation.Target.CLIENT);
        assertThat(list.find(token("alice", null, null), request(null, null))).isEmpty();
        assertThat(list.find(token("alice", "other-app", "j1"), request(null, null))).isEmpty();

        VerifiedToken key = VerifiedToken.builder(VerifiedToken.Kind.STORED).clientId("key-app").tokenId("key-1")
                .build();
        VerifiedToken bob = token("bob", "bob-app", "j2");
        assertThat(list.find(bob, request(null, key))).isEmpty();
        list.revoke(Revocation.Target.API_KEY, "key-1", "key leaked", null);
        assertThat(list.find(bob, request(null, key))).get().extracting(Revocation::target)
                .isEqualTo(Revocation.Target.API_KEY);
        assertThat(list.find(bob, request(null, null))).isEmpty();
        assertThat(list.find(token("bob", "bob-app", "key-1"), request(null, null))).isEmpty(); // not a token id

        list.revoke(Revocation.Target.TOKEN_ID, "key-2", "key leaked", null);
        VerifiedToken key2 = VerifiedToken.builder(VerifiedToken.Kind.STORED).clientId("key-app").tokenId("key-2")
                .build();
        assertThat(list.find(bob, request(null, key2))).get().extracting(Revocation::value).isEqualTo("key-2");
        VerifiedToken keyWithoutId = VerifiedToken.builder(VerifiedToken.Kind.STORED).clientId("key-app").build();
        assertThat(list.find(bob, request(null, keyWithoutId))).isEmpty();
    }

    @Test
    void revokeTellsTheListenersInOrderAndLogsUntilWhen() {
        Revocations list = Revocations.inMemory(time);
        List<String> told = new ArrayList<>();
        list.onRevoke(r -> told.add("first " + r.value()));
        list.onRevoke(r -> told.add("second " + r.value()));
        try (LogCapture logs = LogCapture.start()) {
            Revocation r = list.revoke(Revocation.Target.SUBJECT, "mallory", " phishing ", NOW.plusSeconds(60));
            list.revoke(Revocation.Target.CLIENT, "bad-app", "abuse", null);
            assertThat(r.revokedAt()).isEqualTo(NOW);
            assertThat(r.reason()).isEqualTo("phishing");
            assertThat(r.expiresAt()).contains(NOW.plusSeconds(60));
            assertThat(told).containsExactly("first mallory", "second mallory", "first bad-app", "second bad-app");
            assertThat(logs.text())
                    .contains("tokengate revoked subject mallory until 2029-03-01T09:31:00Z: phishing")
                    .contains("tokengate revoked client bad-app until lifted: abuse");
        }
        assertThatThrownBy(() -> list.onRevoke(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("listener");
    }

    @Test
    void listenersAreToldAndTheEntryHeldWhenTheStoreCannotRecordIt() {
        MemoryStore store = new MemoryStore();
        Revocations list = Revocations.stored(time, store);
        List<Revocation> told = new ArrayList<>();
        list.onRevoke(told::add);
        store.down = true;
        assertThatThrownBy(() -> list.revoke(Revocation.Target.SUBJECT, "mallory", "phishing", null))
                .isInstanceOf(UpstreamUnavailableException.class);
        assertThat(told).extracting(Revocation::value).containsExactly("mallory");
        assertThat(list.find(token("mallory", "app", null), request(null, null))).isPresent();
        assertThat(list.toString()).isEqualTo("revocation list (1 entries, kept in memory store)");
    }

    @Test
    void liftSaysWhetherTheListOrTheStoreHeldTheEntry() {
        MemoryStore store = new MemoryStore();
        Revocations list = Revocations.stored(time, store);
        list.revoke(Revocation.Target.SUBJECT, "mallory", "phishing", null);
        assertThat(list.toString()).isEqualTo("revocation list (1 entries, kept in memory store)");
        assertThat(list.lift(Revocation.Target.SUBJECT, "mallory")).isTrue(); // both
        assertThat(list.toString()).isEqualTo("revocation list (0 entries, kept in memory store)");
        assertThat(list.find(token("mallory", "app", null), request(null, null))).isEmpty();
        assertThat(list.lift(Revocation.Target.SUBJECT, "mallory")).isFalse(); // neither

        store.rows.put("subject/eve", entry(Revocation.Target.SUBJECT, "eve", "stored by another node", NOW));
        assertThat(list.lift(Revocation.Target.SUBJECT, "eve")).isTrue(); // the store only
        assertThat(store.rows).isEmpty();

        store.down = true;
        assertThatThrownBy(() -> list.revoke(Revocation.Target.CLIENT, "app", "abuse", null))
                .isInstanceOf(UpstreamUnavailableException.class);
        store.down = false;
        assertThat(list.lift(Revocation.Target.CLIENT, "app")).isTrue(); // the list only

        Revocations memory = Revocations.inMemory(time);
        memory.revoke(Revocation.Target.CLIENT, "app", "abuse", null);
        assertThat(memory.lift(Revocation.Target.CLIENT, "app")).isTrue();
        assertThat(memory.lift(Revocation.Target.CLIENT, "app")).isFalse();
        assertThat(memory.toString()).isEqualTo("revocation list (0 entries, in memory)");
    }

    @Test
    void anExpiredEntryRefusesUntilItsExpiryAndIsThenForgotten() {
        Revocations list = Revocations.inMemory(time);
        list.revoke(Revocation.Target.SUBJECT, "mallory", "phishing", NOW.plusSeconds(60));
        list.revoke(Revocation.Target.CLIENT, "kept", "abuse", null);
        VerifiedToken mallory = token("mallory", "app", null);

        time.advance(Duration.ofSeconds(59));
        assertThat(list.find(mallory, request(null, null))).isPresent();
        assertThat(list.list()).extracting(Revocation::value).containsExactlyInAnyOrder("mallory", "kept");
        time.advance(Duration.ofSeconds(1));
        assertThat(list.list()).extracting(Revocation::value).containsExactly("kept");
        assertThat(list.toString()).startsWith("revocation list (2 entries"); // listed, not yet forgotten
        assertThat(list.find(mallory, request(null, null))).isEmpty();
        assertThat(list.toString()).startsWith("revocation list (1 entries");

        // a revocation forgets what has run out
        list.revoke(Revocation.Target.SUBJECT, "eve", "phishing", NOW.plusSeconds(70));
        time.advance(Duration.ofSeconds(10));
        list.revoke(Revocation.Target.SUBJECT, "trudy", "phishing", null);
        assertThat(list.toString()).startsWith("revocation list (2 entries");
    }

    @Test
    void anExpiredEntryThatWasRenewedMeanwhileIsKept() {
        Revocations list = Revocations.inMemory(time);
        list.revoke(Revocation.Target.SUBJECT, "mallory", "phishing", NOW.plusSeconds(60));
        time.advance(Duration.ofSeconds(60));
        list.revoke(Revocation.Target.SUBJECT, "mallory", "again", null);
        assertThat(list.find(token("mallory", "app", null), request(null, null))).get()
                .extracting(Revocation::reason).isEqualTo("again");
    }

    @Test
    void aStoreIsReadOnceAtStartAndItsOlderEntriesLoseToNewerOnes() {
        MemoryStore store = new MemoryStore();
        store.rows.put("subject/alice", entry(Revocation.Target.SUBJECT, "alice", "stored", NOW));
        store.rows.put("subject/old", new Revocation(Revocation.Target.SUBJECT, "old", "expired", NOW.minusSeconds(9),
                Optional.of(NOW)));
        Revocations list = Revocations.stored(time, store);
        assertThat(store.loads).hasValue(1);
        assertThat(list.toString()).isEqualTo("revocation list (1 entries, kept in memory store)");
        assertThat(list.find(token("alice", "app", null), request(null, null))).get()
                .extracting(Revocation::reason).isEqualTo("stored");
        time.advance(Duration.ofSeconds(20));
        assertThat(list.list()).hasSize(1);
        list.find(token("bob", "app", null), request(null, null));
        assertThat(store.loads).hasValue(1); // read once, never again
    }

    @Test
    void aStoreDownAtStartIsReadAgainTenSecondsLaterAndTheNewerEntryWins() {
        MemoryStore store = new MemoryStore();
        store.down = true;
        try (LogCapture logs = LogCapture.start()) {
            Revocations list = Revocations.stored(time, store);
            assertThat(store.loads).hasValue(1);
            assertThat(logs.text()).contains("tokengate cannot read its revocation list from memory store; "
                    + "it answers from the entries it holds: database down");
            assertThatThrownBy(() -> list.revoke(Revocation.Target.SUBJECT, "alice", "mine, newer", null))
                    .isInstanceOf(UpstreamUnavailableException.class);
            time.advance(Duration.ofSeconds(1));
            assertThatThrownBy(() -> list.revoke(Revocation.Target.SUBJECT, "bob", "mine, older", null))
                    .isInstanceOf(UpstreamUnavailableException.class);
            store.rows.put("subject/alice", entry(Revocation.Target.SUBJECT, "alice", "theirs, older",
                    NOW.minusSeconds(5)));
            store.rows.put("subject/bob", entry(Revocation.Target.SUBJECT, "bob", "theirs, newer",
                    NOW.plusSeconds(5)));

            store.down = false;
            time.advance(Duration.ofMillis(8_999)); // 9.999 s after the failed read
            assertThat(list.find(token("carol", "app", null), request(null, null))).isEmpty();
            assertThat(list.list()).hasSize(2);
            list.settle();
            assertThat(store.loads).hasValue(1);

            time.advance(Duration.ofMillis(1)); // 10 s
            assertThat(list.find(token("alice", "app", null), request(null, null))).get()
                    .extracting(Revocation::reason).isEqualTo("mine, newer");
            list.settle(); // the read that request handed to the store's thread
            assertThat(store.loads).hasValue(2);
            assertThat(list.find(token("bob", "app", null), request(null, null))).get()
                    .extracting(Revocation::reason).isEqualTo("theirs, newer");
            assertThat(logs.text()).contains("tokengate read 2 revocations from memory store");
            time.advance(Duration.ofSeconds(30));
            list.list();
            list.settle();
            assertThat(store.loads).hasValue(2);
        }
    }

    @Test
    void aStoreStillDownIsReadAtMostEveryTenSecondsByListToo() {
        MemoryStore store = new MemoryStore();
        store.down = true;
        Revocations list = Revocations.stored(time, store);
        list.list();
        list.settle();
        assertThat(store.loads).hasValue(1);
        time.advance(Duration.ofSeconds(10));
        assertThat(list.list()).isEmpty();
        list.settle();
        assertThat(store.loads).hasValue(2);
        time.advance(Duration.ofSeconds(5));
        list.list();
        list.find(token("alice", "app", null), request(null, null));
        list.settle();
        assertThat(store.loads).hasValue(2);
    }

    @Test
    void closeClosesTheStoreOnly() {
        MemoryStore store = new MemoryStore();
        Revocations list = Revocations.stored(time, store);
        assertThat(store.closed).isFalse();
        list.close();
        assertThat(store.closed).isTrue();
        Revocations.inMemory(time).close(); // nothing to close
        assertThatThrownBy(() -> Revocations.stored(time, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("store");
        assertThatThrownBy(() -> Revocations.inMemory(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("clock");
    }

    @Test
    void revokeTokenUsesTheIdElseTheHashUntilTheTokensExpiry() {
        Revocations list = Revocations.inMemory(time);
        VerifiedToken withId = VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("a").tokenId("j9")
                .expiresAt(NOW.plusSeconds(300)).build();
        Revocation byId = list.revokeToken(withId, HASH, "anomaly");
        assertThat(byId.target()).isEqualTo(Revocation.Target.TOKEN_ID);
        assertThat(byId.value()).isEqualTo("j9");
        assertThat(byId.expiresAt()).contains(NOW.plusSeconds(300));
        VerifiedToken withoutId = VerifiedToken.builder(VerifiedToken.Kind.INTROSPECTED).subject("a").build();
        Revocation byHash = list.revokeToken(withoutId, HASH, "anomaly");
        assertThat(byHash.target()).isEqualTo(Revocation.Target.TOKEN);
        assertThat(byHash.value()).isEqualTo(HASH);
        assertThat(byHash.expiresAt()).isEmpty();
        assertThatThrownBy(() -> list.revokeToken(withoutId, null, "anomaly"))
                .isInstanceOf(NullPointerException.class).hasMessage("tokenHash");
        assertThat(list.revokeTokenText("opaque-token", "leaked", null).value()).isEqualTo(HASH);
    }

    @Test
    void policyRefusesWithTheTokenWordingOrTheApiKeyWording() {
        Revocations list = Revocations.inMemory(time);
        var policy = list.policy();
        assertThat(policy).hasToString("revocation list");
        VerifiedToken user = token("alice", "app", "user-jti");
        VerifiedToken key = VerifiedToken.builder(VerifiedToken.Kind.STORED).clientId("key-app").tokenId("key-id")
                .build();
        assertThat(policy.check(user, request(null, key))).isInstanceOf(PolicyDecision.Allow.class);

        String tokenWording = "This token has been revoked; sign in again or ask its issuer for a new one.";
        String keyWording = "The calling application's API key has been revoked; its owner must issue a new one.";

        list.revoke(Revocation.Target.TOKEN_ID, "key-id", "key leaked", null);
        PolicyDecision.Deny byKeyId = (PolicyDecision.Deny) policy.check(user, request(null, key));
        assertThat(byKeyId.error().description()).isEqualTo(keyWording);
        assertThat(byKeyId.error().status()).isEqualTo(401);
        assertThat(byKeyId.reason()).isEqualTo("revoked token_id key-id: key leaked");
        assertThat(byKeyId.marks()).containsExactly("revoked");
        // the same id as the user's own token: it is the token that is revoked
        VerifiedToken sameId = token("alice", "app", "key-id");
        assertThat(((PolicyDecision.Deny) policy.check(sameId, request(null, key))).error().description())
                .isEqualTo(tokenWording);
        // a token id revoked without an API key on the request
        assertThat(((PolicyDecision.Deny) policy.check(sameId, request(null, null))).error().description())
                .isEqualTo(tokenWording);
        list.lift(Revocation.Target.TOKEN_ID, "key-id");

        list.revoke(Revocation.Target.TOKEN_ID, "user-jti", "stolen", null);
        PolicyDecision.Deny byUserId = (PolicyDecision.Deny) policy.check(user, request(null, key));
        assertThat(byUserId.error().description()).isEqualTo(tokenWording);
        list.lift(Revocation.Target.TOKEN_ID, "user-jti");

        list.revoke(Revocation.Target.API_KEY, "key-id", "key leaked", null);
        PolicyDecision.Deny byApiKey = (PolicyDecision.Deny) policy.check(user, request(null, key));
        assertThat(byApiKey.error().description()).isEqualTo(keyWording);
        assertThat(byApiKey.reason()).isEqualTo("revoked api_key key-id: key leaked");
        list.lift(Revocation.Target.API_KEY, "key-id");

        list.revoke(Revocation.Target.TOKEN, HASH, "leaked", null);
        PolicyDecision.Deny byHash = (PolicyDecision.Deny) policy.check(user, request("opaque-token", key));
        assertThat(byHash.error().description()).isEqualTo(tokenWording);
        assertThat(byHash.reason()).isEqualTo("revoked token " + HASH.substring(0, 12) + ": leaked");
    }

    @Test
    void valuesAndReasonsAreOneTo500Characters() {
        String v500 = "v".repeat(500);
        assertThat(entry(Revocation.Target.SUBJECT, v500, "r".repeat(500), NOW).value()).hasSize(500);
        assertThat(entry(Revocation.Target.SUBJECT, "v", "r", NOW).reason()).isEqualTo("r");
        assertThatThrownBy(() -> entry(Revocation.Target.SUBJECT, v500 + "v", "r", NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the revoked subject must be 1 to 500 characters");
        assertThatThrownBy(() -> entry(Revocation.Target.CLIENT, "", "r", NOW))
                .hasMessage("the revoked client must be 1 to 500 characters");
        assertThatThrownBy(() -> entry(Revocation.Target.SUBJECT, "v", "r".repeat(501), NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a revocation needs a reason of 1 to 500 characters");
        assertThatThrownBy(() -> entry(Revocation.Target.SUBJECT, "v", " ", NOW))
                .hasMessage("a revocation needs a reason of 1 to 500 characters");
    }

    @Test
    void anotherNodesRevocationsReachTheMirrorAndTheListenersWithoutAStoreRead() {
        MemoryStore store = new MemoryStore();
        Revocations list = Revocations.stored(time, store);
        list.settle();
        List<Revocation> told = new ArrayList<>();
        list.onRevoke(told::add);
        int loads = store.loads.get();
        Revocation other = entry(Revocation.Target.SUBJECT, "mallory", "stolen laptop", NOW);

        store.listener.saved(other);
        store.listener.saved(other); // a repeat (or this node's own echo) is not told twice

        assertThat(list.find(token("mallory", "web", null), request("t", null))).contains(other);
        assertThat(told).containsExactly(other);
        assertThat(store.loads.get()).isEqualTo(loads);

        store.listener.removed(Revocation.Target.SUBJECT, "mallory");
        assertThat(list.find(token("mallory", "web", null), request("t", null))).isEmpty();
        assertThat(list.list()).isEmpty();
    }

    @Test
    void aResynchronisationKeepsWhatTheStoreHoldsForgetsTheRestAndTellsOnlyTheNewOnes() {
        MemoryStore store = new MemoryStore();
        Revocations list = Revocations.stored(time, store);
        list.settle();
        list.revoke(Revocation.Target.SUBJECT, "lifted-meanwhile", "old", null);
        list.revoke(Revocation.Target.CLIENT, "kept", "old", null);
        List<Revocation> told = new ArrayList<>();
        list.onRevoke(told::add);
        Revocation kept = list.list().stream().filter(r -> r.value().equals("kept")).findFirst().orElseThrow();
        Revocation added = entry(Revocation.Target.TOKEN_ID, "jti-9", "revoked during the outage", NOW);

        store.listener.resynchronised(List.of(kept, added));

        assertThat(list.list()).extracting(Revocation::value).containsExactlyInAnyOrder("kept", "jti-9");
        assertThat(told).containsExactly(added);
        assertThat(list.find(token("lifted-meanwhile", "web", null), request("t", null))).isEmpty();
        assertThat(list.find(token("x", "web", "jti-9"), request("t", null))).contains(added);
    }

    @Test
    void anUntrustedSharedStoreMakesThePolicyAnswer503() {
        MemoryStore store = new MemoryStore();
        Revocations list = Revocations.stored(time, store);
        list.settle();
        TokenPolicy policy = list.policy();
        assertThat(list.trusted()).isTrue();
        assertThat(policy.check(token("alice", "web", null), request("t", null))).isInstanceOf(PolicyDecision.Allow.class);

        store.trusted = false;

        assertThat(list.trusted()).isFalse();
        PolicyDecision.Deny deny = (PolicyDecision.Deny) policy.check(token("alice", "web", null), request("t", null));
        assertThat(deny.error().status()).isEqualTo(503);
        assertThat(deny.error().code()).contains(dev.tokengate.BearerError.Code.TEMPORARILY_UNAVAILABLE);
        assertThat(deny.error().headers()).containsEntry("Retry-After", "5");
        assertThat(deny.marks()).containsExactly("shared_state_unavailable");
        assertThat(Revocations.inMemory(time).trusted()).isTrue();
    }

    @Test
    void aSharedStoreIsHandedTheEntriesInForceToWriteBack() {
        MemoryStore store = new MemoryStore();
        Revocations list = Revocations.stored(time, store);
        list.settle();
        Revocation forever = list.revoke(Revocation.Target.SUBJECT, "mallory", "fired", null);
        Revocation later = list.revoke(Revocation.Target.TOKEN_ID, "jti-1", "stolen", NOW.plus(Duration.ofHours(1)));
        list.revoke(Revocation.Target.TOKEN_ID, "jti-2", "stolen", NOW.plus(Duration.ofMinutes(1)));
        store.listener.saved(entry(Revocation.Target.CLIENT, "batch", "another node's", NOW));
        list.lift(Revocation.Target.CLIENT, "batch");

        time.advance(Duration.ofMinutes(1));

        assertThat(store.listener.held()).containsExactlyInAnyOrder(forever, later);
    }
}
