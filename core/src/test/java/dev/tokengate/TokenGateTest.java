package dev.tokengate;

import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.log.CallEvent;
import dev.tokengate.log.CallLogSink;
import dev.tokengate.log.Slf4jCallLogSink;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestRequest;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The pipeline with a fixed-answer validator: what each outcome becomes on the wire and in the call log. */
class TokenGateTest {

    private static final String GOOD = "good.token.value";
    private static final String EXPIRED = "expired.token.value";
    private static final String UNREACHABLE = "unreachable.token.value";
    private static final String RESTRICTED = "restricted.token.value";

    private final List<CallEvent> events = new ArrayList<>();
    private final TokenGate gate = TokenGate.builder()
            .validator(TokenGateTest::validate)
            .callLogSink(events::add)
            .build();

    static VerifiedToken validate(String token) {
        return switch (token) {
            case GOOD -> VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("alice").clientId("bot")
                    .issuer("https://issuer.example").scopes(List.of("read", "trade"))
                    .expiresAt(Instant.parse("2030-01-01T00:00:00Z")).build();
            case RESTRICTED -> VerifiedToken.builder(VerifiedToken.Kind.STORED).subject("bot").scopes(List.of("read"))
                    .allowedAddresses(List.of(IpRange.parse("203.0.113.0/24"))).build();
            case EXPIRED -> throw new InvalidTokenException("The token expired at 2020-01-01T00:00:00Z", "exp");
            case UNREACHABLE -> throw new UpstreamUnavailableException("JWKS https://issuer.example/jwks: connection refused",
                    URI.create("https://issuer.example/jwks"));
            default -> throw new IllegalStateException("boom");
        };
    }

    private ErrorResponse run(TestRequest request, Requirement requirement) {
        TokenGate.Call call = gate.begin(request);
        int status = 200;
        ErrorResponse response = null;
        try {
            Outcome outcome = call.authorize(requirement);
            if (outcome instanceof Outcome.Rejected r) {
                response = call.errorResponse(r.error());
                status = response.status();
            }
        } finally {
            call.finish(status);
        }
        return response;
    }

    @Test
    void authorizeWhenValidTokenWithScopeThenAllowedAndLogged() {
        assertThat(run(TestRequest.get("/orders").bearer(GOOD), Requirement.allOf("read"))).isNull();
        CallEvent e = events.get(0);
        assertThat(e.decision()).isEqualTo("allow");
        assertThat(e.status()).isEqualTo(200);
        assertThat(e.subject()).contains("alice");
        assertThat(e.clientId()).contains("bot");
        assertThat(e.scopes()).containsExactly("read", "trade");
        assertThat(e.tokenFingerprint()).hasValueSatisfying(f -> assertThat(f).hasSize(12).isNotEqualTo(GOOD));
        assertThat(e.errorCode()).isEmpty();
        assertThat(e.method()).isEqualTo("GET");
        assertThat(e.path()).isEqualTo("/orders");
        assertThat(e.clientAddress()).isEqualTo("127.0.0.1");
    }

