package dev.tokengate.control;

import java.time.Instant;
import java.util.List;

/**
 * Where a {@link Revocations} list keeps its entries beyond the process: the token database
 * ({@code dev.tokengate.store.JdbcRevocationStore}, a table of its own), or a shared store. The list reads it
 * once at start (and again after a failed read), writes each revocation through, and answers every request from
 * memory. Implementations must be thread-safe; a failure is a {@link dev.tokengate.UpstreamUnavailableException}.
 */
public interface RevocationStore extends AutoCloseable {

    /** Every entry that has not run out at {@code now}; a store may delete those that have. */
    List<Revocation> load(Instant now);

    /** Stores an entry, replacing the one with the same target and value. */
    void save(Revocation revocation);

    /**
     * Deletes the entry with this target and value.
     *
     * @return whether there was one
     */
    boolean remove(Revocation.Target target, String value);

    /** Releases what the store holds; the default holds nothing. */
    @Override
    default void close() {
    }
}
