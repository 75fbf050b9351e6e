package dev.tokengate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tokengate.ConfigurationException;
import dev.tokengate.UpstreamUnavailableException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.spi.InitialContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A database that hangs (a {@code getConnection()} that blocks until the test resumes it) holds no request longer
 * than the store's timeout and no more request threads than its lookup limit, and does not hold up close(). The same
 * over HTTP against a paused real PostgreSQL is {@code StoreOutageTest} in the servlet filter.
 */
class HungDatabaseTest {

    private static final Duration SHORT = Duration.ofMillis(250);
    private static final Duration LONG = Duration.ofMinutes(1);
    /** A generous bound for "answered when the timeout is up": never a measurement, only "did not hang". */
    private static final Duration NO_HANG = Duration.ofSeconds(10);

    private final CountingDataSource database = new CountingDataSource(new DriverManagerDataSource(
            "jdbc:h2:mem:tokengate-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", ""));
    private final ExecutorService requests = Executors.newCachedThreadPool();
    private final List<JdbcTokenStore> stores = new ArrayList<>();
    private String token;

    @BeforeEach
    void issueAToken() {
        JdbcTokenStore admin = store(LONG, 10);
        admin.createSchema();
        token = admin.create(TokenKind.ACCESS_TOKEN, "cli", "alice", null, List.of("read"), List.of(), null).token();
    }

    @AfterEach
    void resumeAndClose() {
        database.resume();
        requests.shutdownNow();
        stores.forEach(JdbcTokenStore::close);
    }

    private JdbcTokenStore store(Duration timeout, int maxConcurrentLookups) {
        JdbcTokenStore store = JdbcTokenStore.builder().dataSource(database).timeout(timeout)
                .maxConcurrentLookups(maxConcurrentLookups).flushInterval(Duration.ZERO).build();
        stores.add(store);
        return store;
    }

    @Test
    void findWhenTheDatabaseHangsThenUpstreamUnavailableWhenTheTimeoutIsUpAndAgainAnswersAfterIt() {
        StoredTokenValidator validator = StoredTokenValidator.create(store(SHORT, 10));
        database.hang();

        assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(() -> validator.validate(token))
                .isInstanceOf(UpstreamUnavailableException.class)
                .hasMessage("the token database did not answer a lookup within PT0.25S (tokengate.store.timeout); "
                        + "check that it is up and not overloaded"));

