package dev.tokengate.it;

import dev.tokengate.it.Jcmd.ThreadDump;
import dev.tokengate.it.app.FlushServlet;
import dev.tokengate.it.app.ProbeServlet;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 14, item 5 (Tomcat): the jakarta servlet filter in a standalone Apache Tomcat 11 unpacked from Maven
 * Central, with the {@code web.xml} of docs/jakarta-ee.md ({@code wars/tomcat}). Besides the {@link
 * TomcatFilterContract contract} (rule matrix, the caller as the servlet sees it, the call log):
 * <ul>
 *   <li>the trap a team meets when it keeps a {@code <security-constraint>} with a BASIC {@code <login-config>}
 *       ({@code wars/tomcat-basic}): Tomcat's authenticator runs before any filter and answers a valid bearer token
 *       with {@code 401 Basic}; the conversion (the constraint turned into the rule {@code /admin/* = admin}, the
 *       login-config removed, as in {@code wars/tomcat}) works;</li>
 *   <li>{@value #CYCLES} deploy/undeploy cycles through the file system ({@code autoDeploy}): no memory-leak
 *       warning of Tomcat's web application class loader in its logs, and after forced GCs no class of tokengate
 *       left in the server's JVM and no thread of the gate ({@code jcmd}, as in {@link WildFlyRedeployIT}).</li>
 * </ul>
 * As on WildFly, an idle request thread of Tomcat keeps the application of the last request it served reachable
 * until it serves another (measured: without the step below, both applications undeployed before the cycles were
 * still loaded after 20 forced GCs; an application that had answered only 401s was not). So a second application
 * without tokengate is deployed for the cycles, and before each GC round every request thread ({@code
 * http-nio-…-exec-N}) runs one of its requests. Those threads live on: a thread-local that tokengate left on them
 * would still keep its loader, and fail the test.
 * One Tomcat for the class; its logs stay in {@code target/it-work/tomcat11/base/logs}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Tomcat11IT extends TomcatFilterContract {

    private static final int CYCLES = 3;
    private static final int GC_ROUNDS = 20;
    private static final String BASIC = "basic.war";
    private static final String CYCLED = "cycled.war";
    /** Classes of the tokengate library (the test WAR's own servlet is in {@code dev.tokengate.it}). */
    private static final Pattern TOKENGATE_CLASS = Pattern.compile("dev\\.tokengate\\.(?!it\\.).*");
    /** Threads tokengate starts: the JDK HTTP client's (selector, workers) and its own. */
    private static final Pattern TOKENGATE_THREAD = Pattern.compile("HttpClient-\\d+-.*|tokengate-.*");
    /** What Tomcat's {@code WebappClassLoaderBase} logs when an application leaves a thread or a thread-local. */
    private static final Pattern LEAK_WARNING = Pattern.compile(
            ".*(memory leak|appears to have started a thread|failed to remove it when the web application was stopped).*");

    @Override
    String homeProperty() {
        return "it.tomcat11.home";
    }

    @Override
    String workName() {
        return "tomcat11";
    }

    @Override
    Path gatedWar(Path file) {
        return War.builder().webXml(webXml("/wars/tomcat/WEB-INF/web.xml")).classes(ProbeServlet.class)
                .libs(libs("it.war.lib.file", "tokengate-servlet-filter")).writeTo(file);
    }

    @Test
    @Order(1)
    void securityConstraintWithBasicLoginAnswers401BasicToAValidBearerToken() throws Exception {
        server.deploy(War.builder().webXml(webXml("/wars/tomcat-basic/WEB-INF/web.xml")).classes(ProbeServlet.class)
                .libs(libs("it.war.lib.file", "tokengate-servlet-filter")).writeTo(work.resolve(BASIC)));
        try {
            String admin = TestTokens.jwt().scope("read admin").sign();
            HttpResponse<String> r = get("/basic/admin/users", admin);
            assertThat(r.statusCode()).as("Tomcat's BASIC authenticator, before any filter").isEqualTo(401);
            assertThat(r.headers().allValues("WWW-Authenticate")).as("only Tomcat's challenge: tokengate never ran")
                    .singleElement().asString().startsWith("Basic realm=\"legacy admin\"");
            assertThat(r.body()).doesNotContain("principal=", "invalid_token");

            // the same token outside the constraint: tokengate decides, the servlet sees the caller
            HttpResponse<String> api = get("/basic/api/accounts/7", admin);
            assertThat(api.statusCode()).isEqualTo(200);
            assertThat(api.body()).contains("principal=" + TestTokens.SUBJECT, "role.admin=true");

        } finally {
            server.undeploy(BASIC);
        }
    }

    @Test
    @Order(2)
    void constraintConvertedToARuleAdmitsTheTokenWithTheScope() throws Exception {
        HttpResponse<String> ok = get("/gated/admin/users", TestTokens.jwt().scope("admin").sign());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("principal=" + TestTokens.SUBJECT, "authType=BEARER", "role.admin=true");

        HttpResponse<String> readOnly = get("/gated/admin/users", TestTokens.jwt().scope("read").sign());
        assertThat(readOnly.statusCode()).isEqualTo(403);
        assertThat(readOnly.headers().firstValue("WWW-Authenticate").orElse(""))
                .contains("error=\"insufficient_scope\"", "scope=\"admin\"");

        HttpResponse<String> none = get("/gated/admin/users", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(challenge -> assertThat(challenge)
                .matches("Bearer realm=\"legacy\", resource_metadata=\"http://[^\"]+/\\.well-known/oauth-protected-resource\", DPoP realm=\"legacy\", resource_metadata=\"http://[^\"]+/\\.well-known/oauth-protected-resource\", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\""));
    }

    @Test
    @Order(Integer.MAX_VALUE) // last: it undeploys the class's application first
    void redeploysLeaveNoLeakWarningNoClassAndNoThreadOfTokengate() throws Exception {
        server.undeploy(GATED);
        server.deploy(War.builder().webXml(War.resource("/wars/other-app/WEB-INF/web.xml"))
                .classes(FlushServlet.class).writeTo(work.resolve("other-app.war")));
        Jcmd jcmd = new Jcmd(server.javaHome(), server.pid());
        Leftovers atStart = afterGcs(jcmd, new int[1]);
        if (!atStart.none()) {
            fail("before the cycles, after the class's applications were undeployed and forced GCs, tokengate is still in"
                    + " Tomcat:\n" + atStart.details() + liveObjects(jcmd));
        }
        long classesBefore = jcmd.liveClasses();
        int logBefore = server.logs().length();

        Path war = gatedWar(work.resolve(CYCLED));
        List<String> tokens = new ArrayList<>();
        List<Long> cycleMillis = new ArrayList<>();
        long tokengateClassesWhileDeployed = 0;
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            long start = System.nanoTime();
            int fetches = idp.jwksRequests();
            server.deploy(war);
            String token = TestTokens.jwt().scope("read").sign();
            tokens.add(token);
            HttpResponse<String> ok = get("/cycled/api/accounts/7", token);
            assertThat(ok.statusCode()).as("cycle %d: a valid token", cycle).isEqualTo(200);
            assertThat(ok.body()).contains("remoteUser=" + TestTokens.SUBJECT);
            assertThat(get("/cycled/api/accounts/7", null).statusCode()).as("cycle %d: no token", cycle).isEqualTo(401);
            assertThat(idp.jwksRequests()).as("cycle %d: the gate fetched the keys with its HTTP client", cycle)
                    .isGreaterThan(fetches);
            if (cycle == 1) {
                Leftovers deployed = leftovers(jcmd);
                assertThat(deployed.loaders()).as("the application's class loader, holding tokengate").hasSize(1);
                assertThat(deployed.threads()).extracting(ThreadDump::name).as("the gate's HTTP client")
                        .anyMatch(name -> name.matches("HttpClient-\\d+-SelectorManager"));
                tokengateClassesWhileDeployed = deployed.loaders().values().iterator().next();
            }
            server.undeploy(CYCLED);
            cycleMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            assertThat(get("/cycled/api/accounts/7", token).statusCode()).as("cycle %d: undeployed", cycle).isEqualTo(404);
        }

        long gcStart = System.nanoTime();
        int[] rounds = {0};
        Leftovers left = afterGcs(jcmd, rounds);
        long classesAfter = jcmd.liveClasses();
        System.out.printf("Tomcat11IT figures: %d cycles of %s ms (deploy, 2 requests, undeploy); %d tokengate classes"
                        + " per deployment; live classes %d before, %d after %d GC round(s) in %d ms; left: %s%n",
                CYCLES, cycleMillis, tokengateClassesWhileDeployed, classesBefore, classesAfter, rounds[0],
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - gcStart), left.none() ? "nothing" : left);

        String logs = server.logs();
        List<String> warnings = logs.substring(Math.min(logBefore, logs.length())).lines()
                .filter(l -> LEAK_WARNING.matcher(l).matches()).toList();
        assertThat(warnings).as("Tomcat's leak warnings while the application was cycled (%s)", server.logDirectory())
                .isEmpty();
        if (!left.none()) {
            fail("after " + CYCLES + " undeploys and " + rounds[0] + " forced GCs, tokengate is still in Tomcat:\n"
                    + left.details() + liveObjects(jcmd));
        }
        for (String token : tokens) {
            for (String fragment : TestTokens.fragmentsOf(token)) {
                assertThat(logs).as("Tomcat's logs").doesNotContain(fragment);
            }
        }
    }

    /** What tokengate left in the server: the loaders holding tokengate classes (how many), its threads. */
    private record Leftovers(Map<String, Long> loaders, List<ThreadDump> threads) {

        boolean none() {
            return loaders.isEmpty() && threads.isEmpty();
        }

        String details() {
            StringBuilder out = new StringBuilder();
            loaders.forEach((loader, classes) -> out.append("  class loader ").append(loader).append(" with ")
                    .append(classes).append(" tokengate classes\n"));
            threads.forEach(t -> out.append("  thread ").append(t.text().replace("\n", "\n    ")).append('\n'));
            return out.toString();
        }

        @Override
        public String toString() {
            return loaders.size() + " loaders with tokengate classes, threads "
                    + threads.stream().map(ThreadDump::name).collect(Collectors.toList());
        }
    }

    /** Which of tokengate's objects are still alive: the first hint of what holds a loader. */
    private static String liveObjects(Jcmd jcmd) {
        return jcmd.run("GC.class_histogram").lines().filter(l -> l.contains("dev.tokengate")).limit(40)
                .collect(Collectors.joining("\n    ", "  live objects of tokengate:\n    ", "\n"));
    }

    /** Forced GCs, at most {@value #GC_ROUNDS}, until nothing of tokengate is left; counts them in {@code rounds[0]}. */
    private Leftovers afterGcs(Jcmd jcmd, int[] rounds) {
        return Await.poll(Duration.ofSeconds(90), () -> {
            rounds[0]++;
            flushRequestThreads(jcmd);
            jcmd.gc();
            return leftovers(jcmd);
        }, l -> l.none() || rounds[0] >= GC_ROUNDS);
    }

    /**
     * Has every request thread of Tomcat run a request of the other application: the requests of a round wait for
     * each other in its servlet, so they run on as many threads at once.
     */
    private void flushRequestThreads(Jcmd jcmd) {
        try {
            List<String> workers = jcmd.threads().stream().map(ThreadDump::name)
                    .filter(n -> n.matches("http-nio-.*-exec-\\d+")).toList();
            int parties = workers.size();
            String id = UUID.randomUUID().toString();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < parties; i++) {
                calls.add(http.sendAsync(HttpRequest.newBuilder(server.uri("/other-app/?round=" + id
                        + "&parties=" + parties)).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (var call : calls) {
                assertThat(call.get(60, TimeUnit.SECONDS).statusCode()).as("a request of the other application").isEqualTo(200);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Leftovers leftovers(Jcmd jcmd) {
        Map<String, Long> loaders = new TreeMap<>();
        int n = 0;
        for (Jcmd.Loader loader : jcmd.classLoaders()) {
            long tokengate = loader.classes().stream().filter(c -> TOKENGATE_CLASS.matcher(c).matches()).count();
            if (tokengate > 0) {
                loaders.put(loader + " #" + (++n), tokengate);
            }
        }
        List<ThreadDump> threads = jcmd.threads().stream().filter(t -> TOKENGATE_THREAD.matcher(t.name()).matches()).toList();
        return new Leftovers(loaders, threads);
    }
}
