package dev.tokengate.authorize;

import dev.tokengate.config.ConfigSource;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rate limit's size: at most {@link #limit()} requests per {@link #window()}, written {@code N/duration}
 * ({@code 100/1m}, {@code 10/30s}, {@code 5000/1d}; the duration as every {@code tokengate.*} duration is written).
 * The window is whole milliseconds from 1 second to 366 days; the limit from 1 to 1,000,000,000.
 *
 * <p>Used by the {@code tokengate.rate-limit.*} keys and by a route's {@code + rate-limit N/duration} suffix
 * ({@link Requirement#withRateLimit}). Immutable; {@link #toString()} reads back as an equal rate.
 */
public final class Rate {

    private static final Pattern FORM = Pattern.compile("\\s*(\\d{1,10})\\s*/\\s*(\\S+?)\\s*");
    private static final long MAX_LIMIT = 1_000_000_000L;
    private static final Duration MIN_WINDOW = Duration.ofSeconds(1);
    private static final Duration MAX_WINDOW = Duration.ofDays(366);

    private final long limit;
    private final Duration window;

    private Rate(long limit, Duration window) {
        this.limit = limit;
        this.window = window;
    }

    /**
     * At most {@code limit} requests per {@code window}.
     *
     * @param limit requests per window, 1 to 1,000,000,000
     * @param window the window, 1 s to 366 days in whole milliseconds; not null
     * @return the rate
     * @throws IllegalArgumentException for a limit below 1 or above 1,000,000,000, a window shorter than 1 s, longer
     *                                  than 366 days or not whole milliseconds
     */
    public static Rate of(long limit, Duration window) {
        Objects.requireNonNull(window, "window");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("a rate limit allows 1 to " + MAX_LIMIT + " requests per window, not " + limit);
        }
        if (window.compareTo(MIN_WINDOW) < 0 || window.compareTo(MAX_WINDOW) > 0 || window.getNano() % 1_000_000 != 0) {
            throw new IllegalArgumentException("a rate limit's window is whole milliseconds from 1s to 366d, not " + window);
        }
        return new Rate(limit, window);
    }

    /**
     * Reads {@code N/duration}, e.g. {@code 100/1m}.
     *
     * @param text the rate's text, e.g. {@code 100/1m}; not null
     * @return the rate
     * @throws IllegalArgumentException saying what is wrong and showing the form
     */
    public static Rate parse(String text) {
        Objects.requireNonNull(text, "text");
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a rate: write N/duration, e.g. 100/1m (100 requests a minute)");
        }
        Duration window;
        try {
            window = ConfigSource.duration(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a rate: " + e.getMessage()
                    + "; write N/duration, e.g. 100/1m", e);
        }
        try {
            return of(Long.parseLong(m.group(1)), window);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "': " + e.getMessage(), e);
        }
    }

    /**
     * The number of requests allowed per window.
     *
     * @return the limit, at least 1
     */
    public long limit() {
        return limit;
    }

    /**
     * The window.
     *
     * @return the window, at least one second
     */
    public Duration window() {
        return window;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rate r && limit == r.limit && window.equals(r.window);
    }

    @Override
    public int hashCode() {
        return Objects.hash(limit, window);
    }

    /** {@code N/duration} in the largest unit that divides the window: {@code 100/1m}, {@code 10/90s}, {@code 1/1500ms}. */
    @Override
    public String toString() {
        long ms = window.toMillis();
        String w;
        if (ms % 86_400_000L == 0) {
            w = ms / 86_400_000L + "d";
        } else if (ms % 3_600_000L == 0) {
            w = ms / 3_600_000L + "h";
        } else if (ms % 60_000L == 0) {
            w = ms / 60_000L + "m";
        } else if (ms % 1000L == 0) {
            w = ms / 1000L + "s";
        } else {
            w = ms + "ms";
        }
        return limit + "/" + w;
    }
}
