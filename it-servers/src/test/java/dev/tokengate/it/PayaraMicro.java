package dev.tokengate.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Payara Micro started from its jar as {@code java -jar payara-micro.jar} starts it, on a free HTTP port bound
 * to loopback, with a root directory of its own ({@code --rootdir}), no clustering ({@code --nocluster}: no
 * Hazelcast discovery on the network) and its log in a file ({@code --logtofile}); applications are deployed and
 * undeployed while it runs.
 *
 * <p>Payara Micro has no command-line way to deploy after boot: {@code --deploy} and {@code --deploydir} act at
 * start only, and its asadmin commands ({@code PayaraMicroRuntime.run}) are sent through the cluster. Its public
 * API does it ({@code PayaraMicroRuntime.deploy} and {@code undeploy}); so the server runs with a small control
 * program beside the jar ({@code /payara/PayaraMicroControl.java}, a single source file the server's JDK runs),
 * which boots Payara Micro through the jar's own {@code main} with the same options and then deploys and
 * undeploys on marker files, as WildFly's deployment scanner does ({@code NAME.war.dodeploy}, {@code .deployed},
 * {@code .failed}, {@code .undeployed}). Run that way the jar's manifest does not apply, so its
 * {@code Add-Opens} and {@code Add-Exports} are passed on the command line, as {@code java -jar} would. The HTTP
 * listener is bound to 127.0.0.1 by an asadmin command before boot ({@code --prebootcommandfile}).
 *
 * <p>Everything stays in the base directory after the server stops: {@code log/server.log.N} (Payara Micro's file
 * handler numbers its files; {@code .0} is the newest), {@code console.log} (its standard output) and the root
 * directory. {@link #close()} stops it (SIGTERM, then killed after a minute); so does a shutdown hook if the test
 * JVM ends first.
 */
final class PayaraMicro implements AppServer {

    private static final Duration BOOT = Duration.ofMinutes(3);
    private static final Duration DEPLOYMENT = Duration.ofMinutes(2);
    private static final Duration STOP = Duration.ofMinutes(1);
    private static final int START_ATTEMPTS = 3;
    /** "Payara Micro 7.2025.1 (build 21) ready in 21,319 (ms)" */
    private static final Pattern READY = Pattern.compile("Payara Micro \\S+ \\(build [^)]*\\) ready in");
    /** The generation number of a log file: {@code server.log.3}. */
    private static final Pattern LOG_FILE = Pattern.compile("server\\.log\\.(\\d+)");

    private final Path jar;
    private final Path base;
    private final Path javaHome;
    private final int port;
    private final Process jvm;
    private final Thread killer;

    private PayaraMicro(Path jar, Path base, Path javaHome, int port, Process jvm) {
        this.jar = jar;
        this.base = base;
        this.javaHome = javaHome;
        this.port = port;
        this.jvm = jvm;
        this.killer = new Thread(jvm::destroyForcibly, "payara-micro-killer");
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /**
     * Starts the Payara Micro of {@code jar} on the JDK at {@code javaHome} (Java 21 or later), with {@code base}
     * (emptied first) as its directory, and returns once it has said it is ready and the control program runs.
     *
     * @param systemProperties {@code -D} options for the server's JVM, e.g. {@code "tokengate.x=y"}
     */
    static PayaraMicro start(Path jar, Path javaHome, Path base, List<String> systemProperties) throws IOException {
        if (jar.getFileName().toString().startsWith("payara-micro-7") && Jdks.feature(javaHome) < 21) {
            throw new IllegalArgumentException("Payara Micro 7 needs Java 21 or later; " + javaHome + " is Java "
                    + Jdks.feature(javaHome) + ": set it.server.java.home to a JDK 21+");
        }
        AssertionError last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            prepare(base);
            int port = freePort();
            Process jvm = launch(jar, javaHome, base, port, systemProperties);
            PayaraMicro server = new PayaraMicro(jar, base, javaHome, port, jvm);
            try {
                server.awaitBoot();
                return server;
            } catch (AssertionError e) {
                server.close();
                if (!server.log().contains("Address already in use") && !server.log().contains("BindException")) {
                    throw e;
                }
                last = e; // another process took the port after it was found free: another port
            }
        }
        throw last;
    }

    private static void prepare(Path base) throws IOException {
        deleteTree(base);
        for (String dir : List.of("root", "log", "deployments", "staging", "control")) {
            Files.createDirectories(base.resolve(dir));
        }
        try (InputStream source = PayaraMicro.class.getResourceAsStream("/payara/PayaraMicroControl.java")) {
            if (source == null) {
                throw new IllegalStateException("no /payara/PayaraMicroControl.java on the test class path");
            }
            Files.copy(source, base.resolve("control/PayaraMicroControl.java"));
        }
        Files.writeString(base.resolve("preboot.asadmin"), "set configs.config.server-config.network-config"
                + ".network-listeners.network-listener.http-listener.address=127.0.0.1\n");
    }

    private static Process launch(Path jar, Path javaHome, Path base, int port, List<String> systemProperties)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin/java").toString());
        command.add("-Xmx768m");
        command.addAll(manifestOpens(jar));
        systemProperties.forEach(p -> command.add("-D" + p));
        command.addAll(List.of("-cp", jar.toString(), base.resolve("control/PayaraMicroControl.java").toString(),
                base.resolve("deployments").toString(),
                "--nocluster",
                "--port", Integer.toString(port),
                "--rootdir", base.resolve("root").toString(),
                "--logtofile", base.resolve("log/server.log").toString(),
                "--prebootcommandfile", base.resolve("preboot.asadmin").toString(),
                "--disablephonehome"));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.redirectErrorStream(true).redirectOutput(base.resolve("console.log").toFile());
        return pb.start();
    }

    /** What {@code java -jar} would apply from the jar's manifest: its {@code Add-Opens} and {@code Add-Exports}. */
    private static List<String> manifestOpens(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Attributes main = file.getManifest().getMainAttributes();
            List<String> options = new ArrayList<>();
            for (String[] kind : new String[][] {{"Add-Opens", "--add-opens"}, {"Add-Exports", "--add-exports"}}) {
                String value = main.getValue(kind[0]);
                if (value != null) {
                    for (String p : value.trim().split("\\s+")) {
                        options.add(kind[1] + "=" + p + "=ALL-UNNAMED");
                    }
                }
            }
            return options;
        }
    }

    private void awaitBoot() {
        String outcome = Await.until("Payara Micro to boot (" + base.resolve("console.log") + ")", BOOT, () -> {
            if (Files.exists(control("control.ready"))) {
                return "ready";
            }
            return jvm.isAlive() ? null : "ended";
        });
        if (!outcome.equals("ready") || !READY.matcher(log()).find()) {
            throw new AssertionError("Payara Micro " + (jvm.isAlive() ? "did not say it was ready" : "ended while booting")
                    + "; its console ends with:\n" + ServerFiles.tail(base.resolve("console.log")));
        }
    }

    /** A port free on loopback now. */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public String name() {
        return "Payara Micro " + jar.getFileName().toString().replaceAll("^payara-micro-|\\.jar$", "");
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
        return port;
    }

    /** The newest log file. */
    @Override
    public Path serverLog() {
        return base.resolve("log/server.log.0");
    }

    /** Every generation of the log file, oldest first, then the console (the JVM's standard output). */
    @Override
    public String log() {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.list(base.resolve("log"))) {
            files.filter(f -> LOG_FILE.matcher(f.getFileName().toString()).matches())
                    .sorted(Comparator.comparingInt(PayaraMicro::generation).reversed())
                    .forEach(f -> text.append(ServerFiles.read(f)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.append(ServerFiles.read(base.resolve("console.log"))).toString();
    }

    private static int generation(Path logFile) {
        var m = LOG_FILE.matcher(logFile.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The file handler's format puts the level at the start of the line after the time: {@code SEVERE: ...}. */
    @Override
    public boolean isError(String logLine) {
        return logLine.startsWith("SEVERE:") || logLine.contains("[SEVERE]") || logLine.contains("SEVERE\u001b");
    }

    private Path control(String file) {
        return base.resolve("deployments").resolve(file);
    }

    @Override
    public void deploy(Path war) throws IOException {
        String name = war.getFileName().toString();
        for (String marker : List.of(".undeployed", ".failed")) {
            Files.deleteIfExists(control(name + marker));
        }
        Path staged = base.resolve("staging").resolve(name);
        Files.copy(war, staged, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staged, control(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.createFile(control(name + ".dodeploy"));
        String marker = Await.until(name + " to be deployed on Payara Micro", DEPLOYMENT, () -> !jvm.isAlive() ? "ended"
                : Files.exists(control(name + ".deployed")) ? ".deployed" : Files.exists(control(name + ".failed")) ? ".failed" : null);
        if (!marker.equals(".deployed")) {
            throw new AssertionError("deployment of " + name + " failed: "
                    + (marker.equals("ended") ? "Payara Micro ended" : ServerFiles.read(control(name + ".failed")))
                    + "; its log " + serverLog() + " ends with:\n" + ServerFiles.tail(serverLog()));
        }
    }

    @Override
    public void undeploy(String name) throws IOException {
        Files.delete(control(name + ".deployed"));
        Await.until(name + " to be undeployed from Payara Micro", DEPLOYMENT,
                () -> Files.exists(control(name + ".undeployed")) || !jvm.isAlive());
        if (!jvm.isAlive()) {
            throw new AssertionError("Payara Micro ended while undeploying " + name + ":\n" + ServerFiles.tail(serverLog()));
        }
        Files.delete(control(name));
        Files.delete(control(name + ".undeployed"));
    }

    @Override
    public void close() {
        try {
            jvm.destroy();
            if (!jvm.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
                jvm.destroyForcibly();
                jvm.waitFor(STOP.toSeconds(), TimeUnit.SECONDS);
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

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
