package dev.tokengate.servlet;

import dev.tokengate.testing.jetty.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.log.CallEvent;
import dev.tokengate.testing.CapturingSink;
import dev.tokengate.testing.LogCapture;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/** The filter registered programmatically in a real Jetty, in front of a legacy servlet. */
class TokenGateFilterTest {

    private static final String RULES = """
            GET,HEAD /api/accounts/* = read
            POST /api/orders = trade
            /api/orders = read
            /api/public/* = permit
            /api/admin/* = admin | root
            /api/any/* = authenticated
            /api/async/* = read
            POST /form/* = read
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CapturingSink sink = new CapturingSink();
    private final ExecutorService asyncWorkers = Executors.newSingleThreadExecutor();
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = startWith(Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        asyncWorkers.shutdownNow();
    }

    private TestServer startWith(Map<String, String> settings) throws Exception {
        Map<String, String> params = new java.util.HashMap<>(Map.of(
                ConfigKeys.REALM, "accounts",
                ConfigKeys.JWT_ISSUER, "https://issuer.test/",
                ConfigKeys.JWT_AUDIENCE, "https://api.test"));
        params.putAll(settings);
        TokenGate gate = TokenGate.builder().config(ConfigSource.of(params, Map.of(), new Properties()))
                .validator(StubTokens.validator()).callLogSink(sink).build();

        ServletContextHandler context = new ServletContextHandler("/app");
        context.addFilter(new FilterHolder(new TokenGateFilter(gate, UrlRules.parse(RULES))), "/*",
                EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new LegacyServlet()), "/*");
        ServletHolder async = new ServletHolder(new AsyncServlet());
        async.setAsyncSupported(true);
        context.addServlet(async, "/api/async/*");
        return TestServer.start(context);
    }

    /** Answers 202 from another thread, after the request thread has left the filter. */
    private final class AsyncServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
            String user = req.getRemoteUser();
            AsyncContext async = req.startAsync();
            asyncWorkers.execute(() -> {
                try {
                    HttpServletResponse r = (HttpServletResponse) async.getResponse();
                    r.setStatus(202);
                    r.getWriter().print("accepted for " + user);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } finally {
                    async.complete();
                }
            });
        }
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    private static Map<String, String> lines(HttpResponse<String> response) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        response.body().lines().forEach(l -> {
            int eq = l.indexOf('=');
            m.put(l.substring(0, eq), l.substring(eq + 1));
        });
        return m;
    }

    private HttpResponse<String> postForm(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = server.request(path)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return server.send(b);
    }

    // --- challenges and errors -------------------------------------------------------------------------------

    @Test
    void requestWhenNoTokenThenBareChallenge() throws Exception {
        HttpResponse<String> r = server.get("/app/api/accounts/1");

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"accounts\", resource_metadata=\"" + server.base()
                + "/app/.well-known/oauth-protected-resource\", DPoP realm=\"accounts\", resource_metadata=\"" + server.base() + "/app/.well-known/oauth-protected-resource\", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"");
        assertThat(r.headers().firstValue("X-Legacy")).isEmpty();
    }

    @Test
    void requestWhenBasicAuthThenBareChallenge() throws Exception {
        HttpResponse<String> r = server.get("/app/api/accounts/1", "Authorization", "Basic YWxpY2U6c2VjcmV0");

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"accounts\", resource_metadata=\"" + server.base()
                + "/app/.well-known/oauth-protected-resource\", DPoP realm=\"accounts\", resource_metadata=\"" + server.base() + "/app/.well-known/oauth-protected-resource\", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"");
    }

    @Test
    void requestWhenAuthorizationHeaderMalformedThenInvalidToken() throws Exception {
        for (String header : List.of("Bearer", "Bearer two words", "Bearer <script>")) {
            HttpResponse<String> r = server.get("/app/api/accounts/1", "Authorization", header);

            assertThat(r.statusCode()).as(header).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(header).hasValueSatisfying(v ->
                    assertThat(v).startsWith("Bearer realm=\"accounts\", error=\"invalid_token\""));
        }
    }

    @Test
    void requestWhenTwoBearerHeadersThenInvalidRequest() throws Exception {
        HttpResponse<String> r = server.get("/app/api/accounts/1",
                "Authorization", bearer(StubTokens.READ), "Authorization", bearer(StubTokens.ADMIN));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                assertThat(v).contains("error=\"invalid_request\""));
        assertThat(r.body()).contains("more than one");
    }

    @Test
    void requestWhenTokenInvalidThenInvalidToken() throws Exception {
        HttpResponse<String> r = server.get("/app/api/accounts/1", "Authorization", bearer(StubTokens.BAD));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                assertThat(v).startsWith("Bearer realm=\"accounts\", error=\"invalid_token\""));
    }

    @Test
    void requestWhenScopeMissingThenInsufficientScopeNamingTheScopes() throws Exception {
        HttpResponse<String> r = server.get("/app/api/admin/users", "Authorization", bearer(StubTokens.READ));

        assertThat(r.statusCode()).isEqualTo(403);
        String challenge = r.headers().firstValue("WWW-Authenticate").orElseThrow();
        assertThat(challenge).startsWith("Bearer realm=\"accounts\", error=\"insufficient_scope\"");
        assertThat(challenge.replaceAll(".*scope=\"([^\"]*)\".*", "$1").split(" "))
                .containsExactlyInAnyOrder("admin", "root");
    }

    @Test
    void requestWhenValidatorUpstreamUnavailableThen503NotInvalidToken() throws Exception {
        HttpResponse<String> r = server.get("/app/api/accounts/1", "Authorization", bearer(StubTokens.UPSTREAM_DOWN));

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
        assertThat(JSON.readTree(r.body()).path("error").asText()).isEqualTo("temporarily_unavailable");
    }

    @Test
    void requestWhenRejectedThenProblemJsonBodyAndNoCaching() throws Exception {
        HttpResponse<String> r = server.get("/app/api/admin/users", "Authorization", bearer(StubTokens.READ));

        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v ->
                assertThat(v).startsWith("application/problem+json"));
        assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("status").asInt()).isEqualTo(403);
        assertThat(body.path("title").asText()).isEqualTo("Forbidden");
        assertThat(body.path("error").asText()).isEqualTo("insufficient_scope");
        assertThat(body.path("required_scope").asText().split(" ")).containsExactlyInAnyOrder("admin", "root");
        assertThat(body.path("detail").asText()).isNotBlank();
        assertThat(body.path("request_id").asText()).isNotBlank();
        assertThat(r.body()).doesNotContain(StubTokens.READ).doesNotContain("Exception");
    }

    // --- request id and trace id -------------------------------------------------------------------------------

    @Test
    void requestWhenAllowedOrRefusedThenTheRequestIdHeaderIsTheCallLogs() throws Exception {
        HttpResponse<String> allowed = server.get("/app/api/accounts/1", "Authorization", bearer(StubTokens.READ),
                "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        CallEvent allowedEvent = sink.next();
        HttpResponse<String> refused = server.get("/app/api/accounts/1");
        CallEvent refusedEvent = sink.next();
        HttpResponse<String> async = server.get("/app/api/async/job", "Authorization", bearer(StubTokens.READ));
        CallEvent asyncEvent = sink.next();

        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().allValues(TokenGate.REQUEST_ID_HEADER)).containsExactly(allowedEvent.requestId());
        assertThat(allowedEvent.traceId()).contains("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().allValues(TokenGate.REQUEST_ID_HEADER)).containsExactly(refusedEvent.requestId());
        assertThat(JSON.readTree(refused.body()).path("request_id").asText()).isEqualTo(refusedEvent.requestId());
        assertThat(refusedEvent.traceId()).isEmpty();
        assertThat(async.statusCode()).isEqualTo(202);
        assertThat(async.headers().allValues(TokenGate.REQUEST_ID_HEADER)).containsExactly(asyncEvent.requestId());
        assertThat(List.of(allowedEvent.requestId(), refusedEvent.requestId(), asyncEvent.requestId()))
                .doesNotHaveDuplicates();
    }

    @Test
    void requestWhenTheClientSentASaneRequestIdThenEchoedElseReplaced() throws Exception {
        HttpResponse<String> sane = server.get("/app/api/accounts/1", "X-Request-Id", "gw-7:a.b_c");
        HttpResponse<String> unsafe = server.get("/app/api/accounts/1", "X-Request-Id", "<img src=x>");
        HttpResponse<String> long65 = server.get("/app/api/accounts/1", "X-Request-Id", "a".repeat(65));

        assertThat(sane.statusCode()).isEqualTo(401);
        assertThat(sane.headers().allValues("x-request-id")).containsExactly("gw-7:a.b_c");
        assertThat(sink.next().requestId()).isEqualTo("gw-7:a.b_c");
        assertThat(unsafe.headers().allValues("x-request-id")).singleElement().asString()
                .isNotEqualTo("<img src=x>").matches("[A-Za-z0-9_-]{12}").isEqualTo(sink.next().requestId());
        assertThat(long65.headers().allValues("x-request-id")).singleElement().asString()
                .hasSize(12).isEqualTo(sink.next().requestId());
    }

    // --- routes ------------------------------------------------------------------------------------------------

    @Test
    void requestWhenPermitRouteThenOpenWithoutTokenAndNoPrincipal() throws Exception {
        HttpResponse<String> r = server.get("/app/api/public/status");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(lines(r)).containsEntry("principal", "null").containsEntry("authType", "null");
    }

    @Test
    void requestWhenNoRuleMatchesThenDeniedByDefaultEvenWithAToken() throws Exception {
        HttpResponse<String> anonymous = server.get("/app/elsewhere");
        HttpResponse<String> withToken = server.get("/app/elsewhere", "Authorization", bearer(StubTokens.ADMIN));

        for (HttpResponse<String> r : List.of(anonymous, withToken)) {
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
            assertThat(JSON.readTree(r.body()).path("error").asText()).isEqualTo("access_denied");
        }
    }

    @Test
    void requestWhenRuleNamesMethodThenItDecidesForThatMethodOnly() throws Exception {
        HttpResponse<String> postWithRead = postForm("/app/api/orders", "qty=1", "Authorization", bearer(StubTokens.READ));
        HttpResponse<String> postWithTrade = postForm("/app/api/orders", "qty=1", "Authorization", bearer(StubTokens.TRADE));
        HttpResponse<String> getWithRead = server.get("/app/api/orders", "Authorization", bearer(StubTokens.READ));
        HttpResponse<String> getWithTrade = server.get("/app/api/orders", "Authorization", bearer(StubTokens.TRADE));

        assertThat(postWithRead.statusCode()).isEqualTo(403);
        assertThat(postWithTrade.statusCode()).isEqualTo(200);
        assertThat(getWithRead.statusCode()).isEqualTo(200);
        assertThat(getWithTrade.statusCode()).isEqualTo(403);
    }

    @Test
    void requestWhenPathHasDotSegmentsOrEncodingThenRuleOfNormalisedPathApplies() throws Exception {
        HttpResponse<String> dotted = server.get("/app/api/public/../admin/users", "Authorization", bearer(StubTokens.READ));
        HttpResponse<String> encoded = server.get("/app/api/%61dmin/users", "Authorization", bearer(StubTokens.READ));

        assertThat(dotted.statusCode()).isIn(400, 403);
        assertThat(encoded.statusCode()).isEqualTo(403);
    }

    // --- the legacy application's view -----------------------------------------------------------------------

    @Test
    void requestWhenAuthenticatedThenLegacyServletSeesPrincipalRemoteUserAuthTypeAndRoles() throws Exception {
        HttpResponse<String> r = server.get("/app/api/accounts/1", "Authorization", bearer(StubTokens.READ));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(lines(r))
                .containsEntry("principal", "alice")
                .containsEntry("remoteUser", "alice")
                .containsEntry("authType", "BEARER")
                .containsEntry("role.read", "true")
                .containsEntry("role.admin", "false")
                .containsEntry("attribute", "alice");
    }

    @Test
    void requestWhenAppSetsStatusAndHeadersThenTheyReachTheClientAndTheCallLog() throws Exception {
        HttpResponse<String> r = server.get("/app/api/any/thing?status=201", "Authorization", bearer(StubTokens.TRADE));

        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("X-Legacy")).contains("yes");
        assertThat(lines(r)).containsEntry("principal", "bob");
        assertThat(sink.next().status()).isEqualTo(201);
    }

    @Test
    void requestWhenFormPostedAndFormTokensDisabledThenServletStillReadsTheBody() throws Exception {
        HttpResponse<String> r = postForm("/app/form/submit", "comment=hello+world&x=1",
                "Authorization", bearer(StubTokens.READ));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(lines(r)).containsEntry("param.comment", "hello world").containsEntry("principal", "alice");
    }

    @Test
    void requestWhenTokenOnlyInFormBodyAndFormTokensDisabledThenBareChallenge() throws Exception {
        HttpResponse<String> r = postForm("/app/form/submit", "access_token=" + StubTokens.READ + "&comment=hi");

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"accounts\", resource_metadata=\"" + server.base()
                + "/app/.well-known/oauth-protected-resource\", DPoP realm=\"accounts\", resource_metadata=\"" + server.base() + "/app/.well-known/oauth-protected-resource\", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"");
    }

    /**
     * Behind a proxy that appends to X-Forwarded-For (nginx {@code proxy_add_x_forwarded_for}), a client's own
     * {@code Forwarded} header reaches the application untouched: only the configured header names the client.
     */
    @Test
    void requestWhenBehindTrustedProxyThenOnlyTheConfiguredForwardingHeaderNamesTheClient() throws Exception {
        for (String header : List.of("x-forwarded-for", "forwarded")) {
            server.close();
            server = startWith(Map.of(ConfigKeys.TRUSTED_PROXIES, "127.0.0.1/32", ConfigKeys.FORWARDED_HEADER, header));

            server.get("/app/api/accounts/1", "Authorization", bearer(StubTokens.READ),
                    "Forwarded", "for=203.0.113.5", "X-Forwarded-For", "198.51.100.66");

            assertThat(sink.next().clientAddress()).as(header)
                    .isEqualTo(header.equals("forwarded") ? "203.0.113.5" : "198.51.100.66");
        }
    }

    @Test
    void requestWhenTokenInFormBodyAndEnabledThenAcceptedAndServletStillReadsTheBody() throws Exception {
        server.close();
        server = startWith(Map.of(ConfigKeys.TOKEN_FORM_BODY, "true"));

        HttpResponse<String> r = postForm("/app/form/submit", "comment=hi&access_token=" + StubTokens.READ);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(lines(r))
                .containsEntry("principal", "alice")
                .containsEntry("param.comment", "hi")
                .containsEntry("param.access_token.count", "1");
    }

    @Test
    void requestWhenTokenInHeaderAndFormBodyThenInvalidRequest() throws Exception {
        server.close();
        server = startWith(Map.of(ConfigKeys.TOKEN_FORM_BODY, "true"));

        HttpResponse<String> r = postForm("/app/form/submit", "access_token=" + StubTokens.READ,
                "Authorization", bearer(StubTokens.READ));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("more than one place");
    }

    @Test
    void requestWhenTokenInQueryOfFormPostThenItIsNotCountedAsABodyToken() throws Exception {
        server.close();
        server = startWith(Map.of(ConfigKeys.TOKEN_FORM_BODY, "true", ConfigKeys.TOKEN_QUERY_PARAMETER, "true"));

        HttpResponse<String> r = postForm("/app/form/submit?access_token=" + StubTokens.READ, "comment=hi");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(lines(r)).containsEntry("principal", "alice").containsEntry("param.comment", "hi");
    }

    @Test
    void preflightWhenRouteProtectedThenPassedToTheApplicationByDefault() throws Exception {
        HttpResponse<String> r = server.send(server.request("/app/api/orders")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "POST"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(lines(r)).containsEntry("method", "OPTIONS").containsEntry("principal", "null");
        assertThat(sink.next().decision()).isEqualTo("permit");
    }

    @Test
    void preflightWhenCorsPreflightIsRulesThenRouteRuleRefusesIt() throws Exception {
        server.close();
        server = startWith(Map.of(ConfigKeys.CORS_PREFLIGHT, "rules"));

        HttpResponse<String> r = server.send(server.request("/app/api/orders")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "POST"));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("X-Legacy")).isEmpty();
    }

    @Test
    void optionsWithoutPreflightHeadersThenRouteRuleDecides() throws Exception {
        HttpResponse<String> r = server.send(server.request("/app/api/orders")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));

        assertThat(r.statusCode()).isEqualTo(401);
    }

    @Test
    void requestWhenAsyncThenCallLoggedWhenCompleteWithTheStatusSent() throws Exception {
        HttpResponse<String> r = server.get("/app/api/async/job", "Authorization", bearer(StubTokens.READ));

        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).isEqualTo("accepted for alice");
        CallEvent event = sink.next();
        assertThat(event.status()).isEqualTo(202);
        assertThat(event.decision()).isEqualTo("allow");
        assertThat(event.subject()).contains("alice");
    }

    @Test
    void requestWhenApplicationThrowsThenExceptionLeftToContainerAndCallLoggedAs500() throws Exception {
        HttpResponse<String> r = server.get("/app/api/any/boom", "Authorization", bearer(StubTokens.READ));

        // the application's exception reaches the container's error handling (its error pages still work);
        // Jetty's default page shows the message but no stack trace
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).doesNotContain("\tat ").doesNotContain("LegacyServlet.java");
        assertThat(sink.next().status()).isEqualTo(500);
    }

    // --- call log --------------------------------------------------------------------------------------------

    @Test
    void requestWhenAnyOutcomeThenOneCallEventWithStatusDecisionAndErrorAndNoTokenInAnyLogLine() throws Exception {
        try (LogCapture logs = LogCapture.start()) {
            server.get("/app/api/accounts/1");
            server.get("/app/api/accounts/1", "Authorization", bearer(StubTokens.BAD));
            server.get("/app/api/accounts/1", "Authorization", bearer(StubTokens.READ));
            server.get("/app/api/public/status", "Authorization", bearer(StubTokens.TRADE));
            server.get("/app/api/admin/users", "Authorization", bearer(StubTokens.READ));
            server.get("/app/api/accounts/1", "Authorization", bearer(StubTokens.UPSTREAM_DOWN));
            server.get("/app/elsewhere", "Authorization", bearer(StubTokens.ADMIN));
            server.get("/app/api/accounts/1", "Authorization", bearer(StubTokens.READ), "Authorization", bearer(StubTokens.READ));

            List<CallEvent> events = List.of(sink.next(), sink.next(), sink.next(), sink.next(), sink.next(),
                    sink.next(), sink.next(), sink.next());
            assertThat(events).extracting(CallEvent::status)
                    .containsExactly(401, 401, 200, 200, 403, 503, 403, 400);
            assertThat(events).extracting(CallEvent::decision)
                    .containsExactly("deny", "deny", "allow", "permit", "deny", "deny", "deny", "deny");
            assertThat(events).extracting(CallEvent::errorCode).containsExactly(
                    Optional.of("missing_token"), Optional.of("invalid_token"), Optional.empty(), Optional.empty(),
                    Optional.of("insufficient_scope"), Optional.of("temporarily_unavailable"),
                    Optional.of("access_denied"), Optional.of("invalid_request"));
            assertThat(events).extracting(CallEvent::path).containsExactly("/api/accounts/1", "/api/accounts/1",
                    "/api/accounts/1", "/api/public/status", "/api/admin/users", "/api/accounts/1", "/elsewhere",
                    "/api/accounts/1");
            assertThat(events.get(2).subject()).contains("alice");
            assertThat(events.get(1).tokenFingerprint()).isPresent();
            assertThat(events).extracting(CallEvent::requestId).doesNotHaveDuplicates();
            assertThat(sink.drain()).as("exactly one event per request").isEmpty();

            assertThat(logs.lines()).as("the JSON call log and the upstream warning were logged").isNotEmpty();
            for (String line : logs.lines()) {
                for (String token : List.of(StubTokens.BAD, StubTokens.READ, StubTokens.TRADE,
                        StubTokens.UPSTREAM_DOWN, StubTokens.ADMIN)) {
                    assertThat(line).as("log line").doesNotContain(token);
                }
            }
        }
    }
}
