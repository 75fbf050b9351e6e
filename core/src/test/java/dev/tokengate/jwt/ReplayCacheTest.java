package dev.tokengate.jwt;

import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.LogCapture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The node's replay cache, and the shared one behind it with its fail-open and fail-closed modes. */
class ReplayCacheTest {

    private final FakeTime time = new FakeTime(Instant.parse("2026-01-01T10:00:00Z"));
    private final Instant inAMinute = time.instant().plusSeconds(60);

    /** A shared cache in a map, as a second node would see it; it can be taken down. */
    private static final class MapCache implements ReplayCache {
        final Map<String, Instant> keys = new HashMap<>();
        final List<String> asked = new ArrayList<>();
        boolean down;

        @Override
        public boolean firstUse(String key, Instant expiresAt) {
            asked.add(key);
            if (down) {
                throw new IllegalStateException("connection refused: 127.0.0.1:6379");
            }
            return keys.putIfAbsent(key, expiresAt) == null;
        }

        @Override
        public String toString() {
            return "the test's map";
        }
    }

    /** The lines of the episode's logger at INFO and above (the repeats in between are DEBUG). */
    private static List<String> lines(LogCapture logs) {
        return logs.lines(DpopVerifier.class.getName());
    }

    private SharedReplayCache shared(MapCache map, boolean failClosed) {
        return new SharedReplayCache(new LocalReplayCache(100, time), map, failClosed, time);
    }

    @Test
    void firstUseWhenKeyIsNewThenTrueAndThenFalseUntilItExpires() {
        LocalReplayCache cache = new LocalReplayCache(100, time);

        assertThat(cache.firstUse("k", inAMinute)).isTrue();
        assertThat(cache.firstUse("k", inAMinute)).isFalse();
        time.advance(Duration.ofSeconds(59));
        assertThat(cache.firstUse("k", inAMinute)).as("one second before it expires").isFalse();
        time.advance(Duration.ofSeconds(1));
        assertThat(cache.firstUse("k", inAMinute.plusSeconds(60))).as("at its expiry").isTrue();
    }

    @Test
    void firstUseWhenKeysExpireAtDifferentTimesThenEachIsForgottenAtItsOwn() {
        LocalReplayCache cache = new LocalReplayCache(100, time);
        cache.firstUse("short", time.instant().plusSeconds(10));
        cache.firstUse("long", inAMinute);

        time.advance(Duration.ofSeconds(30));

        assertThat(cache.firstUse("short", inAMinute)).isTrue();
        assertThat(cache.firstUse("long", inAMinute)).isFalse();
    }

    @Test
    void firstUseWhenAnotherNodeRecordedTheKeyThenReplay() {
        MapCache map = new MapCache();
        map.keys.put("k", inAMinute); // node A accepted it

        assertThat(shared(map, true).firstUse("k", inAMinute)).isFalse();
    }

    @Test
    void firstUseWhenThisNodeSawTheKeyThenReplayWithoutAskingTheSharedCache() {
        MapCache map = new MapCache();
        SharedReplayCache cache = shared(map, true);

        assertThat(cache.firstUse("k", inAMinute)).isTrue();
        assertThat(cache.firstUse("k", inAMinute)).isFalse();

        assertThat(map.asked).containsExactly("k");
        assertThat(map.keys).containsEntry("k", inAMinute);
    }

    @Test
    void firstUseWhenSharedCacheIsDownAndFailsClosedThenUnavailableAndTheKeyIsNotKept() {
        MapCache map = new MapCache();
        SharedReplayCache cache = shared(map, true);
        map.down = true;

        try (LogCapture logs = LogCapture.start()) {
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> cache.firstUse("k", inAMinute))
                        .isInstanceOf(UpstreamUnavailableException.class)
                        .hasMessageContaining("shared DPoP replay cache").hasMessageContaining("connection refused")
                        .satisfies(e -> assertThat(((UpstreamUnavailableException) e).nextAttemptIn())
                                .contains(SharedReplayCache.RETRY));
            }
            assertThat(lines(logs)).as("one warning for the episode").singleElement().asString()
                    .contains("refused with 503");
        }
        map.down = false;
        assertThat(cache.firstUse("k", inAMinute)).as("never used: first use once the cache is back").isTrue();
        assertThat(cache.firstUse("k", inAMinute)).isFalse();
    }

    @Test
    void firstUseWhenSharedCacheIsDownAndFailsOpenThenThisNodesCacheStillRefusesItsReplays() {
        MapCache map = new MapCache();
        SharedReplayCache cache = shared(map, false);
        map.down = true;

        try (LogCapture logs = LogCapture.start()) {
            assertThat(cache.firstUse("k", inAMinute)).isTrue();
            assertThat(cache.firstUse("k", inAMinute)).isFalse();
            assertThat(cache.firstUse("other", inAMinute)).isTrue();

            map.down = false;
            assertThat(cache.firstUse("third", inAMinute)).isTrue();
            assertThat(lines(logs)).as("one warning for the episode, then the recovery").hasSize(2);
            assertThat(lines(logs).get(0)).contains("cannot reach the shared DPoP replay cache",
                    "each node refuses only the replays it has seen");
            assertThat(lines(logs).get(1)).contains("working again");
        }
        assertThat(map.asked).as("the replay was caught here, without a round trip").containsExactly("k", "other",
                "third");
        assertThat(map.keys).containsOnlyKeys("third");
    }
}
