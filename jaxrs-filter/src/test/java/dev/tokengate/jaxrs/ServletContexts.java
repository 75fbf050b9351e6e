package dev.tokengate.jaxrs;

import dev.tokengate.testing.jetty.TestServer;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;

import java.util.function.Consumer;

/** The shared test server with one Servlet 6.1 (Jetty ee11) context at {@code /}, set up by the test. */
final class ServletContexts {

    private ServletContexts() {
    }

    static TestServer serve(Consumer<ServletContextHandler> setup) throws Exception {
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        setup.accept(context);
        return TestServer.start(context);
    }
}
