package dev.tokengate.sample;

import dev.tokengate.log.CallEvent;
import dev.tokengate.log.CallLogSink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A {@link CallLogSink} that keeps the last N call-log events in memory for the console's "recent calls" view,
 * each with the name of its token, and passes every event on to the next sink (the JSON-lines logger).
 * Thread-safe; cheap enough for the request thread.
 */
final class RecentCalls implements CallLogSink {

    /** One remembered call. */
    record Call(CallEvent event, Optional<CallLabels.Label> label) {
    }

    private final int capacity;
    private final CallLabels labels;
    private final CallLogSink next;
    private final Deque<Call> calls = new ArrayDeque<>();

    RecentCalls(int capacity, CallLabels labels, CallLogSink next) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        this.capacity = capacity;
        this.labels = Objects.requireNonNull(labels, "labels");
        this.next = Objects.requireNonNull(next, "next");
    }

    @Override
    public void accept(CallEvent event) {
        Optional<CallLabels.Label> label = event.tokenFingerprint().flatMap(labels::find);
        synchronized (calls) {
            calls.addFirst(new Call(event, label));
            while (calls.size() > capacity) {
                calls.removeLast();
            }
        }
        next.accept(event);
    }

    /** The newest calls first, at most {@code limit}, that pass the filter. */
    List<Call> recent(int limit, Predicate<Call> filter) {
        List<Call> out = new ArrayList<>();
        synchronized (calls) {
            for (Call c : calls) {
                if (out.size() >= limit) {
                    break;
                }
                if (filter.test(c)) {
                    out.add(c);
                }
            }
        }
        return out;
    }
}
