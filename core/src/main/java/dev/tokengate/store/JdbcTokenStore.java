package dev.tokengate.store;

import dev.tokengate.ConfigurationException;
import dev.tokengate.IpRange;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.control.RevocationStore;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.health.HealthCheck;
import dev.tokengate.health.UpstreamHealth;
import dev.tokengate.log.Fingerprints;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokengate.log.Loggers;
import org.slf4j.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * A token database in one SQL table, reached through JDBC: the {@link TokenStore} the request path reads and
 * the {@link TokenAdmin} that issues, lists, revokes and rotates tokens. Tested on H2 2.x and PostgreSQL; the
 * schema is {@code dev/tokengate/store/schema-h2.sql} / {@code schema-postgresql.sql} (or {@link #createSchema()}).
 *
 * <p>Only the SHA-256 of a secret is stored, under a unique index; lookups go by that hash. Usage (time and
 * client address of the latest use per token) is kept in memory and written as one batched {@code UPDATE} by a
 * single background thread every {@link Builder#flushInterval(Duration) flush interval} (30 s by default), by
 * {@link #flush()} and by {@link #close()}; a request never causes a write. Usage not yet written when the
 * process dies is lost: the last-used time is accurate to the flush interval.
 *
 * <p><b>A slow or hung database.</b> A lookup ({@link #find}) that cannot finish within the
 * {@linkplain Builder#timeout(Duration) timeout} (2 s by default, {@code tokengate.store.timeout}) fails with
 * {@link UpstreamUnavailableException} (503 with {@code Retry-After}) when the timeout is up, whatever the driver does:
 * the query runs on one of the store's lookup threads and the request thread waits for it at most that long. At most
 * {@linkplain Builder#maxConcurrentLookups(int) a bounded number} of lookups (20 by default,
 * {@code tokengate.store.max-concurrent-lookups}) are under way at once, a timed-out one included until the driver
 * gives up; a lookup beyond them fails at once instead of queueing, so a hung database holds no more threads than
 * that and requests that need no lookup (JWTs, cached tokens, open routes) keep being answered. The connection of
 * a lookup also gets the timeout as its JDBC network timeout and query timeout, so the driver gives up too.
 *
 * <p>Database failures surface as {@link UpstreamUnavailableException} (503), never as an invalid token.
 * Thread-safe; {@link #close()} writes pending usage (waiting for that at most the timeout plus the
 * {@linkplain Builder#queryTimeout(Duration) query timeout}), stops the threads and closes the pool it built for a
 * {@link Builder#jdbcUrl(String) JDBC URL}, but not a {@link DataSource} it was given.
 */
public final class JdbcTokenStore implements TokenStore, TokenAdmin, HealthCheck {

    /** The default table name. */
    public static final String DEFAULT_TABLE = "tokengate_token";
    /** The default interval between writes of usage. */
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(30);
    /** The default limit on each statement. */
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(5);
    /** The default limit on a lookup, connection included. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** The default number of lookups that may wait on the database at once. */
    public static final int DEFAULT_MAX_CONCURRENT_LOOKUPS = 20;
    /** How long a rotated token's old secret keeps working by default ({@code tokengate.store.rotation-grace}). */
    public static final Duration DEFAULT_ROTATION_GRACE = Duration.ofHours(24);
    /** The longest grace period a rotation may give the old secret. */
    public static final Duration MAX_ROTATION_GRACE = Duration.ofDays(90);
    /** The most connections the pool built for a JDBC URL opens for lookups (one more is for the usage writer). */
    public static final int MAX_POOLED_LOOKUP_CONNECTIONS = 10;

    private static final Logger LOG = Loggers.logger(JdbcTokenStore.class);
    /** Unquoted lower-case identifiers only, short enough for index names derived from them (PostgreSQL: 63). */
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,47}");
    /** RFC 6749 §3.3 scope-token. */
    private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");
    private static final int MAX_TEXT = 200;
    private static final Duration MIN_TIMEOUT = Duration.ofMillis(250);
    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(1);
    private static final int MAX_LIST = 4000;
    private static final String COLUMNS = "id, kind, name, owner, client_id, scopes, allowed_ranges, created_at, "
            + "expires_at, revoked_at, last_used_at, last_used_address, rotated_at, replaced_by, grace_until";

    private final DataSource dataSource;
    /** The pool this store built for a JDBC URL and closes; {@code null} for a data source it was given. */
    private final HikariDataSource ownPool;
    private final String table;
    private final Clock clock;
    private final int queryTimeoutSeconds;
    private final Duration queryTimeout;
    private final Duration timeout;
    private final Duration rotationGrace;
    private final int maxConcurrentLookups;
    /** The bulkhead: a permit per lookup under way, released when the lookup's thread is done with the database. */
    private final Semaphore lookups;
    private final ThreadPoolExecutor lookupThreads;
    private final Map<TokenKind, TokenFormat> formats = new EnumMap<>(TokenKind.class);
    private final ConcurrentHashMap<String, Use> pendingUses = new ConcurrentHashMap<>();
    private final Object flushLock = new Object();
    private final ScheduledExecutorService flusher;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** When a health check last found the database answering. */
    private volatile Instant lastHealthy;

    private JdbcTokenStore(Builder b, DataSource dataSource, HikariDataSource ownPool) {
        this.dataSource = dataSource;
        this.ownPool = ownPool;
        this.table = b.table;
        this.clock = b.clock;
        this.queryTimeout = b.queryTimeout;
        this.queryTimeoutSeconds = seconds(b.queryTimeout);
        this.timeout = b.timeout;
        this.rotationGrace = b.rotationGrace;
        this.maxConcurrentLookups = b.maxConcurrentLookups;
        this.lookups = new Semaphore(b.maxConcurrentLookups);
        AtomicInteger threadNumber = new AtomicInteger();
        // At most maxConcurrentLookups tasks exist at once (the semaphore), so the queue never holds more than that.
        this.lookupThreads = new ThreadPoolExecutor(b.maxConcurrentLookups, b.maxConcurrentLookups, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "tokengate-token-lookup-" + threadNumber.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        lookupThreads.allowCoreThreadTimeOut(true);
        for (TokenKind kind : TokenKind.values()) {
            formats.put(kind, TokenFormat.of(kind));
        }
        if (b.flushInterval.isZero()) {
            this.flusher = null;
        } else {
            this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tokengate-token-usage-flush");
                t.setDaemon(true);
                return t;
            });
            long millis = b.flushInterval.toMillis();
            flusher.scheduleWithFixedDelay(this::scheduledFlush, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A builder: give it a {@link DataSource}, or a JDBC URL with user and password.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * How long the old secret of a token {@link #rotate(String) rotated} without a grace period of its own keeps
     * working.
     *
     * @return the default grace period, zero or more
     */
    public Duration rotationGrace() {
        return rotationGrace;
    }

    /**
     * The table this store uses.
     *
     * @return the table's name, an unquoted lower-case SQL identifier
     */
    public String table() {
        return table;
    }

    /**
     * Creates the table, its indexes and the revocation table ({@code <table>_revocation}) if they do not exist,
     * and adds the rotation columns to a table created before them, with the script for the database's product (H2
     * or PostgreSQL) and the configured table name. For tests, samples and first runs; production schemas are
     * usually managed by a migration tool from the same scripts.
     *
     * @throws ConfigurationException when the database is neither H2 nor PostgreSQL
     * @throws UpstreamUnavailableException when the database cannot be reached
     */
    public void createSchema() {
        try (Connection c = dataSource.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName();
            String script = switch (product.toLowerCase(Locale.ROOT)) {
                case "h2" -> "schema-h2.sql";
                case "postgresql" -> "schema-postgresql.sql";
                default -> throw new ConfigurationException("dataSource", "createSchema() knows H2 and PostgreSQL, not "
                        + product + "; adapt dev/tokengate/store/schema-postgresql.sql and run it yourself");
            };
            try (Statement s = c.createStatement()) {
                for (String sql : statements(script, table)) {
                    s.execute(sql);
                }
            }
            if (!c.getAutoCommit()) {
                c.commit();
            }
        } catch (SQLException e) {
            throw unavailable("create its schema", e);
        }
    }

    /** The statements of a shipped schema script, comments removed and the default table name replaced. */
    static List<String> statements(String script, String table) {
        String text;
        try (InputStream in = JdbcTokenStore.class.getResourceAsStream(script)) {
            if (in == null) {
                throw new IllegalStateException("the resource dev/tokengate/store/" + script + " is missing");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read dev/tokengate/store/" + script, e);
        }
        StringBuilder sql = new StringBuilder();
        for (String line : text.split("\n")) {
            int comment = line.indexOf("--");
            sql.append(comment < 0 ? line : line.substring(0, comment)).append('\n');
        }
        List<String> out = new ArrayList<>();
        for (String statement : sql.toString().split(";")) {
            if (!statement.isBlank()) {
                out.add(statement.strip().replaceAll("\\b" + DEFAULT_TABLE, table));
            }
        }
        return out;
    }

    /**
     * The revocation list kept in this database, in the table {@code <table>_revocation} that
     * {@link #createSchema()} creates; it shares this store's connections. The gate uses it when it built this
     * store or was given it.
     *
     * @return a revocation store over this database
     */
    public RevocationStore revocationStore() {
        return new JdbcRevocationStore(dataSource, table + "_revocation", queryTimeoutSeconds);
    }

    // ---------------------------------------------------------------------------------------------- TokenStore

    @Override
    public Optional<StoredToken> find(byte[] sha256) {
        Objects.requireNonNull(sha256, "sha256");
        if (sha256.length != 32) {
            throw new IllegalArgumentException("a SHA-256 has 32 bytes, not " + sha256.length);
        }
        byte[] hash = sha256.clone();
        if (!lookups.tryAcquire()) {
            throw new UpstreamUnavailableException("the token database is not answering: " + maxConcurrentLookups
                    + " lookups are already waiting on it (" + ConfigKeys.STORE_MAX_CONCURRENT_LOOKUPS + "), so this one "
                    + "was not started; check the database, or raise the limit if it is merely busy", null);
        }
        Future<Optional<StoredToken>> lookup;
        try {
            lookup = lookupThreads.submit(() -> {
                try {
                    return lookup(hash);
                } finally {
                    lookups.release();
                }
            });
        } catch (RejectedExecutionException e) {
            lookups.release();
            throw new UpstreamUnavailableException("the token store is closed; no lookup is possible", null, e);
        }
        try {
            return lookup.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // The lookup thread keeps its permit until the driver gives up (network and query timeouts).
            throw new UpstreamUnavailableException("the token database did not answer a lookup within " + timeout
                    + " (" + ConfigKeys.STORE_TIMEOUT + "); check that it is up and not overloaded", null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("a token lookup failed unexpectedly", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamUnavailableException("interrupted while waiting for the token database", null, e);
        }
    }

    /**
     * Opens a connection and asks the driver whether it is valid ({@code Connection.isValid}), on a lookup thread and
     * within the {@linkplain Builder#timeout(Duration) timeout}, like a lookup: {@code up} or {@code down} with what
     * failed. When as many lookups as allowed are already waiting on the database, none is started and the database
     * counts as down.
     */
    @Override
    public UpstreamHealth health() {
        String target = ownPool != null ? withoutParameters(ownPool.getJdbcUrl()) + ", table " + table
                : "the application's DataSource, table " + table;
        String problem;
        if (!lookups.tryAcquire()) {
            problem = "the token database is not answering: " + maxConcurrentLookups + " lookups are already waiting on it ("
                    + ConfigKeys.STORE_MAX_CONCURRENT_LOOKUPS + ")";
        } else {
            problem = validConnection();
        }
        Instant last = lastHealthy;
        Optional<Duration> since = last == null ? Optional.empty() : Optional.of(Duration.between(last, clock.instant()));
        if (problem == null) {
            return new UpstreamHealth("database", target, UpstreamHealth.Status.UP, Optional.empty(), since,
                    "a connection answered within " + timeout);
        }
        return new UpstreamHealth("database", target, UpstreamHealth.Status.DOWN,
                Optional.of(UpstreamHealth.Problem.outage(problem)), since,
                "stored tokens and API keys cannot be checked (answered 503) until the database answers");
    }

    /** The same as {@link #health()}, which already opens a connection. */
    @Override
    public UpstreamHealth probe() {
        return health();
    }

    /** Null when a connection answered {@code isValid} within the timeout, else what went wrong; holds a lookup permit. */
    private String validConnection() {
        Future<Boolean> check;
        try {
            check = lookupThreads.submit(() -> {
                try (Connection c = dataSource.getConnection()) {
                    return c.isValid(seconds(timeout));
                } finally {
                    lookups.release();
                }
            });
        } catch (RejectedExecutionException e) {
            lookups.release();
            return "the token store is closed";
        }
        try {
            if (check.get(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                lastHealthy = clock.instant();
                return null;
            }
            return "a connection to the token database is not valid (Connection.isValid answered false)";
        } catch (TimeoutException e) {
            return "the token database did not answer within " + timeout + " (" + ConfigKeys.STORE_TIMEOUT + ")";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                return unavailable("open a connection", sql).getMessage();
            }
            return "the token database check failed: " + cause;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while waiting for the token database";
        }
    }

    /** The query itself, on a lookup thread; the driver is told to give up after the timeout too. */
    private Optional<StoredToken> lookup(byte[] sha256) {
        try (Connection c = dataSource.getConnection()) {
            return bounded(c, timeout, conn -> {
                try (PreparedStatement ps = conn.prepareStatement("SELECT " + COLUMNS + " FROM " + table
                        + " WHERE token_hash = ?")) {
                    ps.setQueryTimeout(seconds(timeout));
                    ps.setBytes(1, sha256);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
                    }
                }
            });
        } catch (SQLException e) {
            throw unavailable("look the token up", e);
        }
    }

    /** Runs work on a connection with a JDBC network timeout, then restores the connection's own (it may be the app's). */
    private static <T> T bounded(Connection c, Duration limit, Work<T> work) throws SQLException {
        int before;
        try {
            before = c.getNetworkTimeout();
            c.setNetworkTimeout(DIRECT, (int) Math.min(Integer.MAX_VALUE, limit.toMillis()));
        } catch (SQLFeatureNotSupportedException | UnsupportedOperationException e) {
            return work.run(c); // the driver has no network timeout (H2 in memory): the query timeout still applies
        }
        try {
            return work.run(c);
        } finally {
            if (!c.isClosed()) {
                c.setNetworkTimeout(DIRECT, before);
            }
        }
    }

    private static final Executor DIRECT = Runnable::run;

    private static int seconds(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (d.toMillis() + 999) / 1000));
    }

    @Override
    public void recordUse(String tokenId, Instant at, Optional<String> address) {
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(at, "at");
        Use use = new Use(at, address.filter(a -> !a.isEmpty() && a.length() <= 64).orElse(null));
        pendingUses.merge(tokenId, use, Use::merge);
    }

    /**
     * The number of tokens whose usage is waiting to be written.
     *
     * @return the number of tokens with unwritten usage
     */
    public int pendingUses() {
        return pendingUses.size();
    }

    /**
     * Writes the pending usage now, as one batched {@code UPDATE} in one transaction. A use never moves a token's
     * last-used time backwards (several instances may share a database).
     *
     * @return the number of tokens written
     * @throws UpstreamUnavailableException when the database fails; the usage is kept for the next flush
     */
    public int flush() {
        synchronized (flushLock) {
            Map<String, Use> batch = new java.util.LinkedHashMap<>();
            for (String id : List.copyOf(pendingUses.keySet())) {
                Use use = pendingUses.remove(id);
                if (use != null) {
                    batch.put(id, use);
                }
            }
            if (batch.isEmpty()) {
                return 0;
            }
            String sql = "UPDATE " + table + " SET last_used_at = ?, last_used_address = COALESCE(?, last_used_address)"
                    + " WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)";
            try (Connection c = dataSource.getConnection()) {
                bounded(c, queryTimeout, conn -> write(conn, sql, batch));
            } catch (SQLException e) {
                batch.forEach((id, use) -> pendingUses.merge(id, use, Use::merge));
                throw unavailable("record token usage (" + batch.size() + " kept for the next flush)", e);
            }
            return batch.size();
        }
    }

    private Void write(Connection c, String sql, Map<String, Use> batch) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement ps = prepare(c, sql)) {
            for (Map.Entry<String, Use> e : batch.entrySet()) {
                OffsetDateTime at = timestamp(e.getValue().at());
                ps.setObject(1, at);
                if (e.getValue().address() == null) {
                    ps.setNull(2, Types.VARCHAR);
                } else {
                    ps.setString(2, e.getValue().address());
                }
                ps.setString(3, e.getKey());
                ps.setObject(4, at);
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
        return null;
    }

    private void scheduledFlush() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("{}", e.getMessage());
        }
    }

    /**
     * Writes pending usage, stops the threads and closes the pool built for a JDBC URL; idempotent. Does not close a
     * data source it was given. Never waits longer than the timeout plus the query timeout: with the database hung,
     * the usage not yet written is given up (and logged) rather than holding up the application's shutdown.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        lookupThreads.shutdownNow();
        if (flusher != null) {
            // The last flush runs on the flush thread, after one that may be under way, so that close() can stop waiting.
            flusher.execute(this::scheduledFlush);
            flusher.shutdown();
            try {
                if (!flusher.awaitTermination(timeout.plus(queryTimeout).toMillis(), TimeUnit.MILLISECONDS)) {
                    flusher.shutdownNow();
                    LOG.warn("closing the token store: the database did not take the usage of {} tokens within {}; "
                            + "their last-used time is not written", pendingUses.size(), timeout.plus(queryTimeout));
                }
            } catch (InterruptedException e) {
                flusher.shutdownNow();
                Thread.currentThread().interrupt();
            }
        } else {
            try {
                flush();
            } catch (RuntimeException e) {
                LOG.warn("closing the token store: {}", e.getMessage());
            }
        }
        if (ownPool != null) {
            ownPool.close(); // aborts connections a hung query still holds
        }
    }

    // ---------------------------------------------------------------------------------------------- TokenAdmin

    @Override
    public IssuedToken create(TokenKind kind, String name, String owner, String clientId, Collection<String> scopes,
                              Collection<IpRange> allowedRanges, Instant expiresAt) {
        Objects.requireNonNull(kind, "kind");
        List<String> scopeList = scopes(scopes);
        List<IpRange> ranges = ranges(allowedRanges);
        text("name", name);
        text("owner", owner);
        if (clientId != null) {
            text("clientId", clientId);
        }
        Instant now = now();
        Instant expiry = expiresAt == null ? null : expiresAt.truncatedTo(ChronoUnit.MICROS);
        if (expiry != null && !expiry.isAfter(now)) {
            throw new IllegalArgumentException("expiresAt " + expiresAt + " is not in the future");
        }
        StoredToken metadata = new StoredToken(UUID.randomUUID().toString(), kind, name, owner,
                Optional.ofNullable(clientId), scopeList, ranges, now, Optional.ofNullable(expiry), Optional.empty(),
                Optional.empty(), Optional.empty());
        return transaction("store a new token", c -> insert(c, metadata));
    }

    private IssuedToken insert(Connection c, StoredToken t) throws SQLException {
        String token = formats.get(t.kind()).generate();
        try (PreparedStatement ps = prepare(c, "INSERT INTO " + table + " (id, kind, token_hash, name, owner, "
                + "client_id, scopes, allowed_ranges, created_at, expires_at, rotated_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, t.id());
            ps.setString(2, t.kind().name());
            ps.setBytes(3, Fingerprints.sha256(token));
            ps.setString(4, t.name());
            ps.setString(5, t.owner());
            ps.setString(6, t.clientId().orElse(null));
            ps.setString(7, String.join(" ", t.scopes()));
            ps.setString(8, String.join(" ", t.allowedRanges().stream().map(IpRange::toString).toList()));
            ps.setObject(9, timestamp(t.createdAt()));
            if (t.expiresAt().isPresent()) {
                ps.setObject(10, timestamp(t.expiresAt().get()));
            } else {
                ps.setNull(10, Types.TIMESTAMP_WITH_TIMEZONE);
            }
            if (t.rotatedAt().isPresent()) {
                ps.setObject(11, timestamp(t.rotatedAt().get()));
            } else {
                ps.setNull(11, Types.TIMESTAMP_WITH_TIMEZONE);
            }
            ps.executeUpdate();
        }
        return new IssuedToken(token, t);
    }

    @Override
    public List<StoredToken> list(String owner) {
        Objects.requireNonNull(owner, "owner");
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = prepare(c, "SELECT " + COLUMNS + " FROM " + table
                     + " WHERE owner = ? ORDER BY created_at, id")) {
            ps.setString(1, owner);
            List<StoredToken> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return List.copyOf(out);
        } catch (SQLException e) {
            throw unavailable("list tokens", e);
        }
    }

    @Override
    public Optional<StoredToken> get(String id) {
        Objects.requireNonNull(id, "id");
        try (Connection c = dataSource.getConnection()) {
            return byId(c, id, false);
        } catch (SQLException e) {
            throw unavailable("read a token", e);
        }
    }

    @Override
    public boolean revoke(String id) {
        Objects.requireNonNull(id, "id");
        return transaction("revoke a token", c -> revoke(c, id));
    }

    private boolean revoke(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = prepare(c, "UPDATE " + table + " SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
            ps.setObject(1, timestamp(now()));
            ps.setString(2, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** Rotates with this store's {@linkplain #rotationGrace() grace period} ({@code tokengate.store.rotation-grace}). */
    @Override
    public IssuedToken rotate(String id) {
        return rotate(id, rotationGrace);
    }

    @Override
    public IssuedToken rotate(String id, Duration grace) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(grace, "grace");
        badGrace(grace).ifPresent(why -> {
            throw new IllegalArgumentException("grace " + why);
        });
        return transaction("rotate a token", c -> {
            StoredToken old = byId(c, id, true).orElseThrow(() -> new NoSuchElementException("no token has the id " + id));
            if (old.revoked()) {
                throw new IllegalStateException("the token " + id + " is revoked; issue a new token instead");
            }
            if (old.replaced()) {
                throw new IllegalStateException("the token " + id + " was already rotated; rotate its replacement "
                        + old.replacedBy().orElseThrow() + " instead");
            }
            Instant now = now();
            if (old.expiredAt(now)) {
                throw new IllegalStateException("the token " + id + " has expired; issue a new token instead");
            }
            StoredToken fresh = new StoredToken(UUID.randomUUID().toString(), old.kind(), old.name(), old.owner(),
                    old.clientId(), old.scopes(), old.allowedRanges(), now, old.expiresAt(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.of(now), Optional.empty(), Optional.empty());
            IssuedToken issued = insert(c, fresh);
            replace(c, id, fresh.id(), now, now.plus(grace));
            return issued;
        });
    }

    /** Marks the old row as replaced; with no grace period it is revoked at once as well. */
    private void replace(Connection c, String id, String replacement, Instant now, Instant graceUntil) throws SQLException {
        try (PreparedStatement ps = prepare(c, "UPDATE " + table + " SET rotated_at = ?, replaced_by = ?, grace_until = ?"
                + (graceUntil.equals(now) ? ", revoked_at = ?" : "") + " WHERE id = ?")) {
            ps.setObject(1, timestamp(now));
            ps.setString(2, replacement);
            ps.setObject(3, timestamp(graceUntil));
            int next = 4;
            if (graceUntil.equals(now)) {
                ps.setObject(next++, timestamp(now));
            }
            ps.setString(next, id);
            ps.executeUpdate();
        }
    }

    /** Why a grace period is refused, or empty when it is from 0 to {@link #MAX_ROTATION_GRACE}. */
    private static Optional<String> badGrace(Duration grace) {
        return grace.isNegative() || grace.compareTo(MAX_ROTATION_GRACE) > 0
                ? Optional.of("must be from 0 (the old secret is refused at once) to " + MAX_ROTATION_GRACE.toDays()
                        + "d, was " + grace)
                : Optional.empty();
    }

    private Optional<StoredToken> byId(Connection c, String id, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = prepare(c, "SELECT " + COLUMNS + " FROM " + table + " WHERE id = ?"
                + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T transaction(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw unavailable(what, e);
        }
    }

    private PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setQueryTimeout(queryTimeoutSeconds);
        return ps;
    }

    private StoredToken row(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        List<IpRange> ranges = new ArrayList<>();
        for (String range : words(rs.getString("allowed_ranges"))) {
            try {
                ranges.add(IpRange.parse(range));
            } catch (IllegalArgumentException e) {
                throw new SQLException("the token " + id + " has a malformed allowed range in " + table, "22000", e);
            }
        }
        TokenKind kind;
        try {
            kind = TokenKind.valueOf(rs.getString("kind"));
        } catch (IllegalArgumentException e) {
            throw new SQLException("the token " + id + " has an unknown kind in " + table, "22000", e);
        }
        return new StoredToken(id, kind, rs.getString("name"), rs.getString("owner"),
                Optional.ofNullable(rs.getString("client_id")), words(rs.getString("scopes")), ranges,
                instant(rs, "created_at").orElseThrow(() -> new SQLException("the token " + id + " has no created_at")),
                instant(rs, "expires_at"), instant(rs, "revoked_at"), instant(rs, "last_used_at"),
                Optional.ofNullable(rs.getString("last_used_address")), instant(rs, "rotated_at"),
                Optional.ofNullable(rs.getString("replaced_by")), instant(rs, "grace_until"));
    }

    private static List<String> words(String text) {
        return text == null || text.isBlank() ? List.of() : List.of(text.strip().split(" +"));
    }

    private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
        return Optional.ofNullable(rs.getObject(column, OffsetDateTime.class)).map(OffsetDateTime::toInstant);
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private UpstreamUnavailableException unavailable(String what, SQLException e) {
        Throwable cause = e.getCause();
        String because = cause == null || cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")";
        return new UpstreamUnavailableException("the token database could not " + what + " (SQLState "
                + e.getSQLState() + "): " + e.getMessage() + because, null, e);
    }

    private static void text(String parameter, String value) {
        Objects.requireNonNull(value, parameter);
        if (value.isBlank() || value.length() > MAX_TEXT) {
            throw new IllegalArgumentException(parameter + " must have 1 to " + MAX_TEXT + " characters, not all blank");
        }
    }

    private static List<String> scopes(Collection<String> scopes) {
        Objects.requireNonNull(scopes, "scopes");
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String scope : scopes) {
            if (scope == null || !SCOPE.matcher(scope).matches()) {
                throw new IllegalArgumentException("scopes: '" + scope + "' is not a scope (RFC 6749: printable ASCII, "
                        + "no space, double quote or backslash)");
            }
            out.add(scope);
        }
        if (String.join(" ", out).length() > MAX_LIST) {
            throw new IllegalArgumentException("scopes: at most " + MAX_LIST + " characters together");
        }
        return List.copyOf(out);
    }

    private static List<IpRange> ranges(Collection<IpRange> ranges) {
        Objects.requireNonNull(ranges, "allowedRanges");
        LinkedHashSet<IpRange> out = new LinkedHashSet<>();
        for (IpRange range : ranges) {
            out.add(Objects.requireNonNull(range, "allowedRanges contains null"));
        }
        if (out.stream().mapToInt(r -> r.toString().length() + 1).sum() > MAX_LIST) {
            throw new IllegalArgumentException("allowedRanges: at most " + MAX_LIST + " characters together");
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        String database = ownPool != null ? "HikariCP pool of " + withoutParameters(ownPool.getJdbcUrl())
                + ", user=" + ownPool.getUsername() : dataSource.toString();
        return "JdbcTokenStore[table=" + table + ", dataSource=" + database + "]";
    }

    /** The URL up to its parameters, which may carry a password ({@code ?password=}, H2's {@code ;PASSWORD=}). */
    static String withoutParameters(String url) {
        int end = url.length();
        for (char c : new char[] {'?', ';'}) {
            int i = url.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        return url.substring(0, end);
    }

    /** The latest use of one token; a use without an address keeps the previous one's. */
    private record Use(Instant at, String address) {
        static Use merge(Use a, Use b) {
            Use later = b.at.isBefore(a.at) ? a : b;
            Use earlier = later == a ? b : a;
            return later.address != null ? later : new Use(later.at, earlier.address);
        }
    }

    /**
     * Builds a {@link JdbcTokenStore}; setters fail fast with a {@link ConfigurationException} naming the setting.
     * Give either {@link #dataSource(DataSource)} or {@link #jdbcUrl(String)} (with {@link #username(String)} and
     * {@link #password(String)}).
     */
    public static final class Builder {
        private DataSource dataSource;
        private String dataSourceName;
        private String jdbcUrl;
        private String username;
        private String password;
        private String table = DEFAULT_TABLE;
        private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
        private Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int maxConcurrentLookups = DEFAULT_MAX_CONCURRENT_LOOKUPS;
        private Duration rotationGrace = DEFAULT_ROTATION_GRACE;
        private Clock clock = Clock.systemUTC();
        private ConfigSource source;

        private Builder() {
        }

        /**
         * Reads {@code tokengate.store.jdbc-url} or {@code tokengate.store.datasource}, {@code username},
         * {@code password}, {@code table}, {@code timeout}, {@code max-concurrent-lookups} and
         * {@code rotation-grace}; a key that is not set
         * leaves this builder's value. Nothing is looked up, connected or started until {@link #build()}. Every
         * error, here or from {@link #build()}, names the key and the layer its value came from.
         *
         * @param source the gate's configuration; not null
         * @return this builder
         */
        public Builder config(ConfigSource source) {
            source.read(ConfigKeys.STORE_JDBC_URL, this::jdbcUrl);
            source.read(ConfigKeys.STORE_DATASOURCE, this::dataSourceName);
            source.read(ConfigKeys.STORE_TIMEOUT, ConfigSource::duration, this::timeout);
            source.read(ConfigKeys.STORE_MAX_CONCURRENT_LOOKUPS, Builder::count, this::maxConcurrentLookups);
            source.read(ConfigKeys.STORE_USERNAME, this::username);
            source.read(ConfigKeys.STORE_PASSWORD, this::password);
            source.read(ConfigKeys.STORE_TABLE, this::table);
            source.read(ConfigKeys.STORE_ROTATION_GRACE, ConfigSource::duration, this::rotationGrace);
            this.source = source;
            return this;
        }

        /**
         * The database as the application's own {@link DataSource}, normally its connection pool; not closed by the
         * store. Each lookup is still bounded by the {@link #timeout(Duration) timeout}, whatever the pool does.
         *
         * @param dataSource the application's data source; not null
         * @return this builder
         */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /**
         * The database as the application server's {@link DataSource} bound to this JNDI name
         * ({@code java:comp/env/jdbc/tokens}), looked up by {@link #build()} with a default {@link InitialContext};
         * not closed by the store.
         *
         * @param jndiName the JNDI name, not blank
         * @return this builder
         * @throws ConfigurationException naming {@code dataSourceName} for a blank name
         */
        public Builder dataSourceName(String jndiName) {
            Objects.requireNonNull(jndiName, "dataSourceName");
            if (jndiName.isBlank()) {
                throw new ConfigurationException("dataSourceName", "must not be blank; give the JNDI name of the "
                        + "DataSource, e.g. java:comp/env/jdbc/tokens");
            }
            this.dataSourceName = jndiName.strip();
            return this;
        }

        /**
         * The database as a JDBC URL ({@code jdbc:postgresql://db:5432/app}); the store then builds a HikariCP pool
         * of up to 11 connections (at most {@value #MAX_POOLED_LOOKUP_CONNECTIONS} for lookups, fewer when
         * {@link #maxConcurrentLookups(int) max-concurrent-lookups} is lower, and one for the usage writer; lookups
         * beyond them wait for a connection within the timeout), opened on first use, with three quarters of the {@link #timeout(Duration) timeout} as its
         * connection timeout and half of it as its validation timeout, and closes it in {@link JdbcTokenStore#close()}. The JDBC driver must
         * be on the class path.
         *
         * @param jdbcUrl the JDBC URL; not null
         * @return this builder
         * @throws ConfigurationException naming {@code jdbcUrl} for a URL that is not {@code jdbc:…}
         */
        public Builder jdbcUrl(String jdbcUrl) {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            if (!jdbcUrl.startsWith("jdbc:") || jdbcUrl.length() < 7) {
                throw new ConfigurationException("jdbcUrl", "'" + withoutParameters(jdbcUrl)
                        + "' is not a JDBC URL; write e.g. jdbc:postgresql://127.0.0.1:5432/app");
            }
            this.jdbcUrl = jdbcUrl;
            return this;
        }

        /**
         * The database user for {@link #jdbcUrl(String)}; default none (the driver's default).
         *
         * @param username the database user; not null
         * @return this builder
         */
        public Builder username(String username) {
            this.username = Objects.requireNonNull(username, "username");
            return this;
        }

        /**
         * The password for {@link #jdbcUrl(String)}; default none. Read it from a secret, not from a file in the WAR.
         *
         * @param password the user's password; not null
         * @return this builder
         */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /**
         * The table; default {@value #DEFAULT_TABLE}. An unquoted lower-case SQL identifier of at most 48
         * characters ({@code [a-z_][a-z0-9_]*}), since it is written into SQL.
         *
         * @param table the table's name
         * @return this builder
         * @throws ConfigurationException naming {@code table} for any other name
         */
        public Builder table(String table) {
            Objects.requireNonNull(table, "table");
            if (!IDENTIFIER.matcher(table).matches()) {
                throw new ConfigurationException("table", "'" + table + "' is not allowed; use lower-case letters, "
                        + "digits and _ (not first a digit), at most 48 characters");
            }
            this.table = table;
            return this;
        }

        /**
         * How often pending usage is written; default 30 seconds. {@link Duration#ZERO} starts no thread: usage is
         * then written only by {@link JdbcTokenStore#flush()} and {@link JdbcTokenStore#close()}.
         *
         * @param flushInterval zero, or at least 1 ms
         * @return this builder
         * @throws ConfigurationException naming {@code flushInterval} for a negative or sub-millisecond interval
         */
        public Builder flushInterval(Duration flushInterval) {
            Objects.requireNonNull(flushInterval, "flushInterval");
            if (flushInterval.isNegative() || (!flushInterval.isZero() && flushInterval.toMillis() < 1)) {
                throw new ConfigurationException("flushInterval", "must be zero (no thread) or at least 1 ms, was "
                        + flushInterval);
            }
            this.flushInterval = flushInterval;
            return this;
        }

        /**
         * The longest one statement may run, rounded up to whole seconds (JDBC's unit); default 5 seconds.
         *
         * @param queryTimeout positive
         * @return this builder
         * @throws ConfigurationException naming {@code queryTimeout} for zero or less
         */
        public Builder queryTimeout(Duration queryTimeout) {
            Objects.requireNonNull(queryTimeout, "queryTimeout");
            if (queryTimeout.isNegative() || queryTimeout.isZero()) {
                throw new ConfigurationException("queryTimeout", "must be positive, was " + queryTimeout);
            }
            this.queryTimeout = queryTimeout;
            return this;
        }

        /**
         * The longest a lookup may take, waiting for a connection included; default 2 seconds. Beyond it
         * {@link JdbcTokenStore#find} fails with {@link UpstreamUnavailableException} (503 with {@code Retry-After}).
         * Also the JDBC network and query timeout of the lookup's connection (the query timeout in whole seconds), and
         * sets the connection timeout of the pool built for a {@link #jdbcUrl(String) JDBC URL}. 250 ms to 1 minute.
         *
         * @param timeout 250 ms to 1 minute
         * @return this builder
         * @throws ConfigurationException naming {@code timeout} for a timeout out of range
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.compareTo(MIN_TIMEOUT) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
                throw new ConfigurationException("timeout", "must be from 250ms (HikariCP's least connection timeout) "
                        + "to 1m, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * How many lookups may be under way at once; default 20. A lookup beyond them fails at once with
         * {@link UpstreamUnavailableException} (503) instead of waiting, so a hung database holds at most this many
         * request threads, each for at most the timeout (and as many of the store's own lookup threads). A lookup
         * that timed out keeps its place until the driver gives up. Set it above the uncached lookups under way at
         * a healthy peak (about uncached lookups per second × lookup time): measured with 16 clients whose every
         * request was a lookup, a limit of 10 refused 15–18 % of them while the database was healthy. 1 to 1000.
         *
         * @param maxConcurrentLookups 1 to 1000
         * @return this builder
         * @throws ConfigurationException naming {@code maxConcurrentLookups} for a number out of range
         */
        public Builder maxConcurrentLookups(int maxConcurrentLookups) {
            if (maxConcurrentLookups < 1 || maxConcurrentLookups > 1000) {
                throw new ConfigurationException("maxConcurrentLookups", "must be from 1 to 1000, was " + maxConcurrentLookups);
            }
            this.maxConcurrentLookups = maxConcurrentLookups;
            return this;
        }

        /**
         * How long the old secret of a rotated token keeps working, so that its clients can move to the new one;
         * default 24 hours. Zero revokes it at once. At most 90 days. {@link TokenAdmin#rotate(String, Duration)}
         * may give another one.
         *
         * @param rotationGrace zero to 90 days
         * @return this builder
         * @throws ConfigurationException naming {@code rotationGrace} for a negative or longer grace
         */
        public Builder rotationGrace(Duration rotationGrace) {
            Objects.requireNonNull(rotationGrace, "rotationGrace");
            badGrace(rotationGrace).ifPresent(why -> {
                throw new ConfigurationException("rotationGrace", why);
            });
            this.rotationGrace = rotationGrace;
            return this;
        }

        private static int count(String value) {
            try {
                return Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + value + "' is not a whole number; write e.g. 10");
            }
        }

        /**
         * The clock for creation and revocation times; default {@link Clock#systemUTC()}.
         *
         * @param clock the time source; not null
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the store; connects to nothing yet.
         *
         * @return the store, which owns the pool it builds (if any) and its usage writer; close it
         * @throws ConfigurationException when neither or both of a data source and a JDBC URL are given, or a
         *                                user or password is given with a data source
         */
        public JdbcTokenStore build() {
            try {
                return checkAndBuild();
            } catch (ConfigurationException e) {
                throw source == null ? e : source.rename(e, CONFIG_KEYS);
            }
        }

        /** Each setting's {@code tokengate.*} key, for errors of a builder given a {@link #config(ConfigSource)}. */
        private static final Map<String, String> CONFIG_KEYS = Map.of("jdbcUrl", ConfigKeys.STORE_JDBC_URL,
                "username", ConfigKeys.STORE_USERNAME, "password", ConfigKeys.STORE_PASSWORD, "table", ConfigKeys.STORE_TABLE,
                "dataSourceName", ConfigKeys.STORE_DATASOURCE, "timeout", ConfigKeys.STORE_TIMEOUT,
                "maxConcurrentLookups", ConfigKeys.STORE_MAX_CONCURRENT_LOOKUPS,
                "rotationGrace", ConfigKeys.STORE_ROTATION_GRACE);

        private JdbcTokenStore checkAndBuild() {
            int given = (dataSource != null ? 1 : 0) + (dataSourceName != null ? 1 : 0) + (jdbcUrl != null ? 1 : 0);
            if (given == 0) {
                throw new ConfigurationException("jdbcUrl", "give the token database: a jdbcUrl, a dataSource or the "
                        + "JNDI name of one (dataSourceName)");
            }
            if (given > 1) {
                throw new ConfigurationException(jdbcUrl != null ? "jdbcUrl" : "dataSourceName", "give one of a jdbcUrl, "
                        + "a dataSource and a dataSourceName (JNDI), not several");
            }
            if (jdbcUrl == null && (username != null || password != null)) {
                throw new ConfigurationException(username != null ? "username" : "password",
                        "only used with a jdbcUrl; a dataSource brings its own credentials");
            }
            if (jdbcUrl == null) {
                return new JdbcTokenStore(this, dataSource != null ? dataSource : lookUp(dataSourceName), null);
            }
            HikariDataSource pool = pool();
            return new JdbcTokenStore(this, pool, pool);
        }

        /** A pool that opens its connections on first use, so that building the store connects to nothing. */
        private HikariDataSource pool() {
            HikariDataSource pool = new HikariDataSource(); // lazy: started by the first getConnection()
            pool.setPoolName("tokengate-token-store");
            pool.setJdbcUrl(jdbcUrl);
            if (username != null) {
                pool.setUsername(username);
            }
            if (password != null) {
                pool.setPassword(password);
            }
            pool.setMaximumPoolSize(Math.min(maxConcurrentLookups, MAX_POOLED_LOOKUP_CONNECTIONS) + 1);
            pool.setMinimumIdle(1);
            // Below the timeout, so that a database refusing connections is reported with its cause, not as a timeout
            pool.setConnectionTimeout(Math.max(MIN_TIMEOUT.toMillis(), timeout.toMillis() * 3 / 4));
            pool.setValidationTimeout(Math.max(MIN_TIMEOUT.toMillis(), timeout.toMillis() / 2));
            pool.setInitializationFailTimeout(-1); // a database that is down at start-up is a 503, not a failed start
            return pool;
        }

        private static DataSource lookUp(String jndiName) {
            Object bound;
            try {
                InitialContext context = new InitialContext();
                try {
                    bound = context.lookup(jndiName);
                } finally {
                    context.close();
                }
            } catch (NamingException e) {
                throw new ConfigurationException("dataSourceName", "no DataSource could be looked up under the JNDI "
                        + "name '" + jndiName + "' (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                        + "); declare it in the server (e.g. a <Resource> in Tomcat's context.xml, with a "
                        + "<resource-ref> in web.xml) and give its full name, e.g. java:comp/env/jdbc/tokens", e);
            }
            if (!(bound instanceof DataSource ds)) {
                throw new ConfigurationException("dataSourceName", "the JNDI name '" + jndiName + "' is bound to "
                        + (bound == null ? "nothing" : "a " + bound.getClass().getName()) + ", not a javax.sql.DataSource");
            }
            return ds;
        }
    }
}
