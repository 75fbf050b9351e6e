package dev.tokengate.control;

import dev.tokengate.jwt.ReplayCache;

import java.util.Optional;

/**
 * Token-control state shared by the nodes of a cluster, so that a revocation, a rate limit or an anomaly seen on one
 * node holds on all: the revocation list's store (each node keeps a mirror and is told of the others' changes), the
 * rate limits' buckets, the anomaly rules' state and the DPoP proofs' replay cache. {@code tokengate-redis} provides one, switched on by
 * {@value dev.tokengate.config.ConfigKeys#REDIS_URI} (found through {@link SharedControlProvider}) or given to
 * {@code TokenGate.Builder#sharedControl}. The gate closes it.
 */
public interface SharedControl extends AutoCloseable {

    /**
     * Where the revocation list is kept; it {@linkplain RevocationStore#subscribe tells} the list of other nodes'
     * changes.
     *
     * @return the shared store
     */
    RevocationStore revocationStore();

    /**
     * The rate limits' buckets, shared by every node.
     *
     * @return the shared buckets
     */
    SharedBuckets buckets();

    /**
     * The anomaly rules' state, shared by every node.
     *
     * @return the shared state
     */
    SharedAnomalyState anomalyState();

    /**
     * The replay cache of DPoP proofs, shared by every node, so that a proof accepted by one is a replay on all; the
     * gate puts its own in front of it. None by default: each node then refuses only the replays it has seen.
     *
     * @return the shared cache, or empty
     */
    default Optional<ReplayCache> replayCache() {
        return Optional.empty();
    }

    /**
     * Whether a check that needs the shared state answers 503 while it cannot be reached ({@code fail-closed}),
     * rather than going on with this node's own state ({@code fail-open}).
     *
     * @return {@code true} for {@code fail-closed}, {@code false} for {@code fail-open}
     */
    boolean failClosed();

    /** Releases the connections. */
    @Override
    void close();
}
