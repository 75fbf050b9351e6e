package dev.tokengate.servlet;

import dev.tokengate.testing.jetty.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.BearerError;
import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.log.CallEvent;
import dev.tokengate.policy.PolicyDecision;
import dev.tokengate.policy.TokenPolicy;
import dev.tokengate.testing.CapturingSink;
import dev.tokengate.testing.LogCapture;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The policy seam and report-only mode through the real filter in a real Jetty, in front of {@link LegacyServlet}:
 * a policy added with {@code TokenGate.builder(...).policy(...)} answers 429 end to end, and in report-only mode
 * every refusal reaches the application and is logged {@code would_deny}.
 */
class PolicyAndReportOnlyTest {

    private static final String RULES = "GET /api/accounts/* = read; /api/admin/* = admin; /api/any/* = authenticated";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Bob's token is over its limit. */
    private static final TokenPolicy BOB_IS_OVER_HIS_LIMIT = (token, request) -> token.getName().equals("bob")
            ? PolicyDecision.deny(BearerError.builder(429, BearerError.Code.RATE_LIMITED, "Too many requests for this token.")
                    .retryAfter(Duration.ofSeconds(42))
                    .header("RateLimit-Policy", "\"per-token\";q=100;w=60")
                    .header("RateLimit", "\"per-token\";r=0;t=42")
                    .build(), "per-token limit 100/1m reached")
            : PolicyDecision.allow();

    private final CapturingSink sink = new CapturingSink();
    private LogCapture logs;
    private TestServer server;

