package dev.tokengate.servlet;

import dev.tokengate.testing.jetty.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.config.ConfigKeys;
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
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each rate limit through the real filter in Jetty, configured by init-params only, with real JWTs from a JWKS on
 * loopback and API keys in a real (H2) token database. The limits are per hour, so no window ends during a test.
 */
class RateLimitTest {

    private static final String RULES = "GET /api/orders = read + rate-limit 2/1h; GET /api/partner/* = read + api-key;"
            + " GET /api/* = read";
    private static final ObjectMapper JSON = new ObjectMapper();

    private LoopbackIssuer idp;
    private JdbcTokenStore admin;
    private String db;
    private LogCapture logs;
    private final List<String> tokens = new ArrayList<>();

    @BeforeEach
    void start() {
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
        db = "jdbc:h2:mem:ratelimit-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        admin = JdbcTokenStore.builder().jdbcUrl(db).username("sa").build();
        admin.createSchema();
        logs = LogCapture.start();
    }

    @AfterEach
    void stop() {
        try {
            for (String token : tokens) {
                assertThat(logs.text()).doesNotContain(token);
            }
        } finally {
            logs.close();
            admin.close();
            idp.close();
        }
    }

    private TestServer app(Map<String, String> limits) throws Exception {
        ServletContextHandler context = new ServletContextHandler("/app");
        FilterHolder filter = new FilterHolder(new TokenGateFilter());
        filter.setInitParameter("tokengate.jwt.issuer", TestTokens.ISSUER);
        filter.setInitParameter("tokengate.jwt.jwks-uri", idp.jwksUri().toString());
        filter.setInitParameter("tokengate.jwt.audience", TestTokens.AUDIENCE);
        filter.setInitParameter("tokengate.store.jdbc-url", db);
        filter.setInitParameter("tokengate.store.username", "sa");
        filter.setInitParameter(TokenGateFilter.RULES, RULES);
        limits.forEach(filter::setInitParameter);
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new LegacyServlet()), "/*");
        return TestServer.start(context);
    }

    private String token(String subject, String clientId) {
        String token = TestTokens.jwt().subject(subject).clientId(clientId).scope("read").sign();
        tokens.add(token);
        return token;
    }

    private static List<Integer> statuses(TestServer server, String path, int n, String... headers) throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            statuses.add(server.get(path, headers).statusCode());
        }
        return statuses;
    }

    /** A 429 with every header and the problem body; the application was not called. */
    private static void assertRateLimited(HttpResponse<String> r, String policy, long quota) throws Exception {
        assertThat(r.statusCode()).isEqualTo(429);
        long retryAfter = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(3000L, 3600L);
        assertThat(r.headers().firstValue("RateLimit-Policy")).hasValue("\"" + policy + "\";q=" + quota + ";w=3600");
        assertThat(r.headers().firstValue("RateLimit")).hasValue("\"" + policy + "\";r=0;t=" + retryAfter);
        assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(r.headers().firstValue("X-Legacy")).as("the application was not called").isEmpty();
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(r.body());
        assertThat(problem.path("status").asInt()).isEqualTo(429);
        assertThat(problem.path("error").asText()).isEqualTo("rate_limited");
        assertThat(problem.path("detail").asText()).contains("at most " + quota + " per 1h");
    }

    @Test
    void perTokenWhenOverTheLimitThen429AndTheCallLogSaysRateLimited() throws Exception {
        String alice = token("alice", "bot");
        try (TestServer server = app(Map.of(ConfigKeys.RATE_LIMIT_PER_TOKEN, "3/1h"))) {
            assertThat(statuses(server, "/app/api/accounts", 3, "Authorization", "Bearer " + alice)).containsOnly(200);
            assertRateLimited(server.get("/app/api/accounts", "Authorization", "Bearer " + alice), "per-token", 3);
            assertThat(statuses(server, "/app/api/accounts", 3, "Authorization", "Bearer " + token("alice", "bot")))
                    .as("another token of the same client and user").containsOnly(200);
        }
        assertThat(logs.lines("tokengate.calls")).anySatisfy(l -> assertThat(l).contains("\"status\":429",
                "\"decision\":\"rate_limited\"", "\"error\":\"rate_limited\"", "\"marks\":[\"rate_limited\"]",
                "over the per-token rate limit 3/1h"));
    }

    @Test
    void perClientCountsEveryTokenOfTheClient() throws Exception {
        try (TestServer server = app(Map.of(ConfigKeys.RATE_LIMIT_PER_CLIENT, "3/1h"))) {
            assertThat(statuses(server, "/app/api/accounts", 2, "Authorization", "Bearer " + token("alice", "bot"))).containsOnly(200);
            assertThat(server.get("/app/api/accounts", "Authorization", "Bearer " + token("bob", "bot")).statusCode()).isEqualTo(200);
            assertRateLimited(server.get("/app/api/accounts", "Authorization", "Bearer " + token("carol", "bot")), "per-client", 3);
            assertThat(statuses(server, "/app/api/accounts", 3, "Authorization", "Bearer " + token("alice", "web"))).containsOnly(200);
        }
    }

    @Test
    void perSubjectCountsEveryClientOfTheUser() throws Exception {
        try (TestServer server = app(Map.of(ConfigKeys.RATE_LIMIT_PER_SUBJECT, "3/1h"))) {
            assertThat(statuses(server, "/app/api/accounts", 2, "Authorization", "Bearer " + token("alice", "bot"))).containsOnly(200);
            assertThat(server.get("/app/api/accounts", "Authorization", "Bearer " + token("alice", "web")).statusCode()).isEqualTo(200);
            assertRateLimited(server.get("/app/api/accounts", "Authorization", "Bearer " + token("alice", "cli")), "per-subject", 3);
            assertThat(statuses(server, "/app/api/accounts", 3, "Authorization", "Bearer " + token("bob", "bot"))).containsOnly(200);
        }
    }

    @Test
    void perApiKeyCountsTheApplicationsKeyWhateverTheUser() throws Exception {
        IssuedToken key = admin.create(TokenKind.API_KEY, "tracker", "portfolio-app", null, List.of(), List.of(), null);
        IssuedToken other = admin.create(TokenKind.API_KEY, "other", "other-app", null, List.of(), List.of(), null);
        tokens.add(key.token());
        tokens.add(other.token());
        try (TestServer server = app(Map.of(ConfigKeys.RATE_LIMIT_PER_API_KEY, "2/1h"))) {
            assertThat(server.get("/app/api/partner/positions", "Authorization", "Bearer " + token("alice", "bot"),
                    "X-API-Key", key.token()).statusCode()).isEqualTo(200);
            assertThat(server.get("/app/api/partner/positions", "Authorization", "Bearer " + token("bob", "bot"),
                    "X-API-Key", key.token()).statusCode()).isEqualTo(200);
            assertRateLimited(server.get("/app/api/partner/positions", "Authorization", "Bearer " + token("carol", "bot"),
                    "X-API-Key", key.token()), "per-api-key", 2);
            assertThat(server.get("/app/api/partner/positions", "Authorization", "Bearer " + token("carol", "bot"),
                    "X-API-Key", other.token()).statusCode()).as("another application's key").isEqualTo(200);
            assertThat(statuses(server, "/app/api/accounts", 3, "Authorization", "Bearer " + token("dave", "bot")))
                    .as("routes without an API key").containsOnly(200);
        }
    }

    @Test
    void perRouteRuleLimitsEachTokenOnThatRouteOnly() throws Exception {
        String alice = token("alice", "bot");
        try (TestServer server = app(Map.of())) {
            assertThat(statuses(server, "/app/api/orders", 2, "Authorization", "Bearer " + alice)).containsOnly(200);
            assertRateLimited(server.get("/app/api/orders", "Authorization", "Bearer " + alice), "per-route", 2);
            assertThat(statuses(server, "/app/api/accounts", 5, "Authorization", "Bearer " + alice))
                    .as("other routes").containsOnly(200);
            assertThat(statuses(server, "/app/api/orders", 2, "Authorization", "Bearer " + token("alice", "bot")))
                    .as("another token").containsOnly(200);
        }
    }

    @Test
    void aMalformedLimitStopsTheFilterNamingTheKey() {
        ServletContextHandler context = new ServletContextHandler("/app");
        FilterHolder filter = new FilterHolder(new TokenGateFilter());
        filter.setInitParameter("tokengate.jwt.issuer", TestTokens.ISSUER);
        filter.setInitParameter("tokengate.jwt.jwks-uri", idp.jwksUri().toString());
        filter.setInitParameter("tokengate.jwt.audience", TestTokens.AUDIENCE);
        filter.setInitParameter(TokenGateFilter.RULES, RULES.replace("; GET /api/partner/* = read + api-key", ""));
        filter.setInitParameter(ConfigKeys.RATE_LIMIT_PER_TOKEN, "100 a minute");
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new LegacyServlet()), "/*");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestServer.start(context).close())
                .satisfies(e -> assertThat(rootMessages(e)).contains(
                        "tokengate.rate-limit.per-token (init-param): '100 a minute' is not a rate"));
    }

    private static String rootMessages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append('\n');
        }
        return sb.toString();
    }
}
