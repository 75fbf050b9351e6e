package dev.tokengate.servlet;

import dev.tokengate.testing.jetty.TestServer;
import dev.tokengate.ConfigurationException;
import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.store.IssuedToken;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.TokenKind;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The API key + user token hybrid and the app's own stored tokens, through the real filter in Jetty, with a real
 * JWKS on loopback and a real (H2) token database, configured by init-params only.
 */
class HybridTest {

    private LoopbackIssuer idp;
    private JdbcTokenStore admin;
    private String db;

    @BeforeEach
    void start() {
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
        db = "jdbc:h2:mem:hybrid-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        admin = JdbcTokenStore.builder().jdbcUrl(db).username("sa").build();
        admin.createSchema();
    }

    @AfterEach
    void stop() {
        admin.close();
        idp.close();
    }

    private TestServer app() throws Exception {
        ServletContextHandler context = new ServletContextHandler("/app");
        FilterHolder filter = new FilterHolder(new TokenGateFilter());
        filter.setInitParameter("tokengate.jwt.issuer", TestTokens.ISSUER);
        filter.setInitParameter("tokengate.jwt.jwks-uri", idp.jwksUri().toString());
        filter.setInitParameter("tokengate.jwt.audience", TestTokens.AUDIENCE);
        filter.setInitParameter("tokengate.store.jdbc-url", db);
        filter.setInitParameter("tokengate.store.username", "sa");
        filter.setInitParameter(TokenGateFilter.RULES, "GET /api/partner/* = read + api-key; GET /api/* = read");
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new LegacyServlet()), "/*");
        return TestServer.start(context);
    }

    @Test
    void partnerRouteWhenUserTokenAndApplicationKeyThen200() throws Exception {
        IssuedToken key = admin.create(TokenKind.API_KEY, "tracker", "portfolio-app", null, List.of(), List.of(), null);
        try (TestServer server = app(); LogCapture logs = LogCapture.start()) {
            HttpResponse<String> r = server.get("/app/api/partner/positions",
                    "Authorization", "Bearer " + TestTokens.jwt().scope("read").sign(), "X-API-Key", key.token());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("principal=" + TestTokens.SUBJECT);
            assertThat(logs.lines("tokengate.calls")).anySatisfy(l -> assertThat(l)
                    .contains("\"application\":\"portfolio-app\"", "\"subject\":\"" + TestTokens.SUBJECT + "\""));
            assertThat(logs.text()).doesNotContain(key.token());
        }
    }

    @Test
    void partnerRouteWhenNoApplicationKeyThen400NamingTheHeader() throws Exception {
        try (TestServer server = app()) {
            HttpResponse<String> r = server.get("/app/api/partner/positions",
                    "Authorization", "Bearer " + TestTokens.jwt().scope("read").sign());
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                    assertThat(v).contains("error=\"invalid_request\"", "X-API-Key"));
        }
    }

    @Test
    void partnerRouteWhenRevokedApplicationKeyThen401() throws Exception {
        IssuedToken key = admin.create(TokenKind.API_KEY, "tracker", "portfolio-app", null, List.of(), List.of(), null);
        admin.revoke(key.metadata().id());
        try (TestServer server = app()) {
            HttpResponse<String> r = server.get("/app/api/partner/positions",
                    "Authorization", "Bearer " + TestTokens.jwt().scope("read").sign(), "X-API-Key", key.token());
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).contains("API key"));
        }
    }

    @Test
    void storedAccessTokenWorksBesideJwts() throws Exception {
        IssuedToken pat = admin.create(TokenKind.ACCESS_TOKEN, "my bot", "alice", null, List.of("read"), List.of(),
                Instant.now().plusSeconds(3600));
        try (TestServer server = app()) {
            HttpResponse<String> r = server.get("/app/api/accounts", "Authorization", "Bearer " + pat.token());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("principal=alice", "role.read=true");
        }
    }

    @Test
    void filterWhenRuleNeedsApiKeyButNoStoreThenRefusesToStartNamingWhatToSet() {
        TokenGate gate = TokenGate.builder().issuer(JwtValidator.builder().issuer(TestTokens.ISSUER)
                .keySource(KeySources.jwks(idp.jwksUri()).build()).audiences(TestTokens.AUDIENCE)).build();
        assertThatThrownBy(() -> new TokenGateFilter(gate, UrlRules.parse("/* = read + api-key")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.rules").hasMessageContaining("tokengate.store.jdbc-url");
    }
}
