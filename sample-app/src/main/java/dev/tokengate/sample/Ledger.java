package dev.tokengate.sample;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sample exchange account, kept in the database: each owner (a token's subject) starts with 10 000 EUR and
 * 0.5 BTC, places and cancels orders, and withdraws funds.
 */
public final class Ledger {

    /** The opening balances of a new account. */
    static final Map<String, BigDecimal> OPENING = Map.of("EUR", new BigDecimal("10000.00"), "BTC", new BigDecimal("0.50000000"));

    /** An order. */
    public record Order(long id, String owner, Optional<String> clientId, String symbol, String side,
                        BigDecimal quantity, Optional<BigDecimal> limitPrice, String status, Instant createdAt) {
    }

    /** A withdrawal. */
    public record Withdrawal(long id, String owner, Optional<String> clientId, String currency, BigDecimal amount,
                             String address, Instant createdAt) {
    }

    /** A state the request cannot change: an order already cancelled, funds that are not there. */
    public static final class ConflictException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConflictException(String message) {
            super(message);
        }
    }

    private final Database db;
    private final Clock clock;

    Ledger(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** The owner's balances by currency, opening the account on first use. */
    public Map<String, BigDecimal> balances(String owner) {
        try (Connection c = db.connection()) {
            open(c, owner);
            Map<String, BigDecimal> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT currency, amount FROM sample_balance WHERE owner = ? ORDER BY currency DESC")) {
                ps.setString(1, owner);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getBigDecimal(2).stripTrailingZeros());
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    public List<Order> orders(String owner) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT * FROM sample_order WHERE owner = ? ORDER BY id")) {
            ps.setString(1, owner);
            List<Order> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(order(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    public Order placeOrder(String owner, String clientId, String symbol, String side, BigDecimal quantity,
                            BigDecimal limitPrice) {
        Instant now = clock.instant();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("INSERT INTO sample_order "
                + "(owner, client_id, symbol, side, quantity, limit_price, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, owner);
            ps.setString(2, clientId);
            ps.setString(3, symbol);
            ps.setString(4, side);
            ps.setBigDecimal(5, quantity);
            if (limitPrice == null) {
                ps.setNull(6, Types.NUMERIC);
            } else {
                ps.setBigDecimal(6, limitPrice);
            }
            ps.setObject(7, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return new Order(keys.getLong(1), owner, Optional.ofNullable(clientId), symbol, side, quantity,
                        Optional.ofNullable(limitPrice), "open", now);
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /**
     * Cancels one of the owner's orders.
     *
     * @return the cancelled order; empty when the owner has no such order
     * @throws ConflictException when it is already cancelled
     */
    public Optional<Order> cancelOrder(String owner, long id) {
        try (Connection c = db.connection()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE sample_order SET status = 'cancelled' WHERE id = ? AND owner = ? AND status = 'open'")) {
                ps.setLong(1, id);
                ps.setString(2, owner);
                int updated = ps.executeUpdate();
                Optional<Order> order = find(c, owner, id);
                if (updated == 0 && order.isPresent()) {
                    throw new ConflictException("Order " + id + " is already " + order.get().status() + ".");
                }
                return order;
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /**
     * Withdraws funds to an address.
     *
     * @throws ConflictException when the balance is too small
     */
    public Withdrawal withdraw(String owner, String clientId, String currency, BigDecimal amount, String address) {
        Instant now = clock.instant();
        try (Connection c = db.connection()) {
            open(c, owner);
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("UPDATE sample_balance SET amount = amount - ? "
                        + "WHERE owner = ? AND currency = ? AND amount >= ?")) {
                    ps.setBigDecimal(1, amount);
                    ps.setString(2, owner);
                    ps.setString(3, currency);
                    ps.setBigDecimal(4, amount);
                    if (ps.executeUpdate() == 0) {
                        throw new ConflictException("Insufficient funds: the " + currency + " balance is below " + amount.toPlainString() + ".");
                    }
                }
                long id;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO sample_withdrawal "
                        + "(owner, client_id, currency, amount, address, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                        Statement.RETURN_GENERATED_KEYS)) {
                    ps.setString(1, owner);
                    ps.setString(2, clientId);
                    ps.setString(3, currency);
                    ps.setBigDecimal(4, amount);
                    ps.setString(5, address);
                    ps.setObject(6, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                    ps.executeUpdate();
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        keys.next();
                        id = keys.getLong(1);
                    }
                }
                c.commit();
                return new Withdrawal(id, owner, Optional.ofNullable(clientId), currency, amount, address, now);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private static Optional<Order> find(Connection c, String owner, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM sample_order WHERE id = ? AND owner = ?")) {
            ps.setLong(1, id);
            ps.setString(2, owner);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(order(rs)) : Optional.empty();
            }
        }
    }

    private static void open(Connection c, String owner) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM sample_balance WHERE owner = ?")) {
            ps.setString(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getInt(1) > 0) {
                    return;
                }
            }
        }
        for (Map.Entry<String, BigDecimal> e : OPENING.entrySet()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO sample_balance (owner, currency, amount) VALUES (?, ?, ?)")) {
                ps.setString(1, owner);
                ps.setString(2, e.getKey());
                ps.setBigDecimal(3, e.getValue());
                ps.executeUpdate();
            } catch (SQLException ex) {
                if (ex.getSQLState() == null || !ex.getSQLState().startsWith("23")) {
                    throw ex; // 23xxx: a concurrent first request opened it
                }
            }
        }
    }

    private static Order order(ResultSet rs) throws SQLException {
        return new Order(rs.getLong("id"), rs.getString("owner"), Optional.ofNullable(rs.getString("client_id")),
                rs.getString("symbol"), rs.getString("side"), rs.getBigDecimal("quantity").stripTrailingZeros(),
                Optional.ofNullable(rs.getBigDecimal("limit_price")).map(BigDecimal::stripTrailingZeros),
                rs.getString("status"), rs.getObject("created_at", OffsetDateTime.class).toInstant());
    }

    private static RuntimeException failed(SQLException e) {
        if (Database.isUnavailable(e)) {
            return Database.unavailable(e);
        }
        return new IllegalStateException("the sample database failed (SQLState " + e.getSQLState() + "): " + e.getMessage(), e);
    }
}
