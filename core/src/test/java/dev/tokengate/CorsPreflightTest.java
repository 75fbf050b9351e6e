package dev.tokengate;

import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.log.CallEvent;
import dev.tokengate.testing.TestRequest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A CORS preflight carries no credentials by design: by default it passes to the application's CORS handling. */
class CorsPreflightTest {

    private final List<CallEvent> events = new ArrayList<>();

    private TokenGate gate(Map<String, String> keys) {
        return TokenGate.builder().config(ConfigSource.of(keys, Map.of(), new Properties()))
                .validator(TokenGateTest::validate).callLogSink(events::add).build();
    }

    private Outcome decide(TokenGate gate, TestRequest request, Requirement requirement) {
        TokenGate.Call call = gate.begin(request);
        try {
            return call.authorize(requirement);
        } finally {
            call.finish(200);
        }
    }

    @Test
    void authorizeWhenPreflightOnProtectedRouteThenPassedUncheckedAndLoggedAsPermit() {
        Outcome outcome = decide(gate(Map.of()), TestRequest.preflight("/api/orders", "POST"), Requirement.allOf("trade"));

        assertThat(outcome).isInstanceOf(Outcome.Anonymous.class);
        assertThat(events.get(0).decision()).isEqualTo("permit");
        assertThat(events.get(0).reason()).hasValueSatisfying(r -> assertThat(r).contains("CORS preflight"));
    }

    @Test
    void authenticateWhenPreflightThenAnonymousNotRefused() {
        TokenGate.Call call = gate(Map.of()).begin(TestRequest.preflight("/api/orders", "DELETE"));

        assertThat(call.authenticate(Requirement.allOf("trade"))).isInstanceOf(Outcome.Anonymous.class);
        assertThat(call.authorize(Requirement.allOf("trade"))).isInstanceOf(Outcome.Anonymous.class);
    }

    @Test
    void authorizeWhenPreflightOnDenyRouteThenPassedToo() {
        // the application's CORS handling answers it; a preflight never runs the route itself
        assertThat(decide(gate(Map.of()), TestRequest.preflight("/internal", "GET"), Requirement.noMatchingRule()))
                .isInstanceOf(Outcome.Anonymous.class);
    }

    @Test
    void authorizeWhenPlainOptionsWithoutPreflightHeadersThenRouteRuleDecides() {
        TokenGate gate = gate(Map.of());
        assertThat(decide(gate, TestRequest.options("/api/orders"), Requirement.allOf("trade")))
                .isInstanceOf(Outcome.Rejected.class);
        assertThat(decide(gate, TestRequest.options("/api/orders").header("Origin", "https://app.example.com"),
                Requirement.allOf("trade"))).isInstanceOf(Outcome.Rejected.class);
        assertThat(decide(gate, TestRequest.options("/api/orders").header("Access-Control-Request-Method", "POST"),
                Requirement.allOf("trade"))).isInstanceOf(Outcome.Rejected.class);
    }

    @Test
    void authorizeWhenGetWithPreflightHeadersThenRouteRuleDecides() {
        TestRequest notPreflight = TestRequest.get("/api/orders").header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "POST");

        assertThat(decide(gate(Map.of()), notPreflight, Requirement.allOf("trade"))).isInstanceOf(Outcome.Rejected.class);
    }

    @Test
    void authorizeWhenCorsPreflightIsRulesThenRouteRuleDecides() {
        Outcome outcome = decide(gate(Map.of(ConfigKeys.CORS_PREFLIGHT, "rules")),
                TestRequest.preflight("/api/orders", "POST"), Requirement.allOf("trade"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Rejected.class,
                r -> assertThat(r.error().status()).isEqualTo(401));
        assertThat(events.get(0).decision()).isEqualTo("deny");
    }

    @Test
    void configWhenCorsPreflightUnknownThenStartUpFailsNamingKeyAndValues() {
        assertThatThrownBy(() -> gate(Map.of(ConfigKeys.CORS_PREFLIGHT, "allow")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(ConfigKeys.CORS_PREFLIGHT)
                .hasMessageContaining("pass").hasMessageContaining("rules");
        assertThat(TokenGateConfig.defaults().corsPreflight()).isEqualTo(TokenGateConfig.CorsPreflight.PASS);
    }
}
