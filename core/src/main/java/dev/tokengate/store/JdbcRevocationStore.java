package dev.tokengate.store;

import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.control.Revocation;
import dev.tokengate.control.RevocationStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
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

    JdbcRevocationStore(DataSource dataSource, String table, int queryTimeoutSeconds) {
        this.dataSource = dataSource;
        this.table = table;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
    }

    @Override
    public List<Revocation> load(Instant now) {
        try (Connection c = dataSource.getConnection()) {
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
        try (Connection c = dataSource.getConnection()) {
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
        try (Connection c = dataSource.getConnection()) {
            return delete(c, target, value);
        } catch (SQLException e) {
            throw unavailable("lift a revocation", e);
        }
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