    @BeforeEach
    void captureLogs() {
        logs = LogCapture.start();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
            String text = logs.text();
            for (String token : new String[] {StubTokens.READ, StubTokens.TRADE, StubTokens.ADMIN, StubTokens.UPSTREAM_DOWN,
                    StubTokens.BAD}) {
                assertThat(text).doesNotContain(token);
            }
        } finally {
            logs.close();
        }
    }

    private static dev.tokengate.config.ConfigSource config(TokenGate.Mode mode) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put(ConfigKeys.JWT_ISSUER, "https://issuer.test/");
        params.put(ConfigKeys.JWT_AUDIENCE, "https://api.test");
        params.put(ConfigKeys.MODE, mode.value());
        return dev.tokengate.config.ConfigSource.of(params, Map.of(), new java.util.Properties());
    }

    private void start(FilterHolder filter) throws Exception {
        ServletContextHandler context = new ServletContextHandler("/app");
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new LegacyServlet()), "/*");
        server = TestServer.start(context);
    }

    private void startWith(TokenGate.Mode mode) throws Exception {
        TokenGate gate = TokenGate.builder().config(config(mode)).validator(StubTokens.validator()).callLogSink(sink)
                .policy(BOB_IS_OVER_HIS_LIMIT).build();
        start(new FilterHolder(new TokenGateFilter(gate, UrlRules.parse(RULES))));
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return token == null ? server.get("/app" + path) : server.get("/app" + path, "Authorization", "Bearer " + token);
    }

    private static Map<String, String> seen(HttpResponse<String> response) {
        Map<String, String> m = new LinkedHashMap<>();
        response.body().lines().forEach(l -> m.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return m;
    }

    @Test
    void requestWhenPolicyDeniesThen429WithRetryAfterAndRateLimitHeadersAndTheAppIsNotCalled() throws Exception {
        startWith(TokenGate.Mode.ENFORCE);
        HttpResponse<String> r = get("/api/any/orders", StubTokens.TRADE);

        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("42");
        assertThat(r.headers().firstValue("RateLimit-Policy")).hasValue("\"per-token\";q=100;w=60");
        assertThat(r.headers().firstValue("RateLimit")).hasValue("\"per-token\";r=0;t=42");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
        assertThat(r.headers().firstValue("X-Legacy")).as("the application was not called").isEmpty();
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(r.body());
        assertThat(problem.get("title").asText()).isEqualTo("Too Many Requests");
        assertThat(problem.get("status").asInt()).isEqualTo(429);
        assertThat(problem.get("error").asText()).isEqualTo("rate_limited");
        CallEvent e = sink.next();
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.decision()).isEqualTo("rate_limited");
        assertThat(e.errorCode()).contains("rate_limited");
        assertThat(e.reason()).contains("per-token limit 100/1m reached");
        assertThat(problem.get("request_id").asText()).isEqualTo(e.requestId());
        assertThat(logs.lines("tokengate.calls")).anySatisfy(l -> assertThat(l)
                .contains("\"decision\":\"rate_limited\"", "\"error\":\"rate_limited\"", "\"status\":429"));
    }

    @Test
    void requestWhenPolicyAllowsThenTheAppSeesThePrincipal() throws Exception {
        startWith(TokenGate.Mode.ENFORCE);
        HttpResponse<String> r = get("/api/any/orders", StubTokens.READ);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(seen(r)).containsEntry("principal", "alice");
        assertThat(sink.next().decision()).isEqualTo("allow");
    }

    @Test
    void reportOnlyWhenRequestsWouldBeRefusedThenTheyReachTheAppAndAreLoggedWouldDeny() throws Exception {
        startWith(TokenGate.Mode.REPORT_ONLY);
        record Case(String path, String token, String principal, String error) {
        }
        List<Case> cases = List.of(
                new Case("/api/accounts/1", StubTokens.BAD, "null", "invalid_token"),
                new Case("/api/accounts/1", null, "null", "missing_token"),
                new Case("/api/accounts/1", StubTokens.UPSTREAM_DOWN, "null", "temporarily_unavailable"),
                new Case("/api/admin/users", StubTokens.READ, "alice", "insufficient_scope"),
                new Case("/api/any/orders", StubTokens.TRADE, "bob", "rate_limited"),
                new Case("/unmatched", StubTokens.ADMIN, "null", "access_denied"));
        for (Case c : cases) {
            HttpResponse<String> r = get(c.path(), c.token());
            assertThat(r.statusCode()).as(c.toString()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Legacy")).as(c.toString()).hasValue("yes");
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(c.toString()).isEmpty();
            assertThat(seen(r)).as(c.toString()).containsEntry("principal", c.principal());
            CallEvent e = sink.next();
            assertThat(e.decision()).as(c.toString()).isEqualTo("would_deny");
            assertThat(e.errorCode()).as(c.toString()).contains(c.error());
            assertThat(e.status()).as(c.toString()).isEqualTo(200);
        }
        assertThat(logs.lines("tokengate.calls")).hasSize(cases.size())
                .allSatisfy(l -> assertThat(l).contains("\"decision\":\"would_deny\""));
    }

    @Test
    void reportOnlyWhenScopeWouldBeMissingThenTheValidTokenIsStillThePrincipalWithItsOwnRoles() throws Exception {
        startWith(TokenGate.Mode.REPORT_ONLY);
        HttpResponse<String> r = get("/api/admin/users", StubTokens.READ);

        assertThat(seen(r)).containsEntry("principal", "alice").containsEntry("authType", "BEARER")
                .containsEntry("role.read", "true").containsEntry("role.admin", "false").containsEntry("attribute", "alice");
        assertThat(sink.next().reason()).hasValueSatisfying(v -> assertThat(v).contains("admin"));
    }

    @Test
    void reportOnlyFromTheInitParamThenStartUpWarnsAndNothingIsEnforced() throws Exception {
        FilterHolder filter = new FilterHolder(new TokenGateFilter(source ->
                TokenGate.builder().config(source).validator(StubTokens.validator()).callLogSink(sink).build()));
        filter.setInitParameter(ConfigKeys.JWT_ISSUER, "https://issuer.test/");
        filter.setInitParameter(ConfigKeys.JWT_AUDIENCE, "https://api.test");
        filter.setInitParameter(TokenGateFilter.RULES, RULES);
        filter.setInitParameter(ConfigKeys.MODE, "report-only");
        start(filter);

        assertThat(logs.lines()).filteredOn(l -> l.contains("enforces nothing")).hasSize(1);
        HttpResponse<String> r = get("/api/accounts/1", StubTokens.BAD);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(sink.next().decision()).isEqualTo("would_deny");
    }

    @Test
    void modeInitParamWhenUnknownThenTheFilterDoesNotStartNamingTheKey() {
        Map<String, String> params = Map.of(ConfigKeys.JWT_ISSUER, "https://issuer.test/",
                ConfigKeys.JWT_AUDIENCE, "https://api.test", TokenGateFilter.RULES, RULES, ConfigKeys.MODE, "dry-run");
        TokenGateFilter filter = new TokenGateFilter(source -> TokenGate.builder().config(source).validator(StubTokens.validator()).build());
        assertThatThrownBy(() -> filter.init(new jakarta.servlet.FilterConfig() {
            @Override
            public String getFilterName() {
                return "tokengate";
            }

            @Override
            public jakarta.servlet.ServletContext getServletContext() {
                throw new UnsupportedOperationException();
            }

            @Override
            public String getInitParameter(String name) {
                return params.get(name);
            }

            @Override
            public java.util.Enumeration<String> getInitParameterNames() {
                return java.util.Collections.enumeration(params.keySet());
            }
        })).isInstanceOf(jakarta.servlet.ServletException.class)
                .hasMessageStartingWith("tokengate.mode (init-param): 'dry-run' is not a mode; write enforce or report-only");
    }
}
