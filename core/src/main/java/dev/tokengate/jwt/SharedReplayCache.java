package dev.tokengate.jwt;

import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.internal.WarningEpisode;
import dev.tokengate.log.Loggers;
import org.slf4j.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The replay cache shared by the nodes (tokengate-redis), behind this node's own: a key this node has seen is a replay
 * without a round trip; any other is recorded in both. While the shared cache cannot be reached, a key is refused with
 * 503 ({@code fail-closed}) or checked against this node's cache alone ({@code fail-open}: a proof first used on
 * another node can then be replayed here until it is too old), one warning per episode. Thread-safe.
 */
final class SharedReplayCache implements ReplayCache {

    private static final Logger LOG = Loggers.logger(DpopVerifier.class);
    /** The {@code Retry-After} of a 503 while the shared cache is down. */
    static final Duration RETRY = Duration.ofSeconds(5);

    private final LocalReplayCache local;
    private final ReplayCache shared;
    private final boolean failClosed;
    private final WarningEpisode failures;

    SharedReplayCache(LocalReplayCache local, ReplayCache shared, boolean failClosed, Clock clock) {
        this.local = local;
        this.shared = shared;
        this.failClosed = failClosed;
        this.failures = new WarningEpisode(LOG, "tokengate cannot reach the shared DPoP replay cache; " + (failClosed
                ? "requests with a DPoP proof are refused with 503"
                : "each node refuses only the replays it has seen itself meanwhile"), clock,
                WarningEpisode.SUMMARY_INTERVAL);
    }

    /**
     * {@inheritDoc}
     *
     * @throws UpstreamUnavailableException in {@code fail-closed} mode, when the shared cache cannot be reached
     */
    @Override
    public boolean firstUse(String key, Instant expiresAt) {
        if (!local.firstUse(key, expiresAt)) {
            return false;
        }
        boolean first;
        try {
            first = shared.firstUse(key, expiresAt);
        } catch (RuntimeException e) {
            String problem = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
            failures.failure(problem);
            if (failClosed) {
                local.forget(key); // the proof was not used: the client may send it again once the cache is back
                throw new UpstreamUnavailableException("the shared DPoP replay cache (" + shared
                        + ") cannot be reached: " + problem, null, e, RETRY);
            }
            return true;
        }
        failures.recovered();
        return first;
    }

    @Override
    public String toString() {
        return shared + " (" + (failClosed ? "fail-closed" : "fail-open") + "), behind the " + local;
    }
}
