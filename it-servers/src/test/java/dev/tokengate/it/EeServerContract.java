package dev.tokengate.it;

import dev.tokengate.it.Jcmd.ThreadDump;
import dev.tokengate.it.ee.CallerBean;
import dev.tokengate.it.ee.CallerEjb;
import dev.tokengate.it.ee.CallerResource;
import dev.tokengate.it.ee.EeApplication;
import dev.tokengate.it.ee.GuardedServlet;
import dev.tokengate.it.ee.MatrixResource;
import dev.tokengate.log.Fingerprints;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static dev.tokengate.it.Prerequisites.requiredFile;
import static dev.tokengate.it.Prerequisites.requiredPath;
import static dev.tokengate.it.Prerequisites.skip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What tokengate must do for a Jakarta EE application on any server, as one body of tests that each server's class
 * runs ({@link PayaraMicroEeIT}, {@link WildFlyEeIT}) against one start of its server: the EE test WAR
 * ({@code dev.tokengate.it.ee}: a JAX-RS application with tokengate's feature and its Jakarta Security mechanism,
 * an EJB and a CDI bean that need a role, a servlet behind a {@code web.xml} constraint; tokengate's settings in
 * its {@code META-INF/microprofile-config.properties}) is deployed once, with a JWKS server on loopback as the
 * issuer.
 *
 * <ul>
 *   <li>the annotation matrix of {@code TokenGateFeature}'s javadoc, each row a request;</li>
 *   <li>(tag {@code mechanism}) the container knows the caller: {@code getUserPrincipal()}, Jakarta Security's
 *       {@code SecurityContext}, {@code @RolesAllowed} on an EJB (which also refuses a role the token lacks) and on
 *       a CDI bean, {@code @Inject VerifiedToken}, a {@code web.xml} security constraint;</li>
 *   <li>the call log reaches the server's log, and no raw token ever does;</li>
 *   <li>three deploy/undeploy cycles of a second copy of the WAR leave no class loader or thread of it (checked
 *       with {@code jcmd}, as {@link WildFlyRedeployIT} does) and no leak warning or error in the server's log.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
abstract class EeServerContract {

    static final String APP = "ee.war";
    static final String CYCLED_APP = "ee-cycle.war";
    private static final int CYCLES = 3;
    private static final int GC_ROUNDS = 20;
    private static final Pattern TOKENGATE_CLASS = Pattern.compile("dev\\.tokengate\\.(?!it\\.).*");
    /** Threads that live as long as a gate: its HTTP client's selector, its own (HTTP client workers come and go). */
    private static final Pattern TOKENGATE_THREAD = Pattern.compile("HttpClient-\\d+-SelectorManager|tokengate-.*");

    Path work;
    LoopbackIssuer idp;
    AppServer server;
    Jcmd jcmd;
    HttpClient http;
    private final List<String> tokens = Collections.synchronizedList(new ArrayList<>());

    /** Starts the server under test, its files under {@code work}; skips (see {@link #skip}) what is missing. */
    abstract AppServer start(Path work) throws IOException;

    /**
     * How many class loaders of an application undeployed several times the server itself keeps, whatever the
     * application (a server's known leak, with its reference): 0 unless a server's class says otherwise. A leak of
     * tokengate's would keep one per deployment, and its gate's objects and threads with it.
     */
    int loadersTheServerKeeps() {
        return 0;
    }

    @BeforeAll
    void startServerAndDeploy() throws IOException {
        work = Path.of(System.getProperty("it.work.dir", "target/it-work"));
        Files.createDirectories(work);
        requiredFile("it.ee.lib.file", "the list of the EE WAR's libraries (written by the build's pre-integration-test phase)");
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        server = start(work);
        jcmd = new Jcmd(server.javaHome(), server.pid());
        System.out.printf("%s on %s, pid %d, %s; log %s%n", server.name(), server.javaHome(), server.pid(),
                server.uri("/"), server.serverLog());
        long start = System.nanoTime();
        server.deploy(eeWar(work.resolve(APP)));
        System.out.printf("%s: %s deployed in %d ms%n", server.name(), APP,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    @AfterAll
    void stopServer() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (idp != null) {
                idp.close();
            }
        }
        if (server != null) {
            String log = server.log();
            for (String token : List.copyOf(tokens)) {
                for (String fragment : TestTokens.fragmentsOf(token)) {
                    assertThat(log).as("%s's log", server.name()).doesNotContain(fragment);
                }
            }
        }
    }

