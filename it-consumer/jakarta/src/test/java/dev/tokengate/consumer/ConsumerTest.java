package dev.tokengate.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A class of each published jakarta artifact, loaded and linked from that artifact's jar, as an application would. */
class ConsumerTest {

    @Test
    void eachArtifactLoadsFromItsJar() throws Exception {
        assertLinkedFrom("dev.tokengate.TokenGate", "tokengate-core-");
        assertLinkedFrom("dev.tokengate.servlet.TokenGateFilter", "tokengate-servlet-filter-");
        assertLinkedFrom("dev.tokengate.jaxrs.TokenGateFeature", "tokengate-jaxrs-filter-");
        assertLinkedFrom("dev.tokengate.security.TokenGateMechanism", "tokengate-jakarta-security-");
        assertLinkedFrom("dev.tokengate.redis.RedisControlProvider", "tokengate-redis-");
        assertLinkedFrom("dev.tokengate.micrometer.MicrometerObserver", "tokengate-micrometer-");
        assertLinkedFrom("dev.tokengate.testkit.LoopbackIssuer", "tokengate-testkit-");
    }

    @Test
    void theFilterIsAJakartaServletFilter() throws Exception {
        assertTrue(jakarta.servlet.Filter.class.isAssignableFrom(Class.forName("dev.tokengate.servlet.TokenGateFilter")));
    }

    @Test
    void coreFindsTheRedisControlAndTheMetricsAndCdiFindsTheExtension() throws Exception {
        Class<?> shared = Class.forName("dev.tokengate.control.SharedControlProvider");
        assertEquals("dev.tokengate.redis.RedisControlProvider", providers(shared));
        Class<?> observers = Class.forName("dev.tokengate.observe.GateObserverProvider");
        assertEquals("dev.tokengate.micrometer.MicrometerObserverProvider", providers(observers));
        assertEquals("dev.tokengate.security.TokenGateExtension", providers(jakarta.enterprise.inject.spi.Extension.class));
    }

    @Test
    void noJsonLibraryComesWithTokengate() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("com.fasterxml.jackson.core.JsonFactory"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("com.fasterxml.jackson.databind.ObjectMapper"));
    }

    /** Loads, initialises and links the class (its members' types resolved), and checks which jar it came from. */
    static void assertLinkedFrom(String className, String jarPrefix) throws Exception {
        Class<?> type = Class.forName(className, true, ConsumerTest.class.getClassLoader());
        type.getDeclaredMethods();
        type.getDeclaredFields();
        type.getDeclaredConstructors();
        Path jar = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        String name = jar.getFileName().toString();
        assertTrue(name.startsWith(jarPrefix) && name.endsWith(".jar") && !name.contains("-javax-"),
                className + " was loaded from " + jar + ", expected the " + jarPrefix + "*.jar artifact");
    }

    static String providers(Class<?> service) {
        return ServiceLoader.load(service, ConsumerTest.class.getClassLoader()).stream()
                .map(p -> p.type().getName())
                .collect(Collectors.joining(","));
    }
}
