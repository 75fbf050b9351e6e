package dev.tokengate.store;

import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.control.Revocation;
import dev.tokengate.control.RevocationStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The revocation list kept in the token database, in the table {@code <token table>_revocation}
 * ({@code tokengate_token_revocation} by default) that {@link JdbcTokenStore#createSchema()} and the shipped scripts
 * create. A single token is stored by the SHA-256 of its text, never the text. Made by
 * {@link JdbcTokenStore#revocationStore()}; it shares the store's connections and query timeout.
 */
final class JdbcRevocationStore implements RevocationStore {

    private final DataSource dataSource;
    private final String table;
    private final int queryTimeoutSeconds;
    /** Whether the table was found once (it is not dropped under a running application). */
    private volatile boolean tableSeen;

    JdbcRevocationStore(DataSource dataSource, String table, int queryTimeoutSeconds) {
        this.dataSource = dataSource;
        this.table = table;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
    }

    @Override
    public List<Revocation> load(Instant now) {
        try (Connection c = connect()) {
            requireTable(c);
            try (PreparedStatement delete = prepare(c, "DELETE FROM " + table + " WHERE expires_at <= ?")) {
                delete.setObject(1, timestamp(now));
                delete.executeUpdate();
            }
            List<Revocation> all = new ArrayList<>();
            try (PreparedStatement ps = prepare(c, "SELECT target, revoked, reason, revoked_at, expires_at FROM " + table);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    OffsetDateTime expires = rs.getObject("expires_at", OffsetDateTime.class);
                    all.add(new Revocation(Revocation.Target.parse(rs.getString("target")), rs.getString("revoked"),
                            rs.getString("reason"), rs.getObject("revoked_at", OffsetDateTime.class).toInstant(),
                            Optional.ofNullable(expires).map(OffsetDateTime::toInstant)));
                }
            }
            if (!c.getAutoCommit()) {
                c.commit();
            }
            return all;
        } catch (SQLException e) {
            throw unavailable("read the revocation list", e);
        } catch (IllegalArgumentException e) {
            throw new UpstreamUnavailableException("the revocation list in " + table + " holds a malformed entry: "
                    + e.getMessage(), null, e);
        }
    }

    @Override
    public void save(Revocation r) {
        try (Connection c = connect()) {
            requireTable(c);
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                delete(c, r.target(), r.value());
                try (PreparedStatement ps = prepare(c, "INSERT INTO " + table
                        + " (target, revoked, reason, revoked_at, expires_at) VALUES (?, ?, ?, ?, ?)")) {
                    ps.setString(1, r.target().value());
                    ps.setString(2, r.value());
                    ps.setString(3, r.reason());
                    ps.setObject(4, timestamp(r.revokedAt()));
                    ps.setObject(5, r.expiresAt().map(JdbcRevocationStore::timestamp).orElse(null));
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw unavailable("record a revocation", e);
        }
    }

    @Override
    public boolean remove(Revocation.Target target, String value) {
        try (Connection c = connect()) {
            requireTable(c);
            return delete(c, target, value);
        } catch (SQLException e) {
            throw unavailable("lift a revocation", e);
        }
    }

    /**
     * A connection, asked for with the data source's own class loader as the thread's context class loader: a
     * server's pool may start its threads (filler, validator) on the first request for a connection, and a thread
     * inherits the context class loader of the thread that starts it; if that were the application's, the server's
     * thread would keep the application's classes after undeploy (seen on WildFly: the first connection to
     * ExampleDS was this store's).
     */
    private Connection connect() throws SQLException {
        Thread thread = Thread.currentThread();
        ClassLoader application = thread.getContextClassLoader();
        thread.setContextClassLoader(dataSource.getClass().getClassLoader());
        try {
            return dataSource.getConnection();
        } finally {
            thread.setContextClassLoader(application);
        }
    }

    /**
     * Refuses, with what to do, when the table does not exist, asking the database's metadata rather than letting a
     * statement fail: a driver's exception, created with the application's frames on the stack, can be kept by a
     * server's connection pool, and with it (through its backtrace) the application's class loader after undeploy
     * (seen on WildFly with a missing table, one query every 10 s).
     */
    private void requireTable(Connection c) throws SQLException {
        if (tableSeen) {
            return;
        }
        DatabaseMetaData meta = c.getMetaData();
        for (String name : new String[] {table, table.toUpperCase(Locale.ROOT), table.toLowerCase(Locale.ROOT)}) {
            try (ResultSet rs = meta.getTables(null, null, name, null)) {
                if (rs.next()) {
                    tableSeen = true;
                    return;
                }
            }
        }
        throw new UpstreamUnavailableException("the revocation table " + table + " does not exist in the token "
                + "database: create it with JdbcTokenStore.createSchema() or the shipped script "
                + "dev/tokengate/store/schema-<database>.sql; until then revocations are kept in memory only", null);
    }

    private boolean delete(Connection c, Revocation.Target target, String value) throws SQLException {
        try (PreparedStatement ps = prepare(c, "DELETE FROM " + table + " WHERE target = ? AND revoked = ?")) {
            ps.setString(1, target.value());
            ps.setString(2, value);
            return ps.executeUpdate() > 0;
        }
    }

    private PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setQueryTimeout(queryTimeoutSeconds);
        return ps;
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    private UpstreamUnavailableException unavailable(String what, SQLException e) {
        return new UpstreamUnavailableException("the token database could not " + what + " (SQLState "
                + e.getSQLState() + "): " + e.getMessage(), null, e);
    }

    @Override
    public String toString() {
        return "the table " + table;
    }
}
