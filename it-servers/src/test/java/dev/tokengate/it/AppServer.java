package dev.tokengate.it;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * A standalone application server that a test started in a JVM of its own, on loopback, and deploys WARs to while
 * it runs: what the tests of the EE application ({@link EeServerContract}) need of WildFly and Payara Micro alike.
 */
interface AppServer extends AutoCloseable {

    /** A name for messages, e.g. {@code "WildFly 39.0.1.Final"}. */
    String name();

    /** The server's process id (its JVM's), for {@code jcmd}. */
    long pid();

    /** The JDK the server runs on. */
    Path javaHome();

    /** {@code http://127.0.0.1:port} plus this path. */
    URI uri(String path);

    /**
     * Deploys this archive under its file name, its context root the name without {@code .war}, and returns once
     * it is deployed.
     *
     * @throws AssertionError with the server's reason when the deployment failed
     */
    void deploy(Path war) throws IOException;

    /** Undeploys the archive of this file name and returns once the application has stopped. */
    void undeploy(String name) throws IOException;

    /** The server's log file, for a failure message. */
    Path serverLog();

    /** All the server has logged so far (its log file or files, oldest first), as text. */
    String log();

    /** Whether a line of its log is an error (WildFly {@code ERROR}, Payara {@code SEVERE}). */
    boolean isError(String logLine);

    /** Stops the server and waits for it; its logs stay. */
    @Override
    void close();
}
