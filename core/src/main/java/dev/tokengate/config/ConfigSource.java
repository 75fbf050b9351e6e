package dev.tokengate.config;

import dev.tokengate.ConfigurationException;
import dev.tokengate.config.ConfigKey.Component;
import dev.tokengate.internal.LogSafe;
import dev.tokengate.internal.Spelling;
import dev.tokengate.log.Loggers;
import org.slf4j.Logger;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where {@code tokengate.*} settings are read from, in order of precedence: Java system properties, then
 * environment variables ({@code tokengate.jwt.issuer} ⇔ {@code TOKENGATE_JWT_ISSUER}), then the adapter's own
 * parameters (filter init-params, application properties), so operators can override what a WAR's {@code web.xml}
 * ships.
 *
 * <ul>
 *   <li>A blank value is as if absent: it never hides a lower layer (an empty {@code TOKENGATE_REALM} leaves the
 *       init-param in force).</li>
 *   <li>Every error about a value names the key and the layer it came from:
 *       {@code tokengate.jwt.clock-skew (environment variable TOKENGATE_JWT_CLOCK_SKEW): 'abc' is not a
 *       duration; …}.</li>
 *   <li>{@link #checkKeys()} fails on a {@code tokengate.*} key that is not in the {@linkplain ConfigKeys#registry()
 *       registry}, suggesting the nearest registered one; a key of another adapter is not an error, only ignored
 *       by this one.</li>
 *   <li>An application can leave out the JVM-wide layers, which every application of a server shares: the
 *       parameter {@value ConfigKeys#CONFIG_LAYERS}{@code =parameters} reads its own parameters only (see
 *       {@link Layer}). The key is read from the parameters only; a left-out layer is neither read nor checked.</li>
 * </ul>
 *
 * <p>Immutable: the layers are copied when the source is made.
 */
public final class ConfigSource {

    static final String PREFIX = "tokengate.";
    private static final String ENV_PREFIX = "TOKENGATE_";
    private static final Logger LOG = Loggers.logger(ConfigSource.class);
    private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(//[^/:@\\s]*:)[^/@\\s]*@");
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)(password=)[^&;\\s]*");
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");
    /** The largest edit distance at which an unknown key is taken for a misspelling of a registered one. */
    private static final int MAX_SUGGESTION_DISTANCE = 3;

    private final Map<String, String> parameters;
    /** The application's settings beyond the adapter's parameters (MicroProfile Config), below them. */
    private final Map<String, Setting> application;
    private final Map<String, String> env;
    private final Properties system;
    private final Component reader;
    private final String parameterLayer;
    /** The layers read; when {@link #layersError} is set, the parameters only (start-up fails in {@link #checkKeys}). */
    private final Set<Layer> layers;
    private final String layersError;
    private final String layersErrorOrigin;

    private ConfigSource(Map<String, String> parameters, Map<String, Setting> application, Map<String, String> env,
                         Properties system, Component reader, String parameterLayer) {
        this.parameters = Map.copyOf(parameters);
        this.application = Map.copyOf(application);
        this.env = Map.copyOf(env);
        this.system = (Properties) system.clone();
        this.reader = reader;
        this.parameterLayer = parameterLayer;
        Set<Layer> read = EnumSet.of(Layer.PARAMETERS);
        String error = null;
        String errorOrigin = parameterLayer;
        if (isSet(this.system.getProperty(ConfigKeys.CONFIG_LAYERS))
                || isSet(this.env.get(environmentName(ConfigKeys.CONFIG_LAYERS)))) {
            errorOrigin = isSet(this.system.getProperty(ConfigKeys.CONFIG_LAYERS)) ? "system property"
                    : "environment variable " + environmentName(ConfigKeys.CONFIG_LAYERS);
            error = "is set JVM-wide (system property or environment variable); it is the application's own choice: "
                    + "set it in the application's parameters (web.xml init-param, application property)";
        } else if (isSet(this.parameters.get(ConfigKeys.CONFIG_LAYERS)) || this.application.containsKey(ConfigKeys.CONFIG_LAYERS)) {
            try {
                read = layers(isSet(this.parameters.get(ConfigKeys.CONFIG_LAYERS)) ? this.parameters.get(ConfigKeys.CONFIG_LAYERS)
                        : this.application.get(ConfigKeys.CONFIG_LAYERS).value());
            } catch (IllegalArgumentException e) {
                error = e.getMessage();
            }
        } else {
            read = EnumSet.allOf(Layer.class);
        }
        this.layers = Collections.unmodifiableSet(read);
        this.layersError = error;
        this.layersErrorOrigin = errorOrigin;
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }

