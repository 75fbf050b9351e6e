package dev.tokengate.it;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * What the real-server tests need from the build (a distribution it unpacked, a list of jars it wrote), given as
 * system properties: missing, the test is skipped with the reason; failed instead when
 * {@code REQUIRE_TEST_SERVICES=true} (CI), so that a run which checked nothing cannot pass there.
 */
final class Prerequisites {

    private Prerequisites() {
    }

    /** The directory or file this property names, which must exist. */
    static Path requiredPath(String property, String what) {
        String value = System.getProperty(property);
        if (value == null || !Files.exists(Path.of(value))) {
            skip(what + " is not at " + property + "=" + value + "; run ./mvnw verify");
        }
        return Path.of(value);
    }

    /** The regular file this property names. */
    static Path requiredFile(String property, String what) {
        String value = System.getProperty(property);
        if (value == null || !Files.isRegularFile(Path.of(value))) {
            skip(what + " is not at " + property + "=" + value + "; run ./mvnw verify");
        }
        return Path.of(value);
    }

    /** Skips with the reason; fails instead when {@code REQUIRE_TEST_SERVICES=true} (CI). */
    static void skip(String reason) {
        if ("true".equals(System.getenv("REQUIRE_TEST_SERVICES"))) {
            fail(reason + "; REQUIRE_TEST_SERVICES=true, so this fails instead of skipping");
        }
        System.out.println("skipped: " + reason);
        abort(reason);
    }
}
