package dev.tokengate.it;

import dev.tokengate.it.Jcmd.ThreadDump;
import dev.tokengate.it.app.FlushServlet;
import dev.tokengate.it.app.ProbeServlet;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static dev.tokengate.it.Prerequisites.requiredFile;
import static dev.tokengate.it.Prerequisites.requiredPath;
import static dev.tokengate.it.Prerequisites.skip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 11, item 5, on a real WildFly: a {@code web.xml} WAR that carries tokengate in {@code WEB-INF/lib} is
 * deployed, used and undeployed {@value #CYCLES} times on one running standalone server, and afterwards nothing of
 * it may be left in the server's JVM: no class of tokengate in any class loader, no thread that the gate started
 * (the JDK {@code HttpClient} threads of its JWKS source, {@code HttpClient-N-SelectorManager}; its token store's
 * {@code tokengate-*} threads). All is checked from outside the server with {@code jcmd}, as an operator would.
 *
 * <p>The gate's keys come from a JWKS server on loopback, so each deployment builds an HTTP client and its
 * selector thread; opaque tokens would be looked up in the server's own {@code DataSource}, so each deployment also
 * runs the token store's flush thread. Each deployment answers a request with a valid token (200, and the servlet
 * sees the caller) and one without (401), then is undeployed. On Java 21 and later, where the gate stops its client
 * when the filter is destroyed, every thread of the gate must be gone within seconds of the undeploy, before any
 * GC. After the last undeploy the test forces full GCs, a bounded number of rounds, until nothing is left; if
 * something is, it prints what (the loaders and their tokengate classes, the threads with their stacks) and fails;
 * {@code -Dit.heap-dump=true} also writes the server's heap to {@code target/it-work/wildfly-leak.hprof}, to follow
 * the paths to GC roots in a heap analyser.
 *
 * <p>A second application without tokengate stays deployed throughout, as on any real server, and WildFly's
 * request threads are a fixed pool that its requests start before the first deployment of tokengate (see {@link
 * WildFly#start}). Before each GC round every request thread runs one more of its requests: an idle request thread
 * keeps the exchange of the last request it ran (and with it that request's servlet and web application) until it
 * runs another, which is WildFly's doing, not a leak of the application. Those threads live on, so thread-locals
 * that tokengate left on them would stay, and fail the test.
 *
 * <p>Needs the distribution that {@code dependency:unpack} puts in {@code target/servers} (the build's
 * {@code pre-integration-test} phase) and a JDK with {@code jcmd}; skipped with the reason when either is missing,
 * failed instead when {@code REQUIRE_TEST_SERVICES=true} (CI). WildFly runs on a JDK 21+ when one is there (see
 * {@link Jdks}; {@code -Dit.server.java.home} chooses). Its logs stay in {@code target/it-work/wildfly}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class WildFlyRedeployIT {

    private static final int CYCLES = 6;
    /** Each round: every request thread runs a request of the other application, then one full GC. */
    private static final int GC_ROUNDS = 30;
    /** How long, on Java 21+, the gate's threads may take to end after an undeploy, without a GC. */
    private static final Duration THREADS_END = Duration.ofSeconds(30);
    private static final String APP = "tokengate-it.war";
    private static final String OTHER_APP = "other-app.war";
    /** Classes of the tokengate library (the test WAR's own servlet is in {@code dev.tokengate.it}). */
    private static final Pattern TOKENGATE_CLASS = Pattern.compile("dev\\.tokengate\\.(?!it\\.).*");
    /** Threads tokengate starts: the JDK HTTP client's (selector, workers) and its own. */
    private static final Pattern TOKENGATE_THREAD = Pattern.compile("HttpClient-\\d+-.*|tokengate-.*");
    private static final Pattern REQUEST_THREAD = Pattern.compile("default task-\\d+");

    private static Path work;
    private static LoopbackIssuer idp;
    private static WildFly server;
    private static Jcmd jcmd;
    private static HttpClient http;

    @BeforeAll
    static void startServer() throws IOException {
        Path home = requiredPath("it.wildfly.home", "the WildFly distribution (unpacked by the build's pre-integration-test phase)");
        Path javaHome = Jdks.forServer();
        if (!Files.isExecutable(javaHome.resolve("bin/jcmd"))) {
            skip("no jcmd in " + javaHome + " (a JRE?): set it.server.java.home to a JDK");
        }
        work = Path.of(System.getProperty("it.work.dir", "target/it-work"));
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        server = WildFly.start(home, javaHome, work.resolve("wildfly"));
        jcmd = new Jcmd(javaHome, server.pid());
        System.out.printf("WildFly %s on %s, pid %d, http://127.0.0.1:%d; logs in %s%n", home.getFileName(),
                javaHome, server.pid(), server.httpPort(), server.serverLog().getParent());
    }

    @AfterAll
    static void stopServer() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (idp != null) {
                idp.close();
            }
        }
    }

    @Test
    void redeploysLeaveNoClassOrThreadOfTokengateInTheServer() throws Exception {
        Path app = gatedWar(work.resolve(APP));
        Path other = War.builder().webXml(War.resource("/wars/other-app/WEB-INF/web.xml")).classes(FlushServlet.class)
                .writeTo(work.resolve(OTHER_APP));
        boolean clientsStop = Jdks.feature(server.javaHome()) >= 21;

        assertThat(threadsOfTokengate()).as("threads named like tokengate's before any deployment").isEmpty();
        // WildFly loads much of its deploy and undeploy machinery on first use: once without tokengate, so that the
        // class counts before and after the cycles compare
        Path warmUp = Files.copy(other, work.resolve("warm-up.war"), StandardCopyOption.REPLACE_EXISTING);
        server.deploy(warmUp);
        assertThat(get("/warm-up/", null).statusCode()).isEqualTo(200);
        server.undeploy(warmUp.getFileName().toString());
        server.deploy(other);
        flushRequestThreads(); // starts every request thread with a request of the other application
        assertThat(jcmd.threads()).filteredOn(t -> REQUEST_THREAD.matcher(t.name()).matches()).as("request threads")
                .hasSize(WildFly.REQUEST_THREADS);
        jcmd.gc();
        Map<String, Integer> loadersBefore = classesPerLoader(jcmd.classLoaders());
        long classesBefore = jcmd.liveClasses();
        long threadsBefore = jcmd.liveThreads();
        long unloadedBefore = jcmd.unloadedClasses();

        List<String> tokens = new ArrayList<>();
        List<Long> cycleMillis = new ArrayList<>();
        long threadsEndMillis = 0;
        long tokengateClassesWhileDeployed = 0;
        long classesWhileDeployed = 0;
        long threadsWhileDeployed = 0;
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            long start = System.nanoTime();
            int fetchesBefore = idp.jwksRequests();
            server.deploy(app);

            String token = TestTokens.jwt().sign();
            tokens.add(token);
            for (int i = 0; i < 2; i++) { // the second is a verified-token cache hit
                HttpResponse<String> ok = get("/tokengate-it/api/accounts/7", token);
                assertThat(ok.statusCode()).as("cycle %d: a valid token", cycle).isEqualTo(200);
                assertThat(ok.body()).contains("remoteUser=" + TestTokens.SUBJECT, "authType=BEARER", "role.read=true",
                        "Module \"deployment." + APP + "\"");
            }
            HttpResponse<String> none = get("/tokengate-it/api/accounts/7", null);
            assertThat(none.statusCode()).as("cycle %d: no token", cycle).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(challenge -> assertThat(challenge)
                .matches("Bearer realm=\"legacy\", resource_metadata=\"http://[^\"]+/\\.well-known/oauth-protected-resource\", DPoP realm=\"legacy\", resource_metadata=\"http://[^\"]+/\\.well-known/oauth-protected-resource\", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\""));
            assertThat(idp.jwksRequests()).as("cycle %d: the gate fetched the keys with its HTTP client", cycle)
                    .isGreaterThan(fetchesBefore);

            if (cycle == 1) { // what the checks after the undeploys must not find, found while deployed
                Leftovers deployed = leftovers();
                assertThat(deployed.loaders()).as("the deployment's class loader, holding tokengate").hasSize(1);
                assertThat(deployed.threads()).extracting(ThreadDump::name).as("the gate's threads")
                        .anyMatch(name -> name.matches("HttpClient-\\d+-SelectorManager"))
                        .contains("tokengate-token-usage-flush");
                tokengateClassesWhileDeployed = deployed.loaders().values().iterator().next();
                classesWhileDeployed = jcmd.liveClasses();
                threadsWhileDeployed = jcmd.liveThreads();
            }
            server.undeploy(APP);
            long undeployed = System.nanoTime();
            cycleMillis.add(TimeUnit.NANOSECONDS.toMillis(undeployed - start));
            assertThat(get("/tokengate-it/api/accounts/7", token).statusCode()).as("undeployed").isEqualTo(404);
            if (clientsStop) { // the gate stopped its client and its store: their threads end now, not at some GC
                List<ThreadDump> left = Await.poll(THREADS_END, WildFlyRedeployIT::threadsOfTokengate, List::isEmpty);
                if (!left.isEmpty()) {
                    fail("cycle " + cycle + ": " + THREADS_END.toSeconds() + " s after the undeploy, without a GC, the gate's"
                            + " threads are still alive on Java " + Jdks.feature(server.javaHome()) + ":\n"
                            + new Leftovers(Map.of(), left).details());
                }
                threadsEndMillis = Math.max(threadsEndMillis, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - undeployed));
            }
        }

        Leftovers beforeGc = leftovers();
        long gcStart = System.nanoTime();
        Leftovers left = beforeGc;
        int rounds = 0;
        while (!left.none() && rounds < GC_ROUNDS) {
            rounds++;
            flushRequestThreads();
            jcmd.gc();
            left = leftovers();
        }
        long gcMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - gcStart);
        long classesAfter = jcmd.liveClasses();
        long threadsAfter = jcmd.liveThreads();
        long unloaded = jcmd.unloadedClasses() - unloadedBefore;
        Map<String, Integer> loadersAfter = classesPerLoader(jcmd.classLoaders());

        System.out.printf("""
                WildFly redeploy check, %d cycles, WildFly on %s:
                  before (the other app deployed, after a GC): %d classes, %d threads
                  while deployed (cycle 1): %d classes, %d threads, %d tokengate classes in its loader
                  after the %d undeploys, before forced GCs: %d tokengate loaders, %d tokengate threads
                  after %d forced GC rounds (%d ms): %d classes, %d threads, %d classes unloaded; left: %s
                  loaders with more classes than before: %s
                  time per cycle (deploy, 3 requests, undeploy): %s ms, mean %d ms
                  %s
                """, CYCLES, server.javaHome(), classesBefore, threadsBefore, classesWhileDeployed, threadsWhileDeployed,
                tokengateClassesWhileDeployed, CYCLES, beforeGc.loaders().size(), beforeGc.threads().size(), rounds,
                gcMillis, classesAfter, threadsAfter, unloaded, left.none() ? "nothing" : left.summary(),
                growth(loadersBefore, loadersAfter), cycleMillis,
                Math.round(cycleMillis.stream().mapToLong(Long::longValue).average().orElse(0)),
                clientsStop ? "the gate's threads ended at most " + threadsEndMillis + " ms after an undeploy, without a GC"
                        : "Java " + Jdks.feature(server.javaHome()) + ": the HTTP client's threads end only once a GC collected it");

        if (!left.none()) {
            String dump = "";
            if (Boolean.getBoolean("it.heap-dump")) {
                Path hprof = work.resolve("wildfly-leak.hprof").toAbsolutePath();
                Files.deleteIfExists(hprof);
                jcmd.run("GC.heap_dump", hprof.toString());
                dump = "\nThe server's heap: " + hprof;
            }
            // which of tokengate's objects are still alive: the first hint of what holds the loader
            String live = jcmd.run("GC.class_histogram").lines().filter(l -> l.contains("dev.tokengate"))
                    .limit(40).collect(java.util.stream.Collectors.joining("\n    ", "\n  live objects of tokengate:\n    ", ""));
            fail("after " + CYCLES + " redeploys and " + rounds + " rounds of forced GCs, tokengate is still in WildFly ("
                    + server.serverLog() + "):\n" + left.details() + live
                    + "\nTo see what holds them, run again with -Dit.heap-dump=true and follow the paths to GC roots"
                    + " in a heap analyser." + dump);
        }
        String serverLog = ServerFiles.read(server.serverLog());
        assertThat(serverLog.split("tokengate filter 'tokengate' started", -1).length - 1)
                .as("the filter's start-up lines in server.log").isEqualTo(CYCLES);
        String log = serverLog + ServerFiles.read(server.consoleLog());
        for (String token : tokens) {
            for (String fragment : TestTokens.fragmentsOf(token)) {
                assertThat(log).as("server.log and the console").doesNotContain(fragment);
            }
        }
    }

    /** What tokengate left in the server: the loaders holding tokengate classes (how many), its threads. */
    private record Leftovers(Map<String, Long> loaders, List<ThreadDump> threads) {

        boolean none() {
            return loaders.isEmpty() && threads.isEmpty();
        }

        String summary() {
            return loaders.size() + " loaders, threads " + threads.stream().map(ThreadDump::name).toList();
        }

        String details() {
            StringBuilder out = new StringBuilder();
            loaders.forEach((loader, classes) -> out.append("  class loader ").append(loader).append(" with ")
                    .append(classes).append(" tokengate classes\n"));
            threads.forEach(t -> out.append("  thread ").append(t.text().replace("\n", "\n    ")).append('\n'));
            return out.toString();
        }
    }

    private static Leftovers leftovers() {
        Map<String, Long> loaders = new TreeMap<>();
        int n = 0;
        for (Jcmd.Loader loader : jcmd.classLoaders()) {
            long tokengate = loader.classes().stream().filter(c -> TOKENGATE_CLASS.matcher(c).matches()).count();
            if (tokengate > 0) {
                loaders.put(loader + " #" + (++n), tokengate);
            }
        }
        return new Leftovers(loaders, threadsOfTokengate());
    }

    private static List<ThreadDump> threadsOfTokengate() {
        return jcmd.threads().stream().filter(t -> TOKENGATE_THREAD.matcher(t.name()).matches()).toList();
    }

    private static Map<String, Integer> classesPerLoader(List<Jcmd.Loader> loaders) {
        return loaders.stream().collect(Collectors.toMap(l -> l.name() == null ? l.type() : l.name(),
                l -> l.classes().size(), Integer::sum));
    }

    /** For the figures: the three loaders that gained the most classes, e.g. {@code "org.h2.database" +812}. */
    private static String growth(Map<String, Integer> before, Map<String, Integer> after) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
                .limit(3).map(e -> e.getKey() + " +" + e.getValue()).collect(Collectors.joining(", "));
    }

    /**
     * Has every request thread of the server run a request of the other application (see the class comment): the
     * requests of a round wait for each other in its servlet, so they run on as many threads at once.
     */
    private static void flushRequestThreads() throws Exception {
        Set<String> served = new HashSet<>();
        for (int round = 0; round < 10; round++) {
            Set<String> workers = jcmd.threads().stream().map(ThreadDump::name)
                    .filter(n -> REQUEST_THREAD.matcher(n).matches()).collect(Collectors.toSet());
            if (!workers.isEmpty() && served.containsAll(workers)) {
                return;
            }
            int parties = Math.max(WildFly.REQUEST_THREADS, workers.size());
            String id = UUID.randomUUID().toString();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < parties; i++) {
                calls.add(http.sendAsync(request("/other-app/?round=" + id + "&parties=" + parties, null).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                HttpResponse<String> response = call.get(60, TimeUnit.SECONDS);
                assertThat(response.statusCode()).as("a request of the other application").isEqualTo(200);
                served.add(response.body());
            }
        }
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        return http.send(request(path, token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(60)).GET();
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    /** The test WAR: the web.xml template filled in, the probe servlet, tokengate and its dependencies in lib. */
    private static Path gatedWar(Path war) {
        Path lib = requiredFile("it.war.lib.file", "the list of the WAR's libraries (written by the build's"
                + " pre-integration-test phase)");
        List<Path> jars = War.jarsOf(lib);
        assertThat(jars).as("WEB-INF/lib").anyMatch(j -> j.getFileName().toString().startsWith("tokengate-servlet-filter-"))
                .anyMatch(j -> j.getFileName().toString().startsWith("tokengate-core-"));
        String webXml = War.resource("/wars/redeploy/WEB-INF/web.xml")
                .replace("@ISSUER@", TestTokens.ISSUER)
                .replace("@AUDIENCE@", TestTokens.AUDIENCE)
                .replace("@JWKS_URI@", idp.jwksUri().toString());
        return War.builder().webXml(webXml).classes(ProbeServlet.class).libs(jars).writeTo(war);
    }
}
