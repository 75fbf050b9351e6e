package dev.tokengate.control;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The anomaly rules' state kept where every node records into the same one: per token and rule, a bounded set of
 * what was seen within the window (the networks a token was used from, the times it was refused), each entry with the
 * last time it was seen. A call throws a {@link RuntimeException} when the store cannot be reached; the rules then go
 * on with this node's own state ({@code fail-open}) or answer 503 ({@code fail-closed}).
 *
 * <p>The rules ask it rarely: only when this node sees something new for the token (a network new to it within the
 * window, a counted denial) or has not reported what it sees for half the window; a repeat call is answered from the
 * node's own sketch, which holds what the last answer said.
 */
public interface SharedAnomalyState {

    /**
     * Records, in one atomic step, that a token was seen as {@code seen} says, and returns what the rule's set holds
     * for it then. The set forgets what was last seen {@code window} or longer before {@code now}, keeps at most the
     * {@code max + 1} entries seen last, and is itself forgotten a window after its last record.
     *
     * @param rule   the rule whose set it is: {@link Anomaly.Rule#NETWORKS} (entries are networks, as
     *               {@link Addresses#networkText} writes them), {@link Anomaly.Rule#DENIALS} (entries are the
     *               denials, each with an id of its own) or {@link Anomaly.Rule#COUNTRIES} (ISO 3166 codes)
     * @param token  the token's fingerprint, never the token
     * @param seen   what this node saw, each with when it was last seen (an entry already held keeps the later time)
     * @param now    the time, by the gate's clock
     * @param window how long an entry counts
     * @param max    the rule's limit: the set is over it with {@code max + 1} entries
     * @return the set's entries after the record, and whether this record crossed the limit or added an entry
     */
    Recorded record(Anomaly.Rule rule, String token, List<Seen> seen, Instant now, Duration window, int max);

    /**
     * One entry of a rule's set and when it was last seen.
     *
     * @param value  a network's text, or a denial's id
     * @param seenAt when it was last seen, in milliseconds since the epoch (the gate's clock)
     */
    record Seen(String value, long seenAt) {
        /**
         * Checks that the value is present.
         *
         * @param value a network's text, or a denial's id; not null
         * @param seenAt when it was last seen, in milliseconds since the epoch
         */
        public Seen {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * What a rule's set holds after a record.
     *
     * @param entries the entries within the window, the last seen first, at most {@code max + 1}
     * @param crossed whether this record took the set over the limit ({@code max} or fewer entries before it, more
     *                after): true for one record of all the nodes', so that one node, not each, reports the anomaly
     * @param added   whether this record added an entry the set did not hold within the window (a country new for
     *                the token): true for one record of all the nodes'
     */
    record Recorded(List<Seen> entries, boolean crossed, boolean added) {
        /**
         * Copies the entries.
         *
         * @param entries the entries within the window, the last seen first
         * @param crossed whether this record took the set over the limit
         * @param added whether this record added an entry the set did not hold
         */
        public Recorded {
            entries = List.copyOf(entries);
        }
    }
}
