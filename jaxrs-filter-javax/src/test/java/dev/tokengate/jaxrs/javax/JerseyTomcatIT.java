package dev.tokengate.jaxrs.javax;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.VerifiedToken;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.jaxrs.RequiresScopes;
import dev.tokengate.jaxrs.TokenGateFeature;
import dev.tokengate.log.Slf4jCallLogSink;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import javax.annotation.security.PermitAll;
import javax.annotation.security.RolesAllowed;
import javax.ws.rs.GET;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Application;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.SecurityContext;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The produced {@code tokengate-jaxrs-filter-javax} jar on a real JAX-RS 2.1 runtime: Jersey 2 ({@code javax.ws.rs})
 * in an embedded Tomcat 9 (Servlet 4) on loopback, deployed as a {@code web.xml} would (Jersey's servlet, the
 * {@code javax.ws.rs.Application} init-param, the {@code tokengate.*} settings as init-params), against a real JWKS.
 * The feature is registered by class by the application, so Jersey builds it with its no-argument constructor and it
 * configures itself from the application's properties. The jakarta {@code tokengate-jaxrs-filter} is not on this
 * class path: every tokengate JAX-RS class comes from the transformed jar.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JerseyTomcatIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** The test's own client: its workers are named, so that every {@code HttpClient-} thread after start is the gate's. */
    private final ExecutorService clientThreads = Executors.newCachedThreadPool(r -> new Thread(r, "test-client"));
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .executor(clientThreads).build();
    private final Set<Thread> threadsBeforeStart = Thread.getAllStackTraces().keySet();
    private final LogLines calls = new LogLines(Slf4jCallLogSink.LOGGER_NAME);
    private final LogLines feature = new LogLines(TokenGateFeature.class.getName());
    private final List<String> tokensSent = new ArrayList<>();
    private LoopbackIssuer idp;
    private Tomcat tomcat;
    private URI base;

    @BeforeAll
    void start(@TempDir Path tomcatBase) throws Exception {
        calls.attach();
        feature.attach();
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
        tomcat = new Tomcat();
        tomcat.setBaseDir(tomcatBase.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Path docBase = Files.createDirectories(tomcatBase.resolve("webapp"));
        Context context = tomcat.addContext("", docBase.toString());
        // What a web.xml declares: Jersey's servlet, the application class, the feature's settings as init-params
        // (Jersey makes a servlet's init-params the application's configuration properties).
        Wrapper jersey = Tomcat.addServlet(context, "jersey", "org.glassfish.jersey.servlet.ServletContainer");
        jersey.addInitParameter("javax.ws.rs.Application", OrdersApplication.class.getName());
        jersey.addInitParameter(ConfigKeys.JWT_ISSUER, TestTokens.ISSUER);
        jersey.addInitParameter(ConfigKeys.JWT_JWKS_URI, idp.jwksUri().toString());
        jersey.addInitParameter(ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE);
        jersey.addInitParameter(ConfigKeys.REALM, "orders");
        jersey.setLoadOnStartup(1);
        context.addServletMappingDecoded("/api/*", "jersey");
        tomcat.start();
        assertThat(connector.getState().isAvailable()).as("Tomcat's connector started").isTrue();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (tomcat != null) {
                tomcat.stop();
                tomcat.destroy();
            }
        } finally {
            if (idp != null) {
                idp.close();
            }
            calls.detach();
            feature.detach();
            clientThreads.shutdownNow();
        }
    }

    @BeforeEach
    void clear() {
        calls.lines.clear();
        calls.queue.clear();
        tokensSent.clear();
    }

    /**
     * Each test has read the call-log line of each of its requests (one per request: {@link #callLine()}), and no
     * line holds any part of a token the test sent.
     */
    @AfterEach
    void noTokenInTheCallLog() {
        assertThat(calls.queue).as("call-log lines no test read").isEmpty();
        for (String line : calls.lines) {
            for (String token : tokensSent) {
                for (String fragment : TestTokens.fragmentsOf(token)) {
                    assertThat(line).doesNotContain(fragment);
                }
            }
        }
    }

    // ---- the class path under test

    @Test
    void theFeatureComesFromTheTransformedJarAndNoJakartaRestIsVisible() throws Exception {
        String jar = Path.of(System.getProperty("javax.jar", "target/none.jar")).getFileName().toString();
        for (Class<?> c : List.of(TokenGateFeature.class, RequiresScopes.class)) {
            String resource = c.getName().replace('.', '/') + ".class";
            List<URL> copies = Collections.list(JerseyTomcatIT.class.getClassLoader().getResources(resource));
            assertThat(copies).as("every copy of " + resource + " on the class path").singleElement()
                    .satisfies(u -> assertThat(u.toString()).startsWith("jar:").contains(jar + "!/"));
        }
        assertThat(TokenGateFeature.class.getInterfaces()).contains(javax.ws.rs.core.Feature.class);
        assertThatThrownBy(() -> Class.forName("jakarta.ws.rs.core.Feature")).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("jakarta.servlet.Servlet")).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void theFeatureConfiguredItselfFromTheInitParamsAndFoundJerseysShutdownCallback() {
        assertThat(feature.lines).anySatisfy(line -> assertThat(line).startsWith("tokengate: JAX-RS feature started;")
                .contains("unannotated resource methods require authenticated"));
        // Jersey 2's org.glassfish.jersey.server.spi.ContainerLifecycleListener, found by name: the gate the feature
        // built is closed when Tomcat destroys Jersey's servlet, not left to the garbage collector
        assertThat(feature.lines).contains("tokengate: the JAX-RS feature's gate will be closed when Jersey shuts the "
                + "application down");
    }

    // ---- the refusals

    @Test
    void noTokenThen401WithABareBearerChallenge() throws Exception {
        HttpResponse<String> r = get("/api/orders", null);

        assertRefused(r, 401, "missing_token");
        assertThat(r.headers().allValues("WWW-Authenticate")).singleElement().asString()
                .matches("Bearer realm=\"orders\", resource_metadata=\"http://[^\"]+/\\.well-known/oauth-protected-resource\", DPoP realm=\"orders\", resource_metadata=\"http://[^\"]+/\\.well-known/oauth-protected-resource\", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"");
        assertThat(callLine()).contains("\"status\":401", "\"error\":\"missing_token\"");
    }

    @Test
    void badSignatureThen401InvalidToken() throws Exception {
        String forged = sent(TestTokens.jwt().signedWith(TestKeys.untrustedRsa()).keyId(TestKeys.rsa().keyId()).sign());

        HttpResponse<String> r = get("/api/orders", forged);

        assertRefused(r, 401, "invalid_token");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).startsWith("Bearer realm=\"orders\", error=\"invalid_token\""));
        assertThat(callLine()).contains("\"status\":401", "\"error\":\"invalid_token\"");
    }

    @Test
    void expiredTokenThen401InvalidToken() throws Exception {
        String expired = sent(TestTokens.jwt().issuedAt(Instant.now().minusSeconds(3600))
                .expiresAt(Instant.now().minusSeconds(1800)).sign());

        HttpResponse<String> r = get("/api/orders", expired);

        assertRefused(r, 401, "invalid_token");
        assertThat(callLine()).contains("\"status\":401");
    }

    @Test
    void requiresScopesWithoutTheScopeThen403InsufficientScope() throws Exception {
        HttpResponse<String> r = get("/api/orders/admin", token("read"));

        assertRefused(r, 403, "insufficient_scope");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).startsWith("Bearer realm=\"orders\", error=\"insufficient_scope\"")
                        .contains("scope=\"admin\""));
        assertThat(callLine()).contains("\"status\":403", "\"subject\":\"" + TestTokens.SUBJECT + "\"");
    }

    @Test
    void rolesAllowedWithoutTheRoleThen403InsufficientScope() throws Exception {
        HttpResponse<String> r = get("/api/orders/trade", token("read"));

        assertRefused(r, 403, "insufficient_scope");
        assertThat(callLine()).contains("\"status\":403");
    }

    // ---- admitted

    @Test
    void requiresScopesWithTheScopeThen200AndTheCallerInTheSecurityContext() throws Exception {
        HttpResponse<String> r = get("/api/orders", token("read"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("orders of " + TestTokens.SUBJECT + " scheme=BEARER inRole(read)=true"
                + " inRole(trade)=false verifiedToken=" + TestTokens.SUBJECT);
        assertThat(callLine()).contains("\"status\":200", "\"decision\":\"allow\"",
                "\"client_address\":\"127.0.0.1\"", "\"subject\":\"" + TestTokens.SUBJECT + "\"");
    }

    @Test
    void rolesAllowedWithTheRoleThen200() throws Exception {
        HttpResponse<String> r = get("/api/orders/trade", token("read trade"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("traded by " + TestTokens.SUBJECT);
        assertThat(callLine()).contains("\"status\":200");
    }

    @Test
    void permitAllWithoutTokenThen200() throws Exception {
        HttpResponse<String> r = get("/api/orders/health", null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("up, caller=none");
        assertThat(callLine()).contains("\"status\":200", "\"decision\":\"permit\"").doesNotContain("subject");
    }

    @Test
    void unannotatedMethodNeedsAValidTokenByDefault() throws Exception {
        assertRefused(get("/api/orders/unannotated", null), 401, "missing_token");
        callLine();
        HttpResponse<String> r = get("/api/orders/unannotated", token("read"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(callLine()).contains("\"status\":200");
    }

    // ---- shutdown (last: it stops Tomcat)

    /**
     * Tomcat stops the application, Jersey calls the feature's shutdown listener, and the gate the feature built is
     * closed: the HTTP client of its JWKS source stops, so no thread started for the application outlives it. Java
     * 21+ only (Java 17 cannot stop an {@code HttpClient}; the {@code jdk21-lifecycle} profile runs this class on
     * JDK 25 where it is installed).
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void stoppingTomcatClosesTheGateAndEndsItsThreads() throws Exception {
        assertThat(get("/api/orders", token("read")).statusCode()).isEqualTo(200); // the gate has fetched the JWKS
        callLine();
        List<Thread> started = threadsOfTheGate();
        assertThat(started).as("the HTTP client threads of the gate's JWKS source").isNotEmpty();
        assumeTrue(Runtime.version().feature() >= 21, "Java 17 cannot stop an HttpClient's threads");

        tomcat.stop();

        for (Thread t : started) {
            t.join(WAIT.toMillis());
        }
        assertThat(threadsOfTheGate()).as("threads of the gate still alive " + WAIT + " after Tomcat stopped").isEmpty();
    }

    /** The live threads started since Tomcat started by an HTTP client or by tokengate: the gate's. */
    private List<Thread> threadsOfTheGate() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !threadsBeforeStart.contains(t))
                .filter(t -> t.getName().startsWith("HttpClient-") || t.getName().startsWith("tokengate-"))
                .toList();
    }

    // ---- helpers

    private String token(String scope) {
        return sent(TestTokens.jwt().scope(scope).sign());
    }

    private String sent(String token) {
        tokensSent.add(token);
        return token;
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(WAIT).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRefused(HttpResponse<String> r, int status, String error) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(r.body());
        assertThat(problem.get("error").asText()).isEqualTo(error);
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    /** The call-log line of the request just answered (the feature may write it after the response is sent). */
    private String callLine() throws InterruptedException {
        String line = calls.queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(line).as("a call-log line on " + Slf4jCallLogSink.LOGGER_NAME + " within " + WAIT).isNotNull();
        return line;
    }

    /** The lines of one logger, handed over as they are written. */
    private static final class LogLines extends AppenderBase<ILoggingEvent> {
        final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final Logger logger;

        LogLines(String loggerName) {
            logger = (Logger) LoggerFactory.getLogger(loggerName);
        }

        void attach() {
            start();
            logger.addAppender(this);
        }

        void detach() {
            logger.detachAppender(this);
            stop();
        }

        @Override
        protected void append(ILoggingEvent e) {
            lines.add(e.getFormattedMessage());
            queue.add(e.getFormattedMessage());
        }
    }

    // ---- the application, as a Jersey 2 team writes it

    /** The application Jersey's servlet is given by its {@code javax.ws.rs.Application} init-param. */
    public static final class OrdersApplication extends Application {
        @Override
        public Set<Class<?>> getClasses() {
            return Set.of(OrdersResource.class, TokenGateFeature.class);
        }
    }

    /** One resource with each kind of annotation, reading the caller through {@code javax.ws.rs.core.SecurityContext}. */
    @javax.ws.rs.Path("orders")
    @Produces(MediaType.TEXT_PLAIN)
    public static class OrdersResource {

        @javax.ws.rs.core.Context
        SecurityContext security;

        @GET
        @RequiresScopes("read")
        public String list() {
            return "orders of " + security.getUserPrincipal().getName()
                    + " scheme=" + security.getAuthenticationScheme()
                    + " inRole(read)=" + security.isUserInRole("read")
                    + " inRole(trade)=" + security.isUserInRole("trade")
                    + " verifiedToken=" + TokenGateFeature.verifiedToken(security).flatMap(VerifiedToken::subject).orElse("none");
        }

        @GET
        @javax.ws.rs.Path("admin")
        @RequiresScopes("admin")
        public String admin() {
            return "admin";
        }

        @GET
        @javax.ws.rs.Path("trade")
        @RolesAllowed("trade")
        public String trade() {
            return "traded by " + security.getUserPrincipal().getName();
        }

        @GET
        @javax.ws.rs.Path("health")
        @PermitAll
        public String health() {
            return "up, caller=" + (security.getUserPrincipal() == null ? "none" : security.getUserPrincipal().getName());
        }

        @GET
        @javax.ws.rs.Path("unannotated")
        public String unannotated() {
            return "unannotated";
        }
    }
}
