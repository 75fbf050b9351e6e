package dev.tokengate.sample;

import dev.tokengate.ConfigurationException;
import dev.tokengate.store.JdbcTokenStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;

/**
 * The sample app's database: embedded H2 in memory by default, or the database {@code tokengate.store.jdbc-url}
 * names (PostgreSQL). It holds tokengate's token table (personal access tokens), the demo issuer's refresh tokens
 * (a second table of the same shape) and the app's own balances, orders and withdrawals.
 */
final class Database implements AutoCloseable {

    /** The table of the demo issuer's refresh tokens: same shape as the token table, never read by the API's validator. */
    static final String REFRESH_TABLE = "demo_refresh_token";

    private final String url;
    private final Properties credentials = new Properties();
    private final JdbcTokenStore tokens;
    private final JdbcTokenStore refreshTokens;
    private final boolean embedded;

    private Database(String url, String username, String password, boolean embedded, Clock clock, String tokenTable) {
        this.url = url;
        this.embedded = embedded;
        if (username != null) {
            credentials.setProperty("user", username);
        }
        if (password != null) {
            credentials.setProperty("password", password);
        }
        this.tokens = store(tokenTable, username, password, clock);
        this.refreshTokens = store(REFRESH_TABLE, username, password, clock);
    }

    /**
     * Opens the database and creates what is missing.
     *
     * @param url      a JDBC URL, or {@code null} for a fresh in-memory H2 database
     * @throws ConfigurationException naming {@code tokengate.store.jdbc-url} when it cannot be reached
     */
    static Database open(String url, String username, String password, Clock clock) {
        return open(url, username, password, clock, JdbcTokenStore.DEFAULT_TABLE);
    }

    /** The same with another token table ({@code tokengate.store.table}). */
    static Database open(String url, String username, String password, Clock clock, String tokenTable) {
        boolean embedded = url == null;
        String jdbcUrl = embedded ? "jdbc:h2:mem:tokengate-sample-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1" : url;
        Database db = new Database(jdbcUrl, username, password, embedded, clock, tokenTable);
        try {
            db.createSchema();
        } catch (RuntimeException e) {
            db.close();
            throw new ConfigurationException(SampleSettings.STORE_JDBC_URL, "cannot prepare the database at "
                    + withoutParameters(jdbcUrl) + ": " + e.getMessage(), e);
        }
        return db;
    }

    private JdbcTokenStore store(String table, String username, String password, Clock clock) {
        JdbcTokenStore.Builder b = JdbcTokenStore.builder().jdbcUrl(url).table(table).clock(clock);
        if (username != null) {
            b.username(username);
        }
        if (password != null) {
            b.password(password);
        }
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

    /** A new connection; the caller closes it. */
    Connection connection() throws SQLException {
        return DriverManager.getConnection(url, credentials);
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

    /** Writes pending token usage, and drops an embedded database. */
    @Override
    public void close() {
        tokens.close();
        refreshTokens.close();
        if (embedded) {
            try (Connection c = connection(); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            } catch (SQLException e) {
                // already gone
            }
        }
    }

    @Override
    public String toString() {
        return "Database[" + describe().toLowerCase(Locale.ROOT) + "]";
    }
}
