package dev.tokengate.it;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A standalone Apache Tomcat (9, 10.1 or 11) started from an unpacked distribution as an operator runs it in the
 * foreground ({@code bin/catalina.sh run}), on loopback and free ports, with a {@code CATALINA_BASE} of its own:
 * the distribution's {@code conf/} copied, an empty {@code webapps/} (no manager application), and its logs
 * ({@code logs/catalina.DATE.log}, {@code logs/localhost.DATE.log}, and {@code console.log} for its standard
 * output), which stay after it stops.
 *
 * <p>In that copy of {@code server.xml} the HTTP connector listens on 127.0.0.1 at a free port, the shutdown port is
 * a free port too, and the engine's background processor runs every second instead of every ten, so that the host's
 * {@code autoDeploy} notices within a second a WAR dropped into {@code webapps/} or deleted from it: applications are
 * deployed and undeployed through the file system, as an operator without the manager application does.
 * {@link #close()} sends {@code SHUTDOWN} to the shutdown port (Tomcat's orderly stop) and waits; the server is
 * killed if it has not stopped in a minute, and by a shutdown hook if the test JVM ends first.
 */
final class Tomcat implements Server {

    private static final Duration BOOT = Duration.ofMinutes(2);
    private static final Duration DEPLOYMENT = Duration.ofMinutes(1);
    private static final Duration STOP = Duration.ofMinutes(1);
    private static final int START_ATTEMPTS = 3;

    private final Path base;
    private final Path javaHome;
    private final int httpPort;
    private final int shutdownPort;
    private final Process jvm;
    private final Thread killer;

    private Tomcat(Path base, Path javaHome, int httpPort, int shutdownPort, Process jvm) {
        this.base = base;
        this.javaHome = javaHome;
        this.httpPort = httpPort;
        this.shutdownPort = shutdownPort;
        this.jvm = jvm;
        this.killer = new Thread(jvm::destroyForcibly, "tomcat-killer");
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /**
     * Starts Tomcat from {@code home} on the JDK at {@code javaHome}, with {@code base} (emptied first) as its
     * {@code CATALINA_BASE}, and returns once it has started.
     */
    static Tomcat start(Path home, Path javaHome, Path base) throws IOException {
        AssertionError last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int http = ServerFiles.freePort();
            int shutdown = ServerFiles.freePort();
            prepare(home, base, http, shutdown);
            Tomcat server = new Tomcat(base, javaHome, http, shutdown, launch(home, javaHome, base));
            try {
                server.awaitBoot();
                return server;
            } catch (AssertionError e) {
                server.close();
                if (!server.logs().contains("Address already in use")) {
                    throw e;
                }
                last = e; // another process took a port after it was found free: other ports
            }
        }
        throw last;
    }

    private static void prepare(Path home, Path base, int http, int shutdown) throws IOException {
        ServerFiles.deleteTree(base);
        ServerFiles.copyTree(home.resolve("conf"), base.resolve("conf"));
        for (String dir : List.of("logs", "temp", "webapps", "work", "staging")) {
            Files.createDirectories(base.resolve(dir));
        }
        Path config = base.resolve("conf/server.xml");
        String xml = Files.readString(config);
        String edited = replaceOnce(config, xml, "<Server port=\"8005\"", "<Server port=\"" + shutdown + "\"");
        edited = replaceOnce(config, edited, "<Connector port=\"8080\" protocol=\"HTTP/1.1\"",
                "<Connector port=\"" + http + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"");
        edited = replaceOnce(config, edited, "<Engine name=\"Catalina\" defaultHost=\"localhost\">",
                "<Engine name=\"Catalina\" defaultHost=\"localhost\" backgroundProcessorDelay=\"1\">");
        Files.writeString(config, edited);
    }

    private static String replaceOnce(Path file, String text, String from, String to) {
        int at = text.indexOf(from);
        if (at < 0 || text.indexOf(from, at + 1) >= 0) {
            throw new IllegalStateException("not exactly one " + from + " in " + file);
        }
        return text.replace(from, to);
    }

    private static Process launch(Path home, Path javaHome, Path base) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/catalina.sh").toString(), "run");
        Map<String, String> env = pb.environment();
        for (String inherited : List.of("JAVA_OPTS", "CATALINA_OPTS", "JDK_JAVA_OPTIONS", "JRE_HOME", "CATALINA_PID",
                "CATALINA_TMPDIR", "LOGGING_CONFIG", "CATALINA_OUT")) {
            env.remove(inherited); // catalina.sh's defaults apply (its --add-opens for the leak detection included)
        }
        env.put("JAVA_HOME", javaHome.toString());
        env.put("CATALINA_HOME", home.toString());
        env.put("CATALINA_BASE", base.toString());
        pb.redirectErrorStream(true).redirectOutput(base.resolve("console.log").toFile());
        return pb.start(); // "run" execs java: this process is Tomcat's JVM
    }

    private void awaitBoot() {
        String outcome = Await.until("Tomcat to start (" + base.resolve("logs") + ")", BOOT, () -> {
            String log = logs();
            if (log.contains("Server startup in")) {
                return "started";
            }
            return jvm.isAlive() ? null : "ended";
        });
        if (!outcome.equals("started")) {
            throw new AssertionError("Tomcat ended while starting; its console:\n" + ServerFiles.tail(consoleLog()));
        }
    }

    @Override
    public long pid() {
        return jvm.pid();
    }

    @Override
    public Path javaHome() {
        return javaHome;
    }

    @Override
    public int httpPort() {
        return httpPort;
    }

    /** Tomcat's standard output and error (its {@code ConsoleHandler} writes every JULI record there too). */
    Path consoleLog() {
        return base.resolve("console.log");
    }

    /** The directory of {@code catalina.DATE.log} and {@code localhost.DATE.log}. */
    Path logDirectory() {
        return base.resolve("logs");
    }

    /** {@code catalina.*.log}, then {@code localhost.*.log}, each by name: what Tomcat's JULI files hold. */
    String juliLogs() {
        try (Stream<Path> files = Files.list(logDirectory())) {
            return files.filter(f -> f.getFileName().toString().matches("(catalina|localhost)\\..*\\.log"))
                    .sorted(Comparator.comparing(Path::toString))
                    .map(ServerFiles::read).collect(Collectors.joining());
        } catch (IOException e) {
            return "";
        }
    }

    /** Every log of the server: its JULI files and its console. */
    String logs() {
        return juliLogs() + ServerFiles.read(consoleLog());
    }

    private Path webapps() {
        return base.resolve("webapps");
    }

    /**
     * Deploys this archive under its file name, as an operator does: moved into {@code webapps/} at once (never seen
     * half-copied); returns when the host has deployed it.
     *
     * @throws AssertionError with Tomcat's log when the application did not start (a filter's {@code init} failed)
     */
    @Override
    public void deploy(Path war) throws IOException {
        String name = war.getFileName().toString();
        String context = "/" + name.substring(0, name.length() - ".war".length());
        String finished = "Deployment of web application archive [" + webapps().resolve(name) + "] has finished";
        int before = count(logs(), finished);
        int mark = juliLogs().length();
        Path staged = base.resolve("staging").resolve(name);
        Files.copy(war, staged, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staged, webapps().resolve(name), StandardCopyOption.ATOMIC_MOVE);
        Await.until(name + " to be deployed (" + logDirectory() + ")", DEPLOYMENT, () -> count(logs(), finished) > before);
        String since = juliLogs();
        since = since.substring(Math.min(mark, since.length()));
        if (since.contains("Context [" + context + "] startup failed")) {
            throw new AssertionError("the application " + context + " did not start; Tomcat's log since its deployment:\n"
                    + ServerFiles.tail(since));
        }
    }

    /**
     * Undeploys it, as an operator does (the WAR deleted from {@code webapps/}), and returns when the host has
     * stopped the application and deleted the directory it had expanded it into.
     */
    @Override
    public void undeploy(String name) throws IOException {
        Files.delete(webapps().resolve(name));
        Path expanded = webapps().resolve(name.substring(0, name.length() - ".war".length()));
        Await.until(name + " to be undeployed", DEPLOYMENT, () -> !Files.exists(expanded));
    }

    private static int count(String text, String fragment) {
        int n = 0;
        for (int at = text.indexOf(fragment); at >= 0; at = text.indexOf(fragment, at + fragment.length())) {
            n++;
        }
        return n;
    }

    /** Stops Tomcat through its shutdown port and waits for it; its logs stay. */
    @Override
    public void close() {
        try {
            if (jvm.isAlive()) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), shutdownPort);
                     OutputStream out = s.getOutputStream()) {
                    out.write("SHUTDOWN".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    jvm.destroy(); // not listening (yet): SIGTERM, which runs Tomcat's shutdown hook
                }
            }
            if (!jvm.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
                jvm.destroyForcibly();
            }
        } catch (InterruptedException e) {
            jvm.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs anyway
            }
        }
    }
}
