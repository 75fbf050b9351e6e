package dev.tokengate.log;

import java.time.Instant;
import java.util.Map;

/**
 * What the call log left out for one client address: the unauthenticated denials (no token, a malformed or invalid
 * one) beyond the per-address limit in one window, counted by error code. Emitted once, when the window ends, so
 * that a flood of bad requests from one address is one line, not thousands, and cannot push the rest of the audit
 * history out of a size-bounded log.
 *
 * @param windowStart   when the window began
 * @param windowEnd     when it ended
 * @param clientAddress the address the denials came from
 * @param logged        how many of its denials in the window were logged as events (the limit)
 * @param leftOut       how many more were counted here instead
 * @param errors        the left-out denials by error code ({@code missing_token}, {@code invalid_token}, …)
 */
public record DenialSummary(Instant windowStart, Instant windowEnd, String clientAddress, int logged, int leftOut,
                            Map<String, Integer> errors) {

    /**
     * Copies the counts by error code.
     *
     * @param windowStart when the window began
     * @param windowEnd when it ended
     * @param clientAddress the address the denials came from
     * @param logged how many of its denials were logged as events
     * @param leftOut how many more were counted here instead
     * @param errors the left-out denials by error code; copied
     */
    public DenialSummary {
        errors = Map.copyOf(errors);
    }
}
