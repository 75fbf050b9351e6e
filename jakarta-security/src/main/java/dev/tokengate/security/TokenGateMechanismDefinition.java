package dev.tokengate.security;

import jakarta.enterprise.inject.Stereotype;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Turns on tokengate's Jakarta Security authentication mechanism ({@link TokenGateMechanism}) for the application
 * whose class carries it, e.g. the JAX-RS {@code Application}:
 * <pre>{@code
 * @TokenGateMechanismDefinition
 * @ApplicationPath("/api")
 * public class Api extends Application { }
 * }</pre>
 * The container then knows the caller of every request with a valid bearer token: {@code @RolesAllowed} on JAX-RS
 * resources, EJBs and CDI beans, {@code web.xml} security constraints, {@code getUserPrincipal()} and
 * {@code isUserInRole} all see it. The mechanism is configured by the {@code tokengate.*} keys (the application's
 * {@code META-INF/microprofile-config.properties}, system properties, environment variables). Instead of the
 * annotation, {@code tokengate.mechanism.enabled=true} turns it on.
 *
 * <p>A stereotype, so that CDI discovers the class that carries it even in an archive without {@code beans.xml}
 * (where only classes with a bean-defining annotation are seen); the class becomes a {@code @Dependent} bean, as an
 * {@code Application} subclass on a Jakarta EE server usually is anyway.
 */
@Stereotype
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface TokenGateMechanismDefinition {
}
