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

    /**
     * The key or builder setting at fault.
     */
    private final String key;
    /**
     * Where the value came from; null when it was not read from configuration.
     */
    private final String origin;
    /**
     * What is wrong and what to do, without key and origin.
     */
    private final String detail;

    /**
     * An error in a setting given programmatically or in a combination of settings.
     *
     * @param key the {@code tokengate.*} key or the builder setting at fault, e.g. {@code tokengate.jwt.audience}
     * @param message what is wrong and what to do
     */
    public ConfigurationException(String key, String message) {
        this(key, null, message, null);
    }

    /**
     * An error in a setting, caused by another exception (a parser's).
     *
     * @param key the {@code tokengate.*} key or the builder setting at fault
     * @param message what is wrong and what to do
     * @param cause the underlying failure; may be null
     */
    public ConfigurationException(String key, String message, Throwable cause) {
        this(key, null, message, cause);
    }

    /**
     * An error in a value read from configuration.
     *
     * @param origin where the value came from, e.g. {@code system property} or
     *               {@code environment variable TOKENGATE_JWT_AUDIENCE}; {@code null} when no layer set it
     * @param key the {@code tokengate.*} key or the builder setting at fault
     * @param message what is wrong and what to do; the exception's message is the key, the origin, then this
     * @param cause the underlying failure; may be null
     */
    public ConfigurationException(String key, String origin, String message, Throwable cause) {
        super(key + (origin == null ? "" : " (" + origin + ")") + ": " + message, cause);
        this.key = key;
        this.origin = origin;
        this.detail = message;
    }

    /**
     * The configuration key or builder setting at fault.
     *
     * @return the key or setting, never null
     */
    public String key() {
        return key;
    }

    /**
     * The layer the faulty value came from, when it was read from configuration.
     *
     * @return the layer, e.g. {@code init-param}; empty for a value set programmatically
     */
    public Optional<String> origin() {
        return Optional.ofNullable(origin);
    }

    /**
     * What is wrong and what to do, without the key and origin that start {@link #getMessage()}.
     *
     * @return the detail, never null
     */
    public String detail() {
        return detail;
    }
}
