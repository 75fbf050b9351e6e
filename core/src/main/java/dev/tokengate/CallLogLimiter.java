package dev.tokengate;

import dev.tokengate.log.CallEvent;
import dev.tokengate.log.CallLogSink;
import dev.tokengate.log.DenialSummary;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What reaches the call-log sink: every event, except open-route events when the operator leaves them out, and
 * unauthenticated denials beyond {@code limit} per client address in one window, which are counted instead and
 * handed to the sink as one {@link DenialSummary} when the window ends. An attacker who sends a flood of bad
 * requests thus writes one summary line, not thousands of events that push the audit history out of a size-bounded
 * log. Authenticated requests (allowed, or denied for scopes or a policy) are always logged. Not API.
 *
 * <p>Memory is bounded: at most {@value #MAX_ADDRESSES} addresses are tracked at once; events from further
 * addresses are logged one by one. A window that has ended is summarised on the next event, from any address, or
 * when the gate closes. Thread-safe.
 */
final class CallLogLimiter implements CallLogSink {

    static final int MAX_ADDRESSES = 10_000;
    /** The denials that carry no verified token, so no identity to hold to account. */
    private static final Set<String> UNAUTHENTICATED = Set.of("missing_token", "invalid_token", "invalid_request");

    private final CallLogSink sink;
    private final boolean logOpenRoutes;
    private final int limit;
    private final long windowMillis;
    private final Clock clock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
    private volatile long nextSweep;

    CallLogLimiter(CallLogSink sink, boolean logOpenRoutes, int limit, Duration window, Clock clock) {
        this.sink = sink;
        this.logOpenRoutes = logOpenRoutes;
        this.limit = limit;
        this.windowMillis = window.toMillis();
        this.clock = clock;
    }

    /** The sink itself when nothing is left out, else a limiter in front of it. */
    static CallLogSink wrap(CallLogSink sink, boolean logOpenRoutes, int limit, Duration window, Clock clock) {
        return logOpenRoutes && limit == 0 ? sink : new CallLogLimiter(sink, logOpenRoutes, limit, window, clock);
    }

    @Override
    public void accept(CallEvent event) {
        long now = clock.millis();
        sweep(now);
        if (!logOpenRoutes && event.decision().equals("permit")) {
            return;
        }
        if (limit == 0 || !isUnauthenticatedDenial(event)) {
            sink.accept(event);
            return;
        }
        DenialSummary ended = null;
        boolean log;
        while (true) {
            Window w = windows.get(event.clientAddress());
            if (w == null) {
                if (windows.size() >= MAX_ADDRESSES) {
                    sink.accept(event); // no room to count: logged, never lost
                    return;
                }
                w = windows.computeIfAbsent(event.clientAddress(), a -> new Window(a, now));
            }
            synchronized (w) {
                if (w.summarised) {
                    continue; // swept away meanwhile: count in a new window
                }
                if (now - w.start >= windowMillis) {
                    ended = w.summary(now);
                    w.reset(now);
                }
                log = w.count(event.errorCode().orElse("missing_token"), limit);
            }
            break;
        }
        if (ended != null) {
            sink.summary(ended);
        }
        if (log) {
            sink.accept(event);
        }
    }

    @Override
    public boolean enabled() {
        return sink.enabled();
    }

    @Override
    public void summary(DenialSummary summary) {
        sink.summary(summary);
    }

    /** Summarises every window, ended or not: the gate is closing. */
    void flush() {
        summarise(Long.MAX_VALUE, clock.millis());
    }

    private static boolean isUnauthenticatedDenial(CallEvent event) {
        return (event.decision().equals("deny") || event.decision().equals("would_deny")) && event.subject().isEmpty()
                && event.clientId().isEmpty() && event.errorCode().map(UNAUTHENTICATED::contains).orElse(false);
    }

    /** At most once per window: summarises and forgets the windows that have ended. */
    private void sweep(long now) {
        if (now < nextSweep) {
            return;
        }
        nextSweep = now + windowMillis;
        summarise(now - windowMillis, now);
    }

    private void summarise(long startedBefore, long now) {
        List<DenialSummary> ended = new ArrayList<>();
        for (Window w : windows.values()) {
            synchronized (w) {
                if (w.start <= startedBefore) { // always, for flush()'s Long.MAX_VALUE
                    windows.remove(w.address, w);
                    w.summarised = true;
                    DenialSummary s = w.summary(now);
                    if (s != null) {
                        ended.add(s);
                    }
                }
            }
        }
        ended.forEach(sink::summary);
    }

    /** One address's current window. Guarded by itself. */
    private static final class Window {
        private final String address;
        private long start;
        private int logged;
        private final Map<String, Integer> leftOut = new TreeMap<>();
        /** Removed from the map and summarised: counts go to a new window. */
        private boolean summarised;

        Window(String address, long start) {
            this.address = address;
            this.start = start;
        }

        /** Counts a denial; whether it is still within the limit, to be logged as an event. */
        boolean count(String error, int limit) {
            if (logged < limit) {
                logged++;
                return true;
            }
            leftOut.merge(error, 1, Integer::sum);
            return false;
        }

        /** The summary of what was left out, or {@code null} when nothing was. */
        DenialSummary summary(long now) {
            int n = leftOut.values().stream().mapToInt(Integer::intValue).sum();
            return n == 0 ? null : new DenialSummary(Instant.ofEpochMilli(start), Instant.ofEpochMilli(now), address,
                    logged, n, leftOut);
        }

        void reset(long now) {
            start = now;
            logged = 0;
            leftOut.clear();
        }
    }
}
