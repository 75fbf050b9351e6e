package dev.tokengate.store;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} wrapper that counts connections and records every statement executed
 * ({@code "executeQuery SELECT …"}, {@code "executeBatch[3] UPDATE …"}), and can play a database that is down.
 */
final class CountingDataSource implements DataSource {

    private final DataSource delegate;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> executions = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean down;
    private volatile java.util.concurrent.CountDownLatch hangUntil;
    private final java.util.concurrent.Semaphore hanging = new java.util.concurrent.Semaphore(0);

    CountingDataSource(DataSource delegate) {
        this.delegate = delegate;
    }

    int connections() {
        return connections.get();
    }

    List<String> executions() {
        return List.copyOf(executions);
    }

    /** Executions that are not a SELECT. */
    List<String> writes() {
        return executions().stream().filter(e -> !e.substring(e.indexOf(' ') + 1).startsWith("SELECT")).toList();
    }

    void reset() {
        connections.set(0);
        executions.clear();
    }

    void down(boolean down) {
        this.down = down;
    }

    /** Plays a hung database: every {@code getConnection()} blocks until {@link #resume()} (or an interrupt). */
    void hang() {
        hangUntil = new java.util.concurrent.CountDownLatch(1);
    }

    void resume() {
        java.util.concurrent.CountDownLatch latch = hangUntil;
        hangUntil = null;
        if (latch != null) {
            latch.countDown();
        }
    }

    /** Waits until {@code n} more callers are blocked in {@code getConnection()} by {@link #hang()}. */
    void awaitHanging(int n) throws InterruptedException {
        hanging.acquire(n);
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (down) {
            throw new SQLException("Connection to 127.0.0.1:5432 refused (simulated)", "08001");
        }
        java.util.concurrent.CountDownLatch latch = hangUntil;
        if (latch != null) {
            hanging.release();
            try {
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while the database hung (simulated)", "08006", e);
            }
        }
        connections.incrementAndGet();
        return wrap(delegate.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLException("not used");
    }

    private Connection wrap(Connection c) {
        InvocationHandler h = (proxy, method, args) -> {
            Object result = invoke(c, method, args);
            if (method.getName().equals("prepareStatement")) {
                return wrap((PreparedStatement) result, (String) args[0], PreparedStatement.class);
            }
            if (method.getName().equals("createStatement")) {
                return wrap((Statement) result, null, Statement.class);
            }
            return result;
        };
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, h);
    }

    private <S extends Statement> S wrap(S statement, String sql, Class<S> type) {
        AtomicInteger batched = new AtomicInteger();
        InvocationHandler h = (proxy, method, args) -> {
            String name = method.getName();
            if (name.equals("addBatch")) {
                batched.incrementAndGet();
            } else if (name.equals("executeBatch")) {
                executions.add("executeBatch[" + batched.getAndSet(0) + "] " + normalise(sql));
            } else if (name.startsWith("execute")) {
                executions.add(name + " " + normalise(sql != null ? sql : (String) args[0]));
            }
            return invoke(statement, method, args);
        };
        return type.cast(Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, h));
    }

    private static String normalise(String sql) {
        return sql.strip().replaceAll("\\s+", " ");
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getLogger("tokengate-test");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return delegate.isWrapperFor(iface);
    }
}
