package dev.tokengate;

import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.log.CallEvent;
import dev.tokengate.policy.PolicyDecision;
import dev.tokengate.store.IssuedToken;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.StoredToken;
import dev.tokengate.store.TokenKind;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestRequest;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One request's way through the gate beyond the outcomes {@link TokenGateTest} covers: its id, address and MDC, the
 * description of an any-of refusal, faults of tokengate itself, open routes with and without a valid token, and the
 * call-log event's duration.
 */
class TokenGateCallTest {

    private static final String GOOD = "good.token.value";
    private static final String BROKEN = "validator.bug.token";

    private final List<CallEvent> events = new ArrayList<>();

    private TokenGate.Builder builder() {
        return TokenGate.builder().validator(TokenGateTest::validate).callLogSink(events::add);
    }

    private static BearerError error(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Rejected.class);
        return ((Outcome.Rejected) outcome).error();
    }

    @Test
    void beginWhenACallOnThisThreadNeverFinishedThenItsIdentityIsNotLentToTheNextCall() {
        TokenGate gate = builder().build();
        TokenGate.Call abandoned = gate.begin(TestRequest.get("/orders").bearer(GOOD));
        abandoned.authenticate();
        assertThat(MDC.get(TokenGate.MDC_SUBJECT)).isEqualTo("alice");
        assertThat(MDC.get(TokenGate.MDC_CLIENT_ID)).isEqualTo("bot");

        TokenGate.Call next = gate.begin(TestRequest.get("/health"));

        assertThat(MDC.get(TokenGate.MDC_SUBJECT)).isNull();
        assertThat(MDC.get(TokenGate.MDC_CLIENT_ID)).isNull();
        assertThat(MDC.get(TokenGate.MDC_REQUEST_ID)).isEqualTo(next.requestId()).isNotEqualTo(abandoned.requestId());
        next.finish(200);
        assertThat(MDC.get(TokenGate.MDC_REQUEST_ID)).isNull();
    }

    /** A request that counts how often the peer's address and the URL are asked for: both can cost an adapter. */
    private static final class CountingRequest implements RequestView {
        private final TestRequest request;
        int peerAsked;
        int urlAsked;

        CountingRequest(TestRequest request) {
            this.request = request;
        }

        @Override
        public String method() {
            return request.method();
        }

        @Override
        public String path() {
            return request.path();
        }

        @Override
        public List<String> headers(String name) {
            return request.headers(name);
        }

        @Override
        public java.util.Optional<String> queryString() {
            return request.queryString();
        }

        @Override
        public List<String> formParameters(String name) {
            return request.formParameters(name);
        }

        @Override
        public java.util.Optional<String> url() {
            urlAsked++;
            return request.url();
        }

        @Override
        public String remoteAddress() {
            peerAsked++;
            return request.remoteAddress();
        }
    }

    @Test
    void finishWhenTheSinkIsOffThenNoEventIsBuiltAndNothingAsksForThePeerOrTheUrl() {
        TokenGate gate = TokenGate.builder().validator(TokenGateTest::validate).callLogSink(new dev.tokengate.log.CallLogSink() {
            @Override
            public boolean enabled() {
                return false;
            }

            @Override
            public void accept(CallEvent event) {
                throw new AssertionError("a disabled sink was handed an event");
            }
        }).build();
        CountingRequest request = new CountingRequest(TestRequest.get("/orders").bearer(GOOD).remoteAddress("192.0.2.9"));

        TokenGate.Call call = gate.begin(request);
        assertThat(call.authorize(Requirement.allOf("read"))).isInstanceOf(Outcome.Authenticated.class);
        call.finish(200);

        assertThat(request.peerAsked).as("no policy, no call log: the address is never resolved").isZero();
        assertThat(request.urlAsked).as("no proof-of-possession check: the URL is never built").isZero();
    }

    @Test
    void finishWhenTheSinkIsOnThenThePeerIsAskedOnceForTheEvent() {
        TokenGate gate = builder().build();
        CountingRequest request = new CountingRequest(TestRequest.get("/orders").bearer(GOOD).remoteAddress("192.0.2.9"));

        TokenGate.Call call = gate.begin(request);
        call.authorize(Requirement.allOf("read"));
        assertThat(call.clientAddress()).isEqualTo("192.0.2.9");
        call.finish(200);

        assertThat(events).singleElement().satisfies(e -> assertThat(e.clientAddress()).isEqualTo("192.0.2.9"));
        assertThat(request.peerAsked).isEqualTo(1);
    }

    @Test
    void beginWhenNoUsableRequestIdSentThenEachRequestGetsADifferentOne() {
        TokenGate gate = builder().build();
        TokenGate.Call first = gate.begin(TestRequest.get("/"));
        TokenGate.Call second = gate.begin(TestRequest.get("/").header("X-Request-Id", "not a usable id"));
        TokenGate.Call given = gate.begin(TestRequest.get("/").header("X-Request-Id", "req-42"));

        assertThat(first.requestId()).matches("[A-Za-z0-9_-]{12}").isNotEqualTo(second.requestId());
        assertThat(second.requestId()).matches("[A-Za-z0-9_-]{12}");
        assertThat(given.requestId()).isEqualTo("req-42");
    }

    @Test
    void clientAddressWhenBehindATrustedProxyThenTheAddressItForwarded() {
        TokenGate gate = builder().config(ConfigSource.of(Map.of(ConfigKeys.TRUSTED_PROXIES, "10.0.0.0/8",
                ConfigKeys.FORWARDED_HEADER, "X-Forwarded-For"), Map.of(), new Properties())).build();

        TokenGate.Call call = gate.begin(TestRequest.get("/").remoteAddress("10.0.0.5")
                .header("X-Forwarded-For", "198.51.100.7"));

        assertThat(call.clientAddress()).isEqualTo("198.51.100.7");
        assertThat(gate.begin(TestRequest.get("/").remoteAddress("203.0.113.1")
                .header("X-Forwarded-For", "198.51.100.7")).clientAddress()).isEqualTo("203.0.113.1");
    }

    @Test
    void authorizeWhenAnyOfScopesMissingThenTheDescriptionSaysOneOfThem() {
        TokenGate.Call call = builder().build().begin(TestRequest.get("/admin").bearer(GOOD));

        BearerError e = error(call.authorize(Requirement.anyOf("admin", "withdraw")));

        assertThat(e.status()).isEqualTo(403);
        assertThat(e.description()).isEqualTo("This resource requires one of the scopes admin, withdraw; ask for a "
                + "token that has them.");
        assertThat(error(call.authorize(Requirement.allOf("admin", "withdraw"))).description())
                .isEqualTo("This resource requires the scope(s) admin, withdraw; ask for a token that has them.");
    }

    @Test
    void authorizeWhenTheValidatorFailsUnexpectedlyThen503LoggedWithTheFingerprintNeverTheToken() {
        try (LogCapture logs = LogCapture.start()) {
            TokenGate.Call call = builder().build().begin(TestRequest.get("/orders").bearer(BROKEN));

            BearerError e = error(call.authorize(Requirement.authenticated()));
            call.finish(503);

            assertThat(e.status()).isEqualTo(503);
            assertThat(e.description()).isEqualTo("The server could not check the token; try again shortly.");
            assertThat(events.get(0).reason()).contains("internal error: java.lang.IllegalStateException");
            assertThat(logs.lines(TokenGate.class.getName())).anySatisfy(l -> assertThat(l)
                    .contains("could not be checked: the validator failed unexpectedly"));
            assertThat(logs.text()).doesNotContain(BROKEN);
        }
    }

    @Test
    void authorizeWhenTheExtractorFailsThen503AndTheRequestLogged() {
        try (LogCapture logs = LogCapture.start()) {
            TokenGate gate = builder().extractor(request -> {
                throw new IllegalStateException("extractor bug");
            }).build();
            TokenGate.Call call = gate.begin(TestRequest.get("/orders").bearer(GOOD));

            BearerError e = error(call.authorize(Requirement.authenticated()));
            call.finish(503);

            assertThat(e.status()).isEqualTo(503);
            assertThat(e.description()).isEqualTo("The server could not check the request; try again shortly.");
            assertThat(e.headers()).containsEntry("Retry-After", "5");
            assertThat(events.get(0).reason()).contains("internal error: java.lang.IllegalStateException");
            assertThat(logs.lines(TokenGate.class.getName())).anySatisfy(l -> assertThat(l)
                    .isEqualTo("tokengate could not decide request " + call.requestId() + " (GET /orders)"));
        }
    }

    @Test
    void authorizeWhenOpenRouteAndTheTokenWasAdmittedThenItIsThePrincipal() {
        TokenGate.Call call = builder().build().begin(TestRequest.get("/news").bearer(GOOD));

        assertThat(call.authenticate(Requirement.permit())).isInstanceOf(Outcome.Authenticated.class);
        Outcome outcome = call.authorize(Requirement.permit());
        call.finish(200);

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Authenticated.class,
                a -> assertThat(a.token().getName()).isEqualTo("alice"));
        assertThat(events.get(0).decision()).isEqualTo("permit");
    }

    @Test
    void authorizeWhenOpenRouteAndAPolicyRefusedTheTokenThenAnonymous() {
        TokenGate gate = builder().policy((token, request) -> PolicyDecision.deny(
                BearerError.invalidToken("This token has been blocked."), "blocked for the test")).build();
        TokenGate.Call call = gate.begin(TestRequest.get("/news").bearer(GOOD));

        assertThat(call.authenticate(Requirement.permit())).isInstanceOf(Outcome.Rejected.class);

        assertThat(call.authorize(Requirement.permit())).isInstanceOf(Outcome.Anonymous.class);
    }

    @Test
    void authorizeWhenOpenRouteDecidedFirstThenNoTokenLookedAtAndAnonymous() {
        TokenGate.Call call = builder().build().begin(TestRequest.get("/news").bearer(GOOD));

        assertThat(call.authorize(Requirement.permit())).isInstanceOf(Outcome.Anonymous.class);
        assertThat(call.token()).isEmpty();
    }

    @Test
    void authorizeWhenPreflightHeadersBlankThenNotAPreflight() {
        TokenGate gate = builder().build();
        TestRequest blankOrigin = TestRequest.options("/api/orders").header("Origin", " ")
                .header("Access-Control-Request-Method", "POST");
        TestRequest blankMethod = TestRequest.options("/api/orders").header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "");

        for (TestRequest request : List.of(blankOrigin, blankMethod)) {
            assertThat(error(gate.begin(request).authorize(Requirement.allOf("trade"))).status()).isEqualTo(401);
        }
    }

    @Test
    void finishThenTheEventsLatencyIsTheTimeFromBeginToFinish() {
        TokenGate gate = builder().build();
        long before = System.nanoTime();
        TokenGate.Call call = gate.begin(TestRequest.get("/orders").bearer(GOOD));
        call.authorize(Requirement.allOf("read"));
        call.finish(200);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - before);

        assertThat(events.get(0).latency()).isBetween(Duration.ZERO, elapsed);
    }

    @Test
    void authorizeWhenAnApiKeyIsAcceptedThenItsUseIsRecordedWithTheClientAddress() {
        String db = "jdbc:h2:mem:gate-call-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        try (JdbcTokenStore admin = JdbcTokenStore.builder().jdbcUrl(db).username("sa").build()) {
            admin.createSchema();
            IssuedToken key = admin.create(TokenKind.API_KEY, "app", "portfolio-app", null, List.of(), List.of(),
                    Instant.now().plusSeconds(3600));
            TokenGate gate = builder().config(ConfigSource.of(Map.of(ConfigKeys.STORE_JDBC_URL, db,
                    ConfigKeys.STORE_USERNAME, "sa"), Map.of(), new Properties())).build();
            assertThat(gate.supportsApiKeys()).isTrue();

            TokenGate.Call call = gate.begin(TestRequest.get("/orders").bearer(GOOD).header("X-API-Key", key.token())
                    .remoteAddress("198.51.100.9"));
            assertThat(call.authorize(Requirement.allOf("read").withApiKey())).isInstanceOf(Outcome.Authenticated.class);
            call.finish(200);
            gate.close(); // writes the batched uses

            StoredToken row = admin.get(key.metadata().id()).orElseThrow();
            assertThat(row.lastUsedAddress()).contains("198.51.100.9");
            assertThat(row.lastUsedAt()).isPresent();
        }
    }

    @Test
    void supportsApiKeysOnlyWithATokenStore() {
        assertThat(builder().build().supportsApiKeys()).isFalse();
    }

    @Test
    void modeReadsAsConfigured() {
        assertThat(TokenGate.Mode.REPORT_ONLY).hasToString("report-only");
        assertThat(TokenGate.Mode.ENFORCE).hasToString("enforce");
        assertThat(TokenGate.Mode.parse("Report-Only")).isEqualTo(TokenGate.Mode.REPORT_ONLY);
    }
}
