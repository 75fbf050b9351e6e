package dev.tokengate.sample;

import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;

import java.util.Map;
import java.util.Optional;

/**
 * The settings the sample app reads itself before it builds the pipeline: where the token database is (the core
 * keys {@code tokengate.store.*}, which the app also hands to the pipeline) and whether an external issuer is
 * configured. Read like every {@code tokengate.*} key: system property, then environment variable
 * ({@code TOKENGATE_STORE_JDBC_URL}), then the map given to {@link SampleApp#start}.
 */
final class SampleSettings {

    /** JDBC URL of the token database, e.g. {@code jdbc:postgresql://127.0.0.1:5432/tokengate}. Default: embedded H2 in memory. */
    static final String STORE_JDBC_URL = ConfigKeys.STORE_JDBC_URL;
    /** Database user for {@link #STORE_JDBC_URL}. */
    static final String STORE_USERNAME = ConfigKeys.STORE_USERNAME;
    /** Database password for {@link #STORE_JDBC_URL}. */
    static final String STORE_PASSWORD = ConfigKeys.STORE_PASSWORD;

    private final ConfigSource source;

    SampleSettings(Map<String, String> base) {
        this.source = ConfigSource.of(base);
    }

    ConfigSource source() {
        return source;
    }

    Optional<String> get(String key) {
        return source.get(key);
    }

    /** Whether an external issuer is configured (which turns the demo issuer off). */
    boolean externalIssuer() {
        return source.get(ConfigKeys.JWT_ISSUER).isPresent();
    }
}
