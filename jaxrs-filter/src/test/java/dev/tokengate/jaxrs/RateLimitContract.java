package dev.tokengate.jaxrs;

import dev.tokengate.testing.jetty.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.TokenGate;
import dev.tokengate.authorize.Rate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.control.RateLimits;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.servlet.TokenGateFilter;
import dev.tokengate.store.IssuedToken;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.TokenKind;
import dev.tokengate.testing.CapturingSink;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import jakarta.servlet.DispatcherType;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Application;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rate limits on a real Jakarta REST runtime in a real Jetty, with real JWTs from a JWKS on loopback and API keys in
 * a real (H2) token database: each gate-wide limit, {@link RateLimit} per resource method, and a request counted once
 * behind the servlet filter. The gate runs on a test clock, so windows end when a test says so.
 */
abstract class RateLimitContract {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeTime time = new FakeTime(Instant.now());
    private final CapturingSink sink = new CapturingSink();
    private LoopbackIssuer idp;
    private JdbcTokenStore store;
    private TestServer server;

    /** The runtime under test. */
    abstract JaxrsRuntime runtime();

    @BeforeEach
    void start() {
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
        store = JdbcTokenStore.builder().jdbcUrl("jdbc:h2:mem:rate-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1").build();
        store.createSchema();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        store.close();
        idp.close();
    }

    private TokenGate gate(RateLimits limits) {
        return TokenGate.builder().issuer(JwtValidator.builder().issuer(TestTokens.ISSUER)
                        .keySource(KeySources.jwks(idp.jwksUri()).build()).audiences(TestTokens.AUDIENCE))
                .tokenStore(store).rateLimits(limits).callLogSink(sink).clock(time).build();
    }

    private void serve(RateLimits limits) throws Exception {
        TokenGate gate = gate(limits);
        server = ServletContexts.serve(context -> runtime().deploy(context, application(new TokenGateFeature(gate))));
    }

    private static Application application(TokenGateFeature feature) {
        return new Application() {
            @Override
            public Set<Object> getSingletons() {
                return Set.of(feature, new Limited());
            }
        };
    }

    private static String token(String subject, String clientId) {
        return TestTokens.jwt().subject(subject).clientId(clientId).scope("read trade").sign();
    }

