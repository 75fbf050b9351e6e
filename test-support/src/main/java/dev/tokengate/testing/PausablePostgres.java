package dev.tokengate.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A PostgreSQL server of the test's own: a fresh cluster in a temporary directory, on a free loopback port (never
 * the shared one at 5432), that the test can {@linkplain #pause() pause} (SIGSTOP to the postmaster and every
 * backend: connections are accepted by the kernel and then nothing answers, as with a hung database) and
 * {@linkplain #resume() resume}. Needs the server binaries ({@code /usr/lib/postgresql/15/bin}, or
 * {@code TOKENGATE_TEST_PG_BIN}); PostgreSQL refuses to run as root, so as root it runs as the {@code postgres}
 * user through {@code runuser}. Where any of this is missing, {@link #start()} skips the test with the reason.
 */
public final class PausablePostgres implements AutoCloseable {

    private static final Path BIN = Path.of(Optional.ofNullable(System.getenv("TOKENGATE_TEST_PG_BIN"))
            .filter(v -> !v.isBlank()).orElse("/usr/lib/postgresql/15/bin"));
    private static final String OS_USER = "postgres";

    private final Path dir;
    private final int port;
    private final Process server;
    private final long postmaster;
    private final Thread shutdownHook;

    private PausablePostgres(Path dir, int port, Process server, long postmaster) {
        this.dir = dir;
        this.port = port;
        this.server = server;
        this.postmaster = postmaster;
        this.shutdownHook = new Thread(this::kill, "pausable-postgres-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a server, or skips the calling test (JUnit {@code Assumptions}) saying what is missing. */
    public static PausablePostgres start() throws IOException, InterruptedException {
        boolean root = "root".equals(System.getProperty("user.name"));
        Assumptions.assumeTrue(Files.isExecutable(BIN.resolve("initdb")) && Files.isExecutable(BIN.resolve("postgres")),
                () -> skipped("no PostgreSQL server binaries in " + BIN + " (set TOKENGATE_TEST_PG_BIN)"));
        Assumptions.assumeTrue(!root || Files.isExecutable(Path.of("/usr/sbin/runuser")) && userExists(OS_USER),
                () -> skipped("running as root, and PostgreSQL refuses root: needs /usr/sbin/runuser and a postgres user"));

        Path dir = Files.createTempDirectory("tokengate-pg-");
        if (root) {
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(dir, users.lookupPrincipalByName(OS_USER));
        }
        Path data = dir.resolve("data");
        run(root, dir, List.of(BIN.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres",
                "-E", "UTF8", "--no-sync"));
        int port = freePort();
        Process server = command(root, List.of(BIN.resolve("postgres").toString(), "-D", data.toString(),
                "-p", String.valueOf(port), "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "shared_buffers=16MB", "-c", "max_connections=60"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) { // start-up, not a test assertion: poll until it accepts a connection
            try (Connection c = DriverManager.getConnection(url + "?connectTimeout=2", "postgres", "")) {
                c.isValid(2);
                break;
            } catch (SQLException e) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    String log = Files.readString(dir.resolve("server.log"), StandardCharsets.UTF_8);
                    Path pidFile = data.resolve("postmaster.pid"); // runuser's end would not stop its child
                    if (Files.exists(pidFile)) {
                        signal("QUIT", List.of(Long.parseLong(Files.readAllLines(pidFile).get(0).strip())));
                    }
                    server.destroyForcibly();
                    throw new IllegalStateException("the test's PostgreSQL did not start on port " + port + ": "
                            + e.getMessage() + "\n" + log, e);
                }
                server.waitFor(50, TimeUnit.MILLISECONDS); // returns at once if the server died; then the check above fails
            }
        }
        long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
        return new PausablePostgres(dir, port, server, pid);
    }

    private static String skipped(String reason) {
        String message = "PausablePostgres: " + reason;
        System.out.println("SKIPPED " + message);
        return message;
    }

    private static boolean userExists(String user) throws IOException {
        return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith(user + ":"));
    }

    private static ProcessBuilder command(boolean root, List<String> command) {
        List<String> full = new ArrayList<>();
        if (root) {
            full.addAll(List.of("/usr/sbin/runuser", "-u", OS_USER, "--"));
        }
        full.addAll(command);
        return new ProcessBuilder(full);
    }

    private static void run(boolean root, Path dir, List<String> command) throws IOException, InterruptedException {
        Path log = dir.resolve(Path.of(command.get(0)).getFileName() + ".log");
        Process p = command(root, command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + Files.readString(log));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The JDBC URL of the {@code postgres} database (user {@code postgres}, no password). */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public int port() {
        return port;
    }

    /** Stops the postmaster, then every backend: from now on nothing answers, and no new backend starts. */
    public void pause() {
        List<Long> pids = processes();
        signal("STOP", pids.subList(0, 1));
        signal("STOP", pids.subList(1, pids.size()));
    }

    /**
     * Lets the backends, then the postmaster, run again; and {@code runuser}, which stops itself when its child is
     * stopped (as {@code su} does) and would otherwise never see the server end.
     */
    public void resume() {
        List<Long> pids = processes();
        signal("CONT", pids.subList(1, pids.size()));
        signal("CONT", pids.subList(0, 1));
        if (server.pid() != postmaster && server.isAlive()) {
            signal("CONT", List.of(server.pid()));
        }
    }

    /** The postmaster first, then its children. */
    private List<Long> processes() {
        List<Long> pids = new ArrayList<>();
        pids.add(postmaster);
        ProcessHandle.of(postmaster).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
        return pids;
    }

    private static void signal(String signal, List<Long> pids) {
        if (pids.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        pids.forEach(p -> command.add(String.valueOf(p)));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            // A backend may have ended since it was listed: only a failure without "No such process" is one.
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 && !out.contains("No such process")) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling PostgreSQL", e);
        }
    }

    /** Resumes, stops the server at once (SIGQUIT: immediate shutdown) and deletes its directory. */
    @Override
    public void close() throws IOException, InterruptedException {
        kill();
        server.waitFor(30, TimeUnit.SECONDS);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private void kill() {
        if (ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false)) {
            resume();
            signal("QUIT", List.of(postmaster));
        }
    }

    @Override
    public String toString() {
        return "PausablePostgres[" + jdbcUrl() + ", " + dir + "]";
    }

    /** How long a test may wait for an answer it expects "at once" or "within the timeout": generous, never measured. */
    public static final Duration GENEROUS = Duration.ofSeconds(5);
}
