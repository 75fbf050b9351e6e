package dev.tokengate.sample;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The walkthrough with {@code tokengate.store.jdbc-url} pointing at a real PostgreSQL:
 * {@code jdbc:postgresql://127.0.0.1:5432/test} as user {@code postgres} (overridable with
 * {@code TOKENGATE_TEST_PG_URL}, {@code _USER}, {@code _PASSWORD}), in a schema of its own that is dropped
 * afterwards. Skipped with the reason printed when the server is unreachable; a failure instead when
 * {@code REQUIRE_TEST_SERVICES=true} (CI).
 */
class PostgresWalkthroughTest extends WalkthroughContract {

    private static final String URL = env("TOKENGATE_TEST_PG_URL").orElse("jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = env("TOKENGATE_TEST_PG_USER").orElse("postgres");
    private static final String PASSWORD = env("TOKENGATE_TEST_PG_PASSWORD").orElse("");
    private final String schema = "tg_sample_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @BeforeAll
    @Override
    void start() throws Exception {
        try (Connection c = DriverManager.getConnection(URL + (URL.contains("?") ? "&" : "?") + "connectTimeout=5", USER, PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            String reason = "PostgreSQL is not reachable at " + URL + " as " + USER + " (" + e.getSQLState() + ": " + e.getMessage() + ")";
            if ("true".equals(System.getenv("REQUIRE_TEST_SERVICES"))) {
                fail(reason + "; REQUIRE_TEST_SERVICES=true, so this fails instead of skipping");
            }
            System.out.println("SKIPPED " + getClass().getSimpleName() + ": " + reason);
            skipped = reason;
            return;
        }
        super.start();
    }

    @AfterAll
    void dropSchema() throws SQLException {
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            // unreachable: nothing was created
        }
    }

    @Override
    Map<String, String> settings() {
        return Map.of(SampleSettings.STORE_JDBC_URL, URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                SampleSettings.STORE_USERNAME, USER, SampleSettings.STORE_PASSWORD, PASSWORD);
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
    }
}
