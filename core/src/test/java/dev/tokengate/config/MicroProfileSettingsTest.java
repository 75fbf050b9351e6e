package dev.tokengate.config;

import dev.tokengate.ConfigurationException;
import dev.tokengate.config.ConfigKey.Component;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An application's {@code tokengate.*} keys in {@code META-INF/microprofile-config.properties}, read through a real
 * MicroProfile Config (SmallRye Config) from the application's class loader, as on Payara, WildFly or Open Liberty.
 */
class MicroProfileSettingsTest {

    @TempDir
    Path app;

    /** A class loader like a web application's: its own META-INF/microprofile-config.properties, the server's API above. */
    private ClassLoader application(String properties) throws IOException {
        Path file = app.resolve("META-INF/microprofile-config.properties");
        Files.createDirectories(file.getParent());
        Files.writeString(file, properties);
        return new URLClassLoader(new URL[]{app.toUri().toURL()}, getClass().getClassLoader());
    }

    private static ConfigSource source(Map<String, String> parameters, Map<String, String> env, Properties sys, ClassLoader loader) {
        return ConfigSource.of(parameters, env, sys).withMicroProfileConfig(loader)
                .readBy(Component.SERVLET_FILTER, "init-param");
    }

    @Test
    void getWhenOnlyMicroProfileConfigHasTheKeyThenItsValueAndFileAreReported() throws IOException {
        ConfigSource s = source(Map.of(), Map.of(), new Properties(),
                application("tokengate.realm=orders\ntokengate.jwt.issuer=https://login.example/\nother.key=x\n"));

        assertThat(s.get(ConfigKeys.REALM)).contains("orders");
        assertThat(s.setting(ConfigKeys.JWT_ISSUER)).hasValueSatisfying(v ->
                assertThat(v.origin()).startsWith("MicroProfile Config").contains("microprofile-config.properties"));
        assertThat(s.describe()).contains("tokengate.realm=\"orders\" (MicroProfile Config");
    }

    @Test
    void getWhenSetInSeveralLayersThenSystemPropertyThenEnvironmentThenParameterThenMicroProfileConfig() throws IOException {
        ClassLoader loader = application("tokengate.realm=mp\ntokengate.error-uri=https://mp.example\n"
                + "tokengate.mode=report-only\ntokengate.jwt.clock-skew=5s\n");
        Properties sys = new Properties();
        sys.setProperty(ConfigKeys.REALM, "sys");
        ConfigSource s = source(Map.of(ConfigKeys.REALM, "param", ConfigKeys.ERROR_URI, "https://param.example",
                        ConfigKeys.MODE, "enforce"),
                Map.of("TOKENGATE_ERROR_URI", "https://env.example", "TOKENGATE_MODE", " "), sys, loader);

        assertThat(s.get(ConfigKeys.REALM)).contains("sys");
        assertThat(s.get(ConfigKeys.ERROR_URI)).contains("https://env.example");
        assertThat(s.get(ConfigKeys.MODE)).contains("enforce"); // a blank variable never hides a lower layer
        assertThat(s.get(ConfigKeys.JWT_CLOCK_SKEW)).contains("5s");
    }

    @Test
    void layersWhenTheApplicationsMicroProfileConfigSaysParametersThenJvmWideLayersAreNotRead() throws IOException {
        Properties sys = new Properties();
        sys.setProperty(ConfigKeys.REALM, "another-application's");
        ConfigSource s = source(Map.of(), Map.of("TOKENGATE_JWT_AUDIENCE", "another"), sys,
                application("tokengate.config.layers=parameters\ntokengate.realm=mine\n"));

        assertThat(s.layers()).containsExactly(ConfigSource.Layer.PARAMETERS);
        assertThat(s.get(ConfigKeys.REALM)).contains("mine");
        assertThat(s.get(ConfigKeys.JWT_AUDIENCE)).isEmpty();
    }

    @Test
    void checkKeysWhenMicroProfileConfigHasAnUnknownKeyThenItIsNamedWithItsSource() throws IOException {
        ConfigSource s = source(Map.of(), Map.of(), new Properties(), application("tokengate.jwt.audiance=x\n"));

        assertThatThrownBy(s::checkKeys).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.jwt.audiance (MicroProfile Config ")
                .hasMessageContaining("did you mean tokengate.jwt.audience?");
    }

    @Test
    void getWhenAValueIsBadThenTheErrorNamesTheMicroProfileSource() throws IOException {
        ConfigSource s = source(Map.of(), Map.of(), new Properties(), application("tokengate.jwt.clock-skew=soon\n"));

        assertThatThrownBy(() -> s.get(ConfigKeys.JWT_CLOCK_SKEW, ConfigSource::duration))
                .hasMessageStartingWith("tokengate.jwt.clock-skew (MicroProfile Config ")
                .hasMessageContaining("microprofile-config.properties");
    }

    @Test
    void readWhenMicroProfileConfigIsAbsentThenNothing() throws IOException {
        Path file = app.resolve("META-INF/microprofile-config.properties");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "tokengate.realm=unseen\n");
        ClassLoader withoutApi = new URLClassLoader(new URL[]{app.toUri().toURL()}, ClassLoader.getPlatformClassLoader());

        assertThat(MicroProfileSettings.read(withoutApi)).isEmpty();
        assertThat(source(Map.of(), Map.of(), new Properties(), withoutApi).get(ConfigKeys.REALM)).isEmpty();
    }

    @Test
    void jvmWideWhenTheSystemPropertiesOrEnvironmentSourceOfAnImplementationThenTrue() {
        assertThat(MicroProfileSettings.jvmWide("SysPropConfigSource", 400)).isTrue();   // SmallRye
        assertThat(MicroProfileSettings.jvmWide("EnvConfigSource", 300)).isTrue();       // SmallRye
        assertThat(MicroProfileSettings.jvmWide("System Properties", 400)).isTrue();     // Payara
        assertThat(MicroProfileSettings.jvmWide("Environment Variables", 300)).isTrue(); // Payara
        assertThat(MicroProfileSettings.jvmWide("PropertiesConfigSource[source=file:/app/META-INF/microprofile-config.properties]", 100)).isFalse();
        assertThat(MicroProfileSettings.jvmWide("EnvConfigSource", 250)).isFalse(); // moved below the application's file: not the default
    }
}
