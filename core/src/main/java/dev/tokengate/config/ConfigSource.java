package dev.tokengate.config;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Where {@code tokengate.*} settings are read from, in order of precedence: Java system properties, then
 * environment variables ({@code tokengate.jwt.issuer} ⇔ {@code TOKENGATE_JWT_ISSUER}), then the adapter's own
 * parameters (filter init-params), so operators can override what a WAR's {@code web.xml} ships.
 */
public final class ConfigSource {

    static final String PREFIX = "tokengate.";

    private final Map<String, String> base;
    private final Map<String, String> env;
    private final Properties system;

    private ConfigSource(Map<String, String> base, Map<String, String> env, Properties system) {
        this.base = Map.copyOf(base);
        this.env = Map.copyOf(env);
        this.system = (Properties) system.clone();
    }

    /** System properties, environment, then {@code parameters} (e.g. filter init-params). */
    public static ConfigSource of(Map<String, String> parameters) {
        return new ConfigSource(parameters, System.getenv(), System.getProperties());
    }

    /** The same, with an explicit environment and system properties (for tests and embedding). */
    public static ConfigSource of(Map<String, String> parameters, Map<String, String> environment, Properties systemProperties) {
        return new ConfigSource(parameters, environment, systemProperties);
    }

    /** The environment variable name for a key: {@code tokengate.jwt.clock-skew} → {@code TOKENGATE_JWT_CLOCK_SKEW}. */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The value of a key from the first layer that has it; blank values count as absent. */
    public Optional<String> get(String key) {
        String v = system.getProperty(key);
        if (v == null) {
            v = env.get(environmentName(key));
        }
        if (v == null) {
            v = base.get(key);
        }
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    /**
     * Every {@code tokengate.*} key set in any layer that is not among {@code known}; environment variables are
     * matched by their {@code TOKENGATE_} names.
     */
    Set<String> unknownKeys(Set<String> known) {
        Set<String> unknown = new TreeSet<>();
        Function<String, Boolean> isKnown = known::contains;
        for (String k : system.stringPropertyNames()) {
            if (k.startsWith(PREFIX) && !isKnown.apply(k)) {
                unknown.add(k + " (system property)");
            }
        }
        Set<String> envNames = new TreeSet<>();
        for (String k : known) {
            envNames.add(environmentName(k));
        }
        for (String k : env.keySet()) {
            if (k.startsWith("TOKENGATE_") && !envNames.contains(k)) {
                unknown.add(k + " (environment variable)");
            }
        }
        for (String k : base.keySet()) {
            if (k.startsWith(PREFIX) && !isKnown.apply(k)) {
                unknown.add(k);
            }
        }
        return unknown;
    }
}
