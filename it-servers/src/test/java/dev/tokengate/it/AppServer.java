package dev.tokengate.it;

import java.nio.file.Path;

/**
 * A standalone application server that a test started in a JVM of its own, on loopback, and deploys WARs to while
 * it runs: what the tests of the EE application ({@link EeServerContract}) need of WildFly and Payara Micro alike.
 */
interface AppServer extends Server {

    /** A name for messages, e.g. {@code "WildFly 39.0.1.Final"}. */
    String name();

    /** The server's log file, for a failure message. */
    Path serverLog();

    /** All the server has logged so far (its log file or files, oldest first), as text. */
    String log();

    /** Whether a line of its log is an error (WildFly {@code ERROR}, Payara {@code SEVERE}). */
    boolean isError(String logLine);
}
