package dev.tokengate;

import java.util.Optional;

/**
 * A configuration value or combination that tokengate refuses at start-up; {@link #key()} names the setting
 * (the {@code tokengate.*} key, or the builder method for programmatic use), {@link #origin()} the layer a
 * configured value came from, and the message says what to do:
 * {@code tokengate.jwt.clock-skew (environment variable TOKENGATE_JWT_CLOCK_SKEW): 'abc' is not a duration; …}.
 */
public class ConfigurationException extends TokenGateException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String origin;
    private final String detail;

    public ConfigurationException(String key, String message) {
        this(key, null, message, null);
    }

    public ConfigurationException(String key, String message, Throwable cause) {
        this(key, null, message, cause);
    }

    /**
     * An error in a value read from configuration.
     *
     * @param origin where the value came from, e.g. {@code system property} or
     *               {@code environment variable TOKENGATE_JWT_AUDIENCE}; {@code null} when no layer set it
     */
    public ConfigurationException(String key, String origin, String message, Throwable cause) {
        super(key + (origin == null ? "" : " (" + origin + ")") + ": " + message, cause);
        this.key = key;
        this.origin = origin;
        this.detail = message;
    }

    /** The configuration key or builder setting at fault. */
    public String key() {
        return key;
    }

    /** The layer the faulty value came from, when it was read from configuration. */
    public Optional<String> origin() {
        return Optional.ofNullable(origin);
    }

    /** What is wrong and what to do, without the key and origin that start {@link #getMessage()}. */
    public String detail() {
        return detail;
    }
}
