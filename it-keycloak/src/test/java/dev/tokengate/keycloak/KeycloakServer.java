package dev.tokengate.keycloak;

import dev.tokengate.testing.Jdks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * A real Keycloak, started from the distribution the build unpacked ({@code -Dit.keycloak.home}) in dev mode on a
 * free loopback port, with the test realm {@value #REALM} imported from {@code tokengate-realm.json} into a fresh
 * database; {@link #close()} stops it and every process it started.
 *
 * <p>Keycloak needs Java 21 or later, the tests run on the build's JDK (17 or later). Its JDK is
 * {@code -Dit.keycloak.java.home} or the environment's {@code KEYCLOAK_JAVA_HOME} when given, else the JDK running
 * the tests if it is 21+, else the newest 21+ installed beside it (as in {@code /usr/lib/jvm}). Without one, or
 * without the distribution, the tests are skipped saying why, or fail when {@code REQUIRE_TEST_SERVICES=true}
 * (CI), so that a run which checked nothing cannot pass there.
 */
final class KeycloakServer implements AutoCloseable {

    static final String REALM = "tokengate";
    /** How long Keycloak may take to start: a first start builds its Quarkus application (minutes on 2 busy cores). */
    private static final Duration START_LIMIT = Duration.ofMinutes(10);
    private static final Duration POLL_PAUSE = Duration.ofMillis(500);

    private final Process process;
    private final int port;
    private final Path log;
    private final Duration startup;

    private KeycloakServer(Process process, int port, Path log, Duration startup) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.startup = startup;
    }

    /** Starts Keycloak and returns once its realm's discovery document is served. */
    static KeycloakServer start() throws IOException {
        Path home = distribution();
        Path javaHome = javaHome();
        Path data = home.resolve("data");
        deleteTree(data); // a fresh database: the realm is imported as the JSON says, never left from a run before
        Files.createDirectories(data.resolve("import"));
        try (InputStream realm = KeycloakServer.class.getResourceAsStream("/tokengate-realm.json")) {
            Files.copy(realm, data.resolve("import/tokengate-realm.json"), StandardCopyOption.REPLACE_EXISTING);
        }
        int port = freePort();
        Path log = home.resolve("keycloak-it.log");
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-host=127.0.0.1", "--http-port=" + port, "--import-realm")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("JAVA_HOME", javaHome.toString());
        env.put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
        // The master realm's admin, which Keycloak creates at first start; no test uses it.
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin");
        long started = System.nanoTime();
        Process process = pb.start();
        KeycloakServer server = new KeycloakServer(process, port, log, Duration.ZERO);
        try {
            server.awaitDiscovery();
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        Duration startup = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf("Keycloak %s on Java %d started in %d s at %s (log: %s)%n",
                System.getProperty("it.keycloak.version"), Jdks.feature(javaHome), startup.toSeconds(), server.issuer(), log);
        return new KeycloakServer(process, port, log, startup);
    }

    /** The realm's issuer: {@code http://127.0.0.1:port/realms/tokengate}, as Keycloak writes it into its tokens. */
    URI issuer() {
        return URI.create("http://127.0.0.1:" + port + "/realms/" + REALM);
    }

    /** The realm's token endpoint. */
    URI tokenEndpoint() {
        return URI.create(issuer() + "/protocol/openid-connect/token");
    }

    /** How long Keycloak took from its start to serving its realm's discovery document. */
    Duration startup() {
        return startup;
    }

    /** Polls the realm's discovery document, a bounded number of times: this is a process starting up. */
    private void awaitDiscovery() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(issuer() + "/.well-known/openid-configuration"))
                .timeout(Duration.ofSeconds(5)).build();
        long attempts = START_LIMIT.toMillis() / POLL_PAUSE.toMillis();
        for (long attempt = 0; attempt < attempts; attempt++) {
            if (!process.isAlive()) {
                fail("Keycloak exited with status " + process.exitValue() + " before serving its realm; see " + log);
            }
            try {
                if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Keycloak", e);
            }
            try {
                process.waitFor(POLL_PAUSE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Keycloak", e);
            }
        }
        fail("Keycloak did not serve " + request.uri() + " within " + START_LIMIT.toMinutes() + " min; see " + log);
    }

    /** Stops Keycloak (its start script and the JVM under it), forcibly after 30 s, and waits for it. */
    @Override
    public void close() {
        var tree = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
    }

    private static Path distribution() {
        String home = System.getProperty("it.keycloak.home");
        if (home == null || !Files.isExecutable(Path.of(home, "bin/kc.sh"))) {
            skip("Keycloak's distribution is not at -Dit.keycloak.home=" + home + "; run ./mvnw verify (it unpacks "
                    + "org.keycloak:keycloak-quarkus-dist into it-keycloak/target/keycloak)");
        }
        return Path.of(home);
    }

    private static Path javaHome() {
        for (String chosen : new String[]{System.getProperty("it.keycloak.java.home"), System.getenv("KEYCLOAK_JAVA_HOME")}) {
            if (chosen != null && !chosen.isBlank()) {
                if (Jdks.feature(Path.of(chosen)) < 21) {
                    skip("Keycloak needs Java 21 or later, and " + chosen + " (KEYCLOAK_JAVA_HOME or "
                            + "-Dit.keycloak.java.home) is not a JDK 21+");
                }
                return Path.of(chosen);
            }
        }
        Optional<Path> jdk = Jdks.atLeast(21, "java");
        if (jdk.isEmpty()) {
            skip("Keycloak needs Java 21 or later: the tests run on Java " + Jdks.feature(Jdks.own())
                    + " and no JDK 21+ is installed beside it; set KEYCLOAK_JAVA_HOME to one");
        }
        return jdk.get();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** Skips with the reason; fails instead when {@code REQUIRE_TEST_SERVICES=true} (CI). */
    private static void skip(String reason) {
        if ("true".equals(System.getenv("REQUIRE_TEST_SERVICES"))) {
            fail(reason + "; REQUIRE_TEST_SERVICES=true, so this fails instead of skipping");
        }
        System.out.println("skipped: " + reason);
        abort(reason);
    }
}
