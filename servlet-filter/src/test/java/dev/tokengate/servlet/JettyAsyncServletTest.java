package dev.tokengate.servlet;

import dev.tokengate.testing.jetty.TestServer;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.net.URI;
import java.nio.file.Path;

/** {@link AsyncServletContract} on Jetty 12 (ee10), the WAR deployed from its {@code web.xml}. */
class JettyAsyncServletTest extends AsyncServletContract {

    private static TestServer server;

    @BeforeAll
    static void deploy() throws Exception {
        WebAppContext context = new WebAppContext();
        context.setContextPath("/legacy");
        context.setBaseResourceAsPath(Path.of(JettyAsyncServletTest.class.getResource("/webapps/async").toURI()));
        context.setParentLoaderPriority(true);
        context.setThrowUnavailableOnStartupException(true);
        server = TestServer.start(context);
    }

    @AfterAll
    static void undeploy() throws Exception {
        server.close();
    }

    @Override
    URI base() {
        return server.base().resolve("/legacy/");
    }
}
