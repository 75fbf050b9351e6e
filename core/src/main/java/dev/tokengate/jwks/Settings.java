package dev.tokengate.jwks;

import dev.tokengate.ConfigurationException;
import java.time.Duration;

/** Fail-fast checks for builder settings; every message names the setting. */
final class Settings {

    private Settings() {
    }

    static <T> T required(String setting, T value) {
        if (value == null) {
            throw new ConfigurationException(setting, "must not be null");
        }
        return value;
    }

    static Duration positive(String setting, Duration value) {
        required(setting, value);
        if (value.isNegative() || value.isZero()) {
            throw new ConfigurationException(setting, "must be positive, was " + value);
        }
        return value;
    }

    static Duration notNegative(String setting, Duration value) {
        required(setting, value);
        if (value.isNegative()) {
            throw new ConfigurationException(setting, "must not be negative, was " + value);
        }
        return value;
    }

    static long positive(String setting, long value) {
        if (value <= 0) {
            throw new ConfigurationException(setting, "must be positive, was " + value);
        }
        return value;
    }

    /** Nanoseconds, saturated so that adding two of them cannot overflow. */
    static long nanos(Duration value) {
        return value.compareTo(Duration.ofDays(3650)) > 0 ? Duration.ofDays(3650).toNanos() : value.toNanos();
    }
}
