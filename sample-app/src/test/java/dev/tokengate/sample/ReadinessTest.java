package dev.tokengate.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code /health/ready} over HTTP on the real embedded Jetty, trusting a real loopback identity provider that the test
 * takes down: ready and up; after a failed refetch, degraded but still ready; after the stale window (a fake ticker),
 * down and 503 naming the issuer and its error. {@code /health} stays the liveness answer; neither is in the call log.
 */
class ReadinessTest {

    private static final String AUDIENCE = "https://api.example.com";

    private final FakeTime time = new FakeTime(Instant.now());

    private Map<String, String> settings(LoopbackIssuer idp) {
        Map<String, String> s = new HashMap<>();
        s.put(ConfigKeys.JWT_ISSUER, idp.baseUri().toString());
        s.put(ConfigKeys.JWT_JWKS_URI, idp.jwksUri().toString());
        s.put(ConfigKeys.JWT_AUDIENCE, AUDIENCE);
        s.put(ConfigKeys.JWKS_STALE_WINDOW, "10m");
        s.put(ConfigKeys.STARTUP_CHECK, "fail");
        return s;
    }

    @Test
    void readyWhenTheIssuerGoesDownThenDegradedThenDownAfterTheStaleWindow() throws Exception {
        LoopbackIssuer idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
        try (LogCapture logs = LogCapture.start();
             SampleApp app = SampleApp.start("127.0.0.1", 0, settings(idp), time, time)) {
            Walker walk = new Walker(app.baseUri());
            assertThat(idp.jwksRequests()).as("fetched by the start-up checks of the API and the legacy area").isEqualTo(2);

            HttpResponse<String> up = walk.get("/health/ready", null);
            assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
            JsonNode report = Walker.JSON.readTree(up.body());
            assertThat(report.get("status").asText()).isEqualTo("up");
            assertThat(report.get("upstreams")).extracting(n -> n.get("name").asText())
                    .containsExactly("issuer " + idp.baseUri(), "token database");
            assertThat(report.get("upstreams").get(0).get("status").asText()).isEqualTo("up");
            assertThat(up.headers().firstValue("Cache-Control")).contains("no-store");

            idp.close(); // the identity provider is gone
            // a token signed with a key the cached set lacks: the gate refetches at once, which fails → 503
            String token = TestTokens.jwt().issuer(idp.baseUri().toString()).audience(AUDIENCE).clock(time)
                    .signedWith(TestKeys.rsa2()).sign();
            assertThat(walk.get("/api/account/balances", token).statusCode()).isEqualTo(503);

            HttpResponse<String> degraded = walk.get("/health/ready", null);
            assertThat(degraded.statusCode()).as(degraded.body()).isEqualTo(200);
            JsonNode issuer = Walker.JSON.readTree(degraded.body()).get("upstreams").get(0);
            assertThat(issuer.get("status").asText()).isEqualTo("degraded");
            assertThat(issuer.get("error_kind").asText()).isEqualTo("outage");
            assertThat(issuer.get("last_error").asText()).startsWith("GET " + idp.jwksUri() + " failed");

            time.advance(Duration.ofMinutes(10)); // the stale window runs out
            HttpResponse<String> down = walk.get("/health/ready", null);

            assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
            JsonNode body = Walker.JSON.readTree(down.body());
            assertThat(body.get("status").asText()).isEqualTo("down");
            assertThat(body.get("ready").asBoolean()).isFalse();
            assertThat(body.get("summary").asText()).startsWith("not ready: required upstream issuer " + idp.baseUri()
                    + " (jwks " + idp.jwksUri() + ") is down: GET " + idp.jwksUri() + " failed");
            assertThat(body.get("upstreams").get(1).get("status").asText()).as("the token database").isEqualTo("up");

            HttpResponse<String> live = walk.get("/health", null);
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.body()).isEqualTo("{\"status\":\"up\"}");
            assertThat(logs.lines("tokengate.calls")).anySatisfy(l -> assertThat(l).contains("/api/account/balances"))
                    .noneSatisfy(l -> assertThat(l).contains("/health/ready"));
            assertThat(logs.text()).doesNotContain(token);
        } finally {
            idp.close();
        }
    }

    @Test
    void startWithTheDemoIssuerAndTheCheckOnThenItChecksOnceTheIssuerAnswers() throws Exception {
        try (SampleApp app = SampleApp.start("127.0.0.1", 0, Map.of(ConfigKeys.STARTUP_CHECK, "fail"), time, time)) {
            HttpResponse<String> ready = new Walker(app.baseUri()).get("/health/ready", null);

            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            JsonNode issuer = Walker.JSON.readTree(ready.body()).get("upstreams").get(0);
            assertThat(issuer.get("name").asText()).isEqualTo("issuer " + app.baseUri() + "/demo-issuer");
            assertThat(issuer.get("status").asText()).as("fetched by the check").isEqualTo("up");
        }
    }

    @Test
    void startWhenTheCheckFailsThenTheAppDoesNotStartAndSaysWhy() {
        LoopbackIssuer idp = LoopbackIssuer.start();
        idp.close();

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> SampleApp.start("127.0.0.1", 0, settings(idp), time, time).close())
                .isInstanceOf(dev.tokengate.ConfigurationException.class)
                .hasMessageStartingWith("tokengate.startup.check: =fail and 1 required upstream(s) failed: issuer "
                        + idp.baseUri() + " (jwks " + idp.jwksUri() + "): GET " + idp.jwksUri() + " failed");
    }

    @Test
    void readyWithThePostgresTokenDatabaseThenItIsListedUp() throws Exception {
        String url = env("TOKENGATE_TEST_PG_URL").orElse("jdbc:postgresql://127.0.0.1:5432/test");
        String user = env("TOKENGATE_TEST_PG_USER").orElse("postgres");
        String password = env("TOKENGATE_TEST_PG_PASSWORD").orElse("");
        String schema = "tg_ready_" + Long.toHexString(System.nanoTime());
        try (Connection c = DriverManager.getConnection(url + "?connectTimeout=5", user, password);
             Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            String reason = "PostgreSQL is not reachable at " + url + ": " + e.getMessage();
            if ("true".equals(System.getenv("REQUIRE_TEST_SERVICES"))) {
                fail(reason);
            }
            Assumptions.abort(reason);
        }
        LoopbackIssuer idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
        Map<String, String> settings = settings(idp);
        settings.put(SampleSettings.STORE_JDBC_URL, url + "?currentSchema=" + schema);
        settings.put(SampleSettings.STORE_USERNAME, user);
        settings.put(SampleSettings.STORE_PASSWORD, password);
        try (SampleApp app = SampleApp.start("127.0.0.1", 0, settings, time, time)) {
            HttpResponse<String> ready = new Walker(app.baseUri()).get("/health/ready", null);

            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            JsonNode database = Walker.JSON.readTree(ready.body()).get("upstreams").get(1);
            assertThat(database.get("name").asText()).isEqualTo("token database");
            assertThat(database.get("kind").asText()).isEqualTo("database");
            assertThat(database.get("status").asText()).isEqualTo("up");
            assertThat(database.get("target").asText()).endsWith("table tokengate_token");
            assertThat(ready.body()).doesNotContain("currentSchema");
        } finally {
            idp.close();
            try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
    }
}
