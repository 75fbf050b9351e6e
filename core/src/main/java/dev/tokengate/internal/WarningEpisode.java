package dev.tokengate.internal;

import org.slf4j.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A warning that would otherwise repeat once per request while something is down (a JWKS, an introspection endpoint,
 * a database): the first failure of an episode is logged at WARN, the next ones are counted and summarised in one
 * WARN line at most once per interval, and the recovery is one INFO line with the count since the last line. A
 * 20-second outage under load is then three lines, not fourteen thousand. Thread-safe; the clock is injectable. Not API.
 */
public final class WarningEpisode {

    /** How often a continuing episode is summarised. */
    public static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(60);

    private final Logger log;
    private final String what;
    private final Clock clock;
    private final long intervalMillis;
    private final AtomicBoolean active = new AtomicBoolean();
    private final AtomicLong unlogged = new AtomicLong();
    private final AtomicLong nextSummary = new AtomicLong();

    public WarningEpisode(Logger log, String what, Clock clock, Duration interval) {
        this.log = log;
        this.what = what;
        this.clock = clock;
        this.intervalMillis = interval.toMillis();
    }

    /** One more failure, described by {@code detail} (already safe to log). */
    public void failure(String detail) {
        long now = clock.millis();
        if (active.compareAndSet(false, true)) {
            unlogged.set(0);
            nextSummary.set(now + intervalMillis);
            log.warn("{}: {} (repeats are counted and summarised every {} s until it recovers)", what, detail,
                    intervalMillis / 1000);
            return;
        }
        unlogged.incrementAndGet();
        long due = nextSummary.get();
        if (now >= due && nextSummary.compareAndSet(due, now + intervalMillis)) {
            log.warn("{}: still failing, {} more time(s) since the last line; the latest: {}", what,
                    unlogged.getAndSet(0), detail);
        } else {
            log.debug("{}: {}", what, detail);
        }
    }

    /** A success: ends the episode, if one is going on, with one INFO line. Cheap when none is. */
    public void recovered() {
        if (active.get() && active.compareAndSet(true, false)) {
            log.info("{}: working again ({} more failure(s) since the last line)", what, unlogged.getAndSet(0));
        }
    }
}
