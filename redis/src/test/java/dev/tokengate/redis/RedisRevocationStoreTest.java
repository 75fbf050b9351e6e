package dev.tokengate.redis;

import dev.tokengate.control.Revocation;
import dev.tokengate.control.RevocationStore;
import dev.tokengate.control.Revocations;
import dev.tokengate.log.Fingerprints;
import dev.tokengate.redis.testing.SharedRedis;
import dev.tokengate.testing.FakeTime;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store on the machine's Redis (a key prefix of this class's own, deleted afterwards): what is saved is read back
 * as it was, entries run out by the gate's clock and are deleted from Redis, every key is in one hash slot, a token is
 * kept by its hash, changes reach the other nodes' listeners (never a node's own echo), and a node that finds Redis
 * emptied writes back what it holds but what was lifted.
 */
class RedisRevocationStoreTest {

    private static final String PREFIX = SharedRedis.newPrefix();
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00.123456789Z");
    private static RedisClient raw;
    private static StatefulRedisConnection<String, String> rawConnection;

    private final FakeTime time = new FakeTime(NOW);
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void connect() {
        SharedRedis.require();
        raw = RedisClient.create(RedisURI.create(SharedRedis.URI));
        rawConnection = raw.connect();
    }

    @AfterAll
    static void deleteKeys() {
        if (raw != null) {
            rawConnection.close();
            raw.shutdown();
            SharedRedis.deleteKeys(PREFIX);
        }
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        SharedRedis.deleteKeys(PREFIX);
    }

    /** A node's side of the store: its mirror, and every call made to it. */
    static final class RecordingMirror implements RevocationStore.Listener {
        final Map<String, Revocation> held = new LinkedHashMap<>();
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override
        public synchronized void saved(Revocation r) {
            held.put(RedisRevocationStore.field(r.target(), r.value()), r);
            events.add("saved " + r.target() + " " + r.value());
        }

        @Override
        public synchronized void removed(Revocation.Target target, String value) {
            held.remove(RedisRevocationStore.field(target, value));
            events.add("removed " + target + " " + value);
        }

        @Override
        public synchronized void resynchronised(List<Revocation> all) {
            held.clear();
            all.forEach(r -> held.put(RedisRevocationStore.field(r.target(), r.value()), r));
            events.add("resynchronised " + all.size());
        }

        @Override
        public synchronized List<Revocation> held() {
            return List.copyOf(held.values());
        }

        String next() throws InterruptedException {
            String e = events.poll(GateNode.GENEROUS.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(e).as("an event within 30 s").isNotNull();
            return e;
        }
    }

    private RedisRevocationStore store(RedisSettings.OnFailure onFailure, RecordingMirror mirror) {
        RedisConnections connections = RedisConnections.connect(RedisSettings.of(SharedRedis.URI).withKeyPrefix(PREFIX)
                .withOnFailure(onFailure));
        RedisRevocationStore store = new RedisRevocationStore(connections, time);
        open.add(() -> {
            store.shutdown();
            connections.close();
        });
        if (mirror != null) {
            store.subscribe(mirror);
            mirror.resynchronised(store.load(time.instant())); // as Revocations does at start
            mirror.events.clear();
        }
        return store;
    }

    private RedisRevocationStore store() {
        return store(RedisSettings.OnFailure.FAIL_OPEN, null);
    }

    private static Revocation entry(Revocation.Target target, String value, String reason, Instant expiresAt) {
        return new Revocation(target, value, reason, NOW, Optional.ofNullable(expiresAt));
    }

    private static RedisCommands<String, String> redis() {
        return rawConnection.sync();
    }

    private static String entriesKey() {
        return PREFIX + "{" + PREFIX + "revocations}:entries";
    }

    @Test
    void saveThenLoadReadsEachEntryBackAsItWas() {
        RedisRevocationStore store = store();
        Revocation odd = entry(Revocation.Target.SUBJECT, "team:ops|eu\nnight", "laptop | lost\nat the airport",
                NOW.plus(Duration.ofHours(1)));
        Revocation forever = entry(Revocation.Target.CLIENT, "legacy-app", "retired", null);
        Revocation token = entry(Revocation.Target.TOKEN, "ab".repeat(32), "leaked", NOW.plusSeconds(90));

        store.save(odd);
        store.save(forever);
        store.save(token);

        assertThat(store.load(time.instant())).containsExactlyInAnyOrder(odd, forever, token);
    }