    /**
     * The layers a source reads, in their order of precedence. System properties and environment variables are
     * JVM-wide: on a server with several applications, each of them sees them all.
     */
    public enum Layer {
        /** Java system properties ({@code -Dtokengate.realm=…}). */
        SYSTEM_PROPERTIES("system-properties"),
        /** Environment variables ({@code TOKENGATE_REALM}). */
        ENVIRONMENT("environment"),
        /**
         * The application's own parameters: filter init-params, JAX-RS application properties, and below them its
         * MicroProfile Config ({@link #withMicroProfileConfig}).
         */
        PARAMETERS("parameters");

        private final String value;

        Layer(String value) {
            this.value = value;
        }

        /**
         * As written in {@value ConfigKeys#CONFIG_LAYERS}.
         *
         * @return the layer's name in the key's syntax, e.g. {@code system-properties}
         */
        public String value() {
            return value;
        }
    }

    /**
     * Parses {@value ConfigKeys#CONFIG_LAYERS}: a comma-separated list of {@code system-properties},
     * {@code environment} and {@code parameters}, in any order (the precedence stays system properties, environment,
     * parameters).
     *
     * @param value the configured list; not null
     * @return the layers named, never empty
     * @throws IllegalArgumentException for an empty list or an unknown layer, with a "did you mean"
     */
    public static Set<Layer> layers(String value) {
        Set<Layer> read = EnumSet.noneOf(Layer.class);
        List<String> names = Arrays.stream(Layer.values()).map(Layer::value).toList();
        for (String item : list(value)) {
            String name = item.toLowerCase(Locale.ROOT);
            Layer layer = Arrays.stream(Layer.values()).filter(l -> l.value.equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("'" + item + "' is not a layer"
                            + suggestLayer(name, names).map(n -> "; did you mean " + n + "?").orElse("")
                            + "; write a list of " + String.join(", ", names) + ", e.g. 'parameters' for this "
                            + "application's own settings only"));
            read.add(layer);
        }
        if (read.isEmpty()) {
            throw new IllegalArgumentException("names no layer; write e.g. 'parameters'");
        }
        return read;
    }

    /** The layer an unknown name probably meant: a near miss, or {@code parameters} for what adapters call theirs. */
    private static Optional<String> suggestLayer(String name, List<String> names) {
        if (name.startsWith("init-param") || name.startsWith("application-propert") || name.equals("params")) {
            return Optional.of(Layer.PARAMETERS.value());
        }
        return Spelling.nearest(name, names, 4);
    }

    /**
     * The layers this source reads (all three unless the parameters' {@value ConfigKeys#CONFIG_LAYERS} says
     * otherwise).
     *
     * @return the layers read, never empty
     */
    public Set<Layer> layers() {
        return layers;
    }

    /**
     * System properties, environment, then {@code parameters} (e.g. filter init-params).
     *
     * @param parameters the adapter's own parameters, the lowest layer; not null
     * @return a source over the JVM's system properties, the process environment and {@code parameters}
     */
    public static ConfigSource of(Map<String, String> parameters) {
        return of(parameters, System.getenv(), System.getProperties());
    }

    /**
     * The same, with an explicit environment and system properties (for tests and embedding).
     *
     * @param parameters the adapter's own parameters, the lowest layer; not null
     * @param environment stands for the process environment, keyed by variable name; not null
     * @param systemProperties stands for the JVM's system properties; not null
     * @return a source over the three layers, read by {@link Component#CORE}
     */
    public static ConfigSource of(Map<String, String> parameters, Map<String, String> environment, Properties systemProperties) {
        return new ConfigSource(parameters, Map.of(), environment, systemProperties, Component.CORE, "parameter");
    }

