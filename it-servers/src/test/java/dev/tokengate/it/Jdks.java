package dev.tokengate.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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

    private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)(?:\\.(\\d+))?");

    private Jdks() {
    }

    static Path forServer() {
        String chosen = System.getProperty("it.server.java.home");
        if (chosen != null && !chosen.isBlank()) {
            return Path.of(chosen);
        }
        Path own = Path.of(System.getProperty("java.home"));
        if (feature(own) >= 21) {
            return own;
        }
        return newestBeside(own).filter(jdk -> feature(jdk) >= 21).orElse(own);
    }

    /** The feature version in a JDK's {@code release} file (25 for 25.0.3, 8 for 1.8.0), or 0 when unknown. */
    static int feature(Path javaHome) {
        try {
            Matcher m = VERSION.matcher(Files.readString(javaHome.resolve("release")));
            if (!m.find()) {
                return 0;
            }
            int first = Integer.parseInt(m.group(1));
            return first == 1 && m.group(2) != null ? Integer.parseInt(m.group(2)) : first;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static Optional<Path> newestBeside(Path javaHome) {
        Path parent = javaHome.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(parent)) {
            return dirs.filter(d -> Files.isExecutable(d.resolve("bin/jcmd")))
                    .max(Comparator.comparingInt(Jdks::feature).thenComparing(Path::toString));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