    /** One row of the annotation matrix: a token with these scopes (or none, or one of an unknown key) on a method. */
    @ParameterizedTest(name = "{0} with {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            scope       | read       | 200 | jaxrs=alice scheme=BEARER read=true
            scope       | none       | 401 | Bearer realm="ee"
            scope       | trade      | 403 | error="insufficient_scope"
            scope       | untrusted  | 401 | error="invalid_token"
            all-scopes  | read trade | 200 | jaxrs=alice
            all-scopes  | read       | 403 | error="insufficient_scope"
            any-scope   | trade      | 200 | jaxrs=alice
            any-scope   | read       | 403 | error="insufficient_scope"
            roles       | read       | 200 | jaxrs=alice scheme=BEARER read=true
            roles       | trade      | 403 | error="insufficient_scope"
            roles       | none       | 401 | Bearer realm="ee"
            any-token   | trade      | 200 | jaxrs=alice scheme=BEARER read=false
            any-token   | none       | 401 | Bearer realm="ee"
            permit      | none       | 200 | jaxrs=null
            deny        | read trade | 403 | access_denied
            unannotated | trade      | 200 | jaxrs=alice
            unannotated | none       | 401 | Bearer realm="ee"
            """)
    void annotationMatrixDecidesAsDocumented(String method, String token, int status, String expected) throws Exception {
        HttpResponse<String> response = get("/ee/api/matrix/" + method, token(token));
        assertThat(response.statusCode()).as("%s with %s: %s", method, token, response.body()).isEqualTo(status);
        String seen = response.headers().allValues("WWW-Authenticate") + " " + response.body();
        assertThat(seen).as("the challenge and the body").contains(expected);
        if (status == 401) {
            assertThat(response.headers().firstValue("WWW-Authenticate")).as("a challenge").isPresent();
        }
        assertThat(response.headers().allValues("WWW-Authenticate")).as("tokengate's Bearer challenge, never the server's Basic")
                .allSatisfy(v -> assertThat(v).startsWith("Bearer "));
    }

    @Test
    @Tag("mechanism")
    void servletRequestKnowsTheCallerAndItsScopesAsRoles() throws Exception {
        assertOk("/ee/api/caller/servlet", "read trade", "servlet=alice read=true");
    }

    @Test
    @Tag("mechanism")
    void jakartaSecurityContextKnowsTheCaller() throws Exception {
        assertOk("/ee/api/caller/security", "read trade", "security=alice read=true");
    }

    @Test
    @Tag("mechanism")
    void ejbWithRolesAllowedSeesTheCaller() throws Exception {
        assertOk("/ee/api/caller/ejb", "read trade", "ejb=alice");
    }

    @Test
    @Tag("mechanism")
    void ejbRefusesARoleTheTokenLacks() throws Exception {
        HttpResponse<String> response = get("/ee/api/caller/ejb-admin", token("read trade"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        assertThat(response.body()).contains("ejb refused: jakarta.ejb.EJBAccessException");
    }

    @Test
    @Tag("mechanism")
    void cdiBeanWithRolesAllowedSeesTheCaller() throws Exception {
        assertOk("/ee/api/caller/cdi", "read trade", "cdi=alice");
    }

    @Test
    @Tag("mechanism")
    void verifiedTokenIsInjectedIntoABean() throws Exception {
        assertOk("/ee/api/caller/token", "read trade", "token=alice scopes=[read, trade]");
    }

    @Test
    @Tag("mechanism")
    void webXmlConstraintAdmitsATokenWithTheRole() throws Exception {
        assertOk("/ee/guarded/report", "read", "servlet=alice read=true");
    }

    @Test
    @Tag("mechanism")
    void webXmlConstraintWithoutATokenAnswersTheBearerChallenge() throws Exception {
        HttpResponse<String> response = get("/ee/guarded/report", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(response.headers().allValues("WWW-Authenticate")).singleElement().asString()
                .isEqualTo("Bearer realm=\"ee\", resource_metadata=\"" + metadataUrl() + "\", DPoP realm=\"ee\", resource_metadata=\""
                        + metadataUrl() + "\", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"");
    }

    /** The URL every 401 names: the application's own RFC 9728 document, below its context path. */
    private String metadataUrl() {
        return server.uri("/ee/.well-known/oauth-protected-resource").toString();
    }

    /**
     * The mechanism serves the RFC 9728 document the challenges name, without a token, not in the call log; a
     * forwarding header from a peer that is not a trusted proxy changes nothing.
     */
    @Test
    @Tag("mechanism")
    void mechanismServesTheMetadataDocumentTheChallengesName() throws Exception {
        HttpResponse<String> doc = http.send(request("/ee/.well-known/oauth-protected-resource", null)
                .header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "public.example").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(doc.statusCode()).as(doc.body()).isEqualTo(200);
        assertThat(doc.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(doc.headers().firstValue("Cache-Control")).hasValue("public, max-age=3600");
        String origin = server.uri("/").getScheme() + "://" + server.uri("/").getRawAuthority();
        assertThat(doc.body()).startsWith("{\"resource\":\"" + origin + "/ee\",\"authorization_servers\":[\""
                + TestTokens.ISSUER + "\"],").contains("\"bearer_methods_supported\":[\"header\"]")
                .doesNotContain("public.example");
        assertThat(get("/ee/.well-known/oauth-protected-resource/other", null).body()).doesNotContain("authorization_servers");
    }

    @Test
    @Tag("mechanism")
    void webXmlConstraintRefusesATokenWithoutTheRole() throws Exception {
        HttpResponse<String> response = get("/ee/guarded/report", token("trade"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
    }

    @Test
    @Tag("mechanism")
    void webXmlConstraintRefusesAnInvalidTokenWithTokengatesAnswer() throws Exception {
        HttpResponse<String> response = get("/ee/guarded/report", token("untrusted"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).startsWith("Bearer realm=\"ee\"").contains("error=\"invalid_token\""));
    }

    /** The call-log line of a request, found by the token's fingerprint, in the server's own log. */
    @Test
    void callLogLineReachesTheServersLog() throws Exception {
        String token = token("read");
        assertThat(get("/ee/api/matrix/scope", token).statusCode()).isEqualTo(200);
        String fingerprint = "\"token_fingerprint\":\"" + Fingerprints.fingerprint(token) + "\"";
        String line = Await.poll(Duration.ofSeconds(30), () -> server.log().lines()
                .filter(l -> l.contains(fingerprint)).findFirst().orElse(null), l -> l != null);
        assertThat(line).as("a call-log line with %s in %s", fingerprint, server.serverLog()).isNotNull()
                .contains("\"path\":\"/api/matrix/scope\"", "\"status\":200", "\"subject\":\"alice\"");
    }

    /**
     * The request id goes back in X-Request-Id, once, on the mechanism's refusal and on the application's answer; a
     * sane one of the client's is kept; the call-log line carries it and the W3C trace id of {@code traceparent}.
     */
    @Test
    @Tag("mechanism")
    void requestIdHeaderOnRefusedAndAllowedResponsesIsTheCallLogs() throws Exception {
        HttpResponse<String> refused = get("/ee/guarded/report", token("untrusted"));
        HttpResponse<String> allowed = http.send(request("/ee/guarded/report", token("read"))
                .header("X-Request-Id", "ee-contract-1")
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> jaxrs = get("/ee/api/matrix/scope", token("trade"));

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
        assertThat(refused.headers().allValues("X-Request-Id")).singleElement().asString()
                .matches("[A-Za-z0-9_-]{12}")
                .satisfies(id -> assertThat(refused.body()).contains("\"request_id\":\"" + id + "\""));
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        assertThat(allowed.headers().allValues("X-Request-Id")).containsExactly("ee-contract-1");
        assertThat(jaxrs.statusCode()).as(jaxrs.body()).isEqualTo(403);
        assertThat(jaxrs.headers().allValues("X-Request-Id")).singleElement().asString()
                .satisfies(id -> assertThat(jaxrs.body()).contains("\"request_id\":\"" + id + "\""));
        String line = Await.poll(Duration.ofSeconds(30), () -> server.log().lines()
                .filter(l -> l.contains("\"request_id\":\"ee-contract-1\"")).findFirst().orElse(null), l -> l != null);
        assertThat(line).as("the call-log line of ee-contract-1 in %s", server.serverLog()).isNotNull()
                .contains("\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"", "\"status\":200");
    }

    /**
     * Three deploy/undeploy cycles of a second copy of the WAR (while the first stays deployed): afterwards no class
     * loader holding tokengate's classes and no thread of tokengate's more than before, and no leak warning or
     * error in the server's log from the first deployment on.
     */
    @Test
    void redeploysLeaveNoClassLoaderThreadOrLeakWarning() throws Exception {
        Path cycled = eeWar(work.resolve(CYCLED_APP));
        String context = "/" + CYCLED_APP.replace(".war", "");
        warmUp(); // the application that stays has built all it builds (its JAX-RS feature's gate on first use)
        Leftovers before = collected(leftovers());
        long gatesBefore = liveGateClasses();
        long classesBefore = jcmd.liveClasses();
        jcmd.gc();
        long[] memoryBefore = jcmd.memoryUsedKb();
        List<String> alarmingBefore = alarming();
        List<Long> cycleMillis = new ArrayList<>();
        Leftovers deployed = null;
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            long start = System.nanoTime();
            server.deploy(cycled);
            String token = token("read");
            assertThat(get(context + "/api/matrix/scope", token).statusCode()).as("cycle %d", cycle).isEqualTo(200);
            assertThat(get(context + "/api/caller/ejb", token).body()).as("cycle %d", cycle).contains("ejb=alice");
            if (cycle == 1) {
                deployed = leftovers();
                assertThat(deployed.loaders()).as("class loaders with tokengate while both copies are deployed")
                        .isGreaterThan(before.loaders());
            }
            server.undeploy(CYCLED_APP);
            cycleMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            assertThat(get(context + "/api/matrix/scope", token).statusCode()).as("undeployed").isEqualTo(404);
        }
        long gcStart = System.nanoTime();
        Leftovers after = leftovers();
        int rounds = 0;
        int kept = loadersTheServerKeeps();
        while ((after.loaders() > before.loaders() + kept || after.threads().size() > before.threads().size()) && rounds < GC_ROUNDS) {
            rounds++;
            busyRequestThreads();
            jcmd.gc();
            after = leftovers();
        }
        long gcMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - gcStart);
        long gatesAfter = liveGateClasses();
        jcmd.gc();
        long[] memoryAfter = jcmd.memoryUsedKb();
        System.out.printf("""
                %s redeploy check, %d cycles of %s on %s (%s deployed throughout):
                  before: %d loaders with tokengate classes, tokengate threads %s, %d classes
                  cycle 1 deployed: %d loaders with tokengate classes, tokengate threads %s
                  after %d GC rounds (%d ms): %d loaders with tokengate classes (the server keeps %d), tokengate threads %s, %d classes
                  loaders with live TokenGate objects: %d before, %d after
                  time per cycle (deploy, 3 requests, undeploy): %s ms
                  after a full GC, heap used %d KB before, %d KB after; metaspace %d KB before, %d KB after
                """, server.name(), CYCLES, CYCLED_APP, server.javaHome(), APP, before.loaders(), before.threadNames(),
                classesBefore, deployed.loaders(), deployed.threadNames(), rounds, gcMillis, after.loaders(), kept,
                after.threadNames(), jcmd.liveClasses(), gatesBefore, gatesAfter, cycleMillis, memoryBefore[0], memoryAfter[0],
                memoryBefore[1], memoryAfter[1]);
        if (after.loaders() > before.loaders() + kept || after.threads().size() > before.threads().size()
                || gatesAfter > gatesBefore) {
            String live = jcmd.run("GC.class_histogram").lines().filter(l -> l.contains("dev.tokengate"))
                    .limit(40).collect(java.util.stream.Collectors.joining("\n    "));
            fail("after " + CYCLES + " redeploys and " + rounds + " forced GCs " + server.name() + " still holds "
                    + (after.loaders() - before.loaders()) + " more class loaders with tokengate classes (it keeps " + kept
                    + " itself), " + gatesAfter + " loaders with live TokenGate objects (before: " + gatesBefore + "), threads "
                    + after.threadNames() + " (before: " + before.threadNames() + ").\n  Loaders before:"
                    + before.loaderDetails() + "\n  after:" + after.loaderDetails() + "\n  live objects of tokengate:\n    "
                    + live + "\nTo see what holds them, run again with -Dit.heap-dump=true and follow the paths to GC"
                    + " roots in a heap analyser." + heapDump());
        }
        List<String> alarming = new ArrayList<>(alarming());
        alarmingBefore.forEach(alarming::remove);
        assertThat(alarming).as("leak warnings and errors in %s's log during the cycles", server.name()).isEmpty();
    }

    /** The lines of the server's log that speak of a leak, or are errors. */
    private List<String> alarming() {
        return server.log().lines().filter(l -> l.toLowerCase(Locale.ROOT).contains("leak") || server.isError(l)).toList();
    }

    /**
     * tokengate's refusals (no token, a token without the role, an invalid one; on a resource the container
     * protects and on one it does not) are answers, not server errors: none of them adds an error to the log.
     */
    @Test
    @Tag("mechanism")
    void refusalsAddNoErrorToTheServersLog() throws Exception {
        List<String> before = alarming();
        assertThat(get("/ee/guarded/report", null).statusCode()).isEqualTo(401);
        assertThat(get("/ee/guarded/report", token("trade")).statusCode()).isEqualTo(403);
        assertThat(get("/ee/guarded/report", token("untrusted")).statusCode()).isEqualTo(401);
        assertThat(get("/ee/api/matrix/scope", token("untrusted")).statusCode()).isEqualTo(401);
        assertThat(get("/ee/api/matrix/permit", null).statusCode()).isEqualTo(200); // a request after them: all logged
        List<String> added = Await.poll(Duration.ofSeconds(2), () -> {
            List<String> now = new ArrayList<>(alarming());
            before.forEach(now::remove);
            return now;
        }, List::isEmpty);
        assertThat(added).as("errors in %s's log after tokengate's refusals", server.name()).isEmpty();
    }

    /** Loaders holding tokengate classes and tokengate's threads. */
    record Leftovers(List<Jcmd.Loader> tokengateLoaders, List<ThreadDump> threads) {
        long loaders() {
            return tokengateLoaders.size();
        }

        List<String> threadNames() {
            return threads.stream().map(ThreadDump::name).sorted().toList();
        }

        /** Each loader: its name and type, its classes, how many of them tokengate's. */
        String loaderDetails() {
            return tokengateLoaders.stream().map(l -> l + " " + l.classes().stream()
                    .filter(c -> TOKENGATE_CLASS.matcher(c).matches()).count() + " of tokengate")
                    .collect(java.util.stream.Collectors.joining("\n    ", "\n    ", ""));
        }
    }

    private Leftovers leftovers() {
        List<Jcmd.Loader> loaders = jcmd.classLoaders().stream()
                .filter(l -> l.classes().stream().anyMatch(c -> TOKENGATE_CLASS.matcher(c).matches())).toList();
        List<ThreadDump> threads = jcmd.threads().stream().filter(t -> TOKENGATE_THREAD.matcher(t.name()).matches()).toList();
        return new Leftovers(loaders, threads);
    }

    /**
     * How many class loaders have live {@code dev.tokengate.TokenGate} objects: the class histogram has one line per
     * class and loader. A loader the server keeps after an undeploy must have none (its gates closed and gone).
     */
    private long liveGateClasses() {
        return jcmd.run("GC.class_histogram").lines()
                .filter(l -> l.matches("\\s*\\d+:\\s+\\d+\\s+\\d+\\s+dev\\.tokengate\\.TokenGate\\s*")).count();
    }

    /** Requests to every part of the application that stays deployed. */
    private void warmUp() throws Exception {
        String token = token("read trade");
        for (String path : List.of("/ee/api/matrix/scope", "/ee/api/caller/ejb", "/ee/api/caller/cdi", "/ee/guarded/report")) {
            assertThat(get(path, token).statusCode()).as("warm-up %s", path).isEqualTo(200);
        }
        busyRequestThreads();
    }

    /** With {@code -Dit.heap-dump=true}, the server's heap in {@code target/it-work}, for a failure message. */
    private String heapDump() throws IOException {
        if (!Boolean.getBoolean("it.heap-dump")) {
            return "";
        }
        Path hprof = work.resolve(getClass().getSimpleName() + "-leak.hprof").toAbsolutePath();
        Files.deleteIfExists(hprof);
        jcmd.run("GC.heap_dump", hprof.toString());
        return "\nThe server's heap: " + hprof;
    }

    /** After full GCs, until two readings agree: the state a later reading compares with. */
    private Leftovers collected(Leftovers first) {
        Leftovers last = first;
        for (int i = 0; i < 5; i++) {
            jcmd.gc();
            Leftovers now = leftovers();
            if (now.loaders() == last.loaders() && now.threads().size() == last.threads().size()) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /**
     * Gives the server's request threads other requests (of the application that stays), at once: an idle request
     * thread may keep the last request it ran, and with it an undeployed application, until it runs another.
     */
    private void busyRequestThreads() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            calls.add(http.sendAsync(request("/ee/api/matrix/permit", null).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            assertThat(call.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    /**
     * Without {@code @TokenGateMechanismDefinition}, the jar in {@code WEB-INF/lib} changes nothing of how the
     * container authenticates (a token does not open the {@code web.xml} constraint, and no {@code Bearer} challenge
     * is sent: the same answer as the WAR without tokengate); {@code tokengate.mechanism.enabled=true} in the
     * application's MicroProfile Config turns the mechanism on, there with {@code tokengate.groups.claim} naming the
     * claim of the caller's roles. A WAR with the guarded servlet only, deployed three ways.
     */
    @Test
    @Tag("mechanism")
    void mechanismIsTurnedOnByConfigurationAndNotByTheJarAlone() throws Exception {
        long loaders = collected(leftovers()).loaders();
        String token = token("read");
        HttpResponse<String> without = deployed(guardedWar(work.resolve("ee-none.war"), List.of(), false),
                "/ee-none/guarded/report", token);
        HttpResponse<String> plain = deployed(guardedWar(work.resolve("ee-plain.war"), eeLibs(), false),
                "/ee-plain/guarded/report", token);
        assertThat(without.statusCode()).as("the container's own answer, without tokengate").isNotEqualTo(200);
        assertThat(plain.statusCode()).as("the same WAR with tokengate's jars, the mechanism not turned on")
                .isEqualTo(without.statusCode());
        assertThat(plain.headers().allValues("WWW-Authenticate")).isEqualTo(without.headers().allValues("WWW-Authenticate"))
                .noneMatch(v -> v.startsWith("Bearer"));

        Path configured = guardedWar(work.resolve("ee-configured.war"), eeLibs(), true);
        server.deploy(configured);
        try {
            HttpResponse<String> admitted = get("/ee-configured/guarded/report",
                    TestTokens.jwt().scope("read").claim("realm_access", Map.of("roles", List.of("read"))).sign());
            assertThat(admitted.statusCode()).isEqualTo(200);
            assertThat(admitted.body()).contains("servlet=" + TestTokens.SUBJECT, "read=true");
            HttpResponse<String> anonymous = get("/ee-configured/guarded/report", null);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                    assertThat(v).startsWith("Bearer realm="));
            // tokengate.groups.claim=realm_access.roles there: the role comes from the claim, not from the scopes
            String roleInClaim = TestTokens.jwt().scope("other").claim("realm_access", Map.of("roles", List.of("read"))).sign();
            assertThat(get("/ee-configured/guarded/report", roleInClaim).body()).contains("read=true");
            assertThat(get("/ee-configured/guarded/report", token).statusCode()).as("scope read, no role read in the claim")
                    .isEqualTo(403);
        } finally {
            server.undeploy("ee-configured.war");
        }
        // leave the server as found for the redeploy check: no loader of these three applications once they can go
        // (but the last copy of each that the server keeps, see loadersTheServerKeeps)
        for (int round = 0; round < GC_ROUNDS && leftovers().loaders() > loaders + 3L * loadersTheServerKeeps(); round++) {
            busyRequestThreads();
            jcmd.gc();
        }
    }

    /** Deploys the WAR, answers this request to it, and undeploys it. */
    private HttpResponse<String> deployed(Path war, String path, String token) throws Exception {
        server.deploy(war);
        try {
            return get(path, token);
        } finally {
            server.undeploy(war.getFileName().toString());
        }
    }

    private static List<Path> eeLibs() {
        return War.jarsOf(Path.of(System.getProperty("it.ee.lib.file")));
    }

    /** The guarded servlet alone, with these jars in WEB-INF/lib, the mechanism on by configuration or not at all. */
    private Path guardedWar(Path war, List<Path> libs, boolean mechanismEnabled) {
        String settings = War.resource("/wars/ee/META-INF/microprofile-config.properties")
                .replace("@ISSUER@", TestTokens.ISSUER)
                .replace("@AUDIENCE@", TestTokens.AUDIENCE)
                .replace("@JWKS_URI@", idp.jwksUri().toString())
                + (mechanismEnabled ? "\ntokengate.mechanism.enabled=true\ntokengate.groups.claim=realm_access.roles\n" : "");
        return War.builder()
                .webXml(War.resource("/wars/ee/WEB-INF/web.xml"))
                .classes(GuardedServlet.class)
                .classResource("META-INF/microprofile-config.properties", settings)
                .beansXml("annotated")
                .webInf("jboss-web.xml", War.resource("/wars/ee/WEB-INF/jboss-web.xml"))
                .libs(libs)
                .writeTo(war);
    }

    /** The EE test WAR: its classes, descriptors and settings, and tokengate's jars in {@code WEB-INF/lib}. */
    Path eeWar(Path war) {
        List<Path> jars = War.jarsOf(Path.of(System.getProperty("it.ee.lib.file")));
        assertThat(jars).as("WEB-INF/lib").extracting(j -> j.getFileName().toString())
                .anyMatch(n -> n.startsWith("tokengate-jaxrs-filter-"))
                .anyMatch(n -> n.startsWith("tokengate-jakarta-security-"))
                .anyMatch(n -> n.startsWith("tokengate-core-"));
        String settings = War.resource("/wars/ee/META-INF/microprofile-config.properties")
                .replace("@ISSUER@", TestTokens.ISSUER)
                .replace("@AUDIENCE@", TestTokens.AUDIENCE)
                .replace("@JWKS_URI@", idp.jwksUri().toString());
        return War.builder()
                .webXml(War.resource("/wars/ee/WEB-INF/web.xml"))
                .classes(EeApplication.class, MatrixResource.class, CallerResource.class, CallerEjb.class,
                        CallerBean.class, GuardedServlet.class)
                .classResource("META-INF/microprofile-config.properties", settings)
                .beansXml("annotated")
                .webInf("payara-web.xml", War.resource("/wars/ee/WEB-INF/payara-web.xml"))
                .webInf("jboss-web.xml", War.resource("/wars/ee/WEB-INF/jboss-web.xml"))
                .libs(jars)
                .writeTo(war);
    }

    /** A token: {@code none} (null), {@code untrusted} (signed by a key the issuer never published), or scopes. */
    String token(String kind) {
        String token = switch (kind) {
            case "none" -> null;
            case "untrusted" -> TestTokens.jwt().signedWith(TestKeys.untrustedRsa()).sign();
            default -> TestTokens.jwt().scope(kind).sign();
        };
        if (token != null) {
            tokens.add(token);
        }
        return token;
    }

    private void assertOk(String path, String scopes, String expected) throws Exception {
        HttpResponse<String> response = get(path, token(scopes));
        assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(200);
        assertThat(response.body()).contains(expected);
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        return http.send(request(path, token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(60)).GET();
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }
}
