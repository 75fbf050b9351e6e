package dev.tokengate.sample;

import static dev.tokengate.testing.PausablePostgres.GENEROUS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokengate.ConfigurationException;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.PausablePostgres;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sample app on a PostgreSQL of the test's own, paused with SIGSTOP: its own routes answer 503 with
 * {@code Retry-After} and no stack trace (not 500), a stored token 503, while JWT-only and open routes answer; all
 * of it works again after SIGCONT. Skipped, with the reason printed, where the PostgreSQL server binaries are missing.
 */
class DatabaseOutageTest {

    private static PausablePostgres postgres;
    private static SampleApp app;
    private static Walker walk;

    @BeforeAll
    static void start() throws Exception {
        postgres = PausablePostgres.start();
        app = SampleApp.start("127.0.0.1", 0, Map.of(ConfigKeys.STORE_JDBC_URL, postgres.jdbcUrl(),
                ConfigKeys.STORE_USERNAME, "postgres", ConfigKeys.STORE_TIMEOUT, "500ms",
                ConfigKeys.STORE_CACHE_TTL, "10m")); // long, so a token used before the pause is surely still cached
        walk = new Walker(app.baseUri());
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.resume();
        }
        if (app != null) {
            app.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void databasePausedThenItsRoutesAndStoredTokens503WithoutStackTraceWhileJwtAndOpenRoutesAnswer() throws Exception {
        String jwt = walk.clientToken("portfolio-tracker", "tracker-secret");
        String pat = walk.createToken(walk.session(), "{\"name\":\"ci\",\"scopes\":[\"read\"]}").get("token").asText();
        assertThat(walk.get("/api/account/balances", jwt).statusCode()).isEqualTo(200);
        assertThat(walk.get("/api/me", pat).statusCode()).isEqualTo(200);
        String unseen = walk.createToken(walk.session(), "{\"name\":\"new\",\"scopes\":[\"read\"]}").get("token").asText();

        postgres.pause();
        try (LogCapture logs = LogCapture.start()) {
            long start = System.nanoTime();
            HttpResponse<String> balances = walk.get("/api/account/balances", jwt);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("answered when the timeout is up").isLessThan(GENEROUS);
            assertThat(balances.statusCode()).as(balances.body()).isEqualTo(503);
            assertThat(balances.headers().firstValue("Retry-After")).contains("5");
            assertThat(balances.body()).contains("\"status\":503", "The database is not answering")
                    .doesNotContain("Exception", "SQL");

            HttpResponse<String> stored = walk.get("/api/me", unseen);
            assertThat(stored.statusCode()).as("a stored token not in the cache").isEqualTo(503);
            assertThat(stored.headers().firstValue("Retry-After")).isPresent();
            assertThat(walk.get("/api/me", pat).statusCode()).as("a stored token confirmed within the store cache's "
                    + "lifetime").isEqualTo(200);

            assertThat(walk.get("/api/me", jwt).statusCode()).as("a JWT-only route").isEqualTo(200);
            assertThat(walk.get("/health", null).statusCode()).as("an open route").isEqualTo(200);

            assertThat(logs.text()).contains("request answered 503: the sample database is unavailable")
                    .doesNotContain("request failed", "\tat ", pat, unseen);
        }

        postgres.resume();
        assertThat(walk.get("/api/account/balances", jwt).statusCode()).isEqualTo(200);
        assertThat(walk.get("/api/me", pat).statusCode()).isEqualTo(200);
    }

    @Test
    void storeKeysFromTheEnvironmentReachTheAppsDatabaseAndABadOneNamesItsVariable() {
        ConfigSource env = ConfigSource.of(Map.of(), Map.of("TOKENGATE_STORE_TIMEOUT", "750ms",
                "TOKENGATE_STORE_MAX_CONCURRENT_LOOKUPS", "ten"), new Properties());

        assertThatThrownBy(() -> Database.open(null, null, null, Clock.systemUTC(), "tokengate_token", env))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.store.max-concurrent-lookups (environment variable "
                        + "TOKENGATE_STORE_MAX_CONCURRENT_LOOKUPS)");
        ConfigSource good = ConfigSource.of(Map.of(), Map.of("TOKENGATE_STORE_TIMEOUT", "750ms",
                "TOKENGATE_STORE_MAX_CONCURRENT_LOOKUPS", "3"), new Properties());
        try (Database db = Database.open(null, null, null, Clock.systemUTC(), "tokengate_token", good)) {
            assertThat(db.timeout()).isEqualTo(Duration.ofMillis(750));
        }
    }
}
