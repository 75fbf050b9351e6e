package dev.tokengate.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One entry of the key registry ({@link ConfigKeys#registry()}): a {@code tokengate.*} key, the component that
 * reads it, its default as an operator would write it, and what it means.
 *
 * @param name         the key, e.g. {@code tokengate.jwt.clock-skew}
 * @param reader       the component that reads it; the other components ignore it
 * @param defaultValue the default in the key's own syntax ({@code 60s}), parsed by the same reader as a
 *                     configured value; empty when the key has no default (required, or off when absent)
 * @param description  what it sets, in one line
 */
public record ConfigKey(String name, Component reader, Optional<String> defaultValue, String description) {

    /** The parts of tokengate that read configuration keys. */
    public enum Component {
        /** The pipeline in {@code core}, built by every adapter. */
        CORE("core"),
        /** The servlet filter ({@code tokengate-servlet-filter}). */
        SERVLET_FILTER("the servlet filter"),
        /** The Jakarta REST feature ({@code tokengate-jaxrs-filter}). */
        JAXRS("the JAX-RS feature"),
        /** The Jakarta Security authentication mechanism ({@code tokengate-jakarta-security}). */
        JAKARTA_SECURITY("the Jakarta Security mechanism");

        private final String label;

        Component(String label) {
            this.label = label;
        }

        /**
         * How messages name it.
         *
         * @return the component's name in messages, e.g. {@code the servlet filter}
         */
        public String label() {
            return label;
        }
    }

    /**
     * Checks that no component is null.
     *
     * @param name         the key, e.g. {@code tokengate.jwt.clock-skew}
     * @param reader       the component that reads it
     * @param defaultValue the default in the key's own syntax, empty when there is none
     * @param description  what it sets, in one line
     * @throws NullPointerException naming the component that is null
     */
    public ConfigKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(description, "description");
    }

    /**
     * The environment variable for this key: {@code tokengate.jwt.clock-skew} → {@code TOKENGATE_JWT_CLOCK_SKEW}.
     *
     * @return the key in upper case with dots and dashes turned into underscores
     */
    public String environmentName() {
        return ConfigSource.environmentName(name);
    }

    /**
     * Whether the value is a secret: start-up lines show {@code ****} for it.
     *
     * @return {@code true} for passwords, secrets and the like
     */
    public boolean isSecret() {
        return ConfigKeys.SECRETS.contains(name);
    }

    /**
     * Whether {@code component} reads this key: its own keys and every core key.
     *
     * @param component a component that reads configuration; not null
     * @return whether it reads this key
     */
    public boolean isReadBy(Component component) {
        return reader == Component.CORE || reader == component;
    }
}
