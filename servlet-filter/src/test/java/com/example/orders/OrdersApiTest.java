package com.example.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokengate.servlet.TokenGateFilter;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testkit.WithLoopbackIssuer;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

// One loopback issuer for the class; its tokengate.* settings are system properties while the class runs.
@WithLoopbackIssuer(systemProperties = true)
class OrdersApiTest {

    static Server jetty;
    static URI base;
    static final HttpClient http = HttpClient.newHttpClient();

    /** The application under test: a servlet, and the filter as web.xml would declare it. */
    public static class OrdersServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.getWriter().print("orders of " + req.getRemoteUser());
        }
    }

    @BeforeAll
    static void startApplication() throws Exception {
        ServletContextHandler app = new ServletContextHandler();
        app.addServlet(OrdersServlet.class, "/api/orders");
        FilterHolder gate = new FilterHolder(TokenGateFilter.class);   // reads tokengate.* from system properties
        gate.setInitParameter("tokengate.rules", "GET /api/orders = orders:read");
        app.addFilter(gate, "/*", EnumSet.of(DispatcherType.REQUEST));

        jetty = new Server();
        HttpConfiguration config = new HttpConfiguration();
        config.setHeaderCacheCaseSensitive(true);
        ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(config));
        connector.setHost("127.0.0.1");
        jetty.addConnector(connector);
        jetty.setHandler(app);
        jetty.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @AfterAll
    static void stopApplication() throws Exception {
        jetty.stop();
    }

    @Test
    void tokenWithTheScopeOpensTheOrders(LoopbackIssuer issuer) throws Exception {
        HttpResponse<String> r = get(issuer.token().subject("bob").scope("orders:read").sign());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("orders of bob");
    }

    @Test
    void noTokenGetsAChallenge() throws Exception {
        HttpResponse<String> r = get(null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }

    @Test
    void expiredWrongAudienceOrForgedTokensAreInvalid(LoopbackIssuer issuer) throws Exception {
        for (String token : new String[] {issuer.expiredToken(), issuer.wrongAudienceToken(), issuer.wrongKeyToken()}) {
            HttpResponse<String> r = get(token);
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                    assertThat(v).contains("error=\"invalid_token\""));
        }
    }

    @Test
    void tokenWithoutTheScopeIsForbidden(LoopbackIssuer issuer) throws Exception {
        assertThat(get(issuer.token().scope("profile").sign()).statusCode()).isEqualTo(403);
    }

    @Test
    void opaqueTokenIsIntrospected(LoopbackIssuer issuer) throws Exception {
        String opaque = issuer.token().subject("carol").scope("orders:read").opaque();
        assertThat(get(opaque).body()).isEqualTo("orders of carol");
    }

    @Test
    void revokedOpaqueTokenIsInvalid(LoopbackIssuer issuer) throws Exception {
        String opaque = issuer.token().scope("orders:read").opaque();
        issuer.revoke(opaque); // before its first use: the gate caches introspection answers (cache-ttl)
        assertThat(get(opaque).statusCode()).isEqualTo(401);
    }

    static HttpResponse<String> get(String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/api/orders"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
