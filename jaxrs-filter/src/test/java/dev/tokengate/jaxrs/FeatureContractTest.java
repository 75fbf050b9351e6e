package dev.tokengate.jaxrs;

import dev.tokengate.testing.jetty.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.ErrorResponse;
import dev.tokengate.Outcome;
import dev.tokengate.TokenGate;
import dev.tokengate.TokenValidator;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.log.CallEvent;
import dev.tokengate.servlet.TokenGateFilter;
import dev.tokengate.testing.CapturingSink;
import dev.tokengate.testing.DpopProof;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestRequest;
import dev.tokengate.testing.TestTokens;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The feature's behaviour inside a real Jakarta REST runtime on a real Jetty, against a real JWKS on loopback: every
 * cell of the precedence table, the refusals, the security context, the call log, filter order, the configured
 * default and reuse of the servlet filter's token. Each runtime runs it through a subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FeatureContractTest {

    static final String DOWN_ISSUER = "https://down.example.com";
    private static final ObjectMapper JSON = new ObjectMapper();

    private LoopbackIssuer idp;
    private LoopbackIssuer downIdp;
    private TokenGate gate;
    private final CapturingSink sink = new CapturingSink();
    private final List<String> probe = Collections.synchronizedList(new ArrayList<>());
    private TestServer server;
    private LogCapture logs;
    private final List<String> tokensSent = new ArrayList<>();

    /** The runtime under test. */
    abstract JaxrsRuntime runtime();

    @BeforeAll
    void start() throws Exception {
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
        downIdp = LoopbackIssuer.start().down();
        gate = gateBuilder().callLogSink(sink).build();
        server = ServletContexts.serve(context -> runtime().deploy(context,
                Resources.application(new TokenGateFeature(gate), probe, Map.of())));
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        idp.close();
        downIdp.close();
    }

    @BeforeEach
    void clear() {
        sink.drain();
        probe.clear();
        tokensSent.clear();
        logs = LogCapture.start();
    }

    @AfterEach
    void noTokenInLogs() {
        try {
            String text = logs.text();
            for (String token : tokensSent) {
                for (String fragment : TestTokens.fragmentsOf(token)) {
                    assertThat(text).doesNotContain(fragment);
                }
            }
        } finally {
            logs.close();
        }
    }

    // ---- helpers

    /** A gate that trusts the issuer at {@code idp} and one whose JWKS is down. */
    TokenGate.Builder gateBuilder() {
        return TokenGate.builder()
                .issuer(JwtValidator.builder().issuer(TestTokens.ISSUER).keySource(KeySources.jwks(idp.jwksUri()).build())
                        .audiences(TestTokens.AUDIENCE))
                .issuer(JwtValidator.builder().issuer(DOWN_ISSUER).keySource(KeySources.jwks(downIdp.jwksUri()).build())
                        .audiences(TestTokens.AUDIENCE));
    }

    String token(String scope) {
        String t = TestTokens.jwt().scope(scope).sign();
        tokensSent.add(t);
        return t;
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        return call(server, "GET", path, token);
    }

    HttpResponse<String> call(TestServer on, String method, String path, String token, String... headers) throws Exception {
        HttpRequest.Builder b = on.request(path).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return on.send(b);
    }

    static JsonNode problem(HttpResponse<String> response) throws Exception {
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/problem+json"));
        return JSON.readTree(response.body());
    }

    static void assertRefused(HttpResponse<String> response, int status, String error) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(problem(response).get("error").asText()).isEqualTo(error);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    /** The one call-log event of the request just sent. */
    CallEvent onlyEvent() throws Exception {
        CallEvent e = sink.next();
        assertThat(sink.drain()).as("one event per request").isEmpty();
        return e;
    }

    // ---- CORS preflights (no credentials by design): passed to the application by default

    @Test
    void preflightWhenResourceProtectedThenTheApplicationAnswersIt() throws Exception {
        HttpResponse<String> r = call(server, "OPTIONS", "/cors", null,
                "Origin", "https://app.example.com", "Access-Control-Request-Method", "POST");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
        assertThat(onlyEvent().decision()).isEqualTo("permit");
        assertRefused(get("/cors", null), 401, "missing_token"); // the resource itself stays protected
        sink.drain();
    }

    @Test
    void preflightWhenRuntimeAnswersOptionsItselfThenNotRefused() throws Exception {
        HttpResponse<String> r = call(server, "OPTIONS", "/class-scoped/inherits", null,
                "Origin", "https://app.example.com", "Access-Control-Request-Method", "GET");

        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
        sink.drain();
    }

    @Test
    void optionsWithoutPreflightHeadersThenMethodRuleDecides() throws Exception {
        assertRefused(call(server, "OPTIONS", "/cors", null), 401, "missing_token");
        sink.drain();
    }

    // ---- DPoP (RFC 9449): a token bound to the client's key needs a proof made for the request

    private String dpopBound(String scope) {
        String t = TestTokens.jwt().scope(scope)
                .claim("cnf", Map.of("jkt", DpopProof.thumbprint(TestKeys.ec256()))).sign();
        tokensSent.add(t);
        return t;
    }

    private String proof(String method, String path, String token) {
        String p = DpopProof.by(TestKeys.ec256()).request(method, server.base().resolve(path).toString())
                .accessToken(token).sign();
        tokensSent.add(p);
        return p;
    }

    private HttpResponse<String> getWithDpop(String path, String token, String proof) throws Exception {
        return call(server, "GET", path, null, "Authorization", "DPoP " + token, "DPoP", proof);
    }

    @Test
    void dpopBoundTokenWithValidProofThenTheResourceAnswers() throws Exception {
        String token = dpopBound("read");

        HttpResponse<String> r = getWithDpop("/class-scoped/inherits", token, proof("GET", "/class-scoped/inherits", token));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(onlyEvent().marks()).contains("dpop");
    }

    @Test
    void dpopProofReplayedThen401InvalidDpopProof() throws Exception {
        String token = dpopBound("read");
        String proof = proof("GET", "/class-scoped/inherits", token);
        assertThat(getWithDpop("/class-scoped/inherits", token, proof).statusCode()).isEqualTo(200);
        sink.drain();

        HttpResponse<String> r = getWithDpop("/class-scoped/inherits", token, proof);

        assertRefused(r, 401, "invalid_dpop_proof");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("DPoP realm=\"api\", error=\"invalid_dpop_proof\"", "used before"));
        assertThat(probe).isEmpty();
        sink.drain();
    }

    @Test
    void dpopProofForAnotherUrlOrTokenThen401InvalidDpopProof() throws Exception {
        String token = dpopBound("read");

        assertRefused(getWithDpop("/class-scoped/inherits", token, proof("GET", "/class-scoped/replaced", token)),
                401, "invalid_dpop_proof");
        assertRefused(getWithDpop("/class-scoped/inherits", token, proof("GET", "/class-scoped/inherits", token("read"))),
                401, "invalid_dpop_proof");
        assertThat(probe).isEmpty();
        sink.drain();
    }

    @Test
    void dpopProofByAnotherKeyThen401InvalidDpopProof() throws Exception {
        String token = dpopBound("read");
        String proof = DpopProof.by(TestKeys.ec384()).request("GET", server.base().resolve("/class-scoped/inherits")
                .toString()).accessToken(token).sign();
        tokensSent.add(proof);

        assertRefused(getWithDpop("/class-scoped/inherits", token, proof), 401, "invalid_dpop_proof");
        assertThat(onlyEvent().reason()).hasValueSatisfying(v -> assertThat(v).contains("cnf.jkt"));
    }

    @Test
    void dpopBoundTokenSentAsBearerThen401InvalidToken() throws Exception {
        HttpResponse<String> r = get("/class-scoped/inherits", dpopBound("read"));

        assertRefused(r, 401, "invalid_token");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("bound to a DPoP key"));
        assertThat(probe).isEmpty();
        sink.drain();
    }

    // ---- refusals

    @Test
    void missingTokenThen401WithBareChallenge() throws Exception {
        HttpResponse<String> r = get("/class-scoped/inherits", null);
        assertRefused(r, 401, "missing_token");
        assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"api\", resource_metadata=\"" + server.base()
                + "/.well-known/oauth-protected-resource\", DPoP realm=\"api\", resource_metadata=\"" + server.base() + "/.well-known/oauth-protected-resource\", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"");
        assertThat(onlyEvent().errorCode()).hasValue("missing_token");
    }

    @Test
    void badSignatureThen401InvalidToken() throws Exception {
        String forged = TestTokens.jwt().signedWith(TestKeys.untrustedRsa()).keyId(TestKeys.rsa().keyId()).sign();
        tokensSent.add(forged);
        HttpResponse<String> r = get("/class-scoped/inherits", forged);
        assertRefused(r, 401, "invalid_token");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).startsWith("Bearer realm=\"api\", error=\"invalid_token\""));
        CallEvent e = onlyEvent();
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.tokenFingerprint()).isPresent();
    }

    /** Without a servlet filter in front, the client's address comes from the servlet request the runtime serves. */
    @Test
    void callLogHasTheClientAddressAndTheWholePathWithoutAServletFilterInFront() throws Exception {
        CapturingSink shopLog = new CapturingSink();
        TokenGate shopGate = gateBuilder().callLogSink(shopLog).build();
        try (TestServer shop = ServletContexts.serve(context -> {
            context.setContextPath("/shop");
            runtime().deploy(context, Resources.application(new TokenGateFeature(shopGate), new ArrayList<>(), Map.of()));
        })) {
            assertThat(call(shop, "GET", "/shop/class-scoped/inherits", token("read")).statusCode()).isEqualTo(200);
        } finally {
            shopGate.close();
        }
        CallEvent e = shopLog.next();
        assertThat(e.clientAddress()).isEqualTo("127.0.0.1");
        assertThat(e.path()).isEqualTo("/shop/class-scoped/inherits");
    }

    @Test
    void expiredTokenThen401InvalidToken() throws Exception {
        String expired = TestTokens.jwt().issuedAt(java.time.Instant.now().minusSeconds(7200))
                .notBefore(java.time.Instant.now().minusSeconds(7200))
                .expiresAt(java.time.Instant.now().minusSeconds(3600)).sign();
        tokensSent.add(expired);
        assertRefused(get("/class-scoped/inherits", expired), 401, "invalid_token");
    }

    @Test
    void tokenOutsideB64tokenThen401InvalidToken() throws Exception {
        HttpResponse<String> r = call(server, "GET", "/class-scoped/inherits", null, "Authorization", "Bearer a b");
        assertRefused(r, 401, "invalid_token");
        assertThat(onlyEvent().status()).isEqualTo(401);
    }

    @Test
    void twoAuthorizationHeadersThen400InvalidRequest() throws Exception {
        HttpResponse<String> r = call(server, "GET", "/class-scoped/inherits", null,
                "Authorization", "Bearer abc", "Authorization", "Bearer abc");
        assertRefused(r, 400, "invalid_request");
        assertThat(onlyEvent().status()).isEqualTo(400);
    }

    @Test
    void missingScopeThen403InsufficientScopeNamingIt() throws Exception {
        HttpResponse<String> r = get("/class-scoped/replaced", token("read"));
        assertRefused(r, 403, "insufficient_scope");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).contains("error=\"insufficient_scope\"").contains("scope=\"admin\""));
        CallEvent e = onlyEvent();
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.subject()).hasValue(TestTokens.SUBJECT);
    }

    @Test
    void jwksDownThen503NotInvalidToken() throws Exception {
        String t = TestTokens.jwt().issuer(DOWN_ISSUER).scope("read").sign();
        tokensSent.add(t);
        HttpResponse<String> r = get("/class-scoped/inherits", t);
        assertRefused(r, 503, "temporarily_unavailable");
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(onlyEvent().status()).isEqualTo(503);
    }

    @Test
    void refusalIsTheCoreErrorResponseByteForByte() throws Exception {
        HttpResponse<String> r = get("/class-scoped/all", token("read"));
        String requestId = problem(r).get("request_id").asText();
        TokenGate reference = gateBuilder().validator(t -> TestFixtures.verified("read"))
                .callLogSink(e -> { }).build();
        TokenGate.Call call = reference.begin(TestRequest.get("/class-scoped/all").bearer("x")
                .header("X-Request-Id", requestId));
        Outcome outcome = call.authorize(Requirement.allOf("read", "trade"));
        ErrorResponse expected = call.errorResponse(((Outcome.Rejected) outcome).error());
        call.detach();
        assertThat(r.statusCode()).isEqualTo(expected.status());
        expected.headers().forEach((name, value) -> assertThat(r.headers().allValues(name)).as(name).containsExactly(value));
        assertThat(r.headers().firstValue("Content-Type")).hasValue(expected.contentType());
        assertThat(r.body()).isEqualTo(expected.body());
    }

    // ---- request id and trace id

    @Test
    void requestIdHeaderOnAllowedAndRefusedResponsesIsTheCallLogs() throws Exception {
        HttpResponse<String> allowed = call(server, "GET", "/class-scoped/inherits", token("read"),
                "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        CallEvent allowedEvent = onlyEvent();
        HttpResponse<String> refused = get("/class-scoped/inherits", null);
        CallEvent refusedEvent = onlyEvent();
        HttpResponse<String> echoed = call(server, "GET", "/class-scoped/all", token("read"),
                TokenGate.REQUEST_ID_HEADER, "gw-7:a.b_c");
        CallEvent echoedEvent = onlyEvent();

        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        assertThat(allowed.headers().allValues(TokenGate.REQUEST_ID_HEADER)).containsExactly(allowedEvent.requestId());
        assertThat(allowedEvent.traceId()).contains("4bf92f3577b34da6a3ce929d0e0e4736");
        assertRefused(refused, 401, "missing_token");
        assertThat(refused.headers().allValues(TokenGate.REQUEST_ID_HEADER)).containsExactly(refusedEvent.requestId());
        assertThat(problem(refused).get("request_id").asText()).isEqualTo(refusedEvent.requestId());
        assertThat(refusedEvent.requestId()).isNotEqualTo(allowedEvent.requestId());
        assertRefused(echoed, 403, "insufficient_scope");
        assertThat(echoed.headers().allValues(TokenGate.REQUEST_ID_HEADER)).containsExactly("gw-7:a.b_c");
        assertThat(echoedEvent.requestId()).isEqualTo("gw-7:a.b_c");
    }

    // ---- precedence table

    @ParameterizedTest(name = "{0} {1} with scope ''{2}'' → {3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # cell                                   | path                        | scope       | status
            class @RequiresScopes, method inherits   | /class-scoped/inherits      | read        | 200
            class @RequiresScopes, method inherits   | /class-scoped/inherits      | trade       | 403
            method replaces class                    | /class-scoped/replaced      | admin       | 200
            method replaces class                    | /class-scoped/replaced      | read        | 403
            all-of                                   | /class-scoped/all           | read trade  | 200
            all-of                                   | /class-scoped/all           | read        | 403
            any-of                                   | /class-scoped/any           | trade       | 200
            any-of                                   | /class-scoped/any           | admin       | 200
            any-of                                   | /class-scoped/any           | read        | 403
            method @Open in scoped class             | /class-scoped/open          | -           | 200
            method @PermitAll in scoped class        | /class-scoped/permit-all    | -           | 200
            method @DenyAll                          | /class-scoped/deny-all      | read trade admin | 403
            method @RolesAllowed is any-of           | /class-scoped/roles         | trade       | 200
            method @RolesAllowed is any-of           | /class-scoped/roles         | read        | 403
            method @RolesAllowed("**")               | /class-scoped/any-role      | other       | 200
            method @RolesAllowed({})                 | /class-scoped/no-role       | read trade admin | 403
            class @DenyAll, method inherits          | /closed                     | read trade admin | 403
            class @DenyAll, method @RequiresScopes   | /closed/opened              | read        | 200
            class @Open, method inherits             | /open-class                 | -           | 200
            class @Open, method @RequiresScopes      | /open-class/scoped          | trade       | 200
            class @Open, method @RequiresScopes      | /open-class/scoped          | read        | 403
            class @PermitAll                         | /permit-class               | -           | 200
            class @RolesAllowed                      | /roles-class                | trade       | 200
            class @RolesAllowed                      | /roles-class                | read        | 403
            interface method annotation              | /quotes/quote               | quotes      | 200
            interface method annotation              | /quotes/quote               | read        | 403
            interface without annotation: default    | /quotes/plain               | other       | 200
            interface type annotation                | /scoped-api/x               | read        | 200
            interface type annotation                | /scoped-api/x               | trade       | 403
            sub-resource class annotation            | /accounts/7                 | read        | 200
            sub-resource class annotation            | /accounts/7                 | trade       | 403
            unannotated: default authenticated       | /unannotated                | other       | 200
            """)
    void precedence(String cell, String path, String scope, int status) throws Exception {
        HttpResponse<String> r = get(path, scope == null ? null : token(scope));
        assertThat(r.statusCode()).as(cell + ": " + r.body()).isEqualTo(status);
        if (status == 403) {
            assertThat(problem(r).get("error").asText()).isIn("insufficient_scope", "access_denied");
        }
        assertThat(onlyEvent().status()).isEqualTo(status);
    }

    @Test
    void subResourceMethodAnnotationReplacesSubResourceClassAnnotation() throws Exception {
        assertThat(call(server, "DELETE", "/accounts/7", token("read")).statusCode()).isEqualTo(403);
        onlyEvent();
        HttpResponse<String> r = call(server, "DELETE", "/accounts/7", token("admin"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("deleted 7");
        onlyEvent();
    }

    @Test
    void denyAllIs403AccessDeniedWhateverTheToken() throws Exception {
        assertRefused(get("/class-scoped/deny-all", null), 403, "access_denied");
        assertThat(onlyEvent().decision()).isEqualTo("deny");
        assertRefused(get("/class-scoped/deny-all", "not-even-a-jwt"), 403, "access_denied");
        onlyEvent();
    }

    @Test
    void openMethodNeitherNeedsNorChecksAToken() throws Exception {
        HttpResponse<String> r = get("/class-scoped/open", "not-even-a-jwt");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("open to anonymous");
        CallEvent e = onlyEvent();
        assertThat(e.decision()).isEqualTo("permit");
        assertThat(e.status()).isEqualTo(200);
    }

    @Test
    void unannotatedMethodWithoutTokenFollowsDefaultAuthenticated() throws Exception {
        assertRefused(get("/unannotated", null), 401, "missing_token");
        onlyEvent();
    }

    // ---- what the resource sees

    @Test
    void securityContextIsTheVerifiedToken() throws Exception {
        HttpResponse<String> r = get("/class-scoped/whoami", token("read trade"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(TestTokens.SUBJECT + " BEARER read=true trade=true admin=false secure=false token="
                + TestTokens.CLIENT_ID);
        CallEvent e = onlyEvent();
        assertThat(e.decision()).isEqualTo("allow");
        assertThat(e.scopes()).containsExactly("read", "trade");
    }

    @Test
    void readmeExampleWorks() throws Exception {
        assertThat(get("/orders", token("read")).body()).isEqualTo("orders of " + TestTokens.SUBJECT);
        assertThat(call(server, "POST", "/orders", token("trade read")).body())
                .isEqualTo("order placed by " + TestTokens.SUBJECT + " (who may read)");
        assertThat(call(server, "POST", "/orders", token("read")).statusCode()).isEqualTo(403);
        assertThat(get("/orders/prices", null).body()).isEqualTo("prices");
        assertThat(sink.drain()).extracting(CallEvent::status).containsExactly(200, 200, 403, 200);
    }

    // ---- filter order

    @Test
    void authenticationRunsBeforeApplicationFiltersAndScopeCheckAfterThem() throws Exception {
        HttpResponse<String> r = call(server, "GET", "/class-scoped/replaced", token("read"), "X-Probe", "1");
        assertThat(r.statusCode()).isEqualTo(403);
        // authenticated before the filter at AUTHENTICATION + 500; refused before the one at AUTHORIZATION + 500
        assertThat(probe).containsExactly("between:" + TestTokens.SUBJECT);
        onlyEvent();

        probe.clear();
        assertThat(call(server, "GET", "/class-scoped/replaced", token("admin"), "X-Probe", "1").statusCode()).isEqualTo(200);
        assertThat(probe).containsExactly("between:" + TestTokens.SUBJECT, "after:" + TestTokens.SUBJECT);
        onlyEvent();
    }

    @Test
    void invalidTokenIsRefusedBeforeApplicationFilters() throws Exception {
        HttpResponse<String> r = call(server, "GET", "/class-scoped/inherits", "not-even-a-jwt", "X-Probe", "1");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(probe).isEmpty();
        onlyEvent();
    }

    @Test
    void missingTokenIsRefusedByTheScopeFilterAfterApplicationAuthenticationFilters() throws Exception {
        HttpResponse<String> r = call(server, "GET", "/class-scoped/inherits", null, "X-Probe", "1");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(probe).containsExactly("between:anonymous");
        onlyEvent();
    }

    // ---- configured default (the no-argument feature, configured by application properties)

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ConfiguredDefault {
        private TestServer configured;

        @BeforeAll
        void start() throws Exception {
            Map<String, Object> properties = Map.of(
                    ConfigKeys.JWT_ISSUER, TestTokens.ISSUER,
                    ConfigKeys.JWT_JWKS_URI, idp.jwksUri().toString(),
                    ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE,
                    TokenGateFeature.UNANNOTATED, "trade");
            configured = ServletContexts.serve(context -> runtime().deploy(context,
                    Resources.application(new TokenGateFeature(), new ArrayList<>(), properties)));
        }

        @AfterAll
        void stop() throws Exception {
            if (configured != null) {
                configured.close();
            }
        }

        @Test
        void unannotatedMethodNeedsTheConfiguredScope() throws Exception {
            assertThat(call(configured, "GET", "/unannotated", token("read")).statusCode()).isEqualTo(403);
            assertThat(call(configured, "GET", "/unannotated", token("trade")).body()).isEqualTo("hello " + TestTokens.SUBJECT);
            assertThat(call(configured, "GET", "/unannotated", null).statusCode()).isEqualTo(401);
        }

        @Test
        void annotatedMethodsKeepTheirOwnRule() throws Exception {
            assertThat(call(configured, "GET", "/class-scoped/inherits", token("read")).statusCode()).isEqualTo(200);
            assertThat(call(configured, "GET", "/open-class", null).statusCode()).isEqualTo(200);
        }
    }

    // ---- a policy added on the builder, and report-only mode

    /** Tokens with the scope {@code bulk} are over their rate limit. */
    static final dev.tokengate.policy.TokenPolicy BULK_IS_OVER_ITS_LIMIT = (token, request) -> token.hasScope("bulk")
            ? dev.tokengate.policy.PolicyDecision.deny(dev.tokengate.BearerError.builder(429,
                            dev.tokengate.BearerError.Code.RATE_LIMITED, "Too many requests for this token.")
                    .retryAfter(java.time.Duration.ofSeconds(42))
                    .header("RateLimit-Policy", "\"per-token\";q=100;w=60")
                    .header("RateLimit", "\"per-token\";r=0;t=42")
                    .build(), "per-token limit 100/1m reached")
            : dev.tokengate.policy.PolicyDecision.allow();

    /**
     * {@code tokengate.ip-ranges.clients}: JWTs of an external issuer fenced by their {@code client_id}; the test
     * client is the trusted proxy (loopback) and names the client in {@code X-Forwarded-For}.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class IpRangesPerClient {
        private final CapturingSink fencedLog = new CapturingSink();
        private final List<String> fencedProbe = Collections.synchronizedList(new ArrayList<>());
        private TestServer fenced;

        @BeforeAll
        void start() throws Exception {
            TokenGate gate = gateBuilder().config(dev.tokengate.config.ConfigSource.of(Map.of(
                            ConfigKeys.TRUSTED_PROXIES, "127.0.0.1/32", ConfigKeys.FORWARDED_HEADER, "x-forwarded-for",
                            ConfigKeys.IP_RANGES_CLIENTS, "bot=203.0.113.0/24 198.51.100.7; reporting=10.0.0.0/8"),
                    Map.of(), new java.util.Properties())).callLogSink(fencedLog).build();
            fenced = ServletContexts.serve(context -> runtime().deploy(context,
                    Resources.application(new TokenGateFeature(gate), fencedProbe, Map.of())));
        }

        @AfterAll
        void stop() throws Exception {
            if (fenced != null) {
                fenced.close();
            }
        }

        @BeforeEach
        void reset() {
            fencedLog.drain();
            fencedProbe.clear();
        }

        private String bot() {
            String t = TestTokens.jwt().scope("read").clientId("bot").sign();
            tokensSent.add(t);
            return t;
        }

        @Test
        void clientFromItsNetworksThen200() throws Exception {
            for (String inside : List.of("203.0.113.9", "198.51.100.7")) {
                HttpResponse<String> r = call(fenced, "GET", "/class-scoped/inherits", bot(), "X-Forwarded-For", inside);
                assertThat(r.statusCode()).as(inside).isEqualTo(200);
            }
            assertThat(fencedLog.drain()).extracting(CallEvent::decision).containsExactly("allow", "allow");
        }

        @Test
        void clientFromElsewhereThen401InvalidTokenMarkedAddressBeforeTheResource() throws Exception {
            HttpResponse<String> r = call(fenced, "GET", "/class-scoped/inherits", bot(), "X-Forwarded-For", "198.51.100.8",
                    "X-Probe", "1");

            assertRefused(r, 401, "invalid_token");
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                    .contains("This token may not be used from this address."));
            assertThat(fencedProbe).as("refused at authentication").isEmpty();
            CallEvent e = fencedLog.next();
            assertThat(e.marks()).containsExactly("address");
            assertThat(e.clientAddress()).isEqualTo("198.51.100.8");
            assertThat(e.reason()).contains("client bot is restricted to [203.0.113.0/24, 198.51.100.7/32] "
                    + "(tokengate.ip-ranges.clients); the client is 198.51.100.8");
        }

        @Test
        void unlistedClientThenNotFenced() throws Exception {
            String mobile = TestTokens.jwt().scope("read").clientId("mobile").sign();
            tokensSent.add(mobile);
            assertThat(call(fenced, "GET", "/class-scoped/inherits", mobile, "X-Forwarded-For", "198.51.100.8")
                    .statusCode()).isEqualTo(200);
        }
    }

    /** A resource for calling applications: a user's token and the application's API key. */
    @jakarta.ws.rs.Path("partner")
    public static class PartnerResource {
        @jakarta.ws.rs.GET
        @RequiresScopes("read")
        @RequiresApiKey
        public String positions() {
            return "positions";
        }
    }

    /**
     * {@code tokengate.ip-ranges.api-keys}: an API key from a real (H2) token database fenced by its id on a
     * {@code @RequiresApiKey} method; the test client is the trusted proxy and names the client in
     * {@code X-Forwarded-For}.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class IpRangesPerApiKey {
        private final CapturingSink keyLog = new CapturingSink();
        private dev.tokengate.store.JdbcTokenStore store;
        private dev.tokengate.store.IssuedToken key;
        private TestServer partner;

        @BeforeAll
        void start() throws Exception {
            org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
            h2.setURL("jdbc:h2:mem:jaxrs-keys-" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            store = dev.tokengate.store.JdbcTokenStore.builder().dataSource(h2)
                    .flushInterval(java.time.Duration.ZERO).build();
            store.createSchema();
            key = store.create(dev.tokengate.store.TokenKind.API_KEY, "tracker", "portfolio-app", null, List.of(),
                    List.of(), null);
            TokenGate gate = gateBuilder().tokenStore(store).config(dev.tokengate.config.ConfigSource.of(Map.of(
                            ConfigKeys.TRUSTED_PROXIES, "127.0.0.1/32", ConfigKeys.FORWARDED_HEADER, "x-forwarded-for",
                            ConfigKeys.IP_RANGES_API_KEYS, key.metadata().id() + "=192.0.2.0/24"),
                    Map.of(), new java.util.Properties())).callLogSink(keyLog).build();
            jakarta.ws.rs.core.Application app = new jakarta.ws.rs.core.Application() {
                @Override
                public java.util.Set<Class<?>> getClasses() {
                    return java.util.Set.of(PartnerResource.class);
                }

                @Override
                public java.util.Set<Object> getSingletons() {
                    return java.util.Set.of(new TokenGateFeature(gate));
                }
            };
            partner = ServletContexts.serve(context -> runtime().deploy(context, app));
        }

        @AfterAll
        void stop() throws Exception {
            if (partner != null) {
                partner.close();
            }
            store.close();
        }

        @BeforeEach
        void reset() {
            keyLog.drain();
        }

        @Test
        void keyFromItsNetworkThen200AndFromElsewhere401MarkedAddressNamingTheKey() throws Exception {
            HttpResponse<String> inside = call(partner, "GET", "/partner", token("read"), "X-API-Key", key.token(),
                    "X-Forwarded-For", "192.0.2.55");
            assertThat(inside.statusCode()).as(inside.body()).isEqualTo(200);
            assertThat(keyLog.next().apiKeyId()).contains(key.metadata().id());

            HttpResponse<String> outside = call(partner, "GET", "/partner", token("read"), "X-API-Key", key.token(),
                    "X-Forwarded-For", "198.51.100.8");

            assertRefused(outside, 401, "invalid_token");
            assertThat(outside.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                    .contains("This API key may not be used from this address."));
            CallEvent e = keyLog.next();
            assertThat(e.marks()).containsExactly("address");
            assertThat(e.reason()).hasValueSatisfying(v -> assertThat(v).isEqualTo("API key " + key.metadata().id()
                    + " is restricted to [192.0.2.0/24] (tokengate.ip-ranges.api-keys); the client is 198.51.100.8"));
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class CustomPolicy {
        private final CapturingSink policyLog = new CapturingSink();
        private final List<String> policyProbe = Collections.synchronizedList(new ArrayList<>());
        private TestServer limited;

        @BeforeAll
        void start() throws Exception {
            TokenGate limiting = gateBuilder().callLogSink(policyLog).policy(BULK_IS_OVER_ITS_LIMIT).build();
            limited = ServletContexts.serve(context -> runtime().deploy(context,
                    Resources.application(new TokenGateFeature(limiting), policyProbe, Map.of())));
        }

        @AfterAll
        void stop() throws Exception {
            if (limited != null) {
                limited.close();
            }
        }

        @BeforeEach
        void reset() {
            policyLog.drain();
            policyProbe.clear();
        }

        @Test
        void policyDenialIs429WithItsHeadersBeforeApplicationFiltersSeeAPrincipal() throws Exception {
            HttpResponse<String> r = call(limited, "GET", "/class-scoped/inherits", token("read bulk"), "X-Probe", "1");
            assertRefused(r, 429, "rate_limited");
            assertThat(r.headers().allValues("Retry-After")).containsExactly("42");
            assertThat(r.headers().allValues("RateLimit-Policy")).containsExactly("\"per-token\";q=100;w=60");
            assertThat(r.headers().allValues("RateLimit")).containsExactly("\"per-token\";r=0;t=42");
            assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
            assertThat(problem(r).get("title").asText()).isEqualTo("Too Many Requests");
            assertThat(policyProbe).as("refused at authentication").isEmpty();
            CallEvent e = policyLog.next();
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.decision()).isEqualTo("rate_limited");
            assertThat(e.errorCode()).contains("rate_limited");
            assertThat(e.reason()).contains("per-token limit 100/1m reached");
            assertThat(problem(r).get("request_id").asText()).isEqualTo(e.requestId());
            assertThat(policyLog.drain()).isEmpty();
        }

        @Test
        void policyRunsBeforeTheScopeCheckAndNotOnOpenMethods() throws Exception {
            assertRefused(call(limited, "GET", "/class-scoped/replaced", token("read bulk")), 429, "rate_limited");
            assertThat(call(limited, "GET", "/class-scoped/open", token("bulk")).statusCode()).isEqualTo(200);
            assertThat(call(limited, "GET", "/class-scoped/whoami", token("read")).statusCode()).isEqualTo(200);
            assertThat(policyLog.drain()).extracting(CallEvent::decision).containsExactly("rate_limited", "permit", "allow");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ReportOnly {
        private final CapturingSink reportLog = new CapturingSink();
        private final List<String> reportProbe = Collections.synchronizedList(new ArrayList<>());
        private TestServer reporting;

        @BeforeAll
        void start() throws Exception {
            TokenGate gate = gateBuilder().callLogSink(reportLog).policy(BULK_IS_OVER_ITS_LIMIT)
                    .mode(TokenGate.Mode.REPORT_ONLY).build();
            reporting = ServletContexts.serve(context -> runtime().deploy(context,
                    Resources.application(new TokenGateFeature(gate), reportProbe, Map.of())));
        }

        @AfterAll
        void stop() throws Exception {
            if (reporting != null) {
                reporting.close();
            }
        }

        @BeforeEach
        void reset() {
            reportLog.drain();
            reportProbe.clear();
        }

        @ParameterizedTest(name = "{0}: {1} reaches the method as {3}, logged would_deny {4}")
        @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
                # case                      | path                   | token       | principal | error
                missing token               | /class-scoped/whoami   | -           | anonymous | missing_token
                invalid token               | /class-scoped/whoami   | invalid     | anonymous | invalid_token
                keys unreachable            | /class-scoped/whoami   | down        | anonymous | temporarily_unavailable
                insufficient scope          | /class-scoped/whoami   | trade       | subject   | insufficient_scope
                policy denial (429)         | /class-scoped/whoami   | read bulk   | subject   | rate_limited
                """)
        void requestThatWouldBeRefusedReachesTheMethodAndIsLoggedWouldDeny(String cell, String path, String scope,
                                                                           String principal, String error) throws Exception {
            String t = switch (scope == null ? "-" : scope) {
                case "-" -> null;
                case "invalid" -> "not-even-a-jwt";
                case "down" -> {
                    String down = TestTokens.jwt().issuer(DOWN_ISSUER).scope("read").sign();
                    tokensSent.add(down);
                    yield down;
                }
                default -> token(scope);
            };
            HttpResponse<String> r = call(reporting, "GET", path, t, "X-Probe", "1");
            assertThat(r.statusCode()).as(cell + ": " + r.body()).isEqualTo(200);
            String who = principal.equals("subject") ? TestTokens.SUBJECT : "anonymous";
            assertThat(r.body()).as(cell).startsWith(who + " ");
            assertThat(reportProbe).as(cell).containsExactly("between:" + who, "after:" + who);
            CallEvent e = reportLog.next();
            assertThat(e.decision()).as(cell).isEqualTo("would_deny");
            assertThat(e.errorCode()).as(cell).contains(error);
            assertThat(e.status()).as(cell).isEqualTo(200);
            assertThat(reportLog.drain()).as("one event per request").isEmpty();
        }

        @Test
        void closedMethodIsReportedNotEnforced() throws Exception {
            HttpResponse<String> r = call(reporting, "GET", "/class-scoped/deny-all", token("read"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("ok");
            CallEvent e = reportLog.next();
            assertThat(e.decision()).isEqualTo("would_deny");
            assertThat(e.errorCode()).contains("access_denied");
        }

        @Test
        void allowedRequestIsLoggedAllow() throws Exception {
            HttpResponse<String> r = call(reporting, "GET", "/class-scoped/whoami", token("read"));
            assertThat(r.body()).startsWith(TestTokens.SUBJECT + " BEARER read=true");
            assertThat(reportLog.next().decision()).isEqualTo("allow");
        }
    }

    // ---- configured on a server whose system properties and environment carry the servlet filter's keys

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ConfiguredBesideTheServletFiltersKeys {
        private TestServer configured;

        @BeforeAll
        void start() throws Exception {
            Map<String, Object> properties = Map.of(
                    ConfigKeys.JWT_ISSUER, TestTokens.ISSUER,
                    ConfigKeys.JWT_JWKS_URI, idp.jwksUri().toString(),
                    ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE,
                    TokenGateFeature.UNANNOTATED, "trade");
            Map<String, String> environment = Map.of("TOKENGATE_RULES", "/* = permit", "TOKENGATE_UNMATCHED", "permit",
                    "TOKENGATE_JAXRS_UNANNOTATED", "");
            java.util.Properties system = new java.util.Properties();
            system.setProperty(ConfigKeys.RULES, "/* = deny");
            system.setProperty(ConfigKeys.JAXRS_UNANNOTATED, " ");
            configured = ServletContexts.serve(context -> runtime().deploy(context,
                    Resources.application(new TokenGateFeature(environment, system), new ArrayList<>(), properties)));
        }

        @AfterAll
        void stop() throws Exception {
            if (configured != null) {
                configured.close();
            }
        }

        @Test
        void deploymentStartsAndIgnoresTheServletFiltersKeys() throws Exception {
            assertThat(call(configured, "GET", "/class-scoped/inherits", token("read")).statusCode()).isEqualTo(200);
            assertThat(call(configured, "GET", "/class-scoped/inherits", null).statusCode()).isEqualTo(401);
        }

        @Test
        void blankSystemPropertyAndEnvironmentVariableLeaveTheApplicationPropertyInForce() throws Exception {
            assertThat(call(configured, "GET", "/unannotated", token("read")).statusCode()).isEqualTo(403);
            assertThat(call(configured, "GET", "/unannotated", token("trade")).statusCode()).isEqualTo(200);
        }
    }

    // ---- behind the servlet filter

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class BehindTheServletFilter {
        private final AtomicInteger validations = new AtomicInteger();
        private final CapturingSink servletLog = new CapturingSink();
        private final CapturingSink jaxrsLog = new CapturingSink();
        private TestServer both;

        @BeforeAll
        void start() throws Exception {
            TokenValidator counting = t -> {
                validations.incrementAndGet();
                return TestFixtures.verified(t.equals("tok-admin") ? "admin" : "read");
            };
            TokenGate servletGate = gateBuilder().validator(counting).callLogSink(servletLog).build();
            TokenGate jaxrsGate = gateBuilder().validator(counting).callLogSink(jaxrsLog).build();
            both = ServletContexts.serve(context -> {
                context.addFilter(new FilterHolder(new TokenGateFilter(servletGate, UrlRules.parse("/closed = permit; /* = authenticated"))),
                        "/*", EnumSet.of(DispatcherType.REQUEST));
                runtime().deploy(context, Resources.application(new TokenGateFeature(jaxrsGate), new ArrayList<>(), Map.of()));
            });
        }

        @AfterAll
        void stop() throws Exception {
            if (both != null) {
                both.close();
            }
        }

        @BeforeEach
        void reset() {
            validations.set(0);
            servletLog.drain();
            jaxrsLog.drain();
        }

        @Test
        void tokenVerifiedByTheServletFilterIsReusedNotValidatedTwice() throws Exception {
            HttpResponse<String> r = call(both, "GET", "/class-scoped/whoami", "tok-read");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).startsWith("alice BEARER read=true");
            assertThat(validations).hasValue(1);
            assertThat(servletLog.next().status()).isEqualTo(200);
            assertThat(servletLog.drain()).isEmpty();
            assertThat(jaxrsLog.drain()).as("the servlet filter logs the request").isEmpty();
        }

        @Test
        void reusedTokenWithoutTheScopeIsRefusedWithTheServletFiltersRequestId() throws Exception {
            HttpResponse<String> r = call(both, "GET", "/class-scoped/replaced", "tok-read");
            assertRefused(r, 403, "insufficient_scope");
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).contains("scope=\"admin\""));
            CallEvent event = servletLog.next();
            assertThat(event.status()).isEqualTo(403);
            assertThat(event.decision()).isEqualTo("deny");
            assertThat(event.errorCode()).contains("insufficient_scope");
            assertThat(event.reason()).hasValueSatisfying(v -> assertThat(v).contains("admin"));
            assertThat(problem(r).get("request_id").asText()).isEqualTo(event.requestId());
            assertThat(validations).hasValue(1);
            assertThat(servletLog.drain()).isEmpty();
            assertThat(jaxrsLog.drain()).isEmpty();
        }

        @Test
        void requestIdHeaderIsSentOnceWithTheServletFiltersIdOnAllowedAndRefusedResponses() throws Exception {
            HttpResponse<String> allowed = call(both, "GET", "/class-scoped/whoami", "tok-read");
            CallEvent allowedEvent = servletLog.next();
            HttpResponse<String> refused = call(both, "GET", "/class-scoped/replaced", "tok-read");
            CallEvent refusedEvent = servletLog.next();

            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(allowed.headers().allValues(TokenGate.REQUEST_ID_HEADER)).containsExactly(allowedEvent.requestId());
            assertRefused(refused, 403, "insufficient_scope");
            assertThat(refused.headers().allValues(TokenGate.REQUEST_ID_HEADER)).containsExactly(refusedEvent.requestId());
            assertThat(jaxrsLog.drain()).isEmpty();
        }

        @Test
        void servletPermitsButClosedMethodIsAccessDeniedAndLoggedOnceWithTheJaxRsDecision() throws Exception {
            assertRefused(call(both, "GET", "/closed", "tok-admin"), 403, "access_denied");
            CallEvent event = servletLog.next();
            assertThat(event.status()).isEqualTo(403);
            assertThat(event.decision()).isEqualTo("deny");
            assertThat(event.errorCode()).contains("access_denied");
            assertThat(servletLog.drain()).isEmpty();
            assertThat(jaxrsLog.drain()).isEmpty();
        }
    }

    /** Stub tokens for the tests that replace the validator. */
    static final class TestFixtures {
        private TestFixtures() {
        }

        static VerifiedToken verified(String... scopes) {
            return VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("alice").clientId("client-alice")
                    .issuer(TestTokens.ISSUER).scopes(List.of(scopes))
                    .expiresAt(java.time.Instant.now().plusSeconds(300)).build();
        }
    }

}
