package dev.tokengate.jaxrs;

import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

/** The feature's test suite on Jersey 4 (Jakarta REST 4.0) in Jetty 12.1 ee11. */
class JerseyFeatureTest extends FeatureContractTest {

    /** Jersey's servlet serving the application (the Jersey tests run without RESTEasy on the class path). */
    static final JaxrsRuntime JERSEY = (context, application) -> context.addServlet(
            new ServletHolder(new ServletContainer(ResourceConfig.forApplication(application))), "/*");

    @Override
    JaxrsRuntime runtime() {
        return JERSEY;
    }
}
