package dev.tokengate.redis;

import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.control.Revocation;
import dev.tokengate.servlet.TokenGateFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One node of a test cluster: a gate behind {@link TokenGateFilter} on a real Jetty on a loopback port, {@code
 * /api/*} needing the scope {@code read}; the servlet answers {@code principal=<name>}. Closing it stops Jetty and
 * closes the gate (its Redis connections included).
 */
final class GateNode implements AutoCloseable {

    static final Duration GENEROUS = Duration.ofSeconds(30);

    private final String name;
    private final TokenGate gate;
    private final Server server = new Server();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    private GateNode(String name, TokenGate gate) throws Exception {
        this.name = name;
        this.gate = gate;
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addFilter(new FilterHolder(new TokenGateFilter(gate, UrlRules.parse("/api/* = read"))), "/*",
                EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                resp.setContentType("text/plain;charset=utf-8");
                resp.getWriter().print("principal=" + req.getUserPrincipal().getName());
            }
        }), "/*");
        server.setHandler(context);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            gate.close();
            throw e;
        }
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    /** A node serving this gate (closed with the node). */
    static GateNode start(String name, TokenGate gate) throws Exception {
        return new GateNode(name, gate);
    }

    TokenGate gate() {
        return gate;
    }

    /** The node's Redis revocation store (the gate's shared control must be a {@link RedisControl}). */
    RedisRevocationStore store(RedisControl control) {
        return (RedisRevocationStore) control.revocationStore();
    }

    /** {@code GET /api/accounts} with this bearer token. */
    HttpResponse<String> call(String token) throws Exception {
        return call(Map.of("Authorization", "Bearer " + token));
    }

    /** {@code GET /api/accounts} with these request headers. */
    HttpResponse<String> call(Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/api/accounts"))
                .timeout(Duration.ofSeconds(10)).GET();
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Asserts the node answers this token with this status. */
    HttpResponse<String> assertStatus(String token, int status, String why) throws Exception {
        HttpResponse<String> r = call(token);
        assertThat(r.statusCode()).as(name + ": " + why + " (" + r.body() + ")").isEqualTo(status);
        return r;
    }

    /** A latch counted down when this node's list is told of a revocation that matches (its own or another node's). */
    CountDownLatch told(Predicate<Revocation> which) {
        CountDownLatch latch = new CountDownLatch(1);
        gate.revocations().onRevoke(r -> {
            if (which.test(r)) {
                latch.countDown();
            }
        });
        return latch;
    }

    static void await(CountDownLatch latch, String what) throws InterruptedException {
        assertThat(latch.await(GENEROUS.toMillis(), TimeUnit.MILLISECONDS)).as(what).isTrue();
    }

    @Override
    public void close() throws Exception {
        try {
            server.stop();
        } finally {
            gate.close();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
