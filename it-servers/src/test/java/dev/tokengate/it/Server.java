package dev.tokengate.it;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * A standalone server started by a test from its unpacked distribution, on loopback: what the redeploy and
 * container tests need of it, whichever server it is ({@link WildFly}, {@link Tomcat}).
 */
interface Server extends AutoCloseable {

    /** The server's process id (the JVM's, not a start script's), for {@link Jcmd}. */
    long pid();

    /** The JDK the server runs on. */
    Path javaHome();

    int httpPort();

    /** {@code http://127.0.0.1:port} plus this path. */
    default URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort() + path);
    }

    /** Deploys this archive under its file name, as an operator does, and returns once it is deployed. */
    void deploy(Path war) throws IOException;

    /** Undeploys the archive of this file name and returns once the application has stopped. */
    void undeploy(String name) throws IOException;

    /** Stops the server and waits for it; its logs stay. */
    @Override
    void close();
}