    /** During an outage every request fails the same way: one WARN, not one per request (issue: 14,000 lines in 20 s). */
    @Test
    void authorizeWhenUpstreamDownForManyRequestsThenOneWarnLineThenOneRecoveryLine() {
        try (LogCapture logs = LogCapture.start()) {
            for (int i = 0; i < 200; i++) {
                assertThat(run(TestRequest.get("/orders").bearer(UNREACHABLE), Requirement.authenticated()).status()).isEqualTo(503);
            }
            assertThat(run(TestRequest.get("/orders").bearer(GOOD), Requirement.authenticated())).isNull();

            List<String> lines = logs.lines(TokenGate.class.getName()).stream()
                    .filter(l -> l.contains("repeats are counted") || l.contains("working again")).toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).contains("cannot check tokens", "connection refused");
            assertThat(lines.get(1)).contains("working again (199 more failure(s)");
        }
    }

    @Test
    void finishWhenFloodOfRequestsWithoutTokenFromOneAddressThenLimitedByTheKeysAndSummarisedAtClose() {
        List<CallEvent> logged = new ArrayList<>();
        List<dev.tokengate.log.DenialSummary> summaries = new ArrayList<>();
        CallLogSink sink = new CallLogSink() {
            @Override
            public void accept(CallEvent event) {
                logged.add(event);
            }

            @Override
            public void summary(dev.tokengate.log.DenialSummary summary) {
                summaries.add(summary);
            }
        };
        TokenGate flooded = TokenGate.builder().config(ConfigSource.of(Map.of(
                        ConfigKeys.CALL_LOG_DENIALS_PER_ADDRESS, "2", ConfigKeys.CALL_LOG_OPEN_ROUTES, "skip"),
                        Map.of(), new Properties()))
                .validator(TokenGateTest::validate).callLogSink(sink).build();
        for (int i = 0; i < 5; i++) {
            TokenGate.Call call = flooded.begin(TestRequest.get("/orders").remoteAddress("203.0.113.9"));
            call.authorize(Requirement.authenticated());
            call.finish(401);
        }
        TokenGate.Call open = flooded.begin(TestRequest.get("/health"));
        open.authorize(Requirement.permit());
        open.finish(200);

        assertThat(logged).hasSize(2).allSatisfy(e -> assertThat(e.errorCode()).contains("missing_token"));
        flooded.close();
        assertThat(summaries).singleElement().satisfies(s -> {
            assertThat(s.clientAddress()).isEqualTo("203.0.113.9");
            assertThat(s.leftOut()).isEqualTo(3);
        });
    }

    @Test
    void authorizeWhenNoTokenThenBareChallenge() {
        ErrorResponse r = run(TestRequest.get("/orders"), Requirement.authenticated());
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"api\"");
        assertThat(r.contentType()).isEqualTo("application/problem+json");
        assertThat(r.body()).contains("\"status\":401", "\"error\":\"missing_token\"", "Authorization: Bearer");
        assertThat(events.get(0).errorCode()).contains("missing_token");
        assertThat(events.get(0).tokenFingerprint()).isEmpty();
    }

    @Test
    void authorizeWhenInvalidTokenThen401InvalidToken() {
        ErrorResponse r = run(TestRequest.get("/orders").bearer(EXPIRED), Requirement.authenticated());
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.headers().get("WWW-Authenticate"))
                .isEqualTo("Bearer realm=\"api\", error=\"invalid_token\", error_description=\"The token expired at 2020-01-01T00:00:00Z\"");
        assertThat(events.get(0).decision()).isEqualTo("deny");
        assertThat(events.get(0).errorCode()).contains("invalid_token");
        assertThat(events.get(0).tokenFingerprint()).isPresent();
    }

    @Test
    void authorizeWhenTokenOutsideB64tokenThen401InvalidToken() {
        ErrorResponse r = run(TestRequest.get("/orders").header("Authorization", "Bearer a b"), Requirement.authenticated());
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.headers().get("WWW-Authenticate")).contains("error=\"invalid_token\"");
    }

    @Test
    void authorizeWhenTwoAuthorizationHeadersThen400InvalidRequest() {
        ErrorResponse r = run(TestRequest.get("/orders").bearer("abc").bearer("def"), Requirement.authenticated());
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.headers().get("WWW-Authenticate")).contains("error=\"invalid_request\"");
    }

    @Test
    void authorizeWhenScopesWithheldThenNamedNowhere() {
        TokenGate withheld = TokenGate.builder().validator(TokenGateTest::validate).callLogSink(events::add)
                .settings(TokenGateConfig.builder().includeScopeInChallenge(false).build()).build();
        TokenGate.Call call = withheld.begin(TestRequest.get("/withdrawals").bearer(GOOD));
        ErrorResponse r = call.errorResponse(((Outcome.Rejected) call.authorize(Requirement.allOf("withdraw"))).error());

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.headers().get("WWW-Authenticate")).isEqualTo("Bearer realm=\"api\", error=\"insufficient_scope\", "
                + "error_description=\"" + BearerError.SCOPES_WITHHELD + "\"");
        assertThat(r.body()).contains("\"error\":\"insufficient_scope\"").doesNotContain("withdraw", "required_scope");
    }

    @Test
    void errorResponseWhenScopesWithheldThenAnotherErrorUnchanged() {
        TokenGate withheld = TokenGate.builder().validator(TokenGateTest::validate)
                .settings(TokenGateConfig.builder().includeScopeInChallenge(false).build()).build();
        BearerError invalid = BearerError.invalidToken("The token expired at 2020-01-01T00:00:00Z");

        ErrorResponse r = withheld.begin(TestRequest.get("/x")).errorResponse(invalid);

        assertThat(r.headers().get("WWW-Authenticate")).contains("error_description=\"The token expired at 2020-01-01T00:00:00Z\"");
    }

    @Test
    void authorizeWhenKeysUnreachableThen503WithoutFalseInvalidToken() {
        ErrorResponse r = run(TestRequest.get("/orders").bearer(UNREACHABLE), Requirement.authenticated());
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.headers()).doesNotContainKey("WWW-Authenticate").containsEntry("Retry-After", "5");
        assertThat(r.body()).doesNotContain("invalid_token").contains("temporarily_unavailable");
        assertThat(events.get(0).reason()).hasValueSatisfying(v -> assertThat(v).contains("connection refused"));
    }

    @Test
    void authorizeWhenValidatorBreaksThenFailsClosedWith503() {
        ErrorResponse r = run(TestRequest.get("/orders").bearer("some.other.token"), Requirement.authenticated());
        assertThat(r.status()).isEqualTo(503);
    }

    @Test
    void authorizeWhenScopeMissingThen403InsufficientScopeNamingIt() {
        ErrorResponse r = run(TestRequest.get("/withdraw").bearer(GOOD), Requirement.allOf("withdraw"));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.headers().get("WWW-Authenticate")).contains("error=\"insufficient_scope\"", "scope=\"withdraw\"");
        assertThat(r.body()).contains("\"required_scope\":\"withdraw\"");
        assertThat(events.get(0).subject()).contains("alice");
    }

    @Test
    void authorizeWhenTokenRestrictedToOtherAddressesThenInvalidTokenWithReason() {
        ErrorResponse r = run(TestRequest.get("/x").bearer(RESTRICTED).remoteAddress("198.51.100.7"), Requirement.authenticated());
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.headers().get("WWW-Authenticate")).contains("error=\"invalid_token\"", "from this address");
        assertThat(events.get(0).reason()).hasValueSatisfying(v -> assertThat(v).contains("203.0.113.0/24", "198.51.100.7"));
        assertThat(events.get(0).clientAddress()).isEqualTo("198.51.100.7");
    }

    @Test
    void authorizeWhenTokenRestrictedAndClientInRangeThenAllowed() {
        assertThat(run(TestRequest.get("/x").bearer(RESTRICTED).remoteAddress("203.0.113.5"), Requirement.authenticated())).isNull();
    }

    @Test
    void authorizeWhenRestrictedTokenComesThroughTrustedProxyThenForwardedAddressDecides() {
        TokenGate behindProxy = TokenGate.builder()
                .settings(TokenGateConfig.builder().trustedProxies(List.of("10.0.0.0/8"))
                        .forwardedHeader(TokenGateConfig.ForwardedHeader.X_FORWARDED_FOR).build())
                .validator(TokenGateTest::validate).callLogSink(events::add).build();
        TokenGate.Call viaProxy = behindProxy.begin(TestRequest.get("/x").bearer(RESTRICTED).remoteAddress("10.1.1.1")
                .header("X-Forwarded-For", "203.0.113.5"));
        assertThat(viaProxy.authorize(Requirement.authenticated())).isInstanceOf(Outcome.Authenticated.class);
        viaProxy.finish(200);
        TokenGate.Call spoofed = gate.begin(TestRequest.get("/x").bearer(RESTRICTED).remoteAddress("10.1.1.1")
                .header("X-Forwarded-For", "203.0.113.5"));
        assertThat(spoofed.authorize(Requirement.authenticated())).isInstanceOf(Outcome.Rejected.class);
        spoofed.finish(401);
        assertThat(events.get(0).clientAddress()).isEqualTo("203.0.113.5");
    }

    @Test
    void authorizeWhenAnyOfMetThenAllowed() {
        assertThat(run(TestRequest.get("/x").bearer(GOOD), Requirement.anyOf("admin", "trade"))).isNull();
    }

    @Test
    void authorizeWhenPermitThenNoCheckEvenWithGarbage() {
        assertThat(run(TestRequest.get("/health").header("Authorization", "Bearer a b c"), Requirement.permit())).isNull();
        assertThat(events.get(0).decision()).isEqualTo("permit");
    }

    @Test
    void authorizeWhenDenyThen403EvenWithValidToken() {
        ErrorResponse r = run(TestRequest.get("/internal").bearer(GOOD), Requirement.deny());
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body()).contains("access_denied");
    }

    @Test
    void authorizeWhenDenyRuleThenLoggedAsDenyRule() {
        run(TestRequest.get("/internal").bearer(GOOD), Requirement.deny());
        assertThat(events.get(0).reason()).hasValueSatisfying(reason -> assertThat(reason).contains("deny rule"));
    }

    @Test
    void authorizeWhenNoRuleMatchesThen403SayingSoAndLoggedWithHowToAddOne() {
        ErrorResponse r = run(TestRequest.get("/reports").bearer(GOOD), Requirement.noMatchingRule());

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body()).contains("access_denied", "matches no access rule").doesNotContain("not available to any client");
        assertThat(events.get(0).decision()).isEqualTo("deny");
        assertThat(events.get(0).reason()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("no URL rule matches", "tokengate.rules", "tokengate.unmatched")
                .doesNotContain("deny rule"));
    }

    private ErrorResponse unavailableWith(UpstreamUnavailableException failure) {
        TokenGate down = TokenGate.builder().validator(t -> {
            throw failure;
        }).callLogSink(events::add).build();
        TokenGate.Call call = down.begin(TestRequest.get("/x").bearer(GOOD));
        try {
            return call.errorResponse(((Outcome.Rejected) call.authorize(Requirement.allOf("read"))).error());
        } finally {
            call.finish(503);
        }
    }

    @Test
    void authorizeWhenUpstreamSaysWhenItTriesAgainThenRetryAfterIsThatDelay() {
        URI issuer = URI.create("https://issuer.example");

        ErrorResponse r = unavailableWith(new UpstreamUnavailableException("discovery failed", issuer, null, Duration.ofSeconds(30)));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.headers()).containsEntry("Retry-After", "30");
        assertThat(unavailableWith(new UpstreamUnavailableException("x", issuer, null, Duration.ofMillis(18_200))).headers())
                .containsEntry("Retry-After", "19");
        assertThat(unavailableWith(new UpstreamUnavailableException("x", issuer, null, Duration.ZERO)).headers())
                .as("due now: at least a second").containsEntry("Retry-After", "1");
        assertThat(unavailableWith(new UpstreamUnavailableException("x", issuer)).headers())
                .as("tried again on the next request: the default").containsEntry("Retry-After", "5");
    }

    @Test
    void beginWhenSaneRequestIdHeaderThenReused() {
        run(TestRequest.get("/x").header("X-Request-Id", "abc-123"), Requirement.permit());
        run(TestRequest.get("/x").header("X-Request-Id", "<script>"), Requirement.permit());
        assertThat(events.get(0).requestId()).isEqualTo("abc-123");
        assertThat(events.get(1).requestId()).isNotEqualTo("<script>").hasSize(12);
    }

    @Test
    void callSetsMdcForTheAppAndClearsIt() {
        TokenGate.Call call = gate.begin(TestRequest.get("/x").bearer(GOOD));
        call.authorize(Requirement.authenticated());
        assertThat(MDC.get(TokenGate.MDC_REQUEST_ID)).isEqualTo(call.requestId());
        assertThat(MDC.get(TokenGate.MDC_SUBJECT)).isEqualTo("alice");
        call.finish(200);
        assertThat(MDC.get(TokenGate.MDC_REQUEST_ID)).isNull();
        assertThat(MDC.get(TokenGate.MDC_SUBJECT)).isNull();
    }

    @Test
    void beginWhenRequestIdHeaderTooLongOrRepeatedThenTheFirstSaneOneOrANewOne() {
        run(TestRequest.get("/x").header(TokenGate.REQUEST_ID_HEADER, "a".repeat(65)), Requirement.permit());
        run(TestRequest.get("/x").header("x-request-id", "a".repeat(64)), Requirement.permit());
        run(TestRequest.get("/x").header(TokenGate.REQUEST_ID_HEADER, "bad value")
                .header(TokenGate.REQUEST_ID_HEADER, "good:1"), Requirement.permit());
        assertThat(events.get(0).requestId()).hasSize(12);
        assertThat(events.get(1).requestId()).isEqualTo("a".repeat(64));
        assertThat(events.get(2).requestId()).isEqualTo("good:1");
    }

    @Test
    void beginWhenWellFormedTraceparentThenTraceIdInEventAndMdcUntilFinish() {
        TokenGate.Call call = gate.begin(TestRequest.get("/x").bearer(GOOD)
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        call.authorize(Requirement.authenticated());

        assertThat(call.traceId()).contains("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(MDC.get(TokenGate.MDC_TRACE_ID)).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(MDC.get(TokenGate.MDC_REQUEST_ID)).isEqualTo(call.requestId());
        call.finish(200);

        assertThat(MDC.get(TokenGate.MDC_TRACE_ID)).isNull();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.traceId()).contains("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(Slf4jCallLogSink.toJson(e)).contains("\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"");
        });
    }

    @Test
    void beginWhenTraceparentMalformedThenNoTraceIdAndNoMdcEntry() {
        MDC.put(TokenGate.MDC_TRACE_ID, "left-over-from-an-unfinished-call");
        TokenGate.Call call = gate.begin(TestRequest.get("/x")
                .header("traceparent", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));

        assertThat(call.traceId()).isEmpty();
        assertThat(MDC.get(TokenGate.MDC_TRACE_ID)).as("a call never lends another's trace id").isNull();
        call.finish(200);
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.traceId()).isEmpty();
            assertThat(Slf4jCallLogSink.toJson(e)).doesNotContain("trace_id");
        });
    }

    @Test
    void finishTwiceEmitsOneEvent() {
        TokenGate.Call call = gate.begin(TestRequest.get("/x"));
        call.finish(200);
        call.finish(500);
        assertThat(events).hasSize(1);
    }

    @Test
    void finishWhenSinkThrowsThenRequestUnaffectedAndLossLoggedOnce() {
        List<CallEvent> offered = new ArrayList<>();
        TokenGate failing = TokenGate.builder().validator(TokenGateTest::validate)
                .callLogSink(e -> {
                    offered.add(e);
                    throw new IllegalStateException("disk full");
                }).build();
        try (LogCapture logs = LogCapture.start()) {
            TokenGate.Call call = failing.begin(TestRequest.get("/x").bearer(GOOD));
            Outcome outcome = call.authorize(Requirement.allOf("read"));
            assertThat(MDC.get(TokenGate.MDC_SUBJECT)).isEqualTo("alice");

            call.finish(200);
            call.finish(200);

            assertThat(outcome).isInstanceOf(Outcome.Authenticated.class);
            assertThat(offered).singleElement().satisfies(e -> {
                assertThat(e.status()).isEqualTo(200);
                assertThat(e.decision()).isEqualTo("allow");
            });
            assertThat(logs.lines(TokenGate.class.getName())).singleElement().asString()
                    .contains("call-log sink", "failed", "event for request " + offered.get(0).requestId() + " lost");
            assertThat(logs.text()).contains("disk full").doesNotContain(GOOD);
            assertThat(MDC.get(TokenGate.MDC_REQUEST_ID)).isNull();
            assertThat(MDC.get(TokenGate.MDC_SUBJECT)).isNull();
        }
    }

    @Test
    void defaultSinkWritesOneJsonLinePerRequestAndNeverTheToken() {
        TokenGate logging = TokenGate.builder().validator(TokenGateTest::validate).build();
        try (LogCapture logs = LogCapture.start()) {
            for (String token : new String[] {GOOD, EXPIRED, UNREACHABLE, "some.other.token"}) {
                TokenGate.Call call = logging.begin(TestRequest.get("/orders").bearer(token));
                Outcome o = call.authorize(Requirement.allOf("read"));
                call.finish(o instanceof Outcome.Rejected r ? r.error().status() : 200);
            }
            List<String> lines = logs.lines(Slf4jCallLogSink.LOGGER_NAME);
            assertThat(lines).hasSize(4);
            assertThat(lines.get(0)).startsWith("{").contains("\"subject\":\"alice\"", "\"decision\":\"allow\"", "\"status\":200");
            assertThat(lines.get(1)).contains("\"error\":\"invalid_token\"", "\"status\":401");
            for (String token : new String[] {GOOD, EXPIRED, UNREACHABLE, "some.other.token"}) {
                assertThat(logs.text()).doesNotContain(token);
            }
        }
    }

    @Test
    void createWhenLooserSettingsThenWarnsAtStartUp() {
        TokenGateConfig loose = TokenGateConfig.builder().allowQueryParameter(true).build();
        try (LogCapture logs = LogCapture.start()) {
            TokenGate.builder().settings(loose).validator(TokenGateTest::validate)
                    .issuer(JwtValidator.builder().issuer("https://issuer.example").allowAnyAudience()
                            .keySource(TestKeys.keySource(TestKeys.rsa())))
                    .build();
            assertThat(logs.text()).contains("tokengate.token.query-parameter=true", "tokengate.jwt.allow-any-audience=true");
        }
    }

    @Test
    void problemBodyIsJsonWithRequestId() {
        TokenGate.Call call = gate.begin(TestRequest.get("/x").header("X-Request-Id", "r-1"));
        ErrorResponse r = call.errorResponse(BearerError.insufficientScope("needs", Set.of("trade")));
        assertThat(r.body()).isEqualTo("{\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403,\"detail\":\"needs\","
                + "\"error\":\"insufficient_scope\",\"required_scope\":\"trade\",\"request_id\":\"r-1\"}");
        assertThat(r.headers()).containsAllEntriesOf(Map.of("Cache-Control", "no-store"));
        call.finish(403);
    }
}
