package dev.tokengate.control;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The anomaly rules' state kept where every node records into the same one: the networks each token was used from
 * within a window, bounded per token. A call throws a {@link RuntimeException} when the store cannot be reached; the
 * rules then go on with this node's own state ({@code fail-open}) or answer 503 ({@code fail-closed}).
 */
public interface SharedAnomalyState {

    /**
     * Records that a token was used from a network, and returns the networks it was used from, on any node, within
     * the window before {@code now}: the most recently seen first, at most {@code max + 1} of them.
     *
     * @param token   the token's fingerprint, never the token
     * @param network the network, as {@link Addresses#networkText} writes it
     */
    List<String> networks(String token, String network, Instant now, Duration window, int max);
}
