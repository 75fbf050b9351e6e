package dev.tokengate.store;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock and cache ticker that move only when a test says so. */
final class FakeTime extends Clock implements Ticker {
    private volatile Instant now;
    private volatile long nanos;

    FakeTime(Instant start) {
        this.now = start;
    }

    void advance(Duration d) {
        now = now.plus(d);
        nanos += d.toNanos();
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public long read() {
        return nanos;
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
