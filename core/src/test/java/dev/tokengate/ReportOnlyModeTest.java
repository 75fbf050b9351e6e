package dev.tokengate;

import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.log.CallEvent;
import dev.tokengate.log.Slf4jCallLogSink;
import dev.tokengate.policy.PolicyDecision;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code tokengate.mode=report-only}: every decision computed and logged, none enforced. */
class ReportOnlyModeTest {

    private static final String GOOD = "good.token.value";
    private static final String EXPIRED = "expired.token.value";
    private static final String UNREACHABLE = "unreachable.token.value";
    private static final String RESTRICTED = "restricted.token.value";
    private static final String LIMITED = "limited.token.value";

    private final List<CallEvent> events = new ArrayList<>();

    private static TokenGateConfig.Builder config() {
        return TokenGateConfig.builder();
    }

    private static VerifiedToken validate(String token) {
        return switch (token) {
            case GOOD -> VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("alice").scopes(List.of("read")).build();
            case LIMITED -> VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("bot").scopes(List.of("read")).build();
            case RESTRICTED -> VerifiedToken.builder(VerifiedToken.Kind.STORED).subject("carol").scopes(List.of("read"))
                    .allowedAddresses(List.of(IpRange.parse("203.0.113.0/24"))).build();
            case EXPIRED -> throw new InvalidTokenException("The token expired at 2020-01-01T00:00:00Z", "exp");
            case UNREACHABLE -> throw new UpstreamUnavailableException("JWKS https://issuer.example/jwks: connection refused",
                    URI.create("https://issuer.example/jwks"));
            default -> throw new InvalidTokenException("The token's signature does not verify.", "signature");
        };
    }

    private TokenGate reportOnly() {
        return TokenGate.builder().settings(config().build()).mode(TokenGate.Mode.REPORT_ONLY).validator(ReportOnlyModeTest::validate)
                .callLogSink(events::add)
                .policy((token, request) -> token.getName().equals("bot")
                        ? PolicyDecision.deny(BearerError.builder(429, BearerError.Code.RATE_LIMITED, "slow down").build(),
                                "per-token limit reached")
                        : PolicyDecision.allow())
                .build();
    }

