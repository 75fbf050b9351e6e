package dev.tokengate.policy;

import dev.tokengate.BearerError;
import dev.tokengate.ErrorResponse;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.IpRange;
import dev.tokengate.Outcome;
import dev.tokengate.TokenGate;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.log.CallEvent;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestRequest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The policy chain inside the pipeline, with a fixed-answer validator: order, answers, facts, faults. */
class PolicyChainTest {

    private static final String GOOD = "good.token.value";
    private static final String RESTRICTED = "restricted.token.value";
    private static final String DPOP_BOUND = "dpop.bound.token";
    private static final String MTLS_BOUND = "mtls.bound.token";
    private static final Instant NOW = Instant.parse("2029-03-01T09:30:00Z");

    private final List<CallEvent> events = new ArrayList<>();
    private final FakeTime time = new FakeTime(NOW);

    private static TokenGateConfig.Builder config() {
        return TokenGateConfig.builder();
    }

    private static VerifiedToken validate(String token) {
        return switch (token) {
            case GOOD -> VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("alice").clientId("bot")
                    .scopes(List.of("read")).expiresAt(Instant.parse("2030-01-01T00:00:00Z")).build();
            case RESTRICTED -> VerifiedToken.builder(VerifiedToken.Kind.STORED).subject("bot").scopes(List.of("read"))
                    .allowedAddresses(List.of(IpRange.parse("203.0.113.0/24"))).build();
            case DPOP_BOUND -> VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("alice").scopes(List.of("read"))
                    .claims(java.util.Map.of("cnf", java.util.Map.of("jkt", "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiGt3Dg"))).build();
            case MTLS_BOUND -> VerifiedToken.builder(VerifiedToken.Kind.INTROSPECTED).subject("alice").scopes(List.of("read"))
                    .claims(java.util.Map.of("cnf", java.util.Map.of("x5t#S256", "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"))).build();
            default -> throw new InvalidTokenException("The token's signature does not verify.", "signature");
        };
    }

    private TokenGate gate(TokenGateConfig.Builder config, TokenPolicy... policies) {
        TokenGate.Builder b = TokenGate.builder().settings(config.build()).validator(PolicyChainTest::validate)
                .callLogSink(events::add).clock(time);
        for (TokenPolicy p : policies) {
            b.policy(p);
        }
        return b.build();
    }

    private TokenGate gate(TokenPolicy... policies) {
        return gate(config(), policies);
    }

    /** One request through {@code authorize}; the error response, or null when admitted. */
    private static ErrorResponse run(TokenGate gate, TestRequest request, Requirement requirement) {
        TokenGate.Call call = gate.begin(request);
        int status = 200;
        try {
            if (call.authorize(requirement) instanceof Outcome.Rejected r) {
                ErrorResponse response = call.errorResponse(r.error());
                status = response.status();
                return response;
            }
            return null;
        } finally {
            call.finish(status);
        }
    }

    private static TokenPolicy recording(List<String> calls, String name, PolicyDecision decision) {
        return (token, request) -> {
            calls.add(name);
            return decision;
        };
    }

    private static final BearerError TOO_MANY = BearerError.builder(429, BearerError.Code.RATE_LIMITED,
                    "Too many requests for this token; retry in 30 s.")
            .retryAfter(Duration.ofMillis(29_200))
            .header("RateLimit-Policy", "\"per-token\";q=100;w=60")
            .header("RateLimit", "\"per-token\";r=0;t=30")
            .build();

