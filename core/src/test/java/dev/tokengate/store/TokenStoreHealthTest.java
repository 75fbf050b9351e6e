package dev.tokengate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tokengate.health.UpstreamHealth;
import dev.tokengate.health.UpstreamHealth.Cause;
import dev.tokengate.health.UpstreamHealth.Status;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.PausablePostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The token database's health on a real PostgreSQL (the shared one at {@code 127.0.0.1:5432}, db {@code test}, as
 * {@link PostgresTokenStoreTest}; skipped when it is unreachable, failed with {@code REQUIRE_TEST_SERVICES=true}), on
 * a port nothing listens on, and on a PostgreSQL of the test's own that it pauses.
 */
class TokenStoreHealthTest {

    private final FakeTime time = new FakeTime(Instant.parse("2026-01-01T00:00:00Z"));

    private static void requirePostgres() {
        try (Connection c = DriverManager.getConnection(PostgresTokenStoreTest.URL + "?connectTimeout=5",
                PostgresTokenStoreTest.USER, System.getenv("TOKENGATE_TEST_PG_PASSWORD"))) {
            c.isValid(5);
        } catch (SQLException e) {
            String reason = "PostgreSQL is not reachable at " + PostgresTokenStoreTest.URL + ": " + e.getMessage();
            if ("true".equals(System.getenv("REQUIRE_TEST_SERVICES"))) {
                fail(reason);
            }
            Assumptions.abort(reason);
        }
    }

    @Test
    void healthWhenPostgresAnswersThenUpNamingTheDatabaseWithoutItsPassword() {
        requirePostgres();
        try (JdbcTokenStore store = JdbcTokenStore.builder().jdbcUrl(PostgresTokenStoreTest.URL + "?password=hunter2")
                .username(PostgresTokenStoreTest.USER).timeout(Duration.ofSeconds(2)).clock(time).build()) {

            UpstreamHealth h = store.health();

            assertThat(h.status()).isEqualTo(Status.UP);
            assertThat(h.kind()).isEqualTo("database");
            assertThat(h.target()).isEqualTo(PostgresTokenStoreTest.URL + ", table tokengate_token");
            assertThat(h.sinceLastSuccess()).contains(Duration.ZERO);
            assertThat(h.detail()).isEqualTo("a connection answered within PT2S");
            time.advance(Duration.ofSeconds(7));
            assertThat(store.health().sinceLastSuccess()).as("it answered again").contains(Duration.ZERO);
        }
    }

    @Test
    void healthWhenNothingListensThenDownWithTheDriversError() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (JdbcTokenStore store = JdbcTokenStore.builder().jdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/test")
                .username("postgres").timeout(Duration.ofSeconds(2)).build()) {

            UpstreamHealth h = store.health();

            assertThat(h.status()).isEqualTo(Status.DOWN);
            assertThat(h.sinceLastSuccess()).isEmpty();
            assertThat(h.problem()).hasValueSatisfying(p -> {
                assertThat(p.cause()).isEqualTo(Cause.OUTAGE);
                assertThat(p.message()).startsWith("the token database could not open a connection");
            });
        }
    }

    @Test
    void healthWhenTheDatabaseHangsThenDownWithinTheTimeout() throws Exception {
        try (PausablePostgres postgres = PausablePostgres.start();
             JdbcTokenStore store = JdbcTokenStore.builder().jdbcUrl(postgres.jdbcUrl()).username("postgres")
                     .timeout(Duration.ofMillis(500)).build()) {
            assertThat(store.health().status()).isEqualTo(Status.UP);
            postgres.pause();
            try {
                UpstreamHealth h = store.health();

                assertThat(h.status()).isEqualTo(Status.DOWN);
                assertThat(h.problem()).map(UpstreamHealth.Problem::message)
                        .contains("the token database did not answer within PT0.5S (tokengate.store.timeout)");
            } finally {
                postgres.resume();
            }
        }
    }
}
