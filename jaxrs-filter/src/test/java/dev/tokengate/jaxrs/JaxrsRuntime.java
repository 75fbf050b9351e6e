package dev.tokengate.jaxrs;

import jakarta.ws.rs.core.Application;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;

/** A Jakarta REST implementation that can serve an application from a servlet in a Jetty context. */
interface JaxrsRuntime {

    /** Serves {@code application} at {@code /*} of the context. */
    void deploy(ServletContextHandler context, Application application);
}
