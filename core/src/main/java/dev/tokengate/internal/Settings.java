package dev.tokengate.internal;

import dev.tokengate.ConfigurationException;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/** Fail-fast checks for builder settings, shared by every builder; every message names the setting. Not API. */
public final class Settings {

    private Settings() {
    }

    /** The constant whose configured name ({@code name}) is {@code text}, ignoring case and surrounding space. */
    public static <E extends Enum<E>> java.util.Optional<E> named(E[] constants, java.util.function.Function<E, String> name,
                                                                 String text) {
        if (text != null) {
            String t = text.strip();
            for (E e : constants) {
                if (name.apply(e).equalsIgnoreCase(t)) {
                    return java.util.Optional.of(e);
                }
            }
        }
        return java.util.Optional.empty();
    }

    public static <T> T required(String setting, T value) {
        if (value == null) {
            throw new ConfigurationException(setting, "must not be null");
        }
        return value;
    }

    public static Duration positive(String setting, Duration value) {
        required(setting, value);
        if (value.isNegative() || value.isZero()) {
            throw new ConfigurationException(setting, "must be positive, was " + value);
        }
        return value;
    }

    public static Duration notNegative(String setting, Duration value) {
        required(setting, value);
        if (value.isNegative()) {
            throw new ConfigurationException(setting, "must not be negative, was " + value);
        }
        return value;
    }

    public static long positive(String setting, long value) {
        if (value <= 0) {
            throw new ConfigurationException(setting, "must be positive, was " + value);
        }
        return value;
    }

    public static String nonBlank(String setting, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigurationException(setting, "must not be blank");
        }
        return value;
    }

    /**
     * A non-empty collection of non-blank values, in order, without repeats.
     *
     * @param ifEmpty what the message says to do instead of passing none
     */
    public static Set<String> nonBlankValues(String setting, Collection<String> values, String ifEmpty) {
        if (values == null || values.isEmpty()) {
            throw new ConfigurationException(setting, ifEmpty);
        }
        Set<String> checked = new LinkedHashSet<>();
        values.forEach(v -> checked.add(nonBlank(setting, v)));
        return checked;
    }

    /** Nanoseconds, saturated so that adding two of them cannot overflow. */
    public static long nanos(Duration value) {
        return value.compareTo(Duration.ofDays(3650)) > 0 ? Duration.ofDays(3650).toNanos() : value.toNanos();
    }
}
