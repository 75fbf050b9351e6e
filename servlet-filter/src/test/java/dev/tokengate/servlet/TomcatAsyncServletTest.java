package dev.tokengate.servlet;

import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link AsyncServletContract} on an embedded Tomcat, the WAR deployed from its {@code web.xml} as a legacy team
 * would deploy it on a Tomcat server.
 */
class TomcatAsyncServletTest extends AsyncServletContract {

    @TempDir
    static Path work;
    private static Tomcat tomcat;
    private static int port;

    @BeforeAll
    static void deploy() throws Exception {
        tomcat = new Tomcat();
        tomcat.setBaseDir(work.toString());
        Connector connector = new Connector();
        connector.setProperty("address", "127.0.0.1");
        connector.setPort(0);
        tomcat.setConnector(connector);
        tomcat.setAddDefaultWebXmlToWebapp(false); // no JSP servlet: Jasper is not on the class path
        String docBase = Path.of(TomcatAsyncServletTest.class.getResource("/webapps/async").toURI()).toString();
        Context context = tomcat.addWebapp("/legacy", docBase);
        ((StandardJarScanner) context.getJarScanner()).setScanClassPath(false);
        // The test class path is the WAR's parent here: logback's initializer would stop the test JVM's logging
        // (and every later test's log capture) when this WAR stops.
        context.setContainerSciFilter("ch\\.qos\\.logback\\..*");
        tomcat.start();
        assertThat(context.getState()).as("the WAR started").isEqualTo(LifecycleState.STARTED);
        port = connector.getLocalPort();
    }

    @AfterAll
    static void undeploy() throws Exception {
        tomcat.stop();
        tomcat.destroy();
    }

    @Override
    URI base() {
        return URI.create("http://127.0.0.1:" + port + "/legacy/");
    }
}
