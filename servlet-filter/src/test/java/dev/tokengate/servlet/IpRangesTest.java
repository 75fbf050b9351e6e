package dev.tokengate.servlet;

import dev.tokengate.testing.jetty.TestServer;
import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.log.CallEvent;
import dev.tokengate.store.IssuedToken;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.TokenKind;
import dev.tokengate.testing.CapturingSink;
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
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Networks per client id and per API key from configuration ({@code tokengate.ip-ranges.*}), through the real filter
 * in Jetty: JWTs from an external issuer (a real JWKS on loopback) fenced by their {@code client_id}, API keys from a
 * real (H2) token database by their id. The test client is the trusted proxy (loopback) and names the client in
 * {@code X-Forwarded-For}.
 */
class IpRangesTest {

    private LoopbackIssuer idp;
    private JdbcTokenStore admin;
    private String db;
    private TokenGate gate;
    private final CapturingSink sink = new CapturingSink();

    @BeforeEach
    void start() {
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
        db = "jdbc:h2:mem:ip-ranges-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        admin = JdbcTokenStore.builder().jdbcUrl(db).username("sa").build();
        admin.createSchema();
    }

    @AfterEach
    void stop() {
        if (gate != null) {
            gate.close();
        }
        admin.close();
        idp.close();
    }

    /**
     * The filter configured by init-params only; with {@code sink}, its gate is built from the same keys with that
     * call-log sink instead (the call log is written after the answer, so a test waits for the event there).
     */
    private TestServer app(String keyId, CapturingSink sink) throws Exception {
        Map<String, String> params = new HashMap<>();
        params.put("tokengate.jwt.issuer", TestTokens.ISSUER);
        params.put("tokengate.jwt.jwks-uri", idp.jwksUri().toString());
        params.put("tokengate.jwt.audience", TestTokens.AUDIENCE);
        params.put("tokengate.store.jdbc-url", db);
        params.put("tokengate.store.username", "sa");
        params.put("tokengate.trusted-proxies", "127.0.0.1/32");
        params.put("tokengate.forwarded-header", "x-forwarded-for");
        params.put("tokengate.ip-ranges.clients", "bot=203.0.113.0/24 198.51.100.7; reporting=10.0.0.0/8");
        params.put("tokengate.ip-ranges.api-keys", keyId + "=192.0.2.0/24");
        String rules = "GET /api/partner/* = read + api-key; GET /api/* = read";
        FilterHolder filter;
        if (sink == null) {
            filter = new FilterHolder(new TokenGateFilter());
            params.forEach(filter::setInitParameter);
            filter.setInitParameter(TokenGateFilter.RULES, rules);
        } else {
            gate = TokenGate.builder().config(ConfigSource.of(params, Map.of(), new Properties())).callLogSink(sink).build();
            filter = new FilterHolder(new TokenGateFilter(gate, UrlRules.parse(rules)));
        }
        ServletContextHandler context = new ServletContextHandler("/app");
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new LegacyServlet()), "/*");
        return TestServer.start(context);
    }

    private static String jwt(String clientId) {
        return "Bearer " + TestTokens.jwt().scope("read").clientId(clientId).sign();
    }

    @Test
    void jwtOfFencedClientWhenFromItsNetworksThen200AndFromElsewhere401MarkedAddress() throws Exception {
        try (TestServer server = app("no-such-key", sink)) {
            for (String inside : List.of("203.0.113.9", "198.51.100.7")) {
                assertThat(server.get("/app/api/orders", "Authorization", jwt("bot"), "X-Forwarded-For", inside)
                        .statusCode()).as(inside).isEqualTo(200);
                assertThat(sink.next().decision()).isEqualTo("allow");
            }

            HttpResponse<String> outside = server.get("/app/api/orders", "Authorization", jwt("bot"),
                    "X-Forwarded-For", "198.51.100.8");

            assertThat(outside.statusCode()).isEqualTo(401);
            assertThat(outside.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                    .contains("error=\"invalid_token\"", "error_description=\"This token may not be used from this address.\""));
            CallEvent e = sink.next();
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.marks()).containsExactly("address");
            assertThat(e.reason()).contains("client bot is restricted to [203.0.113.0/24, 198.51.100.7/32] "
                    + "(tokengate.ip-ranges.clients); the client is 198.51.100.8");
        }
    }

    @Test
    void jwtOfUnlistedClientOrWithoutClientIdThenNotFenced() throws Exception {
        try (TestServer server = app("no-such-key", null)) {
            assertThat(server.get("/app/api/orders", "Authorization", jwt("mobile"), "X-Forwarded-For", "198.51.100.8")
                    .statusCode()).isEqualTo(200);
            assertThat(server.get("/app/api/orders", "Authorization", "Bearer " + TestTokens.jwt().scope("read").sign(),
                    "X-Forwarded-For", "198.51.100.8").statusCode()).isEqualTo(200);
            assertThat(server.get("/app/api/orders", "Authorization", jwt("reporting"), "X-Forwarded-For", "10.20.30.40")
                    .statusCode()).isEqualTo(200);
            assertThat(server.get("/app/api/orders", "Authorization", jwt("reporting"), "X-Forwarded-For", "11.0.0.1")
                    .statusCode()).isEqualTo(401);
        }
    }

    @Test
    void apiKeyFencedByItsIdWhenFromItsNetworkThen200AndFromElsewhere401NamingTheKey() throws Exception {
        IssuedToken key = admin.create(TokenKind.API_KEY, "tracker", "portfolio-app", null, List.of(), List.of(), null);
        try (TestServer server = app(key.metadata().id(), sink); LogCapture logs = LogCapture.start()) {
            String user = jwt("mobile");
            assertThat(server.get("/app/api/partner/positions", "Authorization", user, "X-API-Key", key.token(),
                    "X-Forwarded-For", "192.0.2.55").statusCode()).isEqualTo(200);

            HttpResponse<String> outside = server.get("/app/api/partner/positions", "Authorization", user,
                    "X-API-Key", key.token(), "X-Forwarded-For", "198.51.100.8");

            assertThat(outside.statusCode()).isEqualTo(401);
            assertThat(outside.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                    .contains("error=\"invalid_token\"", "This API key may not be used from this address."));
            assertThat(sink.next().decision()).isEqualTo("allow");
            CallEvent e = sink.next();
            assertThat(e.marks()).containsExactly("address");
            assertThat(e.reason()).hasValueSatisfying(v -> assertThat(v)
                    .startsWith("API key " + key.metadata().id() + " is restricted to [192.0.2.0/24]"));
            assertThat(e.apiKeyId()).isEmpty();
            assertThat(logs.text()).doesNotContain(key.token());
        }
    }
}