    /**
     * This source with the application's settings in MicroProfile Config (its
     * {@code META-INF/microprofile-config.properties} and the server's other sources for it, not the JVM-wide system
     * properties and environment variables) as one more layer of the application's own, below the adapter's
     * parameters: the keys that the servlet filter, the JAX-RS feature and the Jakarta Security mechanism of one
     * application share. Nothing changes where MicroProfile Config is absent.
     *
     * @param loader the application's class loader (the thread context class loader while it deploys)
     * @return a new source; this one is unchanged
     */
    public ConfigSource withMicroProfileConfig(ClassLoader loader) {
        return withApplicationSettings(MicroProfileSettings.read(loader));
    }

    /**
     * This source with these settings of the application's as the layer below the adapter's parameters (read with
     * them: left out with them by {@value ConfigKeys#CONFIG_LAYERS}); each keeps its origin for messages.
     *
     * @param settings the application's settings, each with its origin; not null
     * @return a new source; this one is unchanged
     */
    public ConfigSource withApplicationSettings(Collection<Setting> settings) {
        Map<String, Setting> merged = new LinkedHashMap<>(application);
        for (Setting s : settings) {
            merged.putIfAbsent(s.key(), s);
        }
        return new ConfigSource(parameters, merged, env, system, reader, parameterLayer);
    }

    /**
     * The same layers, read by {@code component} (which reads the core keys and its own; the other adapters' keys
     * it ignores), whose parameters messages call {@code parameterLayer} (e.g. {@code init-param}).
     *
     * @param component the component that reads the keys; not null
     * @param parameterLayer what messages call the lowest layer, e.g. {@code init-param}; not null
     * @return a new source; this one is unchanged
     */
    public ConfigSource readBy(Component component, String parameterLayer) {
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(parameterLayer, "parameterLayer");
        return new ConfigSource(parameters, application, env, system, component, parameterLayer);
    }

    /**
     * The component that reads this source.
     *
     * @return the reading component, {@link Component#CORE} unless {@link #readBy} said otherwise
     */
    public Component reader() {
        return reader;
    }

    /**
     * The environment variable name for a key: {@code tokengate.jwt.clock-skew} → {@code TOKENGATE_JWT_CLOCK_SKEW}.
     *
     * @param key a {@code tokengate.*} key; not null
     * @return the key in upper case with dots and dashes turned into underscores
     */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * A key's value and the layer it came from.
     *
     * @param key    the {@code tokengate.*} key
     * @param value  the value, stripped; never blank
     * @param origin the layer, as messages name it: {@code system property},
     *               {@code environment variable TOKENGATE_REALM}, {@code init-param}
     */
    public record Setting(String key, String value, String origin) {
    }

    /**
     * The value of a key from the first layer that has a non-blank one.
     *
     * @param key a {@code tokengate.*} key; not null
     * @return the value, stripped of surrounding white space; empty when no layer read sets it
     */
    public Optional<String> get(String key) {
        return setting(key).map(Setting::value);
    }

    /**
     * The value of a key and its layer, from the first layer that has a non-blank one.
     *
     * @param key a {@code tokengate.*} key; not null
     * @return the value with the layer it came from, empty when no layer read sets it
     */
    public Optional<Setting> setting(String key) {
        String v = layers.contains(Layer.SYSTEM_PROPERTIES) ? system.getProperty(key) : null;
        if (v != null && !v.isBlank()) {
            return Optional.of(new Setting(key, v.strip(), "system property"));
        }
        String name = environmentName(key);
        v = layers.contains(Layer.ENVIRONMENT) ? env.get(name) : null;
        if (v != null && !v.isBlank()) {
            return Optional.of(new Setting(key, v.strip(), "environment variable " + name));
        }
        v = parameters.get(key);
        if (v != null && !v.isBlank()) {
            return Optional.of(new Setting(key, v.strip(), parameterLayer));
        }
        return layers.contains(Layer.PARAMETERS) ? Optional.ofNullable(application.get(key)) : Optional.empty();
    }

