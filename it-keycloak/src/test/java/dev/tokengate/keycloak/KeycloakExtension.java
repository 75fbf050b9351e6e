package dev.tokengate.keycloak;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a {@link KeycloakServer} (as a parameter of a test, {@code @BeforeAll} or constructor), started once
 * for the whole run at first use and stopped when the run ends. A start that failed is not tried again: each later
 * test fails at once with the same cause.
 */
final class KeycloakExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KeycloakExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KeycloakServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Started.class, key -> Started.start(), Started.class).server();
    }

    /** The one start's outcome: the server (closed by JUnit with the root store), or why it did not start. */
    private record Started(KeycloakServer running, Throwable failure) implements AutoCloseable {

        static Started start() {
            try {
                return new Started(KeycloakServer.start(), null);
            } catch (Throwable e) {
                return new Started(null, e);
            }
        }

        KeycloakServer server() {
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new IllegalStateException("Keycloak did not start: " + failure, failure);
            }
            return running;
        }

        @Override
        public void close() {
            if (running != null) {
                running.close();
            }
        }
    }
}
