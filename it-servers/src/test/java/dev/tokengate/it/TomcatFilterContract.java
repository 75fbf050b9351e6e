package dev.tokengate.it;

import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static dev.tokengate.it.Prerequisites.requiredFile;
import static dev.tokengate.it.Prerequisites.requiredPath;
import static dev.tokengate.it.Prerequisites.skip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the servlet filter must do in a standalone Tomcat, whichever Tomcat and whichever flavour of the filter
 * (jakarta on 10.1+/11, javax on 9): the WAR a legacy team ships ({@code web.xml} declaring the filter by its
 * init-params, the probe servlet, tokengate and its dependencies in {@code WEB-INF/lib}) is deployed once per class
 * as {@code gated.war} on a server started once per class; then the URL-rule matrix, the caller as the servlet sees
 * it and the call log in Tomcat's log are checked over HTTP.
 *
 * <p>A subclass names the distribution (a system property the build sets), the {@code web.xml} template and the
 * probe servlet and libraries of its flavour. Without the distribution or a JDK with {@code jcmd} the class is
 * skipped with the reason; with {@code REQUIRE_TEST_SERVICES=true} (CI) it fails instead.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TomcatFilterContract {

    static final String GATED = "gated.war";

    LoopbackIssuer idp;
    Tomcat server;
    HttpClient http;
    Path work;

    /** The system property naming the unpacked distribution. */
    abstract String homeProperty();

    /** The directory under {@code it.work.dir} for this class's {@code CATALINA_BASE} and WARs. */
    abstract String workName();

    /** The gated WAR of this flavour, its {@code web.xml} filled in with the test's issuer. */
    abstract Path gatedWar(Path file);

    @BeforeAll
    void startServer() throws IOException {
        Path home = requiredPath(homeProperty(), "the Tomcat distribution (unpacked by the build's pre-integration-test phase)");
        Path javaHome = Jdks.forServer();
        if (!Files.isExecutable(javaHome.resolve("bin/jcmd"))) {
            skip("no jcmd in " + javaHome + " (a JRE?): set it.server.java.home to a JDK");
        }
        work = Path.of(System.getProperty("it.work.dir", "target/it-work")).resolve(workName());
        Files.createDirectories(work);
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        server = Tomcat.start(home, javaHome, work.resolve("base"));
        System.out.printf("%s: Tomcat %s on %s, pid %d, http://127.0.0.1:%d; logs in %s%n", getClass().getSimpleName(),
                home.getFileName(), javaHome, server.pid(), server.httpPort(), server.logDirectory());
        server.deploy(gatedWar(work.resolve(GATED)));
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
    }

    @Test
    void ruleMatrixWhenNoTokenThen401WithBearerChallenge() throws Exception {
        HttpResponse<String> r = get("/gated/api/accounts/7", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(challenge -> assertThat(challenge)
                .matches("Bearer realm=\"legacy\", resource_metadata=\"http://[^\"]+/\\.well-known/oauth-protected-resource\", DPoP realm=\"legacy\", resource_metadata=\"http://[^\"]+/\\.well-known/oauth-protected-resource\", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\""));
    }

    @Test
    void ruleMatrixWhenExpiredTokenThen401InvalidToken() throws Exception {
        String expired = TestTokens.jwt().issuedAt(Instant.now().minusSeconds(3600))
                .expiresAt(Instant.now().minusSeconds(1800)).sign();
        HttpResponse<String> r = get("/gated/api/accounts/7", expired);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer realm=\"legacy\", error=\"invalid_token\"");
    }

    @Test
    void ruleMatrixWhenScopeMissingThen403InsufficientScope() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(server.uri("/gated/api/orders"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")), TestTokens.jwt().scope("read").sign());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElse(""))
                .startsWith("Bearer realm=\"legacy\", error=\"insufficient_scope\"").contains("scope=\"trade\"");
        assertThat(r.body()).contains("\"error\":\"insufficient_scope\"").doesNotContain("principal=");
    }

    @Test
    void ruleMatrixWhenScopePresentThen200() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(server.uri("/gated/api/orders"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")), TestTokens.jwt().scope("read trade").sign());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("role.trade=true");
    }

    @Test
    void ruleMatrixWhenPermitRouteThen200WithoutToken() throws Exception {
        HttpResponse<String> r = get("/gated/health", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("principal=null", "remoteUser=null");
    }

    @Test
    void ruleMatrixWhenNoRuleMatchesThen403EvenWithAValidToken() throws Exception {
        HttpResponse<String> r = get("/gated/reports/2024", TestTokens.jwt().sign());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("access_denied").doesNotContain("principal=");
    }

    @Test
    void servletSeesTheTokensSubjectAndScopesThroughTheStandardMethods() throws Exception {
        HttpResponse<String> r = get("/gated/api/accounts/7", TestTokens.jwt().scope("read").sign());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("principal=" + TestTokens.SUBJECT, "remoteUser=" + TestTokens.SUBJECT,
                "authType=BEARER", "role.read=true", "role.trade=false", "role.admin=false");
    }

    @Test
    void callLogLineIsInTomcatsLogAndHoldsNoToken() throws Exception {
        String token = TestTokens.jwt().scope("read").sign();
        assertThat(get("/gated/api/call-log-probe", token).statusCode()).isEqualTo(200);
        // JULI writes asynchronously: wait for the line
        Optional<String> line = Await.poll(Duration.ofSeconds(30), () -> server.juliLogs().lines()
                        .filter(l -> l.contains("/api/call-log-probe") && l.contains("\"decision\"")).findFirst(),
                Optional::isPresent);
        assertThat(line).as("a call-log line of the request in " + server.logDirectory() + " (catalina.*.log)").isPresent();
        assertThat(line.get()).contains("\"status\":200", "\"subject\":\"" + TestTokens.SUBJECT + "\"");
        String logs = server.logs();
        for (String fragment : TestTokens.fragmentsOf(token)) {
            assertThat(logs).as("Tomcat's logs").doesNotContain(fragment);
        }
    }

    /** The request id goes back in X-Request-Id on the refused and the allowed response; a sane one of the client's is kept. */
    @Test
    void requestIdHeaderOnRefusedAndAllowedResponses() throws Exception {
        HttpResponse<String> refused = get("/gated/api/accounts/7", null);
        HttpResponse<String> allowed = send(HttpRequest.newBuilder(server.uri("/gated/api/accounts/7"))
                .header("X-Request-Id", "tomcat-contract-1").GET(), TestTokens.jwt().scope("read").sign());

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().allValues("X-Request-Id")).singleElement().asString()
                .matches("[A-Za-z0-9_-]{12}").satisfies(id -> assertThat(refused.body()).contains("\"request_id\":\"" + id + "\""));
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().allValues("X-Request-Id")).containsExactly("tomcat-contract-1");
    }

    // --- helpers

    HttpResponse<String> get(String path, String token) throws Exception {
        return send(HttpRequest.newBuilder(server.uri(path)).GET(), token);
    }

    HttpResponse<String> send(HttpRequest.Builder request, String token) throws Exception {
        request.timeout(Duration.ofSeconds(60));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The template filled in with the test's issuer, audience and JWKS. */
    String webXml(String resource) {
        return War.resource(resource)
                .replace("@ISSUER@", TestTokens.ISSUER)
                .replace("@AUDIENCE@", TestTokens.AUDIENCE)
                .replace("@JWKS_URI@", idp.jwksUri().toString());
    }

    /** The jars of a list the build wrote ({@code dependency:build-classpath}), checked for tokengate's. */
    static List<Path> libs(String property, String filterArtifact) {
        Path lib = requiredFile(property, "the list of the WAR's libraries (written by the build's pre-integration-test phase)");
        List<Path> jars = War.jarsOf(lib);
        assertThat(jars).as("WEB-INF/lib").anyMatch(j -> j.getFileName().toString().startsWith(filterArtifact + "-0"))
                .anyMatch(j -> j.getFileName().toString().startsWith("tokengate-core-"));
        return jars;
    }
}