        database.resume();
        assertThat(validator.validate(token).subject()).contains("alice");
    }

    @Test
    void findWhenTheLimitOfLookupsWaitsOnTheDatabaseThenTheNextFailsAtOnceWithoutTouchingIt() throws Exception {
        StoredTokenValidator validator = StoredTokenValidator.create(store(LONG, 2));
        database.reset();
        database.hang();
        List<Future<Optional<String>>> waiting = List.of(
                requests.submit(() -> validator.validate(token).subject()),
                requests.submit(() -> validator.validate(token).subject()));
        database.awaitHanging(2);

        assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(() -> validator.validate(token))
                .isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageStartingWith("the token database is not answering: 2 lookups are already waiting on it "
                        + "(tokengate.store.max-concurrent-lookups), so this one was not started"));
        assertThat(database.connections()).as("connections asked for").isZero();

        database.resume();
        for (Future<Optional<String>> w : waiting) {
            assertThat(w.get()).contains("alice");
        }
        assertThat(validator.validate(token).subject()).contains("alice");
    }

    @Test
    void findWhenALookupTimedOutThenItKeepsItsPlaceUntilTheDatabaseLetsItGo() throws Exception {
        StoredTokenValidator validator = StoredTokenValidator.create(store(SHORT, 1));
        database.hang();
        assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(() -> validator.validate(token))
                .hasMessageContaining("did not answer a lookup within"));

        assertThatThrownBy(() -> validator.validate(token)).hasMessageContaining("1 lookups are already waiting");

        database.resume();
        // the timed-out lookup finishes on its own thread and gives its place back
        assertTimeoutPreemptively(NO_HANG, () -> {
            while (true) {
                try {
                    assertThat(validator.validate(token).subject()).contains("alice");
                    return;
                } catch (UpstreamUnavailableException stillWaiting) {
                    Thread.onSpinWait();
                }
            }
        });
    }

    @Test
    void closeWhenTheDatabaseHangsThenItDoesNotWaitForTheUsageWriter() throws Exception {
        JdbcTokenStore store = JdbcTokenStore.builder().dataSource(database).timeout(SHORT)
                .queryTimeout(Duration.ofSeconds(1)).flushInterval(Duration.ofHours(1)).build();
        store.recordUse(UUID.randomUUID().toString(), Instant.now(), Optional.empty());
        database.hang();
        Future<Integer> stuckFlush = requests.submit(store::flush); // a flush under way when close() is called
        database.awaitHanging(1);

        assertTimeoutPreemptively(NO_HANG, store::close);

        database.resume();
        stuckFlush.get(); // the flush it did not wait for finishes once the database answers
        assertThat(flushThreads()).isEmpty();
    }

    private static List<Thread> flushThreads() throws InterruptedException {
        List<Thread> alive = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("tokengate-token-usage-flush") && t.isAlive()).toList();
        for (Thread t : alive) {
            t.join(NO_HANG.toMillis());
        }
        return alive.stream().filter(Thread::isAlive).toList();
    }

    // ---------------------------------------------------------------------------------------------- the pool

    @Test
    void jdbcUrlThenAPoolOpenedOnFirstUseAndClosedWithTheStore() throws InterruptedException {
        JdbcTokenStore store = JdbcTokenStore.builder()
                .jdbcUrl("jdbc:h2:mem:tokengate-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1").username("sa")
                .flushInterval(Duration.ZERO).build();
        assertThat(poolThreads()).as("pool threads before the first use").isEmpty();
        store.createSchema();
        assertThat(store.toString()).contains("HikariCP pool of jdbc:h2:mem:tokengate-");
        assertThat(poolThreads()).isNotEmpty();

        store.close();

        for (Thread t : poolThreads()) {
            t.join(NO_HANG.toMillis());
        }
        assertThat(poolThreads()).as("pool threads after close").isEmpty();
    }

    @Test
    void jdbcUrlWhenTheDatabaseRefusesConnectionsThenItsCauseIsReportedWithinTheTimeout() {
        try (JdbcTokenStore store = JdbcTokenStore.builder().jdbcUrl("jdbc:postgresql://127.0.0.1:1/test")
                // a refused connection fails at once; the timeout is generous so that a loaded machine cannot turn
                // the refusal into a timeout before the driver reports it
                .username("postgres").timeout(Duration.ofSeconds(5)).flushInterval(Duration.ZERO).build()) {
            assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(() -> store.find(new byte[32]))
                    .isInstanceOf(UpstreamUnavailableException.class)
                    .hasMessageContaining("the token database could not look the token up (SQLState 08001)")
                    .hasMessageContaining("refused"));
        }
    }

    private static List<Thread> poolThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("tokengate-token-store") && t.isAlive()).toList();
    }

    @Test
    void settersWhenOutOfRangeThenConfigurationExceptionNamingTheSetting() {
        for (Duration bad : List.of(Duration.ofMillis(249), Duration.ofMinutes(2))) {
            assertThatThrownBy(() -> JdbcTokenStore.builder().timeout(bad))
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("timeout"));
        }
        for (int bad : new int[] {0, 1001}) {
            assertThatThrownBy(() -> JdbcTokenStore.builder().maxConcurrentLookups(bad))
                    .isInstanceOfSatisfying(ConfigurationException.class,
                            e -> assertThat(e.key()).isEqualTo("maxConcurrentLookups"));
        }
    }

    // ---------------------------------------------------------------------------------------------- JNDI

    @Test
    void dataSourceNameThenTheServersDataSourceIsUsedAndLeftOpen() {
        Naming.BOUND.put("java:comp/env/jdbc/tokens", database);
        String previous = System.setProperty(Context.INITIAL_CONTEXT_FACTORY, Naming.class.getName());
        try (JdbcTokenStore store = JdbcTokenStore.builder().dataSourceName("java:comp/env/jdbc/tokens")
                .flushInterval(Duration.ZERO).build()) {
            assertThat(StoredTokenValidator.create(store).validate(token).subject()).contains("alice");
        } finally {
            restore(previous);
            Naming.BOUND.clear();
        }
    }

    @Test
    void dataSourceNameWhenNothingIsBoundThenConfigurationExceptionSayingWhatToDo() {
        String previous = System.setProperty(Context.INITIAL_CONTEXT_FACTORY, Naming.class.getName());
        try {
            assertThatThrownBy(() -> JdbcTokenStore.builder().dataSourceName("jdbc/tokens").build())
                    .isInstanceOfSatisfying(ConfigurationException.class,
                            e -> assertThat(e.key()).isEqualTo("dataSourceName"))
                    .hasMessageContaining("no DataSource could be looked up under the JNDI name 'jdbc/tokens'")
                    .hasMessageContaining("java:comp/env/jdbc/tokens");
            Naming.BOUND.put("jdbc/tokens", "not a data source");
            assertThatThrownBy(() -> JdbcTokenStore.builder().dataSourceName("jdbc/tokens").build())
                    .hasMessageContaining("is bound to a java.lang.String, not a javax.sql.DataSource");
        } finally {
            restore(previous);
            Naming.BOUND.clear();
        }
        assertThatThrownBy(() -> JdbcTokenStore.builder().dataSourceName("jdbc/tokens").jdbcUrl("jdbc:h2:mem:x").build())
                .hasMessageContaining("not several");
    }

    private static void restore(String previous) {
        if (previous == null) {
            System.clearProperty(Context.INITIAL_CONTEXT_FACTORY);
        } else {
            System.setProperty(Context.INITIAL_CONTEXT_FACTORY, previous);
        }
    }

    /** An application server's naming context, reduced to lookups in a map. */
    public static final class Naming implements InitialContextFactory {
        static final Map<String, Object> BOUND = new ConcurrentHashMap<>();

        @Override
        public Context getInitialContext(Hashtable<?, ?> environment) {
            return (Context) Proxy.newProxyInstance(Naming.class.getClassLoader(), new Class<?>[] {Context.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "lookup" -> {
                            Object bound = BOUND.get(String.valueOf(args[0]));
                            if (bound == null) {
                                throw new NameNotFoundException(args[0] + " is not bound");
                            }
                            yield bound;
                        }
                        case "close" -> null;
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }
}
