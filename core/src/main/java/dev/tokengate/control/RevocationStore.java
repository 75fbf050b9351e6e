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

    /**
     * Every entry that has not run out at {@code now}; a store may delete those that have.
     *
     * @param now the gate's time
     * @return the entries in force, in any order
     */
    List<Revocation> load(Instant now);

    /**
     * Stores an entry, replacing the one with the same target and value.
     *
     * @param revocation the entry to keep
     */
    void save(Revocation revocation);

    /**
     * Deletes the entry with this target and value.
     *
     * @param target what kind of thing was revoked
     * @param value its name, as in {@link Revocation#value()}
     * @return whether there was one
     */
    boolean remove(Revocation.Target target, String value);

    /**
     * For a store shared by several nodes: tells the list, from now on, of the entries other nodes save and remove, and
     * of each resynchronisation after the store was unreachable. Called once, before the first {@link #load}; the
     * default tells nothing (the list then reads the store only at start and after a failed read).
     *
     * @param listener the list to tell; called on the store's thread
     */
    default void subscribe(Listener listener) {
    }

    /**
     * Whether the list may answer from the entries it holds. A shared store that fails closed answers {@code false}
     * from the moment it loses its connection until it has resynchronised the list; the revocation check then
     * answers 503. The default: always.
     *
     * @return {@code true} when the held entries may decide requests
     */
    default boolean trusted() {
        return true;
    }

    /** What a shared store tells the list; called on the store's own threads. */
    interface Listener {

        /**
         * Another node saved this entry (or this node's own write came back).
         *
         * @param revocation the entry saved
         */
        void saved(Revocation revocation);

        /**
         * An entry was lifted.
         *
         * @param target what kind of thing was revoked
         * @param value its name, as in {@link Revocation#value()}
         */
        void removed(Revocation.Target target, String value);

        /**
         * Every entry in force, read after the store was reached again: the list holds these and forgets the others
         * (lifted meanwhile).
         *
         * @param all every entry in force, in any order
         */
        void resynchronised(List<Revocation> all);

        /**
         * The entries the list holds now that have not run out: what a shared store writes back when it finds it
         * has lost its data (a restart without persistence, a failover to an empty replica), before it resynchronises.
         *
         * @return the entries, in any order
         */
        List<Revocation> held();
    }

    /** Releases what the store holds; the default holds nothing. */
    @Override
    default void close() {
    }
}
