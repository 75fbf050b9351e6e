package dev.tokengate.jaxrs;

import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Consumer;

/** An in-process Jetty (ee11, Servlet 6.1) on a loopback port, with a JDK {@link HttpClient} pointed at it. */
final class TestServer implements dev.tokengate.testing.conformance.GatedApp.Server {

    private final Server server = new Server();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    private TestServer(Consumer<ServletContextHandler> setup) throws Exception {
        HttpConfiguration http = new HttpConfiguration();
        // As the README asks of every Jetty in front of tokengate: Jetty's per-connection header cache otherwise hands
        // a later request the cached Authorization value of an earlier one that differs from it only in case.
        http.setHeaderCacheCaseSensitive(true);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        setup.accept(context);
        server.setHandler(context);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    static TestServer start(Consumer<ServletContextHandler> setup) throws Exception {
        return new TestServer(setup);
    }

    /** Scheme, host and port. */
    @Override
    public URI base() {
        return base;
    }

    HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(10));
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
