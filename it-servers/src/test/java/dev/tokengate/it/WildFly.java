package dev.tokengate.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A standalone WildFly started from an unpacked distribution, as an operator runs it ({@code bin/standalone.sh}),
 * on loopback and on free ports, with a server directory of its own; applications are deployed and undeployed
 * through its deployment scanner's marker files, as an operator does: a WAR and its {@code .dodeploy} marker
 * dropped into {@code deployments/}, the {@code .deployed} marker deleted to undeploy.
 *
 * <p>The distribution stays untouched: {@code standalone/} is copied to the given base directory, which keeps the
 * server's logs ({@code log/server.log}, and {@code console.log} for its standard output) after it stops. The
 * scanner's interval is cut from 5 s to 100 ms in that copy, so that a deployment starts when its marker appears,
 * and it is set to manual mode (markers only).
 * {@link #close()} stops the server (SIGTERM, WildFly's orderly shutdown; killed if it has not stopped in a
 * minute); so does a shutdown hook, if the test JVM ends first.
 */
final class WildFly implements AppServer {

    /** WildFly's default ports, all moved by {@code jboss.socket.binding.port-offset}. */
    private static final int[] PORTS = {8080, 8443, 9990, 9993, 8009, 4712, 4713};
    private static final Duration BOOT = Duration.ofMinutes(3);
    private static final Duration DEPLOYMENT = Duration.ofMinutes(2);
    private static final Duration STOP = Duration.ofMinutes(1);
    private static final int START_ATTEMPTS = 3;
    /** The request threads of the {@code default} worker: a fixed number, see {@link #start}. */
    static final int REQUEST_THREADS = 4;

    private final Path base;
    private final Path javaHome;
    private final int portOffset;
    private final Process script;
    private final ProcessHandle jvm;
    private final Thread killer;

    private WildFly(Path base, Path javaHome, int portOffset, Process script, ProcessHandle jvm) {
        this.base = base;
        this.javaHome = javaHome;
        this.portOffset = portOffset;
        this.script = script;
        this.jvm = jvm;
        this.killer = new Thread(this::kill, "wildfly-killer");
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /**
     * Starts WildFly from {@code home} on the JDK at {@code javaHome}, with {@code base} (emptied first) as its
     * server directory, and returns once it has booted without errors.
     *
     * <p>Its request threads (the {@code default} I/O worker's task pool, {@code default task-N}) are a fixed
     * pool of {@value #REQUEST_THREADS}, which never grows or shrinks: each of WildFly's request threads keeps the
     * request it was started for on its stack for as long as it lives (jboss-threads 3.9's
     * {@code EnhancedQueueExecutor$ThreadBody.run} holds its initial task in a local variable while it serves
     * every later one), and with that request its web application. A test that starts them all with requests to
     * an application that stays deployed (and then gives each a request of it again, which replaces the last
     * request that thread ran) sees in the server only what the applications it undeployed left themselves.
     */
    static WildFly start(Path home, Path javaHome, Path base) throws IOException {
        return start(home, javaHome, base, xml -> xml);
    }

    /**
     * The same, with {@code standalone.xml} changed by {@code configuration} first (its text in, the new text out),
     * e.g. to set a subsystem's attribute an application needs.
     */
    static WildFly start(Path home, Path javaHome, Path base, java.util.function.UnaryOperator<String> configuration)
            throws IOException {
        AssertionError last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            prepare(home, base, configuration);
            int offset = freePortOffset();
            Process script = launch(home, javaHome, base, offset);
            ProcessHandle jvm = Await.until("WildFly's process id in " + base.resolve("wildfly.pid"), Duration.ofSeconds(60),
                    () -> pid(base, script)).orElseThrow(() -> new AssertionError(
                    "WildFly's start script ended at once:\n" + ServerFiles.tail(base.resolve("console.log"))));
            WildFly server = new WildFly(base, javaHome, offset, script, jvm);
            try {
                server.awaitBoot();
                return server;
            } catch (AssertionError e) {
                server.close();
                if (!server.portTaken()) {
                    throw e;
                }
                last = e; // another process took one of the ports after they were found free: another offset
            }
        }
        throw last;
    }

    private static void prepare(Path home, Path base, java.util.function.UnaryOperator<String> configuration)
            throws IOException {
        ServerFiles.deleteTree(base);
        ServerFiles.copyTree(home.resolve("standalone"), base);
        Path config = base.resolve("configuration/standalone.xml");
        String xml = configuration.apply(Files.readString(config));
        // manual mode: the scanner acts on marker files only, never on an archive's time stamp (in auto mode a
        // deployment undeployed moments after it was deployed was at times redeployed instead)
        String fast = xml.replaceFirst("(<deployment-scanner [^>]*)scan-interval=\"\\d+\"",
                "$1scan-interval=\"100\" auto-deploy-zipped=\"false\"");
        if (fast.equals(xml)) {
            throw new IllegalStateException("no deployment-scanner scan-interval in " + config);
        }
        String fixedPool = fast.replace("<worker name=\"default\"/>", "<worker name=\"default\" task-core-threads=\""
                + REQUEST_THREADS + "\" task-max-threads=\"" + REQUEST_THREADS + "\"/>");
        if (fixedPool.equals(fast)) {
            throw new IllegalStateException("no <worker name=\"default\"/> in " + config);
        }
        Files.writeString(config, fixedPool);
        Files.createDirectories(base.resolve("staging"));
    }

