package dev.tokengate.sample;

import dev.tokengate.config.ConfigKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app's per-token rate limit, set lower than its own default ({@value SampleApp#DEFAULT_RATE_LIMIT_PER_TOKEN})
 * the way an operator does ({@code TOKENGATE_RATE_LIMIT_PER_TOKEN}, here the settings layer under it): the API and
 * the legacy area each refuse the fourth call with 429 and the rate-limit headers.
 */
class SampleRateLimitTest {

    private static SampleApp app;
    private static Walker walk;

    @BeforeAll
    static void start() throws Exception {
        app = SampleApp.start("127.0.0.1", 0, Map.of(ConfigKeys.RATE_LIMIT_PER_TOKEN, "3/1m"));
        walk = new Walker(app.baseUri());
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
    }

    private static String readToken() throws Exception {
        HttpResponse<String> r = walk.form("/demo-issuer/token", Map.of("grant_type", "client_credentials"),
                "portfolio-tracker:tracker-secret");
        assertThat(r.statusCode()).isEqualTo(200);
        return Walker.json(r).path("access_token").asText();
    }

    @Test
    void theSettingReplacesTheAppsDefaultOnTheApi() throws Exception {
        String read = readToken();
        for (int i = 0; i < 3; i++) {
            assertThat(walk.get("/api/account/balances", read).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> r = walk.get("/api/account/balances", read);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("RateLimit-Policy")).hasValue("\"per-token\";q=3;w=60");
        assertThat(r.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isBetween(1, 60));
        assertThat(Walker.json(r).path("error").asText()).isEqualTo("rate_limited");
        assertThat(walk.get("/api/account/balances", readToken()).statusCode()).as("another token").isEqualTo(200);
    }

    @Test
    void theLegacyAreaHasTheSameLimit() throws Exception {
        String read = readToken();
        for (int i = 0; i < 3; i++) {
            assertThat(walk.get("/legacy/statement", read).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> r = walk.get("/legacy/statement", read);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("RateLimit")).hasValueSatisfying(v -> assertThat(v).startsWith("\"per-token\";r=0;t="));
    }
}