    /**
     * The value of a key, parsed.
     *
     * @param parser turns the text into a value, throwing {@link IllegalArgumentException} (or a
     *               {@link ConfigurationException}) with a message that says what is wrong
     * @param <T> the parsed type
     * @param key a {@code tokengate.*} key; not null
     * @return the parsed value, empty when the key is not set
     * @throws ConfigurationException naming the key and its layer when the parser refuses the value
     */
    public <T> Optional<T> get(String key, Function<String, T> parser) {
        Optional<Setting> s = setting(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(s.get().value()));
        } catch (ConfigurationException e) {
            throw relabel(e, s.get());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(key, s.get().origin(), e.getMessage(), e);
        }
    }

    /**
     * Hands a key's value, if set, to a builder's setter; whatever the setter refuses is reported under the key
     * and its layer rather than under the setter's name.
     *
     * @param key a {@code tokengate.*} key; not null
     * @param setter the builder method to call with the (stripped) value; not called when the key is not set
     * @return this source, to chain reads
     */
    public ConfigSource read(String key, Consumer<String> setter) {
        return read(key, Function.identity(), setter);
    }

    /**
     * Parses a key's value, if set, and hands it to a builder's setter; errors name the key and its layer.
     *
     * @param <T> the parsed type
     * @param key a {@code tokengate.*} key; not null
     * @param parser turns the text into a value, throwing {@link IllegalArgumentException} with what is wrong
     * @param setter the builder method to call with the parsed value; not called when the key is not set
     * @return this source, to chain reads
     * @throws ConfigurationException naming the key and its layer when the parser or the setter refuses the value
     */
    public <T> ConfigSource read(String key, Function<String, T> parser, Consumer<T> setter) {
        get(key, v -> {
            T value = parser.apply(v);
            setter.accept(value);
            return value;
        });
        return this;
    }

    /**
     * Runs {@code action} (a {@code build()} that checks combinations, a parser of several keys) and names, in a
     * {@link ConfigurationException} it throws, the layer of the key at fault.
     *
     * @param <T> what the action returns
     * @param action the work that may throw a {@link ConfigurationException}; not null
     * @return what the action returned
     * @throws ConfigurationException the action's, with the origin of its key added when this source sets that key
     */
    public <T> T attributing(Supplier<T> action) {
        try {
            return action.get();
        } catch (ConfigurationException e) {
            throw attribute(e);
        }
    }

    /**
     * The exception with the layer of its key added, when its key is set here; else the exception itself.
     *
     * @param e an exception about a key; not null
     * @return an exception that also names where the key's value came from, or {@code e} when that is already known
     *         or the key is not set here
     */
    public ConfigurationException attribute(ConfigurationException e) {
        if (e.origin().isPresent()) {
            return e;
        }
        return setting(e.key()).map(s -> new ConfigurationException(e.key(), s.origin(), e.detail(), e)).orElse(e);
    }

    /**
     * A builder's error as configuration reports it: a builder setting listed in {@code settingKeys} becomes its
     * {@code tokengate.*} key, in {@link ConfigurationException#key()} and where the message mentions the setting
     * by name, and the key gets the layer its value came from. For {@code build()} methods of builders that were
     * given a source, whose combination checks name their settings.
     *
     * @param settingKeys builder setting → key, e.g. {@code leeway} → {@code tokengate.jwt.clock-skew}
     * @param e the builder's exception, naming a setting or a key; not null
     * @return the exception as configuration reports it (possibly {@code e} itself)
     */
    public ConfigurationException rename(ConfigurationException e, Map<String, String> settingKeys) {
        if (e.origin().isPresent() || (e.key().startsWith(PREFIX) && !settingKeys.containsKey(e.key()))) {
            return attribute(e);
        }
        String key = settingKeys.getOrDefault(e.key(), e.key());
        String detail = e.detail();
        for (String setting : settingKeys.keySet()) { // whole words only, so no setting is replaced inside another
            String replacement = Matcher.quoteReplacement(settingKeys.get(setting));
            // a call (audiences(...)) always; a bare name only when it is an identifier (hmacSecret), not a word (issuer)
            detail = detail.replaceAll("\\b" + Pattern.quote(setting) + "\\((\\.\\.\\.)?\\)", replacement);
            if (!setting.equals(setting.toLowerCase(Locale.ROOT))) {
                detail = detail.replaceAll("\\b" + Pattern.quote(setting) + "\\b", replacement);
            }
        }
        String origin = setting(key).map(Setting::origin).orElse(null);
        return new ConfigurationException(key, origin, detail, e);
    }

    private static ConfigurationException relabel(ConfigurationException e, Setting read) {
        if (e.origin().isPresent()) {
            return e;
        }
        if (e.key().equals(read.key()) || !e.key().startsWith(PREFIX)) {
            return new ConfigurationException(read.key(), read.origin(), e.detail(), e);
        }
        return e; // a message about another key: its caller attributes it
    }

    /**
     * Checks that every {@code tokengate.*} key set (to a non-blank value) in any layer is registered. A key read by
     * another adapter is
     * not an error: this reader ignores it (logged at INFO when it sits in this adapter's own parameters, where it
     * is probably misplaced; at DEBUG when it comes from the server-wide system properties or environment).
     *
     * @throws ConfigurationException naming the first unknown key and its layer, with a "did you mean" for a near
     *                                miss, and listing any other unknown keys
     */
    public void checkKeys() {
        if (layersError != null) {
            throw new ConfigurationException(ConfigKeys.CONFIG_LAYERS, layersErrorOrigin, layersError, null);
        }
        List<Unknown> unknown = new ArrayList<>();
        for (String k : new TreeSet<>(system.stringPropertyNames())) {
            if (layers.contains(Layer.SYSTEM_PROPERTIES) && k.startsWith(PREFIX) && !system.getProperty(k).isBlank()) {
                classify(k, k, "system property", unknown);
            }
        }
        for (String k : new TreeSet<>(env.keySet())) {
            if (layers.contains(Layer.ENVIRONMENT) && k.startsWith(ENV_PREFIX) && !env.get(k).isBlank()) {
                String key = ConfigKeys.registry().stream().filter(c -> c.environmentName().equals(k))
                        .map(ConfigKey::name).findFirst().orElse(k);
                classify(k, key, "environment variable", unknown);
            }
        }
        for (String k : new TreeSet<>(parameters.keySet())) {
            if (k.startsWith(PREFIX) && parameters.get(k) != null && !parameters.get(k).isBlank()) {
                classify(k, k, parameterLayer, unknown);
            }
        }
        if (layers.contains(Layer.PARAMETERS)) {
            for (String k : new TreeSet<>(application.keySet())) {
                classify(k, k, application.get(k).origin(), unknown);
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        Unknown first = unknown.get(0);
        List<String> others = unknown.stream().skip(1).map(Unknown::describe).toList();
        throw new ConfigurationException(first.name(), first.layer(), "unknown tokengate setting"
                + first.suggestion().map(s -> "; did you mean " + s + "?").orElse("")
                + (others.isEmpty() ? "" : "; also unknown: " + String.join(", ", others))
                + "; the keys are listed in the README's 'Configuration keys' and in ConfigKeys", null);
    }

    /** An unregistered key as it was set, its layer, and the registered key it may be a misspelling of. */
    private record Unknown(String name, String layer, Optional<String> suggestion) {
        String describe() {
            return name + " (" + layer + suggestion.map(s -> "; did you mean " + s + "?").orElse("") + ")";
        }
    }

    private void classify(String setAs, String key, String layer, List<Unknown> unknown) {
        Optional<ConfigKey> known = ConfigKeys.find(key);
        if (known.isEmpty()) {
            unknown.add(new Unknown(setAs, layer, suggestion(setAs)));
        } else if (!known.get().isReadBy(reader)) {
            String message = "tokengate: {} ({}) is read by {}, not by {}; ignored here";
            if (layer.equals(parameterLayer)) {
                LOG.info(message, setAs, layer, known.get().reader().label(), reader.label());
            } else {
                LOG.debug(message, setAs, layer, known.get().reader().label(), reader.label());
            }
        }
    }

    /**
     * The registered key nearest to an unknown one, compared as environment variable names (so
     * {@code tokengate.jwt_audience} and {@code TOKENGATE_JWT_AUDIENCES} both find {@code tokengate.jwt.audience}).
     */
    static Optional<String> suggestion(String unknown) {
        String name = environmentName(unknown);
        boolean variable = unknown.startsWith(ENV_PREFIX);
        ConfigKey best = null;
        int bestDistance = MAX_SUGGESTION_DISTANCE + 1;
        for (ConfigKey k : ConfigKeys.registry()) {
            int d = Spelling.distance(name, k.environmentName());
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        return Optional.of(variable ? best.environmentName() + " (" + best.name() + ")" : best.name());
    }

    /**
     * Every registered key this source's reader reads that is set, with its value and layer, in registry order: what
     * an adapter's start-up line shows.
     *
     * @return the settings, possibly empty; secrets are included unmasked (see {@link #describe()} for a loggable
     *         form)
     */
    public List<Setting> effectiveSettings() {
        List<Setting> settings = new ArrayList<>();
        for (ConfigKey k : ConfigKeys.registry()) {
            if (k.isReadBy(reader)) {
                setting(k.name()).ifPresent(settings::add);
            }
        }
        return settings;
    }

    /**
     * The effective settings on one line for a start-up log, each with the layer it came from, secrets masked
     * ({@code tokengate.store.password=****}, a password in a JDBC URL too), and the layers left out:
     * {@code tokengate.realm="legacy" (init-param), tokengate.jwt.issuer="https://…" (system property); system
     * properties and environment variables not read (tokengate.config.layers)}.
     *
     * @return the line, never empty
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Setting s : effectiveSettings()) {
            boolean secret = ConfigKeys.find(s.key()).map(ConfigKey::isSecret).orElse(false);
            String value = secret ? "****" : maskPasswords(s.value().replaceAll("\\s*\\R\\s*", "; "));
            sb.append(sb.length() == 0 ? "" : ", ").append(s.key()).append('=')
                    .append(secret ? value : LogSafe.escape(value)).append(" (").append(s.origin()).append(')');
        }
        if (sb.length() == 0) {
            sb.append("no tokengate settings");
        }
        List<String> left = new ArrayList<>();
        if (!layers.contains(Layer.SYSTEM_PROPERTIES)) {
            left.add("system properties");
        }
        if (!layers.contains(Layer.ENVIRONMENT)) {
            left.add("environment variables");
        }
        if (!layers.contains(Layer.PARAMETERS)) {
            left.add(parameterLayer + "s");
        }
        if (!left.isEmpty()) {
            sb.append("; ").append(String.join(" and ", left)).append(" not read (")
                    .append(ConfigKeys.CONFIG_LAYERS).append(')');
        }
        return sb.toString();
    }

    /** A URL with its user-info password and {@code password=} parameters replaced by {@code ****}. */
    static String maskPasswords(String value) {
        return PASSWORD_PARAMETER.matcher(USER_INFO_PASSWORD.matcher(value).replaceAll("$1****@"))
                .replaceAll("$1****");
    }

    /**
     * Looks up an environment variable in this source's environment (for secrets named by a key).
     *
     * @param name the environment variable's name; not null
     * @return its value, empty when it is not set
     */
    public Optional<String> environmentVariable(String name) {
        return Optional.ofNullable(env.get(name));
    }

    // ---- parsers of the value syntaxes; each throws IllegalArgumentException saying what is wrong

    /**
     * Parses {@code true}/{@code false} (also {@code yes}/{@code no}, {@code on}/{@code off}).
     *
     * @param value the text; not null
     * @return the boolean it spells
     * @throws IllegalArgumentException for any other text, saying what to write
     */
    public static boolean bool(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("'" + value + "' is not a boolean; write true or false");
        };
    }

    /**
     * Splits a comma-separated list, dropping empty items.
     *
     * @param value the text; not null
     * @return the stripped, non-empty items in order; empty for a blank value
     */
    public static List<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * Parses {@code 500ms}, {@code 60s}, {@code 5m}, {@code 2h}, {@code 1d}, a bare number of seconds, or ISO-8601.
     *
     * @param value the text; not null
     * @return the duration
     * @throws IllegalArgumentException for text that is no duration or too long a one, saying what is wrong
     */
    public static Duration duration(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE_DURATION.matcher(v);
        if (m.matches()) {
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + value + "' is too long a duration", e);
            }
            String unit = m.group(2) == null ? "s" : m.group(2);
            try {
                return switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    case "d" -> Duration.ofDays(n);
                    default -> Duration.ofSeconds(n);
                };
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("'" + value + "' is too long a duration", e);
            }
        }
        try {
            return Duration.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + value + "' is not a duration; write e.g. 500ms, 60s, 5m, 2h or PT1M", e);
        }
    }
}
