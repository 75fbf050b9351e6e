package dev.tokengate.testing.jetty;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The one test server of the adapters' tests: an in-process Jetty on a loopback port serving a handler (a servlet
 * context of any Jetty environment, ee10 or ee11), with a JDK {@link HttpClient} pointed at it.
 */
public final class TestServer implements dev.tokengate.testing.conformance.GatedApp.Server {

    private final Server server = new Server();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    private TestServer(Handler handler, MutualTls tls) throws Exception {
        HttpConfiguration http = new HttpConfiguration();
        // As the README asks of every Jetty in front of tokengate: Jetty's per-connection header cache otherwise hands
        // a later request the cached Authorization value of an earlier one that differs from it only in case.
        http.setHeaderCacheCaseSensitive(true);
        ConnectionFactory[] factories;
        if (tls == null) {
            factories = new ConnectionFactory[] {new HttpConnectionFactory(http)};
        } else {
            // puts the client's certificate chain in the request attribute jakarta.servlet.request.X509Certificate
            http.addCustomizer(new SecureRequestCustomizer(false));
            factories = new ConnectionFactory[] {new SslConnectionFactory(tls.serverTls(), "http/1.1"),
                    new HttpConnectionFactory(http)};
        }
        ServerConnector connector = new ServerConnector(server, 1, 1, factories);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(handler);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        base = URI.create((tls == null ? "http" : "https") + "://127.0.0.1:" + connector.getLocalPort());
    }

    public static TestServer start(Handler handler) throws Exception {
        return new TestServer(handler, null);
    }

    /**
     * Serves over TLS with {@code tls}'s server identity, asking each client for a certificate; send with a client
     * of {@link MutualTls#client}.
     */
    public static TestServer startTls(Handler handler, MutualTls tls) throws Exception {
        return new TestServer(handler, tls);
    }

    /** Scheme, host and port. */
    @Override
    public URI base() {
        return base;
    }

    public HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(10));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends without waiting for the answer. */
    public java.util.concurrent.CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest.Builder request) {
        return client.sendAsync(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder b = request(pathAndQuery).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    /** Closes every connection and accepts no more, but keeps the server and its threads running. */
    public void closeConnections() throws Exception {
        for (org.eclipse.jetty.server.Connector c : server.getConnectors()) {
            c.stop();
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