    private HttpResponse<String> call(String method, String path, String token, String... headers) throws Exception {
        HttpRequest.Builder b = server.request(path).method(method, HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer " + token);
        if (headers.length > 0) {
            b.headers(headers);
        }
        return server.send(b);
    }

    private List<Integer> statuses(int n, String method, String path, String token, String... headers) throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            statuses.add(call(method, path, token, headers).statusCode());
        }
        return statuses;
    }

    private static void assertRateLimited(HttpResponse<String> r, String policy, long quota, long window, long wait)
            throws Exception {
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).hasValue(Long.toString(wait));
        assertThat(r.headers().firstValue("RateLimit-Policy")).hasValue("\"" + policy + "\";q=" + quota + ";w=" + window);
        assertThat(r.headers().firstValue("RateLimit")).hasValue("\"" + policy + "\";r=0;t=" + wait);
        assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(r.body());
        assertThat(problem.path("status").asInt()).isEqualTo(429);
        assertThat(problem.path("error").asText()).isEqualTo("rate_limited");
    }

    @Test
    void perTokenWhenOverTheLimitThen429UntilTheWindowEnds() throws Exception {
        serve(RateLimits.builder().perToken(Rate.parse("3/1m")).build());
        String alice = token("alice", "bot");
        assertThat(statuses(3, "GET", "/limited/read", alice)).containsOnly(200);
        time.advance(Duration.ofSeconds(20));
        assertRateLimited(call("GET", "/limited/read", alice), "per-token", 3, 60, 40);
        assertThat(sink.drain()).last().satisfies(e -> {
            assertThat(e.decision()).isEqualTo("rate_limited");
            assertThat(e.marks()).containsExactly("rate_limited");
        });
        assertThat(call("GET", "/limited/read", token("alice", "bot")).statusCode()).as("another token").isEqualTo(200);
        time.advance(Duration.ofSeconds(40));
        assertThat(statuses(4, "GET", "/limited/read", alice)).containsExactly(200, 200, 200, 429);
    }

    @Test
    void perClientCountsEveryTokenOfTheClient() throws Exception {
        serve(RateLimits.builder().perClient(Rate.parse("2/1m")).build());
        assertThat(call("GET", "/limited/read", token("alice", "bot")).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/limited/read", token("bob", "bot")).statusCode()).isEqualTo(200);
        assertRateLimited(call("GET", "/limited/read", token("carol", "bot")), "per-client", 2, 60, 60);
        assertThat(call("GET", "/limited/read", token("carol", "web")).statusCode()).isEqualTo(200);
    }

    @Test
    void perSubjectCountsEveryClientOfTheUser() throws Exception {
        serve(RateLimits.builder().perSubject(Rate.parse("2/1m")).build());
        assertThat(call("GET", "/limited/read", token("alice", "bot")).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/limited/read", token("alice", "web")).statusCode()).isEqualTo(200);
        assertRateLimited(call("GET", "/limited/read", token("alice", "cli")), "per-subject", 2, 60, 60);
        assertThat(call("GET", "/limited/read", token("bob", "cli")).statusCode()).isEqualTo(200);
    }

    @Test
    void perApiKeyCountsTheApplicationsKeyOnRequiresApiKeyMethods() throws Exception {
        serve(RateLimits.builder().perApiKey(Rate.parse("2/1m")).build());
        IssuedToken key = store.create(TokenKind.API_KEY, "tracker", "portfolio-app", null, List.of(), List.of(), null);
        IssuedToken other = store.create(TokenKind.API_KEY, "other", "other-app", null, List.of(), List.of(), null);
        assertThat(call("GET", "/limited/partner", token("alice", "bot"), "X-API-Key", key.token()).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/limited/partner", token("bob", "bot"), "X-API-Key", key.token()).statusCode()).isEqualTo(200);
        assertRateLimited(call("GET", "/limited/partner", token("carol", "bot"), "X-API-Key", key.token()),
                "per-api-key", 2, 60, 60);
        assertThat(call("GET", "/limited/partner", token("carol", "bot"), "X-API-Key", other.token()).statusCode()).isEqualTo(200);
        assertThat(statuses(3, "GET", "/limited/read", token("carol", "bot"))).containsOnly(200);
    }

    @Test
    void rateLimitAnnotationLimitsEachTokenOnEachMethodApart() throws Exception {
        serve(RateLimits.none());
        String alice = token("alice", "bot");
        assertThat(statuses(2, "POST", "/limited/orders", alice)).containsOnly(200);
        assertRateLimited(call("POST", "/limited/orders", alice), "per-route", 2, 60, 60);
        assertThat(statuses(2, "DELETE", "/limited/orders", alice)).as("another method").containsOnly(200);
        assertThat(statuses(5, "GET", "/limited/read", alice)).as("a method without @RateLimit").containsOnly(200);
        assertThat(statuses(2, "POST", "/limited/orders", token("alice", "bot"))).as("another token").containsOnly(200);
        time.advance(Duration.ofMinutes(1));
        assertThat(statuses(3, "POST", "/limited/orders", alice)).containsExactly(200, 200, 429);
    }

    @Test
    void rateLimitAnnotationThatCannotApplyClosesTheMethod() throws Exception {
        serve(RateLimits.none());
        assertThat(call("GET", "/limited/malformed", token("alice", "bot")).statusCode()).isEqualTo(403);
        assertThat(call("GET", "/limited/open", token("alice", "bot")).statusCode()).isEqualTo(403);
    }

    @Test
    void behindTheServletFilterARequestIsCountedOnce() throws Exception {
        TokenGate servletGate = gate(RateLimits.builder().perToken(Rate.parse("3/1m")).build());
        TokenGate jaxrsGate = gate(RateLimits.builder().perToken(Rate.parse("3/1m")).build());
        server = ServletContexts.serve(context -> {
            context.addFilter(new FilterHolder(new TokenGateFilter(servletGate, UrlRules.parse("/* = authenticated"))),
                    "/*", EnumSet.of(DispatcherType.REQUEST));
            runtime().deploy(context, application(new TokenGateFeature(jaxrsGate)));
        });
        String alice = token("alice", "bot");
        assertThat(statuses(4, "GET", "/limited/read", alice)).containsExactly(200, 200, 200, 429);
        assertThat(statuses(2, "POST", "/limited/orders", token("bob", "bot")))
                .as("a method's own limit counts behind the filter too").containsOnly(200);
    }

    /** The resource of these tests. */
    @Path("limited")
    public static class Limited {
        @GET @Path("read") @RequiresScopes("read")
        public String read() {
            return "read";
        }

        @POST @Path("orders") @RequiresScopes("trade") @RateLimit("2/1m")
        public String place() {
            return "placed";
        }

        @DELETE @Path("orders") @RequiresScopes("trade") @RateLimit("2/1m")
        public String cancel() {
            return "cancelled";
        }

        @GET @Path("partner") @RequiresScopes("read") @RequiresApiKey
        public String partner() {
            return "partner";
        }

        @GET @Path("malformed") @RateLimit("ten a minute")
        public String malformed() {
            return "never";
        }

        @GET @Path("open") @Open @RateLimit("1/1m")
        public String open() {
            return "never";
        }
    }
}
