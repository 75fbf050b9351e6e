package dev.tokengate.config;

import dev.tokengate.config.ConfigSource.Setting;
import dev.tokengate.internal.LogSafe;
import org.slf4j.Logger;
import dev.tokengate.log.Loggers;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code tokengate.*} settings an application keeps in MicroProfile Config, when the server provides it (Payara,
 * WildFly, Open Liberty): {@code META-INF/microprofile-config.properties} of the application and whatever other
 * source of its own the server adds, by their ordinals. The JVM-wide sources (system properties, ordinal 400, and
 * environment variables, 300) are left out: {@link ConfigSource} reads those layers itself, with their own
 * precedence and {@value ConfigKeys#CONFIG_LAYERS}.
 *
 * <p>Read reflectively through the class loader given (the application's): core neither needs the API nor ships it,
 * and an application without it simply has no such settings.
 */
final class MicroProfileSettings {

    private static final Logger LOG = Loggers.logger(MicroProfileSettings.class);
    private static final String PROVIDER = "org.eclipse.microprofile.config.ConfigProvider";
    private static final String CONFIG = "org.eclipse.microprofile.config.Config";
    private static final String SOURCE = "org.eclipse.microprofile.config.spi.ConfigSource";

    private MicroProfileSettings() {
    }

    /**
     * The application's {@code tokengate.*} settings, highest ordinal first per key, each with its source as origin
     * ({@code MicroProfile Config PropertiesConfigSource[source=…/META-INF/microprofile-config.properties]}); empty
     * when MicroProfile Config is not there.
     */
    static List<Setting> read(ClassLoader loader) {
        Class<?> provider;
        try {
            provider = Class.forName(PROVIDER, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return List.of();
        }
        try {
            Class<?> configType = Class.forName(CONFIG, false, loader);
            Class<?> sourceType = Class.forName(SOURCE, false, loader);
            Object config = provider.getMethod("getConfig", ClassLoader.class).invoke(null, loader);
            Method name = sourceType.getMethod("getName");
            Method ordinal = sourceType.getMethod("getOrdinal");
            Method names = sourceType.getMethod("getPropertyNames");
            Method value = sourceType.getMethod("getValue", String.class);
            Map<String, Setting> settings = new LinkedHashMap<>();
            // getConfigSources() is ordered by ordinal, highest first: the first source with a key is the one in force
            for (Object source : (Iterable<?>) configType.getMethod("getConfigSources").invoke(config)) {
                String sourceName = String.valueOf(name.invoke(source));
                if (jvmWide(sourceName, (Integer) ordinal.invoke(source))) {
                    continue;
                }
                for (Object key : (Iterable<?>) names.invoke(source)) {
                    if (key instanceof String k && k.startsWith(ConfigSource.PREFIX) && !settings.containsKey(k)) {
                        Object v = value.invoke(source, k);
                        if (v instanceof String text && !text.isBlank()) {
                            settings.put(k, new Setting(k, text.strip(), "MicroProfile Config " + sourceName));
                        }
                    }
                }
            }
            return new ArrayList<>(settings.values());
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("MicroProfile Config could not be read: " + LogSafe.escape(
                    String.valueOf(e.getCause())), e.getCause());
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            LOG.warn("tokengate: MicroProfile Config is present but could not be read ({}); its tokengate.* settings "
                    + "are not used", e.toString());
            return List.of();
        }
    }

    /**
     * Whether a source is one of the JVM-wide ones: the system properties (ordinal 400) or environment variables
     * (300) source, by the names the implementations give them (SmallRye {@code SysPropConfigSource},
     * {@code EnvConfigSource}; Payara {@code System Properties}, {@code Environment Variables}).
     */
    static boolean jvmWide(String sourceName, int ordinal) {
        String n = sourceName.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
        return (ordinal == 400 && (n.contains("sysprop") || n.contains("systemprop")))
                || (ordinal == 300 && n.contains("env"));
    }
}
