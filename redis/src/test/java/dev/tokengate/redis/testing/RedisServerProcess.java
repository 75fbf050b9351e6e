package dev.tokengate.redis.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of the test's own on a free loopback port (never the shared one at 6379), that the test can
 * {@linkplain #stop() stop} and {@linkplain #start() start again on the same port} to make an outage. Nothing is
 * kept on disk ({@code --save "" --appendonly no}): a restarted server is empty, as a failed-over cache would be.
 * It can also be {@linkplain #pause() frozen} to make a hung Redis. Needs Debian's {@code redis-server}
 * ({@code /usr/bin/redis-server}, or {@code TOKENGATE_TEST_REDIS_SERVER}); where it is missing, {@link #create} skips
 * the test saying so (a failure when {@code REQUIRE_TEST_SERVICES=true}).
 */
public final class RedisServerProcess implements AutoCloseable {

    static final Path SERVER = Path.of(Optional.ofNullable(System.getenv("TOKENGATE_TEST_REDIS_SERVER"))
            .filter(v -> !v.isBlank()).orElse("/usr/bin/redis-server"));

    private final int port;
    private final Path dir;
    private final List<String> extraArguments;
    private Process process;
    private boolean paused;
    private final Thread shutdownHook;

    private RedisServerProcess(int port, Path dir, List<String> extraArguments) {
        this.port = port;
        this.dir = dir;
        this.extraArguments = List.copyOf(extraArguments);
        this.shutdownHook = new Thread(this::kill, "redis-server-stop-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** A server on a free port, started. */
    public static RedisServerProcess create() throws IOException {
        return create(List.of());
    }

    /** A server on a free port with these extra {@code redis-server} arguments, started. */
    public static RedisServerProcess create(List<String> extraArguments) throws IOException {
        requireBinary();
        RedisServerProcess server = new RedisServerProcess(freePort(), Files.createTempDirectory("tokengate-redis-"),
                extraArguments);
        server.start();
        return server;
    }

    /** Skips (or, with {@code REQUIRE_TEST_SERVICES=true}, fails) the calling test when there is no redis-server. */
    static void requireBinary() {
        if (Files.isExecutable(SERVER)) {
            return;
        }
        String reason = "no redis-server binary at " + SERVER + " (apt-get install redis-server, or set "
                + "TOKENGATE_TEST_REDIS_SERVER)";
        if ("true".equals(System.getenv("REQUIRE_TEST_SERVICES"))) {
            throw new AssertionError(reason + "; REQUIRE_TEST_SERVICES=true, so this fails instead of skipping");
        }
        System.out.println("SKIPPED: " + reason);
        Assumptions.abort(reason);
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** The directory the server runs in (cluster state files go there). */
    public Path directory() {
        return dir;
    }

    /** Starts the server (again) on its port, and returns once it accepts connections. */
    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(SERVER.toString(), "--port", String.valueOf(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                "--loglevel", "notice"));
        command.addAll(extraArguments);
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // redis-server logs "Ready to accept connections" once it listens: read its log up to that line (no polling)
        BufferedReader log = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = log.readLine()) != null; ) {
            seen.append(line).append('\n');
            if (line.contains("Ready to accept connections")) {
                Thread drain = new Thread(() -> drain(log), "redis-server-log-" + port);
                drain.setDaemon(true);
                drain.start();
                return;
            }
        }
        throw new IOException("redis-server on port " + port + " ended before it was ready:\n" + seen);
    }

    /** Stops the server (SIGTERM, then waits for it to end): clients see their connections drop. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        if (paused) { // a frozen server would not act on SIGTERM
            process.destroyForcibly();
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        process = null;
        paused = false;
    }

    /**
     * Freezes the server ({@code SIGSTOP}): connections stay open but nothing is answered, as with a hung Redis, so
     * commands end by their timeout. {@link #resume()} lets it go on (what was sent meanwhile is then executed).
     */
    public synchronized void pause() throws IOException, InterruptedException {
        signal("-STOP");
        paused = true;
    }

    /** Lets a {@linkplain #pause() paused} server go on ({@code SIGCONT}). */
    public synchronized void resume() throws IOException, InterruptedException {
        signal("-CONT");
        paused = false;
    }

    private void signal(String signal) throws IOException, InterruptedException {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " is not running");
        }
        Process kill = new ProcessBuilder("kill", signal, String.valueOf(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    /** Whether it runs now. */
    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
    }

    private synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private static void drain(BufferedReader log) {
        try {
            while (log.readLine() != null) {
                // the server's log is not needed once it is up
            }
        } catch (IOException ended) {
            // the server stopped
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
