package dev.tokengate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.health.HealthReport;
import dev.tokengate.health.UpstreamHealth.Status;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testkit.LoopbackIssuer;

import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestRequest;
import dev.tokengate.testing.TestTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TokenGate#health()} and {@value ConfigKeys#STARTUP_CHECK} on a gate built from keys, against a real
 * loopback identity provider and introspection endpoint.
 */
class HealthAndStartupCheckTest {

    private static final String AUDIENCE = "https://api.example.com";

    private final LoopbackIssuer idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    private final LoopbackIssuer introspection = LoopbackIssuer.start().clientAuthentication(false);
    private final FakeTime time = new FakeTime(Instant.parse("2026-01-01T00:00:00Z"));

    @AfterEach
    void stop() {
        idp.close();
        introspection.close();
    }

    private Map<String, String> keys(String check) {
        Map<String, String> keys = new HashMap<>();
        keys.put(ConfigKeys.JWT_ISSUER, idp.baseUri().toString());
        keys.put(ConfigKeys.JWT_AUDIENCE, AUDIENCE);
        keys.put(ConfigKeys.INTROSPECTION_URI, introspection.introspectionUri().toString());
        keys.put(ConfigKeys.INTROSPECTION_CLIENT_ID, "orders-api");
        keys.put(ConfigKeys.INTROSPECTION_CLIENT_SECRET, "s3cret");
        if (check != null) {
            keys.put(ConfigKeys.STARTUP_CHECK, check);
        }
        return keys;
    }

    private TokenGate gate(Map<String, String> keys) {
        return TokenGate.builder().config(ConfigSource.of(keys, Map.of(), new Properties())).clock(time).ticker(time)
                .build();
    }

    @Test
    void buildWhenStartupCheckIsOffThenNothingIsContactedAndHealthSaysUnknown() {
        try (TokenGate gate = gate(keys(null))) {
            assertThat(idp.requests(idp.openIdConfigurationPath())).isZero();
            assertThat(introspection.introspections()).isZero();

            HealthReport report = gate.health();

            assertThat(report.upstreams()).extracting(HealthReport.Entry::name)
                    .containsExactly("issuer " + idp.baseUri(), "introspection");
            assertThat(report.upstreams()).allSatisfy(e -> assertThat(e.required()).isTrue());
            assertThat(report.status()).isEqualTo(Status.UNKNOWN);
            assertThat(report.ready()).isTrue();
            assertThat(introspection.introspections()).as("a health read never calls introspection").isZero();
        }
    }

    @Test
    void buildWhenStartupCheckFailsAndEverythingAnswersThenUpAndTheReportIsJson() {
        try (TokenGate gate = gate(keys("fail"))) {
            assertThat(idp.jwksRequests()).isEqualTo(1);
            assertThat(introspection.introspections()).isEqualTo(1);

            HealthReport report = gate.health();

            assertThat(report.status()).isEqualTo(Status.UP);
            assertThat(report.summary()).isEqualTo("ready");
            assertThat(report.toJson()).isEqualTo("{\"status\":\"up\",\"ready\":true,\"summary\":\"ready\","
                    + "\"checked_at\":\"2026-01-01T00:00:00Z\",\"upstreams\":["
                    + "{\"name\":\"issuer " + idp.baseUri() + "\",\"kind\":\"discovery\",\"target\":\"" + idp.jwksUri()
                    + "\",\"status\":\"up\",\"required\":true,\"last_success\":\"2026-01-01T00:00:00Z\","
                    + "\"last_error\":null,\"error_kind\":null,\"detail\":\"1 usable key(s), fetched PT0S ago (JWKS "
                    + "discovered from " + idp.baseUri() + ")\"},"
                    + "{\"name\":\"introspection\",\"kind\":\"introspection\",\"target\":\"" + introspection.introspectionUri()
                    + "\",\"status\":\"up\",\"required\":true,\"last_success\":\"2026-01-01T00:00:00Z\","
                    + "\"last_error\":null,\"error_kind\":null,\"detail\":\"the last call was answered\"}]}");
        }
    }