    @Test
    void saveWhenTheSameTargetAndValueThenReplacesIt() {
        RedisRevocationStore store = store();
        store.save(entry(Revocation.Target.TOKEN_ID, "jti-1", "first", NOW.plusSeconds(60)));
        Revocation second = new Revocation(Revocation.Target.TOKEN_ID, "jti-1", "second", NOW.plusSeconds(1),
                Optional.of(NOW.plusSeconds(600)));

        store.save(second);

        assertThat(store.load(time.instant())).containsExactly(second);
        assertThat(redis().zscore(PREFIX + "{" + PREFIX + "revocations}:expiry", "token_id:jti-1"))
                .isEqualTo((double) NOW.plusSeconds(600).toEpochMilli());
    }

    @Test
    void removeDeletesTheEntryAndTellsWhetherThereWasOne() {
        RedisRevocationStore store = store();
        store.save(entry(Revocation.Target.SUBJECT, "mallory", "stolen laptop", null));

        assertThat(store.remove(Revocation.Target.SUBJECT, "mallory")).isTrue();
        assertThat(store.remove(Revocation.Target.SUBJECT, "mallory")).isFalse();
        assertThat(store.load(time.instant())).isEmpty();
    }

    @Test
    void loadWhenEntriesHaveRunOutByTheGateClockThenLeavesThemOutAndDeletesThemFromRedis() {
        RedisRevocationStore store = store();
        store.save(entry(Revocation.Target.TOKEN_ID, "short", "stolen", NOW.plusSeconds(60)));
        Revocation kept = entry(Revocation.Target.TOKEN_ID, "long", "stolen", NOW.plusSeconds(3600));
        Revocation forever = entry(Revocation.Target.SUBJECT, "mallory", "fired", null);
        store.save(kept);
        store.save(forever);
        assertThat(store.load(time.instant())).hasSize(3);

        time.advance(Duration.ofSeconds(60)); // the entry runs out at its expiry, not after it

        assertThat(store.load(time.instant())).containsExactlyInAnyOrder(kept, forever);
        assertThat(redis().hkeys(entriesKey())).containsExactlyInAnyOrder("token_id:long", "subject:mallory");
        assertThat(redis().zrange(PREFIX + "{" + PREFIX + "revocations}:expiry", 0, -1))
                .containsExactly("token_id:long");
    }

    @Test
    void saveWhenOtherEntriesHaveRunOutThenDeletesThemWithoutALoad() {
        RedisRevocationStore store = store();
        store.save(entry(Revocation.Target.TOKEN_ID, "short", "stolen", NOW.plusSeconds(60)));
        time.advance(Duration.ofMinutes(5));

        store.save(entry(Revocation.Target.TOKEN_ID, "later", "stolen", time.instant().plusSeconds(60)));

        assertThat(redis().hkeys(entriesKey())).containsExactly("token_id:later");
    }

    @Test
    void saveWhenTheEntryHasRunOutAlreadyThenWritesNothing() {
        RedisRevocationStore store = store();

        store.save(entry(Revocation.Target.TOKEN_ID, "gone", "stolen", NOW.minusSeconds(1)));

        assertThat(redis().exists(entriesKey())).isZero();
        assertThat(store.load(time.instant())).isEmpty();
    }

    @Test
    void everyKeyStartsWithThePrefixAndAllShareOneHashSlot() {
        RedisRevocationStore store = store();
        store.save(entry(Revocation.Target.TOKEN_ID, "jti-1", "stolen", NOW.plusSeconds(60)));
        store.remove(Revocation.Target.SUBJECT, "someone");
        store.load(time.instant()); // writes the epoch

        List<String> keys = redis().keys(PREFIX + "*");

        assertThat(keys).hasSize(3).allMatch(k -> k.startsWith(PREFIX));
        assertThat(keys.stream().map(SlotHash::getSlot).distinct()).hasSize(1);
    }

