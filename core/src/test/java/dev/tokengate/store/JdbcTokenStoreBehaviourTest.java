package dev.tokengate.store;

import dev.tokengate.ConfigurationException;
import dev.tokengate.IpRange;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.log.Fingerprints;
import dev.tokengate.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the store does with the application's database beyond the contract of {@link TokenStoreContract}: the limits
 * on what it stores, the credentials and threads it uses, the connections it hands back as it found them, and how it
 * behaves when interrupted, closed or given a driver without network timeouts. On H2 in memory.
 */
class JdbcTokenStoreBehaviourTest {

    private final String url = "jdbc:h2:mem:behaviour-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        Thread.interrupted();
    }

    private JdbcTokenStore store(JdbcTokenStore.Builder builder) {
        JdbcTokenStore store = builder.build();
        opened.add(store);
        store.createSchema();
        return store;
    }

    private JdbcTokenStore store() {
        return store(JdbcTokenStore.builder().dataSource(new DriverManagerDataSource(url, "sa", "")).flushInterval(Duration.ZERO));
    }

    private static IssuedToken issue(JdbcTokenStore store) {
        return store.create(TokenKind.ACCESS_TOKEN, "cli", "alice", null, List.of("read"), List.of(), null);
    }

    // ---- what is stored

    @Test
    void recordUseWhenTheAddressIsEmptyOrLongerThanTheColumnThenThePreviousAddressIsKept() {
        JdbcTokenStore store = store();
        String id = issue(store).metadata().id();
        String longest = "2001:db8:" + "1".repeat(55);

        store.recordUse(id, Instant.parse("2026-11-30T10:00:00Z"), Optional.of(longest));
        store.flush();
        assertThat(store.get(id).orElseThrow().lastUsedAddress()).contains(longest);

        store.recordUse(id, Instant.parse("2026-11-30T10:01:00Z"), Optional.of(longest + "1"));
        store.recordUse(id, Instant.parse("2026-11-30T10:02:00Z"), Optional.of(""));
        store.flush();

        StoredToken row = store.get(id).orElseThrow();
        assertThat(row.lastUsedAddress()).contains(longest);
        assertThat(row.lastUsedAt()).contains(Instant.parse("2026-11-30T10:02:00Z"));
        assertThat(store.flush()).as("nothing pending").isZero();
    }

    @Test
    void createWhenTextsAndListsAtTheirLimitsThenStoredAndOneCharacterMoreRefused() {
        JdbcTokenStore store = store();
        String name = "n".repeat(200);
        List<String> scopes = List.of("s".repeat(1999), "t".repeat(2000)); // 4000 characters with the space
        List<IpRange> ranges = new ArrayList<>();
        for (int i = 0; ranges.stream().mapToInt(r -> r.toString().length() + 1).sum() + 12 <= 4000; i++) {
            ranges.add(IpRange.parse("10." + i / 256 + "." + i % 256 + ".0/24"));
        }

        IssuedToken issued = store.create(TokenKind.ACCESS_TOKEN, name, "o".repeat(200), "c".repeat(200), scopes, ranges,
                null);
        assertThat(store.get(issued.metadata().id()).orElseThrow().allowedRanges()).hasSameSizeAs(ranges);

        assertThatThrownBy(() -> store.create(TokenKind.ACCESS_TOKEN, name + "n", "alice", null, List.of(), List.of(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("name must have 1 to 200 characters, not all blank");
        for (String clientId : new String[] {"c".repeat(201), " "}) {
            assertThatThrownBy(() -> store.create(TokenKind.ACCESS_TOKEN, "n", "alice", clientId, List.of(), List.of(), null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("clientId must have 1 to 200 characters, not all blank");
        }
        assertThatThrownBy(() -> store.create(TokenKind.ACCESS_TOKEN, "n", "alice", null,
                List.of("s".repeat(2000), "t".repeat(2000)), List.of(), null))
                .hasMessage("scopes: at most 4000 characters together");
        List<IpRange> tooMany = new ArrayList<>(ranges);
        tooMany.add(IpRange.parse("192.168.100.0/24"));
        assertThatThrownBy(() -> store.create(TokenKind.ACCESS_TOKEN, "n", "alice", null, List.of(), tooMany, null))
                .hasMessage("allowedRanges: at most 4000 characters together");
    }

    @Test
    void validatorsSayWhatTheyAcceptAndIssuedTokensNeverShowTheSecret() {
        JdbcTokenStore store = store();
        IssuedToken issued = issue(store);
        StoredTokenValidator accessTokens = StoredTokenValidator.create(store);
        StoredTokenValidator apiKeys = StoredTokenValidator.builder(store).kind(TokenKind.API_KEY).build();

        assertThat(accessTokens.kind()).isEqualTo(TokenKind.ACCESS_TOKEN);
        assertThat(apiKeys.kind()).isEqualTo(TokenKind.API_KEY);
        assertThat(accessTokens).hasToString("StoredTokenValidator[kind=ACCESS_TOKEN, store=" + store + "]");
        assertThatThrownBy(() -> apiKeys.validate("tgak_short")).hasMessage("The API key is malformed: it must be tgak_ "
                + "followed by 49 letters and digits with a valid checksum.");
        assertThat(issued).hasToString("IssuedToken[token=<54 characters, not shown>, metadata=" + issued.metadata() + "]");
    }

    // ---- what it is given

    @Test
    void buildWhenTwoDatabasesGivenThenTheErrorNamesTheOneGivenByName() {
        DataSource ds = new DriverManagerDataSource(url, "sa", "");
        assertThatThrownBy(() -> JdbcTokenStore.builder().dataSource(ds).jdbcUrl(url).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("jdbcUrl"));
        assertThatThrownBy(() -> JdbcTokenStore.builder().dataSource(ds).dataSourceName("java:comp/env/jdbc/tokens").build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("dataSourceName"));
    }

    @Test
    void jdbcUrlWithCredentialsThenThePoolLogsInWithThem() throws SQLException {
        try (Connection owner = DriverManager.getConnection(url, "owner", "s3cret")) { // creates the database: owner's
            JdbcTokenStore store = store(JdbcTokenStore.builder().jdbcUrl(url).username("owner").password("s3cret"));

            assertThat(StoredTokenValidator.create(store).validate(issue(store).token()).subject()).contains("alice");
            assertThat(owner.isValid(1)).isTrue();
        }
    }

    @Test
    void findThenTheLookupRunsOnADaemonThread() {
        JdbcTokenStore store = store();
        store.find(Fingerprints.sha256(issue(store).token()));

        assertThat(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("tokengate-token-lookup-") && t.isAlive()))
                .isNotEmpty().allMatch(Thread::isDaemon);
    }

    // ---- closed, interrupted

    @Test
    void findWhenClosedThenEachLookupSaysSoWhateverTheLookupLimit() {
        JdbcTokenStore store = store(JdbcTokenStore.builder().dataSource(new DriverManagerDataSource(url, "sa", ""))
                .flushInterval(Duration.ZERO).maxConcurrentLookups(2));
        byte[] hash = Fingerprints.sha256(issue(store).token());
        store.close();

        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> store.find(hash)).isInstanceOf(UpstreamUnavailableException.class)
                    .hasMessage("the token store is closed; no lookup is possible");
        }
    }

    @Test
    void findWhenTheCallerIsInterruptedThenUnavailableAndTheInterruptKept() throws Exception {
        // the lookup waits on a database that has not answered yet, so the caller is surely still waiting when it is
        // interrupted (with a fast database the answer could come first, and then there is nothing to interrupt)
        java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
        DataSource waiting = proxy(DataSource.class, (proxy, method, args) -> {
            if (method.getName().equals("getConnection")) {
                answer.await(10, java.util.concurrent.TimeUnit.SECONDS);
                throw new java.sql.SQLException("the test let it go");
            }
            return null;
        });
        JdbcTokenStore store = JdbcTokenStore.builder().dataSource(waiting).flushInterval(Duration.ZERO).build();
        try {
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> store.find(new byte[32])).isInstanceOf(UpstreamUnavailableException.class)
                    .hasMessage("interrupted while waiting for the token database");
            assertThat(Thread.interrupted()).isTrue();
        } finally {
            answer.countDown();
            store.close();
        }
    }

    @Test
    void findWhenTheDriverThrowsAnErrorThenTheCallerGetsThatError() {
        ExceptionInInitializerError error = new ExceptionInInitializerError("driver class failed to initialise");
        DataSource broken = proxy(DataSource.class, (proxy, method, args) -> {
            if (method.getName().equals("getConnection")) {
                throw error;
            }
            throw new UnsupportedOperationException(method.getName());
        });
        JdbcTokenStore store = JdbcTokenStore.builder().dataSource(broken).flushInterval(Duration.ZERO).build();
        opened.add(store);

        assertThatThrownBy(() -> store.find(new byte[32])).isSameAs(error);
    }

    @Test
    void closeWhenHealthyThenTheUsageIsWrittenWithoutAWarning() {
        JdbcTokenStore store = store(JdbcTokenStore.builder().dataSource(new DriverManagerDataSource(url, "sa", ""))
                .flushInterval(Duration.ofHours(1)));
        String id = issue(store).metadata().id();
        store.recordUse(id, Instant.parse("2026-11-30T10:00:00Z"), Optional.of("198.51.100.7"));

        try (LogCapture logs = LogCapture.start()) {
            store.close();
            assertThat(logs.lines(JdbcTokenStore.class.getName())).isEmpty();
        }
        try (JdbcTokenStore reader = store()) {
            assertThat(reader.get(id).orElseThrow().lastUsedAddress()).contains("198.51.100.7");
        }
    }

    @Test
    void closeWhenTheCallerIsInterruptedThenItReturnsAndTheInterruptIsKept() {
        JdbcTokenStore store = store(JdbcTokenStore.builder().dataSource(new DriverManagerDataSource(url, "sa", ""))
                .flushInterval(Duration.ofHours(1)));

        Thread.currentThread().interrupt();
        store.close();

        assertThat(Thread.interrupted()).isTrue();
    }

    // ---- the application's connections

    /** Every connection call recorded; connections come from H2. */
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    private DataSource recording(boolean networkTimeouts, boolean autoCommit) {
        DataSource h2 = new DriverManagerDataSource(url, "sa", "");
        return proxy(DataSource.class, (proxy, method, args) -> {
            if (!method.getName().equals("getConnection")) {
                return invoke(h2, method, args);
            }
            Connection c = h2.getConnection();
            c.setAutoCommit(autoCommit);
            return proxy(Connection.class, (p, m, a) -> {
                String name = m.getName();
                if (name.endsWith("NetworkTimeout") && !networkTimeouts) {
                    throw new SQLFeatureNotSupportedException("no network timeout here");
                }
                if (name.equals("setNetworkTimeout")) {
                    calls.add("setNetworkTimeout " + a[1]);
                    return null; // H2 has none either: only recorded
                }
                if (name.equals("getNetworkTimeout")) {
                    return 7000;
                }
                if (name.equals("commit") || name.equals("setAutoCommit")) {
                    calls.add(name + (a == null ? "" : " " + a[0]));
                }
                Object result = invoke(c, m, a);
                if (name.equals("prepareStatement")) {
                    PreparedStatement ps = (PreparedStatement) result;
                    return proxy(PreparedStatement.class, (sp, sm, sa) -> {
                        if (sm.getName().equals("setQueryTimeout")) {
                            calls.add("setQueryTimeout " + sa[0]);
                        }
                        return invoke(ps, sm, sa);
                    });
                }
                return result;
            });
        });
    }

    @Test
    void findThenTheQueryAndTheConnectionGetTheTimeoutAndTheConnectionItsOwnBack() {
        JdbcTokenStore store = store();
        String token = issue(store).token();
        JdbcTokenStore bounded = store(JdbcTokenStore.builder().dataSource(recording(true, true))
                .timeout(Duration.ofMillis(1500)).flushInterval(Duration.ZERO));

        assertThat(bounded.find(Fingerprints.sha256(token))).isPresent();

        assertThat(calls).containsSubsequence("setNetworkTimeout 1500", "setQueryTimeout 2", "setNetworkTimeout 7000");
    }

    @Test
    void findWhenTheDriverHasNoNetworkTimeoutThenTheLookupStillAnswersWithTheQueryTimeout() {
        JdbcTokenStore store = store();
        String token = issue(store).token();
        JdbcTokenStore bounded = store(JdbcTokenStore.builder().dataSource(recording(false, true))
                .timeout(Duration.ofSeconds(3)).flushInterval(Duration.ZERO));

        assertThat(bounded.find(Fingerprints.sha256(token))).hasValueSatisfying(t -> assertThat(t.owner()).isEqualTo("alice"));
        assertThat(calls).contains("setQueryTimeout 3").noneMatch(c -> c.startsWith("setNetworkTimeout"));
    }

    @Test
    void flushWhenTheApplicationsConnectionsDoNotAutoCommitThenTheUsageIsCommittedAndTheModeGivenBack() throws SQLException {
        JdbcTokenStore store = store();
        String id = issue(store).metadata().id();
        JdbcTokenStore writer = store(JdbcTokenStore.builder().dataSource(recording(true, false))
                .queryTimeout(Duration.ofSeconds(4)).flushInterval(Duration.ZERO));

        writer.recordUse(id, Instant.parse("2026-11-30T10:00:00Z"), Optional.of("198.51.100.7"));
        assertThat(writer.flush()).isEqualTo(1);

        assertThat(calls).containsSubsequence("setNetworkTimeout 4000", "setAutoCommit false", "commit",
                "setAutoCommit false", "setNetworkTimeout 7000");
        try (Connection other = DriverManager.getConnection(url, "sa", "");
             PreparedStatement ps = other.prepareStatement("SELECT last_used_address FROM tokengate_token WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("198.51.100.7");
            }
        }
    }

    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(JdbcTokenStoreBehaviourTest.class.getClassLoader(), new Class<?>[] {type},
                handler));
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
