package dev.tokengate;

/**
 * A configuration value or combination that tokengate refuses at start-up; {@link #key()} names the setting
 * (the {@code tokengate.*} key, or the builder method for programmatic use) and the message says what to do.
 */
public class ConfigurationException extends TokenGateException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public ConfigurationException(String key, String message) {
        super(key + ": " + message);
        this.key = key;
    }

    public ConfigurationException(String key, String message, Throwable cause) {
        super(key + ": " + message, cause);
        this.key = key;
    }

    /** The configuration key or builder setting at fault. */
    public String key() {
        return key;
    }
}
