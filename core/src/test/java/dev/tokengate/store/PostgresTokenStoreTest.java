package dev.tokengate.store;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The token store contract on a real PostgreSQL: {@code jdbc:postgresql://127.0.0.1:5432/test} as user
 * {@code postgres} (trust authentication), overridable with {@code TOKENGATE_TEST_PG_URL}, {@code _USER} and
 * {@code _PASSWORD}. Skipped, with the reason printed, when the server is unreachable; a failure instead when
 * {@code REQUIRE_TEST_SERVICES=true} (CI). Each run uses its own table and drops it afterwards.
 */
class PostgresTokenStoreTest extends TokenStoreContract {

    static final String URL = env("TOKENGATE_TEST_PG_URL").orElse("jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = env("TOKENGATE_TEST_PG_USER").orElse("postgres");
    private static final String TABLE = "tg_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    private static DataSource postgres;
    private static String unreachable;

    @BeforeAll
    static void connect() {
        String url = URL + (URL.contains("?") ? "&" : "?") + "connectTimeout=5&socketTimeout=30";
        DataSource ds = new DriverManagerDataSource(url, USER, env("TOKENGATE_TEST_PG_PASSWORD").orElse(null));
        try (Connection c = ds.getConnection()) {
            c.isValid(5);
        } catch (SQLException e) {
            String reason = "PostgreSQL is not reachable at " + URL + " as " + USER + " (" + e.getSQLState() + ": "
                    + e.getMessage() + ")";
            if ("true".equals(System.getenv("REQUIRE_TEST_SERVICES"))) {
                fail(reason + "; REQUIRE_TEST_SERVICES=true, so this fails instead of skipping. Start it, e.g. "
                        + "pg_ctlcluster <version> main start");
            }
            System.out.println("SKIPPED " + PostgresTokenStoreTest.class.getSimpleName() + ": " + reason);
            unreachable = reason; // each test is then reported as skipped with this reason
            return;
        }
        postgres = ds;
    }

    @AfterAll
    static void dropTable() throws SQLException {
        if (postgres != null) {
            try (Connection c = postgres.getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + TABLE);
                s.execute("DROP TABLE IF EXISTS " + TABLE + "_revocation");
            }
        }
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
    }

    @Override
    DataSource database() {
        Assumptions.assumeTrue(postgres != null, () -> "skipped: " + unreachable);
        return postgres;
    }

    @Override
    String table() {
        return TABLE.toLowerCase(Locale.ROOT);
    }
}
