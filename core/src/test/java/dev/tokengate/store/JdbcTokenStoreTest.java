package dev.tokengate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokengate.ConfigurationException;
import dev.tokengate.UpstreamUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The builder, the JDBC-URL path and the schema scripts; the behaviour on each database is {@link TokenStoreContract}. */
class JdbcTokenStoreTest {

    private static String h2Url() {
        return "jdbc:h2:mem:tokengate-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    }

    @Test
    void tableWhenNotAPlainLowerCaseIdentifierThenConfigurationExceptionNamingTable() {
        for (String bad : List.of("tokens; DROP TABLE users", "Tokens", "1tokens", "public.tokens", "\"t\"", "",
                "t".repeat(49))) {
            assertThatThrownBy(() -> JdbcTokenStore.builder().table(bad))
                    .as(bad)
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("table"));
        }
        assertThat(JdbcTokenStore.builder().jdbcUrl(h2Url()).table("api_tokens_2").flushInterval(Duration.ZERO)
                .build().table()).isEqualTo("api_tokens_2");
    }

    @Test
    void buildWhenNeitherOrBothDatabasesThenConfigurationException() {
        assertThatThrownBy(() -> JdbcTokenStore.builder().build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("give the token database: a jdbcUrl, a dataSource");
        DriverManagerDataSource ds = new DriverManagerDataSource(h2Url(), "sa", "");
        assertThatThrownBy(() -> JdbcTokenStore.builder().dataSource(ds).jdbcUrl(h2Url()).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("not several");
        assertThatThrownBy(() -> JdbcTokenStore.builder().dataSource(ds).username("sa").build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("username"));
    }

    @Test
    void settersWhenValueOutOfRangeThenConfigurationExceptionNamingSetting() {
        assertThatThrownBy(() -> JdbcTokenStore.builder().jdbcUrl("postgresql://db/app"))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("jdbcUrl"));
        assertThatThrownBy(() -> JdbcTokenStore.builder().flushInterval(Duration.ofSeconds(-1)))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("flushInterval"));
        assertThatThrownBy(() -> JdbcTokenStore.builder().queryTimeout(Duration.ZERO))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("queryTimeout"));
    }

    @Test
    void jdbcUrlWithUserAndPasswordThenWorksUnpooledEndToEnd() {
        try (JdbcTokenStore store = JdbcTokenStore.builder().jdbcUrl(h2Url()).username("sa").password("")
                .flushInterval(Duration.ZERO).build()) {
            store.createSchema();
            IssuedToken issued = store.create(TokenKind.ACCESS_TOKEN, "cli", "alice", null, List.of("read"), List.of(), null);

            assertThat(StoredTokenValidator.create(store).validate(issued.token()).subject()).contains("alice");
        }
    }

    @Test
    void jdbcUrlWhenServerUnreachableThenUpstreamUnavailable() {
        try (JdbcTokenStore store = JdbcTokenStore.builder()
                .jdbcUrl("jdbc:postgresql://127.0.0.1:1/test?connectTimeout=2").username("postgres")
                .flushInterval(Duration.ZERO).build()) {
            String token = TokenFormat.of(TokenKind.ACCESS_TOKEN).generate();

            assertThatThrownBy(() -> StoredTokenValidator.create(store).validate(token))
                    .isInstanceOf(UpstreamUnavailableException.class)
                    .hasMessageContaining("the token database could not look the token up (SQLState 08001)");
        }
    }

    @Test
    void toStringWhenUrlCarriesPasswordThenItIsLeftOut() {
        try (JdbcTokenStore store = JdbcTokenStore.builder()
                .jdbcUrl("jdbc:postgresql://db:5432/app?user=app&password=hunter2").password("s3cret")
                .flushInterval(Duration.ZERO).build()) {
            assertThat(store.toString()).contains("jdbc:postgresql://db:5432/app").doesNotContain("hunter2", "s3cret");
        }
        assertThat(DriverManagerDataSource.withoutParameters("jdbc:h2:mem:x;PASSWORD=p")).isEqualTo("jdbc:h2:mem:x");
    }

    @Test
    void flushIntervalThenOneDaemonThreadThatCloseStops() throws InterruptedException {
        JdbcTokenStore store = JdbcTokenStore.builder().jdbcUrl(h2Url()).flushInterval(Duration.ofHours(1)).build();
        List<Thread> threads = flushThreads();
        assertThat(threads).hasSize(1).allMatch(Thread::isDaemon);

        store.close();
        store.close();

        threads.get(0).join(10_000); // the executor has terminated; its worker exits right after
        assertThat(threads.get(0).isAlive()).isFalse();
    }

    private static List<Thread> flushThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("tokengate-token-usage-flush") && t.isAlive()).toList();
    }

    @Test
    void statementsWhenTableConfiguredThenTableAndIndexNamesReplacedAndCommentsGone() {
        for (String script : List.of("schema-h2.sql", "schema-postgresql.sql")) {
            List<String> statements = JdbcTokenStore.statements(script, "api_tokens");

            assertThat(statements).hasSize(7);
            assertThat(statements.get(0)).startsWith("CREATE TABLE IF NOT EXISTS api_tokens (");
            assertThat(statements.subList(1, 4)).allMatch(s -> s.startsWith("ALTER TABLE api_tokens ADD COLUMN IF NOT EXISTS "));
            assertThat(statements.get(4)).isEqualTo("CREATE UNIQUE INDEX IF NOT EXISTS api_tokens_hash_ux ON api_tokens (token_hash)");
            assertThat(statements.get(6)).startsWith("CREATE TABLE IF NOT EXISTS api_tokens_revocation (");
            assertThat(String.join(" ", statements)).doesNotContain("tokengate_token", "--");
        }
    }
}
