package dev.tokengate.sample;

import com.zaxxer.hikari.HikariDataSource;
import dev.tokengate.ConfigurationException;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.store.JdbcTokenStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

/**
 * The sample app's database: embedded H2 in memory by default, or the database {@code tokengate.store.jdbc-url}
 * names (PostgreSQL). It holds tokengate's token table (personal access tokens), the demo issuer's refresh tokens
 * (a second table of the same shape) and the app's own balances, orders and withdrawals.
 *
 * <p>One HikariCP pool serves all three, bounded as tokengate bounds its own: {@code tokengate.store.timeout} is the
 * longest wait for a connection and for a statement's answer, and the token stores get it and
 * {@code tokengate.store.max-concurrent-lookups} too. A database that is down or hung makes a request fail with
 * {@link UnavailableException} (answered 503) when the timeout is up, not hang it.
 */
final class Database implements AutoCloseable {

    /** The table of the demo issuer's refresh tokens: same shape as the token table, never read by the API's validator. */
    static final String REFRESH_TABLE = "demo_refresh_token";

    private final String url;
    private final HikariDataSource pool;
    private final Duration timeout;
    private final JdbcTokenStore tokens;
    private final JdbcTokenStore refreshTokens;
    private final boolean embedded;

    /** The database is down, hung or refusing connections: the request is answered 503, without a stack trace. */
    static final class UnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Database(String url, String username, String password, boolean embedded, Clock clock, String tokenTable,
                     ConfigSource settings) {
        this.url = url;
        this.embedded = embedded;
        this.timeout = settings.get(ConfigKeys.STORE_TIMEOUT, ConfigSource::duration).orElse(JdbcTokenStore.DEFAULT_TIMEOUT);
        int lookups = settings.get(ConfigKeys.STORE_MAX_CONCURRENT_LOOKUPS, Integer::valueOf)
                .orElse(JdbcTokenStore.DEFAULT_MAX_CONCURRENT_LOOKUPS);
        this.pool = new HikariDataSource(); // opens its connections on first use
        pool.setPoolName("sample-database");
        pool.setJdbcUrl(url);
        if (username != null) {
            pool.setUsername(username);
        }
        if (password != null) {
            pool.setPassword(password);
        }
        pool.setMaximumPoolSize(Math.min(lookups, JdbcTokenStore.MAX_POOLED_LOOKUP_CONNECTIONS) + 10); // lookups, usage writers, ledger
        pool.setMinimumIdle(1);
        pool.setConnectionTimeout(Math.max(250, timeout.toMillis() * 3 / 4));
        pool.setValidationTimeout(Math.max(250, timeout.toMillis() / 2));
        pool.setInitializationFailTimeout(-1);
        this.tokens = store(tokenTable, clock, settings);
        this.refreshTokens = store(REFRESH_TABLE, clock, settings);
    }

    /**
     * Opens the database and creates what is missing.
     *
     * @param url      a JDBC URL, or {@code null} for a fresh in-memory H2 database
     * @throws ConfigurationException naming {@code tokengate.store.jdbc-url} when it cannot be reached
     */
    static Database open(String url, String username, String password, Clock clock) {
        return open(url, username, password, clock, JdbcTokenStore.DEFAULT_TABLE, ConfigSource.of(java.util.Map.of()));
    }

    /**
     * The same with another token table ({@code tokengate.store.table}), and the timeout and lookup limit of
     * {@code settings} ({@code tokengate.store.timeout}, {@code tokengate.store.max-concurrent-lookups}).
     */
    static Database open(String url, String username, String password, Clock clock, String tokenTable,
                         ConfigSource settings) {
        boolean embedded = url == null;
        String jdbcUrl = embedded ? "jdbc:h2:mem:tokengate-sample-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1" : url;
        Database db = new Database(jdbcUrl, username, password, embedded, clock, tokenTable, settings);
        try {
            db.createSchema();
        } catch (RuntimeException e) {
            db.close();
            throw new ConfigurationException(SampleSettings.STORE_JDBC_URL, "cannot prepare the database at "
                    + withoutParameters(jdbcUrl) + ": " + e.getMessage(), e);
        }
        return db;
    }

    private JdbcTokenStore store(String table, Clock clock, ConfigSource settings) {
        JdbcTokenStore.Builder b = JdbcTokenStore.builder().dataSource(pool).table(table).clock(clock).timeout(timeout);
        settings.read(ConfigKeys.STORE_MAX_CONCURRENT_LOOKUPS, Integer::valueOf, b::maxConcurrentLookups);
        settings.read(ConfigKeys.STORE_ROTATION_GRACE, ConfigSource::duration, b::rotationGrace);
        return b.build();
    }

    private void createSchema() {
        tokens.createSchema();
        refreshTokens.createSchema();
        try (Connection c = connection(); Statement s = c.createStatement();
             InputStream in = Database.class.getResourceAsStream("schema.sql")) {
            String script = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)--.*$", "");
            for (String sql : script.split(";")) {
                if (!sql.isBlank()) {
                    s.execute(sql.strip());
                }
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("the sample schema could not be created: " + e.getMessage(), e);
        }
    }

    /**
     * A connection from the pool, whose statements give up after the timeout; the caller closes it.
     *
     * @throws UnavailableException when none is available within the timeout
     */
    Connection connection() throws SQLException {
        Connection c;
        try {
            c = pool.getConnection();
        } catch (SQLException e) {
            throw unavailable(e);
        }
        try {
            c.setNetworkTimeout(Runnable::run, (int) timeout.toMillis()); // reset by the pool when it is closed
        } catch (SQLFeatureNotSupportedException e) {
            // H2 in memory has no network
        }
        return c;
    }

    /** Whether a failure says the database is unreachable, hung or overloaded (not a bug in a statement). */
    static boolean isUnavailable(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return e instanceof SQLTransientException || e instanceof SQLNonTransientConnectionException
                || state.startsWith("08") || state.equals("57014") || state.equals("57P01");
    }

    static UnavailableException unavailable(SQLException e) {
        return new UnavailableException("the sample database is unavailable (SQLState " + e.getSQLState() + "): "
                + e.getMessage(), e);
    }

    /** The JDBC URL, for the pipeline's own connection to the token table. */
    String url() {
        return url;
    }

    /** The personal access tokens the API accepts ({@code tgat_…}): the console's and the demo issuer's view. */
    JdbcTokenStore tokens() {
        return tokens;
    }

    /** The demo issuer's refresh tokens. */
    JdbcTokenStore refreshTokens() {
        return refreshTokens;
    }

    /** What to show people: the product and the URL without parameters (which may hold a password). */
    String describe() {
        return (embedded ? "embedded H2 (in memory) " : "") + withoutParameters(url);
    }

    /** The longest wait for a connection or a statement's answer ({@code tokengate.store.timeout}). */
    Duration timeout() {
        return timeout;
    }

    boolean embedded() {
        return embedded;
    }

    static String withoutParameters(String url) {
        int cut = url.length();
        for (char c : new char[] {'?', ';'}) {
            int i = url.indexOf(c);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        return url.substring(0, cut);
    }

    /** Writes pending token usage, drops an embedded database and closes the pool. */
    @Override
    public void close() {
        tokens.close();
        refreshTokens.close();
        if (embedded) {
            try (Connection c = connection(); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            } catch (SQLException | UnavailableException e) {
                // already gone
            }
        }
        pool.close();
    }

    @Override
    public String toString() {
        return "Database[" + describe().toLowerCase(Locale.ROOT) + "]";
    }
}
