package dev.tokengate.security;

import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterTypeDiscovery;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessAnnotatedType;
import jakarta.enterprise.inject.spi.WithAnnotations;
import org.slf4j.Logger;
import dev.tokengate.log.Loggers;

import java.util.Map;

/**
 * The CDI extension that adds tokengate's beans to an application: the {@link VerifiedTokenProducer} always, the
 * {@link TokenGateMechanism} only when a class carries {@link TokenGateMechanismDefinition} or
 * {@value ConfigKeys#MECHANISM_ENABLED} is {@code true} — having the jar in {@code WEB-INF/lib} (for the filter, say)
 * never changes how the container authenticates by itself. The jar is not a bean archive: nothing of it is
 * discovered but what this extension adds.
 */
public class TokenGateExtension implements Extension {

    private static final Logger LOG = Loggers.logger(TokenGateExtension.class);

    private volatile Class<?> annotated;

    /** Made by the CDI container, which finds the extension through {@code META-INF/services}. */
    public TokenGateExtension() {
    }

    <T> void definition(@Observes @WithAnnotations(TokenGateMechanismDefinition.class) ProcessAnnotatedType<T> type) {
        if (type.getAnnotatedType().isAnnotationPresent(TokenGateMechanismDefinition.class)) {
            annotated = type.getAnnotatedType().getJavaClass();
        }
    }

    void addBeans(@Observes AfterTypeDiscovery discovery) {
        discovery.addAnnotatedType(VerifiedTokenProducer.class, VerifiedTokenProducer.class.getName());
        Class<?> by = annotated;
        boolean configured = !(by != null) && enabledByConfiguration();
        if (by != null || configured) {
            discovery.addAnnotatedType(TokenGateMechanism.class, TokenGateMechanism.class.getName());
            LOG.debug("tokengate: the Jakarta Security mechanism is on ({})", by != null
                    ? "@TokenGateMechanismDefinition on " + by.getName() : ConfigKeys.MECHANISM_ENABLED + "=true");
        }
    }

    private static boolean enabledByConfiguration() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        ConfigSource source = ConfigSource.of(Map.of())
                .withMicroProfileConfig(loader != null ? loader : TokenGateExtension.class.getClassLoader());
        return source.get(ConfigKeys.MECHANISM_ENABLED, ConfigSource::bool).orElse(false);
    }
}
