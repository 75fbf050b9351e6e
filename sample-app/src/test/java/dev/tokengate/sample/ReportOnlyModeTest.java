package dev.tokengate.sample;

import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.testing.LogCapture;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app with {@code tokengate.mode=report-only} (the settings the app is started with: the same layer
 * below system properties and {@code TOKENGATE_MODE} in the environment): both gates, the API's and the legacy
 * area's filter, log their refusals as {@code would_deny} and let the requests through.
 */
class ReportOnlyModeTest {

    @Test
    void reportOnlyModeFromTheSettingsReachesBothGates() throws Exception {
        assertThat(ConfigSource.environmentName(ConfigKeys.MODE)).isEqualTo("TOKENGATE_MODE");
        try (LogCapture logs = LogCapture.start();
             SampleApp app = SampleApp.start("127.0.0.1", 0, Map.of(ConfigKeys.MODE, "report-only"))) {
            assertThat(logs.lines()).filteredOn(l -> l.contains("enforces nothing")).as("the API's gate and the legacy filter's")
                    .hasSize(2);
            Walker walk = new Walker(app.baseUri());
            String readOnly = walk.clientToken("portfolio-tracker", "tracker-secret");

            HttpResponse<String> order = walk.send("POST", "/api/orders", readOnly, Walker.ORDER);
            assertThat(order.statusCode()).as("a read-only token places an order: nothing is enforced").isEqualTo(201);
            HttpResponse<String> anonymous = walk.get("/api/me", "not.a.jwt");
            assertThat(anonymous.statusCode()).as("let through anonymous, the resource says why it needs a caller")
                    .isEqualTo(401);
            assertThat(anonymous.body()).contains("report-only mode", "Authorization: Bearer").doesNotContain("Exception");
            HttpResponse<String> legacy = walk.get("/legacy/whoami", null);
            assertThat(legacy.statusCode()).isEqualTo(200);
            assertThat(legacy.body()).contains("remoteUser=null");

            assertThat(logs.lines("tokengate.calls"))
                    .anySatisfy(l -> assertThat(l).contains("\"path\":\"/api/orders\"", "\"status\":201",
                            "\"decision\":\"would_deny\"", "\"error\":\"insufficient_scope\""))
                    .anySatisfy(l -> assertThat(l).contains("\"path\":\"/whoami\"", "\"status\":200",
                            "\"decision\":\"would_deny\"", "\"error\":\"missing_token\""));
            assertThat(logs.text()).doesNotContain(readOnly);
        }
    }
}