    @Test
    void authorizeWhenPolicyDeniesThen429WithRetryAfterAndRateLimitHeaders() {
        TokenGate gate = gate((token, request) -> PolicyDecision.deny(TOO_MANY, "per-token limit 100/1m reached"));
        ErrorResponse r = run(gate, TestRequest.get("/orders").bearer(GOOD).header("X-Request-Id", "r-429"),
                Requirement.allOf("read"));
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.headers()).containsExactly(
                java.util.Map.entry("Cache-Control", "no-store"),
                java.util.Map.entry("Retry-After", "30"),
                java.util.Map.entry("RateLimit-Policy", "\"per-token\";q=100;w=60"),
                java.util.Map.entry("RateLimit", "\"per-token\";r=0;t=30"));
        assertThat(r.contentType()).isEqualTo("application/problem+json");
        assertThat(r.body()).isEqualTo("{\"type\":\"about:blank\",\"title\":\"Too Many Requests\",\"status\":429,"
                + "\"detail\":\"Too many requests for this token; retry in 30 s.\",\"error\":\"rate_limited\","
                + "\"request_id\":\"r-429\"}");
        CallEvent e = events.get(0);
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.decision()).isEqualTo("rate_limited");
        assertThat(e.errorCode()).contains("rate_limited");
        assertThat(e.reason()).contains("per-token limit 100/1m reached");
        assertThat(e.subject()).contains("alice");
    }

    @Test
    void authorizeWhenPolicyAnswers401WithItsOwnCodeThenOneChallengeFormattedByTheGate() {
        BearerError stepUp = BearerError.builder(401, new BearerError.Code("insufficient_user_authentication"),
                "Authenticate again with a second factor.").challengeParameter("acr_values", "urn:mfa").build();
        ErrorResponse r = run(gate((token, request) -> PolicyDecision.deny(stepUp, "no second factor")),
                TestRequest.get("/withdraw").bearer(GOOD), Requirement.allOf("read"));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.headers().get("WWW-Authenticate")).isEqualTo("Bearer realm=\"api\", "
                + "error=\"insufficient_user_authentication\", error_description=\"Authenticate again with a second factor.\", "
                + "acr_values=\"urn:mfa\", DPoP realm=\"api\", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"");
        assertThat(r.body()).contains("\"title\":\"Unauthorized\"", "\"error\":\"insufficient_user_authentication\"");
    }

    @Test
    void authorizeWhenPolicyAnswers403InsufficientScopeThenTheScopeIsInTheChallengeAndBody() {
        ErrorResponse r = run(gate((token, request) -> PolicyDecision.deny(
                        BearerError.insufficientScope("Large orders need trade:large.", List.of("trade:large")), "order too large")),
                TestRequest.get("/orders").bearer(GOOD), Requirement.allOf("read"));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.headers().get("WWW-Authenticate")).contains("error=\"insufficient_scope\"", "scope=\"trade:large\"");
        assertThat(r.body()).contains("\"required_scope\":\"trade:large\"");
        assertThat(events.get(0).reason()).contains("order too large");
    }

    @Test
    void policiesRunInTheOrderAddedAndTheFirstDenialEndsTheChain() {
        List<String> calls = new ArrayList<>();
        TokenGate gate = gate(recording(calls, "first", PolicyDecision.allow()),
                recording(calls, "second", PolicyDecision.deny(TOO_MANY, "second says no")),
                recording(calls, "third", PolicyDecision.allow()));
        assertThat(run(gate, TestRequest.get("/orders").bearer(GOOD), Requirement.allOf("read")).status()).isEqualTo(429);
        assertThat(calls).containsExactly("first", "second");
        assertThat(events.get(0).reason()).contains("second says no");
    }

    @Test
    void builtInPoliciesRunFirst() {
        List<String> calls = new ArrayList<>();
        TokenGate gate = gate(recording(calls, "custom", PolicyDecision.deny(TOO_MANY, "custom")));
        ErrorResponse r = run(gate, TestRequest.get("/x").bearer(RESTRICTED).remoteAddress("198.51.100.7"),
                Requirement.authenticated());
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.headers().get("WWW-Authenticate")).contains("error=\"invalid_token\"", "from this address");
        assertThat(events.get(0).reason()).hasValueSatisfying(v -> assertThat(v).contains("203.0.113.0/24", "198.51.100.7"));
        assertThat(calls).isEmpty();
    }

    @Test
    void authorizeWhenTokenBoundToAKeyAndSentAsBearerThenInvalidTokenWhateverItsKind() {
        List<String> calls = new ArrayList<>();
        TokenGate gate = gate(recording(calls, "custom", PolicyDecision.allow()));

        for (String bound : List.of(DPOP_BOUND, MTLS_BOUND)) {
            ErrorResponse r = run(gate, TestRequest.get("/x").bearer(bound), Requirement.authenticated());

            assertThat(r.status()).isEqualTo(401);
            assertThat(r.headers().get("WWW-Authenticate")).contains("error=\"invalid_token\"",
                    bound.equals(DPOP_BOUND) ? "bound to a DPoP key" : "bound to a client certificate");
        }
        assertThat(events.get(0).reason()).hasValueSatisfying(v -> assertThat(v)
                .contains("bound to a DPoP key (cnf.jkt)", "Bearer scheme", "without a proof"));
        assertThat(events.get(1).reason()).hasValueSatisfying(v -> assertThat(v)
                .contains("bound to a certificate (cnf.x5t#S256)", "no client certificate"));
        assertThat(calls).as("a built-in policy: it runs first").isEmpty();
        assertThat(run(gate, TestRequest.get("/x").bearer(GOOD), Requirement.authenticated())).isNull();
    }

    @Test
    void authorizeWhenTokenBoundToAKeyOnAnOpenRouteThenNoPrincipal() {
        TokenGate.Call call = gate().begin(TestRequest.get("/x").bearer(DPOP_BOUND));

        assertThat(call.authorize(Requirement.permit())).isInstanceOf(Outcome.Anonymous.class);
        call.finish(200);
    }

    @Test
    void policyRunsBeforeTheScopesAreCompared() {
        TokenGate gate = gate((token, request) -> PolicyDecision.deny(TOO_MANY, "limit"));
        assertThat(run(gate, TestRequest.get("/admin").bearer(GOOD), Requirement.allOf("admin")).status()).isEqualTo(429);
    }

    @Test
    void policyIsGivenTheVerifiedTokenAndTheRequestFacts() {
        AtomicReference<VerifiedToken> seenToken = new AtomicReference<>();
        AtomicReference<RequestFacts> seen = new AtomicReference<>();
        TokenGate gate = gate(config().trustedProxies(List.of("10.0.0.0/8")).forwardedHeader(TokenGateConfig.ForwardedHeader.X_FORWARDED_FOR), (token, request) -> {
            seenToken.set(token);
            seen.set(request);
            return PolicyDecision.allow();
        });
        time.advance(Duration.ofMinutes(5));
        Requirement requirement = Requirement.anyOf("read", "trade");
        assertThat(run(gate, TestRequest.post("/orders").bearer(GOOD).remoteAddress("10.1.1.1")
                .header("X-Forwarded-For", "203.0.113.5").header("X-Request-Id", "req-7").header("X-Tenant", "acme"),
                requirement)).isNull();
        RequestFacts f = seen.get();
        assertThat(seenToken.get().subject()).contains("alice");
        assertThat(f.requestId()).isEqualTo("req-7");
        assertThat(f.method()).isEqualTo("POST");
        assertThat(f.path()).isEqualTo("/orders");
        assertThat(f.clientAddress()).isEqualTo("203.0.113.5");
        assertThat(f.time()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
        assertThat(f.requirement()).isEqualTo(requirement);
        assertThat(f.tokenFingerprint()).isEqualTo(events.get(0).tokenFingerprint()).isPresent();
        assertThat(f.headers("x-tenant")).containsExactly("acme");
        assertThat(f.headers("X-Absent")).isEmpty();
        assertThat(f.apiKey()).isEmpty();
        assertThat(f.scheme()).isEqualTo("Bearer");
        assertThat(f.toString()).doesNotContain(GOOD);
    }

    @Test
    void chainRunsOncePerRequestAndRequirement() {
        AtomicInteger checks = new AtomicInteger();
        TokenGate gate = gate((token, request) -> {
            checks.incrementAndGet();
            return PolicyDecision.allow();
        });
        TokenGate.Call call = gate.begin(TestRequest.get("/orders").bearer(GOOD));
        assertThat(call.authenticate(Requirement.allOf("read"))).isInstanceOf(Outcome.Authenticated.class);
        assertThat(call.authorize(Requirement.allOf("read"))).isInstanceOf(Outcome.Authenticated.class);
        assertThat(checks).hasValue(1);
        call.authorize(Requirement.authenticated()); // a second adapter's own rule for the same request
        call.authorize(Requirement.authenticated());
        assertThat(checks).hasValue(2);
        call.finish(200);
        assertThat(events).hasSize(1);
    }

    @Test
    void chainDoesNotRunWithoutAValidTokenNorOnOpenOrClosedRoutes() {
        AtomicInteger checks = new AtomicInteger();
        TokenGate gate = gate((token, request) -> {
            checks.incrementAndGet();
            return PolicyDecision.deny(TOO_MANY, "limit");
        });
        assertThat(run(gate, TestRequest.get("/x"), Requirement.authenticated()).status()).isEqualTo(401);
        assertThat(run(gate, TestRequest.get("/x").bearer("forged.token.value"), Requirement.authenticated()).status())
                .isEqualTo(401);
        assertThat(run(gate, TestRequest.get("/x").bearer(GOOD), Requirement.permit())).isNull();
        assertThat(run(gate, TestRequest.get("/x").bearer(GOOD), Requirement.deny()).status()).isEqualTo(403);
        assertThat(checks).hasValue(0);
    }

    @Test
    void authenticateWithTheRoutesRequirementRefusesWhatAPolicyDenies() {
        TokenGate gate = gate((token, request) -> PolicyDecision.deny(TOO_MANY, "limit"));
        TokenGate.Call call = gate.begin(TestRequest.get("/orders").bearer(GOOD));
        Outcome outcome = call.authenticate(Requirement.allOf("read"));
        assertThat(outcome).isInstanceOf(Outcome.Rejected.class);
        assertThat(((Outcome.Rejected) outcome).error()).isEqualTo(TOO_MANY);
        assertThat(call.authorize(Requirement.permit())).as("a denied token is no principal anywhere")
                .isInstanceOf(Outcome.Anonymous.class);
        call.finish(429);
    }

    @Test
    void policyThatThrowsIsA503LoggedWithItsStackNeverSent() {
        List<String> calls = new ArrayList<>();
        TokenGate gate = gate((token, request) -> {
            throw new IllegalStateException("bucket store corrupt at /var/lib/limits");
        }, recording(calls, "after", PolicyDecision.allow()));
        try (LogCapture logs = LogCapture.start()) {
            ErrorResponse r = run(gate, TestRequest.get("/orders").bearer(GOOD), Requirement.allOf("read"));
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.headers()).doesNotContainKey("WWW-Authenticate").containsEntry("Retry-After", "5");
            assertThat(r.body()).contains("temporarily_unavailable").doesNotContain("corrupt", "IllegalStateException");
            assertThat(logs.lines()).anySatisfy(l -> assertThat(l)
                    .contains(PolicyChainTest.class.getName(), "java.lang.IllegalStateException: bucket store corrupt"));
            assertThat(logs.text()).doesNotContain(GOOD);
        }
        assertThat(calls).isEmpty();
        assertThat(events.get(0).reason()).hasValueSatisfying(v -> assertThat(v)
                .startsWith("internal error: policy").contains("IllegalStateException"));
        assertThat(events.get(0).errorCode()).contains("temporarily_unavailable");
    }

    @Test
    void policyThatAnswersNullIsA503() {
        ErrorResponse r = run(gate((token, request) -> null), TestRequest.get("/orders").bearer(GOOD),
                Requirement.allOf("read"));
        assertThat(r.status()).isEqualTo(503);
        assertThat(events.get(0).reason()).hasValueSatisfying(v -> assertThat(v).contains("answered null"));
    }

    @Test
    void policiesAreAskedAgainOnTheNextRequest() {
        AtomicInteger remaining = new AtomicInteger(2);
        TokenGate gate = gate((token, request) -> remaining.getAndDecrement() > 0
                ? PolicyDecision.allow() : PolicyDecision.deny(TOO_MANY, "limit"));
        assertThat(run(gate, TestRequest.get("/o").bearer(GOOD), Requirement.allOf("read"))).isNull();
        assertThat(run(gate, TestRequest.get("/o").bearer(GOOD), Requirement.allOf("read"))).isNull();
        assertThat(run(gate, TestRequest.get("/o").bearer(GOOD), Requirement.allOf("read")).status()).isEqualTo(429);
        assertThat(events).extracting(CallEvent::decision).containsExactly("allow", "allow", "rate_limited");
    }
}
