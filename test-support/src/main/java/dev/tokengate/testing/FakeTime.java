package dev.tokengate.testing;

import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A wall clock and a Caffeine ticker that move together, only when a test says so. */
public final class FakeTime extends Clock implements Ticker {
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicLong clockOffsetNanos = new AtomicLong();
    private final Instant start;

    public FakeTime(Instant start) {
        this.start = start;
    }

    /** Moves both the ticker and the wall clock. */
    public void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    /** Moves only the wall clock, as when the system clock is stepped. */
    public void advanceClockOnly(Duration duration) {
        clockOffsetNanos.addAndGet(duration.toNanos());
    }

    @Override
    public long read() {
        return nanos.get();
    }

    @Override
    public Instant instant() {
        return start.plusNanos(nanos.get() + clockOffsetNanos.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