    @ParameterizedTest(name = "{0}: {1} goes on as {4}, logged would_deny {5}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            invalid token                 | expired    | authenticated | -            | anonymous | invalid_token           | expired
            missing token                 | -          | authenticated | -            | anonymous | missing_token           | no bearer token
            malformed token               | a b        | authenticated | -            | anonymous | invalid_token           | b64token
            upstream unreachable          | unreachable| authenticated | -            | anonymous | temporarily_unavailable | connection refused
            insufficient scope            | good       | admin         | -            | alice     | insufficient_scope      | do not meet
            token from another network    | restricted | read          | 198.51.100.7 | carol     | invalid_token           | restricted to
            policy denial (429)           | limited    | read          | -            | bot       | rate_limited            | per-token limit
            deny rule                     | good       | deny          | -            | anonymous | access_denied           | deny rule
            """)
    void authorizeWhenItWouldBeRefusedThenItGoesOnAndIsLoggedWouldDeny(String cell, String token, String requirement,
                                                                      String address, String principal, String code,
                                                                      String reason) {
        TokenGate gate = reportOnly();
        TestRequest request = TestRequest.get("/orders");
        if (token != null) {
            request.header("Authorization", "Bearer " + switch (token) {
                case "good" -> GOOD;
                case "expired" -> EXPIRED;
                case "unreachable" -> UNREACHABLE;
                case "restricted" -> RESTRICTED;
                case "limited" -> LIMITED;
                default -> token;
            });
        }
        if (address != null) {
            request.remoteAddress(address);
        }
        TokenGate.Call call = gate.begin(request);
        Outcome outcome = call.authorize(Requirement.parse(requirement));
        call.finish(200);

        assertThat(outcome).as(cell).isNotInstanceOf(Outcome.Rejected.class);
        if (principal.equals("anonymous")) {
            assertThat(outcome).as(cell).isInstanceOf(Outcome.Anonymous.class);
        } else {
            assertThat(((Outcome.Authenticated) outcome).token().getName()).as(cell).isEqualTo(principal);
        }
        CallEvent e = events.get(0);
        assertThat(e.decision()).as(cell).isEqualTo("would_deny");
        assertThat(e.errorCode()).as(cell).contains(code);
        assertThat(e.status()).as(cell).isEqualTo(200);
        if (reason != null) {
            assertThat(e.reason()).as(cell).hasValueSatisfying(v -> assertThat(v).contains(reason));
        }
    }

    @Test
    void authorizeWhenAllowedThenLoggedAsAllowAsInEnforceMode() {
        TokenGate gate = reportOnly();
        TokenGate.Call call = gate.begin(TestRequest.get("/orders").bearer(GOOD));
        assertThat(call.authorize(Requirement.allOf("read"))).isInstanceOf(Outcome.Authenticated.class);
        call.finish(200);
        TokenGate.Call open = gate.begin(TestRequest.get("/health"));
        assertThat(open.authorize(Requirement.permit())).isInstanceOf(Outcome.Anonymous.class);
        open.finish(200);
        assertThat(events).extracting(CallEvent::decision).containsExactly("allow", "permit");
    }

    @Test
    void authenticateThenAuthorizeAsJaxRsDoesThenTheValidTokenStaysThePrincipalAndOneWouldDenyIsLogged() {
        TokenGate gate = reportOnly();
        TokenGate.Call call = gate.begin(TestRequest.get("/admin").bearer(LIMITED));
        assertThat(call.authenticate(Requirement.allOf("admin"))).isInstanceOf(Outcome.Authenticated.class);
        assertThat(call.authorize(Requirement.allOf("admin"))).isInstanceOf(Outcome.Authenticated.class);
        call.finish(200);
        assertThat(events).hasSize(1);
        assertThat(events.get(0).errorCode()).contains("rate_limited");
        assertThat(events.get(0).subject()).contains("bot");
    }

    @Test
    void defaultCallLogWritesWouldDenyAndNeverTheToken() {
        TokenGate gate = TokenGate.builder().settings(config().build()).mode(TokenGate.Mode.REPORT_ONLY)
                .validator(ReportOnlyModeTest::validate).build();
        try (LogCapture logs = LogCapture.start()) {
            TokenGate.Call call = gate.begin(TestRequest.get("/orders").bearer(EXPIRED));
            call.authorize(Requirement.allOf("read"));
            call.finish(200);
            assertThat(logs.lines(Slf4jCallLogSink.LOGGER_NAME)).singleElement().asString()
                    .contains("\"decision\":\"would_deny\"", "\"error\":\"invalid_token\"", "\"status\":200");
            assertThat(logs.text()).doesNotContain(EXPIRED);
        }
    }

    @Test
    void startUpWarnsOnceThatTheGateEnforcesNothing() {
        try (LogCapture logs = LogCapture.start()) {
            TokenGate.builder().settings(config().build()).validator(ReportOnlyModeTest::validate).build();
            assertThat(logs.text()).doesNotContain("enforces nothing");
            TokenGate.builder().settings(config().build()).mode(TokenGate.Mode.REPORT_ONLY).validator(ReportOnlyModeTest::validate).build();
            assertThat(logs.lines()).filteredOn(l -> l.contains("enforces nothing")).singleElement().asString()
                    .contains("tokengate.mode=report-only");
        }
    }

    @Test
    void builderModeOverridesTheConfiguredOne() {
        ConfigSource reportOnlyKeys = ConfigSource.of(Map.of(ConfigKeys.MODE, "report-only",
                ConfigKeys.JWT_ISSUER, "https://issuer.example", ConfigKeys.JWT_AUDIENCE, "api"), Map.of(), new Properties());
        TokenGate enforcing = TokenGate.builder().config(reportOnlyKeys)
                .validator(ReportOnlyModeTest::validate).callLogSink(events::add).mode(TokenGate.Mode.ENFORCE).build();
        assertThat(enforcing.mode()).isEqualTo(TokenGate.Mode.ENFORCE);
        TokenGate.Call call = enforcing.begin(TestRequest.get("/orders").bearer(EXPIRED));
        assertThat(call.authorize(Requirement.allOf("read"))).isInstanceOf(Outcome.Rejected.class);
        call.finish(401);
        assertThat(events.get(0).decision()).isEqualTo("deny");
        TokenGate reporting = TokenGate.builder().settings(config().build()).validator(ReportOnlyModeTest::validate)
                .mode(TokenGate.Mode.REPORT_ONLY).build();
        assertThat(reporting.mode()).isEqualTo(TokenGate.Mode.REPORT_ONLY);
    }

    private static TokenGate read(Map<String, String> params, Map<String, String> env) {
        Map<String, String> all = new HashMap<>(params);
        all.put(ConfigKeys.JWT_ISSUER, "https://issuer.example");
        all.put(ConfigKeys.JWT_AUDIENCE, "api");
        return TokenGate.builder().config(ConfigSource.of(all, env, new Properties()))
                .validator(ReportOnlyModeTest::validate).build();
    }

    @Test
    void modeIsReadFromTokengateModeOrTheEnvironmentAndEnforceIsTheDefault() {
        assertThat(ConfigKeys.ALL).contains("tokengate.mode");
        assertThat(read(Map.of(), Map.of()).mode()).isEqualTo(TokenGate.Mode.ENFORCE);
        assertThat(read(Map.of("tokengate.mode", "report-only"), Map.of()).mode()).isEqualTo(TokenGate.Mode.REPORT_ONLY);
        assertThat(read(Map.of("tokengate.mode", " Report-Only "), Map.of()).mode()).isEqualTo(TokenGate.Mode.REPORT_ONLY);
        assertThat(read(Map.of("tokengate.mode", "report-only"), Map.of("TOKENGATE_MODE", "enforce")).mode())
                .isEqualTo(TokenGate.Mode.ENFORCE);
        assertThat(read(Map.of(), Map.of("TOKENGATE_MODE", "report-only")).mode()).isEqualTo(TokenGate.Mode.REPORT_ONLY);
    }

    @Test
    void modeWhenUnknownThenStartUpFailsNamingTheKey() {
        assertThatThrownBy(() -> read(Map.of("tokengate.mode", "audit"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.mode").hasMessageContaining("enforce or report-only")
                .extracting(e -> ((ConfigurationException) e).key()).isEqualTo("tokengate.mode");
    }
}
