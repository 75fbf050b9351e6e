package dev.tokengate.testing.conformance;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.log.CallEvent;
import dev.tokengate.testing.CapturingSink;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.testkit.TokenBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 9470 step-up, whatever the adapter: {@link GatedApp#WITHDRAWALS} needs an {@code acr} of {@code mfa} or
 * {@code hwk} and an authentication within 300 seconds, {@link GatedApp#FRESH} an authentication within 60 seconds;
 * a token short of either is refused with 401 {@code insufficient_user_authentication} saying what would do, judged
 * by the gate's clock (a test clock here), and a token without the route's scope is refused for that first.
 */
public abstract class StepUpContract extends ConformanceContract {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeTime time;
    private CapturingSink sink;
    private URI base;

    /** A deployment of its own for each test, realm {@code api}, on a test clock, its call log captured. */
    @BeforeEach
    void deployOnATestClock() throws Exception {
        time = new FakeTime(Instant.now());
        sink = new CapturingSink();
        base = deploy(gate(Map.of(ConfigKeys.REALM, "api")).callLogSink(sink).clock(time));
    }

    private HttpResponse<String> call(String method, String path, String token) throws Exception {
        return call(base, method, path, token);
    }

    private static String withdrawToken(String acr, Instant authTime) {
        TokenBuilder b = TestTokens.jwt().scope("withdraw");
        if (acr != null) {
            b.claim("acr", acr);
        }
        if (authTime != null) {
            b.claim("auth_time", authTime.getEpochSecond());
        }
        return b.sign();
    }

    @Test
    void stepUpRefusesAMissingAcr() throws Exception {
        assertStepUpRefused(call("POST", GatedApp.WITHDRAWALS, withdrawToken(null, time.instant())), "no acr claim");
    }

    @Test
    void stepUpRefusesAWrongAcr() throws Exception {
        assertStepUpRefused(call("POST", GatedApp.WITHDRAWALS, withdrawToken("pwd", time.instant())),
                "acr pwd is not one of");
    }

    @Test
    void stepUpRefusesAnAuthenticationOlderThanMaxAgeByTheGatesClock() throws Exception {
        String token = withdrawToken("mfa", time.instant());
        assertThat(call("POST", GatedApp.WITHDRAWALS, token).statusCode()).isEqualTo(200);
        assertThat(sink.next().decision()).isEqualTo("allow");

        time.advanceClockOnly(Duration.ofMinutes(5).plusSeconds(1));
        assertStepUpRefused(call("POST", GatedApp.WITHDRAWALS, token), "more than 300 s before");
    }

    @Test
    void stepUpRefusesAMissingAuthTimeWhenTheRouteHasAMaxAge() throws Exception {
        HttpResponse<String> r = call("GET", GatedApp.FRESH, TestTokens.jwt().scope("read").sign());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("error=\"insufficient_user_authentication\"").contains("max_age=\"60\"")
                .doesNotContain("acr_values"));
        assertThat(sink.next().reason()).hasValueSatisfying(reason -> assertThat(reason).contains("no numeric auth_time"));
    }

    @Test
    void stepUpAdmitsATokenThatMeetsIt() throws Exception {
        HttpResponse<String> r = call("POST", GatedApp.WITHDRAWALS, withdrawToken("hwk", time.instant().minusSeconds(299)));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("withdrawn");
        assertThat(sink.next().decision()).isEqualTo("allow");
        HttpResponse<String> fresh = call("GET", GatedApp.FRESH, TestTokens.jwt().scope("read")
                .claim("auth_time", time.instant().getEpochSecond()).sign());
        assertThat(fresh.statusCode()).isEqualTo(200);
    }

    @Test
    void aMissingScopeIsRefusedBeforeTheStepUpIsLookedAt() throws Exception {
        HttpResponse<String> r = call("POST", GatedApp.WITHDRAWALS, TestTokens.jwt().scope("read").sign());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                assertThat(v).contains("insufficient_scope"));
    }

    private void assertStepUpRefused(HttpResponse<String> r, String reason) throws Exception {
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer realm=\"api\", error=\"insufficient_user_authentication\", error_description=\"")
                .contains("acr_values=\"mfa hwk\"").contains("max_age=\"300\"")
                .contains("resource_metadata=\"" + base + "/.well-known/oauth-protected-resource\""));
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("insufficient_user_authentication");
        CallEvent event = sink.next();
        assertThat(event.decision()).isEqualTo("deny");
        assertThat(event.errorCode()).hasValue("insufficient_user_authentication");
        assertThat(event.reason()).hasValueSatisfying(v -> assertThat(v).contains(reason));
        assertThat(event.marks()).contains("step_up");
    }
}
