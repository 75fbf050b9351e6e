package dev.tokengate.jaxrs;

import dev.tokengate.testing.jetty.TestServer;
import dev.tokengate.TokenGate;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.store.JdbcTokenStore;
import jakarta.ws.rs.core.Application;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What closes the gate a {@link TokenGateFeature} runs on, in a real runtime on a real Jetty. The resource the gate
 * holds and the test watches is the token store's flush thread: it exists while the gate is open and ends when the
 * gate is closed. Each runtime's subclass says when that happens on it.
 */
abstract class FeatureShutdownContract {

    static final String FLUSH_THREAD = "tokengate-token-usage-flush";
    /** Bounded waits: one round is one full GC and a join of at most this long. */
    static final int GC_ROUNDS = 100;
    static final long ROUND_MILLIS = 100;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    abstract JaxrsRuntime runtime();

    /** Lets go of whatever the runtime itself still holds of a stopped application on this thread. */
    void forgetStoppedApplication() {
    }

    /** The settings of a no-argument feature: a token store only (it connects to nothing until it is used). */
    static Map<String, Object> settings() {
        return Map.of(ConfigKeys.STORE_JDBC_URL, "jdbc:h2:mem:shutdown-" + DATABASES.incrementAndGet());
    }

    /** An application of the orders resource, with the feature among its classes or its singletons. */
    static Application application(Set<Class<?>> classes, Set<Object> singletons, Map<String, Object> properties) {
        return new Application() {
            @Override
            public Set<Class<?>> getClasses() {
                Set<Class<?>> all = new HashSet<>(classes);
                all.add(OrdersResource.class);
                return all;
            }

            @Override
            public Set<Object> getSingletons() {
                return singletons;
            }

            @Override
            public Map<String, Object> getProperties() {
                return properties;
            }
        };
    }

    /**
     * Starts {@code application} on a server, sends it one request (so that a runtime that starts lazily has
     * configured the feature) and answers the running server and the flush thread the deployment started.
     */
    Deployment deploy(Application application) throws Exception {
        return deploy(application, flushThreads());
    }

    /** {@link #deploy(Application)}, for a gate that started its thread before, when the threads were {@code before}. */
    Deployment deploy(Application application, Set<Thread> before) throws Exception {
        TestServer server = ServletContexts.serve(context -> runtime().deploy(context, application));
        assertThat(server.send(server.request("/orders").GET()).statusCode()).as("no token").isEqualTo(401);
        Set<Thread> started = flushThreads();
        started.removeAll(before);
        assertThat(started).as("the flush thread of this deployment's gate").hasSize(1);
        return new Deployment(server, started.iterator().next());
    }

    record Deployment(TestServer server, Thread flushThread) {
    }

    static Set<Thread> flushThreads() {
        Set<Thread> threads = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(FLUSH_THREAD) && t.isAlive()) {
                threads.add(t);
            }
        }
        return threads;
    }

    /** Runs full GCs until {@code thread} has ended, at most {@link #GC_ROUNDS} times; whether it ended. */
    static boolean endsWithinGcRounds(Thread thread) throws InterruptedException {
        for (int round = 0; round < GC_ROUNDS && thread.isAlive(); round++) {
            System.gc();
            thread.join(ROUND_MILLIS);
        }
        return !thread.isAlive();
    }

    // ---- on every runtime

    @Test
    void gateGivenToTheFeatureStaysOpenAfterTheApplicationStops() throws Exception {
        Set<Thread> before = flushThreads();
        TokenGate gate = TokenGate.builder()
                .tokenStore(JdbcTokenStore.builder().jdbcUrl("jdbc:h2:mem:given-" + DATABASES.incrementAndGet()).build())
                .build();
        Thread flushThread;
        try {
            Deployment d = deploy(application(Set.of(), Set.of(new TokenGateFeature(gate)), Map.of()), before);
            flushThread = d.flushThread();
            d.server().close();
            forgetStoppedApplication();
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            flushThread.join(ROUND_MILLIS);
            assertThat(flushThread.isAlive()).as("the caller's gate is the caller's to close").isTrue();
        } finally {
            gate.close();
        }
        flushThread.join(10_000);
        assertThat(flushThread.isAlive()).as("closed by its owner").isFalse();
    }

    @Test
    void closeClosesTheGateTheFeatureBuiltAtOnce() throws Exception {
        TokenGateFeature feature = new TokenGateFeature();
        Deployment d = deploy(application(Set.of(), Set.of(feature), settings()));
        try {
            feature.close();
            d.flushThread().join(10_000);
            assertThat(d.flushThread().isAlive()).isFalse();
            feature.close(); // idempotent
        } finally {
            d.server().close();
        }
    }
}
