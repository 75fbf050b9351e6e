package dev.tokengate.testing.conformance;

import dev.tokengate.TokenGate;

import java.net.URI;

/**
 * An adapter under test, serving the same small application in a real server so that one conformance suite can be
 * run against every adapter. Each adapter's test module implements it (the servlet filter in Jetty, the JAX-RS
 * feature on Jersey and on RESTEasy).
 *
 * <p>The application, whatever the adapter:
 * <ul>
 *   <li>{@value #READ}: {@code GET} and {@code POST} need the scope {@code read}; the answer is 200 with the body
 *       {@code subject=<the caller's name>}, followed by {@code  note=<value>} when a urlencoded {@code POST} has a
 *       {@code note} field (read by the application after the gate: the body must still be there);</li>
 *   <li>{@value #ADMIN}: {@code GET} needs the scope {@code admin}; same answer;</li>
 *   <li>{@value #OPEN}: {@code GET} needs no token; the answer is 200 {@code open};</li>
 *   <li>{@value #WITHDRAWALS}: {@code POST} needs the scope {@code withdraw} and a step-up (RFC 9470): an {@code acr}
 *       of {@code mfa} or {@code hwk} and an authentication within 300 seconds; the answer is 200
 *       {@code withdrawn};</li>
 *   <li>{@value #FRESH}: {@code GET} needs the scope {@code read} and an authentication within 60 seconds; the
 *       answer is that of {@value #READ}.</li>
 * </ul>
 */
public interface GatedApp {

    /** Needs the scope {@code read} (GET and POST). */
    String READ = "/api/read";
    /** Needs the scope {@code admin}. */
    String ADMIN = "/api/admin";
    /** Needs no token. */
    String OPEN = "/api/open";
    /** Needs the scope {@code withdraw}, an {@code acr} of {@code mfa} or {@code hwk}, a sign-in within 300 s (POST). */
    String WITHDRAWALS = "/api/withdrawals";
    /** Needs the scope {@code read} and a sign-in within 60 s. */
    String FRESH = "/api/fresh";

    /** Starts the application behind {@code gate} on a loopback port; the caller closes the deployment. */
    Deployment deploy(TokenGate gate) throws Exception;

    /** A running deployment. */
    interface Deployment extends AutoCloseable {
        /** Scheme, host and port, no path. */
        URI base();

        @Override
        void close() throws Exception;

        /**
         * Starts a server with {@code start} for {@code gate}: the deployment closes the server, then the gate; a
         * server that fails to start closes the gate at once.
         */
        static Deployment start(TokenGate gate, Starter start) throws Exception {
            Server server;
            try {
                server = start.start();
            } catch (Exception e) {
                gate.close();
                throw e;
            }
            return new Deployment() {
                @Override
                public URI base() {
                    return server.base();
                }

                @Override
                public void close() throws Exception {
                    try {
                        server.close();
                    } finally {
                        gate.close();
                    }
                }
            };
        }
    }

    /** A started server: where it listens, and how it stops. */
    interface Server extends AutoCloseable {
        URI base();
    }

    /** Starts a server. */
    @FunctionalInterface
    interface Starter {
        Server start() throws Exception;
    }
}
