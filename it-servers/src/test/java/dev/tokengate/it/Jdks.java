package dev.tokengate.it;

import java.nio.file.Path;

/**
 * The JDK a server under test runs on: {@code -Dit.server.java.home} when given; else the JDK running the tests if
 * it is Java 21 or later; else the newest JDK 21+ with {@code jcmd} installed beside it (as in
 * {@code /usr/lib/jvm}); else the JDK running the tests.
 *
 * <p>Java 21+ first because that is where tokengate's lifecycle has the most to get right: there it stops the HTTP
 * clients it built when the gate closes ({@code HttpClient.shutdownNow}), and there a client's internals stay
 * reachable until its facade is collected (a {@code Cleaner}), which is how an undeployed application once stayed
 * loaded for good. On Java 17 a client cannot be stopped; its selector thread ends once a GC has collected it.
 */
final class Jdks {

    private Jdks() {
    }

    static Path forServer() {
        String chosen = System.getProperty("it.server.java.home");
        if (chosen != null && !chosen.isBlank()) {
            return Path.of(chosen);
        }
        return dev.tokengate.testing.Jdks.atLeast(21, "jcmd").orElse(dev.tokengate.testing.Jdks.own());
    }

    /** The feature version in a JDK's {@code release} file (25 for 25.0.3, 8 for 1.8.0), or 0 when unknown. */
    static int feature(Path javaHome) {
        return dev.tokengate.testing.Jdks.feature(javaHome);
    }
}