    @Test
    void buildWhenStartupCheckFailsAndDiscoveryIs404ThenAConfigurationErrorWithTheJwksUriHint() {
        idp.openIdConfiguration(false).authorizationServerMetadata(false);

        assertThatThrownBy(() -> gate(keys("fail")))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.key()).isEqualTo(ConfigKeys.STARTUP_CHECK);
                    assertThat(e.detail()).startsWith("=fail and 1 required upstream(s) failed: issuer " + idp.baseUri()
                                    + " (discovery " + idp.baseUri() + "/.well-known/openid-configuration): "
                                    + "configuration error: Discovery for issuer " + idp.baseUri() + " failed: issuer "
                                    + idp.baseUri() + " publishes no discovery document")
                            .contains("set tokengate.jwt.jwks-uri to its JWKS endpoint, or correct the issuer URL")
                            .endsWith("Fix what each says, or set tokengate.startup.check=warn to start anyway");
                });
    }

    @Test
    void buildWhenStartupCheckWarnsAndTheIdpIsDownThenItStartsLogsAndReportsNotReady() {
        idp.down();
        try (LogCapture logs = LogCapture.start(); TokenGate gate = gate(keys("warn"))) {
            assertThat(logs.lines("dev.tokengate.health.StartupCheck")).anySatisfy(line -> assertThat(line)
                    .startsWith("tokengate start-up check: issuer " + idp.baseUri() + " (discovery ")
                    .endsWith("; starting anyway (tokengate.startup.check=warn)"));

            HealthReport report = gate.health();

            assertThat(report.ready()).isFalse();
            assertThat(report.status()).isEqualTo(Status.DOWN);
            assertThat(report.down()).extracting(HealthReport.Entry::name).containsExactly("issuer " + idp.baseUri());
            assertThat(report.summary()).startsWith("not ready: required upstream issuer " + idp.baseUri()
                    + " (discovery " + idp.baseUri() + "/.well-known/openid-configuration) is down: Discovery for issuer");
        }
    }

    @Test
    void buildWhenStartupCheckFailsAndIntrospectionRefusesOurCredentialsThenTheGateIsNotBuilt() {
        introspection.introspectionAnswer(401, "application/json", "{\"error\":\"invalid_client\"}");

        assertThatThrownBy(() -> gate(keys("fail"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("introspection (introspection " + introspection.introspectionUri() + "): configuration error: "
                        + "Token introspection unavailable: POST " + introspection.introspectionUri() + " answered HTTP 401")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void configWhenTheCheckComesFromTheEnvironmentThenItRuns() {
        Map<String, String> keys = keys(null);
        idp.down();

        assertThatThrownBy(() -> TokenGate.builder().config(ConfigSource.of(keys,
                        Map.of("TOKENGATE_STARTUP_CHECK", "FAIL"), new Properties())).clock(time).ticker(time).build())
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.key()).isEqualTo(ConfigKeys.STARTUP_CHECK));
    }

    @Test
    void configWhenTheCheckIsMisspeltThenItsKeyIsNamed() {
        assertThatThrownBy(() -> gate(keys("strict"))).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.startup.check")
                .hasMessageContaining("'strict' is not a start-up check; write off, warn or fail");
    }

    @Test
    void healthWhenARefetchFailsThenDegradedButReadyThenDownAndNotReadyAfterTheStaleWindow() {
        Map<String, String> keys = keys("fail");
        keys.put(ConfigKeys.JWKS_STALE_WINDOW, "10m");
        try (TokenGate gate = gate(keys)) {
            idp.down();
            // a token signed with a key the cached set lacks: the gate refetches the JWKS at once, and that fails
            String token = TestTokens.jwt().issuer(idp.baseUri().toString()).audience(AUDIENCE).clock(time)
                    .signedWith(TestKeys.rsa2()).sign();
            TokenGate.Call call = gate.begin(TestRequest.get("/orders").bearer(token));
            assertThat(call.authenticate()).isInstanceOfSatisfying(Outcome.Rejected.class,
                    r -> assertThat(r.error().status()).isEqualTo(503));
            call.finish(503);

            HealthReport degraded = gate.health();

            assertThat(degraded.upstreams().get(0).health().status()).isEqualTo(Status.DEGRADED);
            assertThat(degraded.status()).isEqualTo(Status.DEGRADED);
            assertThat(degraded.ready()).isTrue();
            assertThat(degraded.toJson()).doesNotContain(token);

            time.advance(Duration.ofMinutes(10));
            HealthReport down = gate.health();

            assertThat(down.ready()).isFalse();
            assertThat(down.status()).isEqualTo(Status.DOWN);
            assertThat(down.toJson()).contains("\"status\":\"down\"", "\"error_kind\":\"outage\"")
                    .doesNotContain(token);
        }
    }
}
