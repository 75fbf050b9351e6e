package dev.tokengate.servlet;

import dev.tokengate.testing.jetty.TestServer;
import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's "Programmatic use" example, compiled and run against a real issuer (discovery and JWKS) on loopback. */
class ReadmeExampleTest {

    @Test
    void programmaticExampleFromTheReadmeProtectsAnApp() throws Exception {
        try (LoopbackIssuer jwks = LoopbackIssuer.start()) {
            jwks.jwks(TestKeys.jwksJson(TestKeys.rsa()));
            ServletContextHandler context = new ServletContextHandler();
            context.addServlet(new ServletHolder(new HttpServlet() {
                @Override
                protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                    resp.getWriter().print("hello " + req.getRemoteUser());
                }
            }), "/*");

            String issuer = jwks.baseUri().toString();
            // --- README: Programmatic use (issuer and audience adapted to the test's issuer) ---
            TokenGate gate = TokenGate.builder()
                    .settings(TokenGateConfig.builder().realm("exchange").build())
                    .issuer(JwtValidator.builder()
                            .issuer(issuer)
                            .audiences(TestTokens.AUDIENCE)
                            .type("at+jwt")
                            .keySource(KeySources.discover(URI.create(issuer)).build()))
                    .build();
            TokenGateFilter filter = new TokenGateFilter(gate, UrlRules.parse("""
                    GET /api/accounts/* = read
                    POST /api/orders = trade
                    /* = authenticated
                    """));
            context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
            // --- end of README example ---

            try (TestServer server = TestServer.start(context)) {
                HttpResponse<String> ok = server.get("/api/accounts/1", "Authorization",
                        "Bearer " + TestTokens.jwt().issuer(issuer).scope("read").sign());
                assertThat(ok.statusCode()).isEqualTo(200);
                assertThat(ok.body()).isEqualTo("hello " + TestTokens.SUBJECT);

                HttpResponse<String> noScope = server.get("/api/accounts/1", "Authorization",
                        "Bearer " + TestTokens.jwt().issuer(issuer).scope("trade").sign());
                assertThat(noScope.statusCode()).isEqualTo(403);
                assertThat(noScope.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                        assertThat(v).startsWith("Bearer realm=\"exchange\", error=\"insufficient_scope\""));
            }
        }
    }
}