    @Test
    void aTokenRevokedByItsTextReachesRedisAsItsHashOnly() {
        RedisRevocationStore store = store();
        String token = "ghp_" + "s3cret".repeat(6);
        try (Revocations list = Revocations.stored(time, store)) {
            list.revokeTokenText(token, "pasted in a chat", NOW.plusSeconds(600));
        }

        StringBuilder everything = new StringBuilder();
        redis().hgetall(entriesKey()).forEach((k, v) -> everything.append(k).append('=').append(v).append('\n'));
        assertThat(everything.toString()).doesNotContain(token)
                .contains("token:" + Fingerprints.hex(Fingerprints.sha256(token)));
    }

    @Test
    void changesReachTheOtherNodesListenersAndANodeIsNotToldItsOwnEcho() throws Exception {
        RecordingMirror mirrorA = new RecordingMirror();
        RecordingMirror mirrorB = new RecordingMirror();
        RedisRevocationStore a = store(RedisSettings.OnFailure.FAIL_OPEN, mirrorA);
        RedisRevocationStore b = store(RedisSettings.OnFailure.FAIL_OPEN, mirrorB);
        Revocation r = entry(Revocation.Target.TOKEN_ID, "jti-7", "stolen", NOW.plusSeconds(600));

        a.save(r);

        assertThat(mirrorB.next()).isEqualTo("saved token_id jti-7");
        assertThat(mirrorB.held()).containsExactly(r);

        a.remove(Revocation.Target.TOKEN_ID, "jti-7");
        assertThat(mirrorB.next()).isEqualTo("removed token_id jti-7");

        b.save(entry(Revocation.Target.SUBJECT, "marker", "after A's changes on the channel", null));
        // A applied its own writes once written; its messages came back before B's, and were not told again
        assertThat(List.of(mirrorA.next(), mirrorA.next(), mirrorA.next())).containsExactly(
                "saved token_id jti-7", "removed token_id jti-7", "saved subject marker");
        assertThat(mirrorB.next()).isEqualTo("saved subject marker");
        assertThat(mirrorA.events).isEmpty();
    }

    @Test
    void trustedAlwaysInFailOpenAndInFailClosedOnceTheListIsRead() {
        assertThat(store(RedisSettings.OnFailure.FAIL_OPEN, null).trusted()).isTrue();
        RedisRevocationStore closed = store(RedisSettings.OnFailure.FAIL_CLOSED, null);
        assertThat(closed.trusted()).as("never read").isFalse();

        RecordingMirror mirror = new RecordingMirror();
        RedisRevocationStore read = store(RedisSettings.OnFailure.FAIL_CLOSED, mirror);

        assertThat(read.trusted()).isTrue();
    }

    @Test
    void whenRedisLostItsDataThenANodeWritesBackWhatItHoldsButWhatAnotherNodeLiftedSince() throws Exception {
        RecordingMirror mirrorA = new RecordingMirror();
        RedisRevocationStore a = store(RedisSettings.OnFailure.FAIL_OPEN, mirrorA);
        RecordingMirror mirrorB = new RecordingMirror();
        RedisRevocationStore b = store(RedisSettings.OnFailure.FAIL_OPEN, mirrorB);
        Revocation kept = entry(Revocation.Target.SUBJECT, "mallory", "fired", null);
        Revocation lifted = entry(Revocation.Target.TOKEN_ID, "jti-1", "stolen", NOW.plusSeconds(600));
        Revocation runOut = entry(Revocation.Target.TOKEN_ID, "jti-2", "stolen", NOW.plusSeconds(30));
        a.save(kept);
        a.save(lifted);
        a.save(runOut);
        assertThat(List.of(mirrorB.next(), mirrorB.next(), mirrorB.next())).hasSize(3);

        redis().del(redis().keys(PREFIX + "*").toArray(String[]::new)); // Redis restarted empty
        time.advance(Duration.ofSeconds(30));
        b.remove(Revocation.Target.TOKEN_ID, "jti-1"); // B's queued lift, written first after the restart

        assertThat(a.load(time.instant())).as("A's read after the restart").containsExactly(kept);
        assertThat(b.load(time.instant())).containsExactly(kept);
        assertThat(redis().hkeys(entriesKey())).containsExactlyInAnyOrder("subject:mallory", "-token_id:jti-1");
    }
}
