package dev.tokengate.it.ee;

import dev.tokengate.jaxrs.TokenGateFeature;
import dev.tokengate.security.TokenGateMechanismDefinition;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.util.Set;

/**
 * The JAX-RS application of the EE test WAR, under {@code /api}: its resources and tokengate's feature, registered
 * by class (so that neither Jersey nor RESTEasy needs to scan), and tokengate's Jakarta Security mechanism turned
 * on for the whole application. Both read the {@code tokengate.*} keys of the WAR's
 * {@code META-INF/microprofile-config.properties}.
 */
@TokenGateMechanismDefinition
@ApplicationPath("/api")
public class EeApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(MatrixResource.class, CallerResource.class, TokenGateFeature.class);
    }
}
