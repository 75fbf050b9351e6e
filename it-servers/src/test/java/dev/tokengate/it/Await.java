package dev.tokengate.it;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/** Polls a condition a bounded number of times, for what a server does in its own time (a boot, a marker file). */
final class Await {

    private static final long PAUSE_MILLIS = 50;

    private Await() {
    }

    /**
     * Asks {@code probe} until it answers something other than {@code null} or {@code false}, at most every
     * {@value #PAUSE_MILLIS} ms and for at most {@code limit}; then fails naming {@code what}.
     */
    static <T> T until(String what, Duration limit, Supplier<T> probe) {
        long attempts = Math.max(1, limit.toMillis() / PAUSE_MILLIS);
        long deadline = System.nanoTime() + limit.toNanos();
        for (long attempt = 0; attempt < attempts && System.nanoTime() - deadline < 0; attempt++) {
            T value = probe.get();
            if (value != null && !Boolean.FALSE.equals(value)) {
                return value;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS));
        }
        throw new AssertionError("gave up waiting after " + limit.toSeconds() + " s for " + what);
    }

    /**
     * Asks {@code probe} until its answer passes {@code done}, at most every {@value #PAUSE_MILLIS} ms and for at
     * most {@code limit}, and returns the last answer, passing or not: for a caller that fails with what it saw.
     */
    static <T> T poll(Duration limit, Supplier<T> probe, java.util.function.Predicate<T> done) {
        long attempts = Math.max(1, limit.toMillis() / PAUSE_MILLIS);
        long deadline = System.nanoTime() + limit.toNanos();
        T value = probe.get();
        for (long attempt = 1; attempt < attempts && !done.test(value) && System.nanoTime() - deadline < 0; attempt++) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS));
            value = probe.get();
        }
        return value;
    }
}
