package dev.tokengate.it.ee;

import dev.tokengate.jaxrs.TokenGateFeature;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The JAX-RS application of the EE test WAR, under {@code /api}: its resources and tokengate's feature, registered
 * by class (so that neither Jersey nor RESTEasy scans, and both hand the feature this application's properties).
 *
 * <p>The feature of tokengate 0.1 reads {@code Application.getProperties()}, not MicroProfile Config: this
 * application hands it the {@code tokengate.*} entries that MicroProfile Config sees (the WAR's
 * {@code META-INF/microprofile-config.properties}, system properties, the environment), as an application does
 * today.
 */
@ApplicationPath("/api")
public class EeApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(MatrixResource.class, CallerResource.class, TokenGateFeature.class);
    }

    @Override
    public Map<String, Object> getProperties() {
        Config config = ConfigProvider.getConfig();
        Map<String, Object> properties = new LinkedHashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("tokengate.")) {
                config.getOptionalValue(name, String.class).ifPresent(v -> properties.put(name, v));
            }
        }
        return properties;
    }
}
