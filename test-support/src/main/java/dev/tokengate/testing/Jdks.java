package dev.tokengate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The JDKs on this machine, for tests that start a server in a JVM of its own (an application server, Keycloak):
 * the one running the tests, and those installed beside it (as in {@code /usr/lib/jvm}).
 */
public final class Jdks {

    private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)(?:\\.(\\d+))?");

    private Jdks() {
    }

    /** The JDK running the tests ({@code java.home}). */
    public static Path own() {
        return Path.of(System.getProperty("java.home"));
    }

    /**
     * The JDK running the tests if it is {@code minimum} or later, else the newest JDK installed beside it that is
     * and has {@code bin/<tool>}.
     *
     * @param minimum the least feature version, e.g. 21
     * @param tool    a program the JDK must have in {@code bin}, e.g. {@code java} or {@code jcmd}
     * @return the JDK's home, or empty when there is none
     */
    public static Optional<Path> atLeast(int minimum, String tool) {
        Path own = own();
        if (feature(own) >= minimum) {
            return Optional.of(own);
        }
        return newestBeside(own, tool).filter(jdk -> feature(jdk) >= minimum);
    }

    /** The feature version in a JDK's {@code release} file (25 for 25.0.3, 8 for 1.8.0), or 0 when unknown. */
    public static int feature(Path javaHome) {
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

    /** The newest JDK in {@code javaHome}'s parent directory with {@code bin/<tool>}, if any. */
    private static Optional<Path> newestBeside(Path javaHome, String tool) {
        Path parent = javaHome.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(parent)) {
            return dirs.filter(d -> Files.isExecutable(d.resolve("bin").resolve(tool)))
                    .max(Comparator.comparingInt(Jdks::feature).thenComparing(Path::toString));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