    private static Process launch(Path home, Path javaHome, Path base, int offset) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/standalone.sh").toString(),
                "-Djboss.server.base.dir=" + base,
                "-Djboss.socket.binding.port-offset=" + offset,
                "-b", "127.0.0.1", "-bmanagement", "127.0.0.1");
        Map<String, String> env = pb.environment();
        env.remove("JAVA_OPTS"); // standalone.conf's defaults (heap, --add-opens for the JDK in use) apply
        env.remove("JAVA");
        env.remove("JBOSS_HOME");
        env.put("JAVA_HOME", javaHome.toString());
        env.put("LAUNCH_JBOSS_IN_BACKGROUND", "1"); // the script runs java in the background and records its pid
        env.put("JBOSS_PIDFILE", base.resolve("wildfly.pid").toString());
        pb.redirectErrorStream(true).redirectOutput(base.resolve("console.log").toFile());
        return pb.start();
    }

    /** The JVM's handle once the script has written its pid; empty if the script ended first; null until then. */
    private static Optional<ProcessHandle> pid(Path base, Process script) {
        Path file = base.resolve("wildfly.pid");
        try {
            if (Files.exists(file)) {
                String text = Files.readString(file).strip();
                if (!text.isEmpty()) {
                    return ProcessHandle.of(Long.parseLong(text));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return null; // being written
        }
        return script.isAlive() ? null : Optional.empty();
    }

    private void awaitBoot() {
        Path log = serverLog();
        String outcome = Await.until("WildFly to boot (" + log + ")", BOOT, () -> {
            if (!jvm.isAlive()) {
                return "ended";
            }
            String text = ServerFiles.read(log);
            return text.contains("WFLYSRV0025") ? "started" : text.contains("WFLYSRV0026") ? "errors" : null;
        });
        if (!outcome.equals("started")) {
            throw new AssertionError("WildFly " + (outcome.equals("ended") ? "ended while booting" : "booted with errors")
                    + "; its log " + log + " ends with:\n" + ServerFiles.tail(log) + "\nconsole:\n" + ServerFiles.tail(base.resolve("console.log")));
        }
    }

    private boolean portTaken() {
        return ServerFiles.read(serverLog()).contains("Address already in use") || ServerFiles.read(base.resolve("console.log")).contains("Address already in use");
    }

    /** A port offset at which all of WildFly's ports are free on loopback now. */
    private static int freePortOffset() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int offset = ThreadLocalRandom.current().nextInt(20_000, 50_000);
            boolean free = true;
            for (int port : PORTS) {
                try (ServerSocket s = new ServerSocket(port + offset, 1, InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                    break;
                }
            }
            if (free) {
                return offset;
            }
        }
        throw new IllegalStateException("found no port offset at which WildFly's ports are free");
    }

    @Override
    public String name() {
        return "WildFly";
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
        return 8080 + portOffset;
    }

    @Override
    public Path serverLog() {
        return base.resolve("log/server.log");
    }

    /** {@code server.log}, then the console ({@code console.log}, the JVM's own output). */
    @Override
    public String log() {
        return ServerFiles.read(serverLog()) + ServerFiles.read(consoleLog());
    }

    @Override
    public boolean isError(String logLine) {
        return logLine.contains(" ERROR ");
    }

    Path consoleLog() {
        return base.resolve("console.log");
    }

    private Path deployments() {
        return base.resolve("deployments");
    }

    /**
     * Deploys this archive under its file name, as an operator does: the file is moved into {@code deployments/}
     * at once (never seen half-copied), its {@code .dodeploy} marker added, and this returns when the scanner has
     * marked it deployed.
     *
     * @throws AssertionError with the scanner's reason when the deployment failed
     */
    @Override
    public void deploy(Path war) throws IOException {
        String name = war.getFileName().toString();
        for (String marker : List.of(".undeployed", ".failed")) {
            Files.deleteIfExists(deployments().resolve(name + marker));
        }
        Path staged = base.resolve("staging").resolve(name);
        Files.copy(war, staged, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staged, deployments().resolve(name), StandardCopyOption.ATOMIC_MOVE);
        Files.createFile(deployments().resolve(name + ".dodeploy"));
        String marker = Await.until(name + " to be deployed", DEPLOYMENT,
                () -> exists(name + ".deployed") ? ".deployed" : exists(name + ".failed") ? ".failed" : null);
        if (marker.equals(".failed")) {
            throw new AssertionError("deployment of " + name + " failed: " + ServerFiles.read(deployments().resolve(name + ".failed")));
        }
    }

    /**
     * Undeploys it, as an operator does (the {@code .deployed} marker deleted), and returns when the scanner has
     * marked it undeployed: the web application has stopped and its filters have been destroyed. The archive and
     * the marker are then removed.
     */
    @Override
    public void undeploy(String name) throws IOException {
        Files.delete(deployments().resolve(name + ".deployed"));
        Await.until(name + " to be undeployed", DEPLOYMENT,
                () -> exists(name + ".undeployed") && !exists(name + ".isundeploying"));
        Files.delete(deployments().resolve(name));
        Files.delete(deployments().resolve(name + ".undeployed"));
    }

    private boolean exists(String file) {
        return Files.exists(deployments().resolve(file));
    }

    /** Stops the server and waits for it; its logs stay. */
    @Override
    public void close() {
        try {
            jvm.destroy();
            try {
                jvm.onExit().get(STOP.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                kill();
            }
            script.waitFor(STOP.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs anyway
            }
        }
    }

    private void kill() {
        jvm.destroyForcibly();
        script.destroyForcibly();
    }
}
