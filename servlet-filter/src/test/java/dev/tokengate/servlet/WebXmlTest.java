package dev.tokengate.servlet;

import dev.tokengate.testing.jetty.TestServer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testkit.SigningKey;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.testkit.TokenBuilder;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The filter declared in a real {@code WEB-INF/web.xml} with init-params only, deployed by a Jetty {@link WebAppContext}. */
class WebXmlTest {

    private static Path webapp(String name) throws URISyntaxException {
        return Path.of(WebXmlTest.class.getResource("/webapps/" + name).toURI());
    }

    private static WebAppContext context(Path base) {
        WebAppContext context = new WebAppContext();
        context.setContextPath("/legacy");
        context.setBaseResourceAsPath(base);
        context.setParentLoaderPriority(true);
        context.setThrowUnavailableOnStartupException(true);
        return context;
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    // --- init-params read from web.xml (validator stubbed until JWT validation from config is wired) --------

    @Test
    void webXmlWhenTokenHasScopeThenLegacyServletSeesPrincipal() throws Exception {
        try (TestServer server = TestServer.start(context(webapp("stubbed")))) {
            HttpResponse<String> r = server.get("/legacy/api/accounts/7", "Authorization", bearer(StubTokens.READ));

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("principal=alice", "remoteUser=alice", "authType=BEARER", "role.read=true");
        }
    }

    @Test
    void webXmlWhenNoTokenThenChallengeWithConfiguredRealm() throws Exception {
        try (TestServer server = TestServer.start(context(webapp("stubbed")))) {
            HttpResponse<String> r = server.get("/legacy/api/accounts/7");

            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"legacy\", resource_metadata=\"" + server.base()
                    + "/legacy/.well-known/oauth-protected-resource\", DPoP realm=\"legacy\", resource_metadata=\"" + server.base() + "/legacy/.well-known/oauth-protected-resource\", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"");
        }
    }

    @Test
    void webXmlWhenScopeMissingThenInsufficientScope() throws Exception {
        try (TestServer server = TestServer.start(context(webapp("stubbed")))) {
            HttpResponse<String> r = server.get("/legacy/api/admin/users", "Authorization", bearer(StubTokens.READ));

            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                    assertThat(v).contains("error=\"insufficient_scope\"", "scope=\"admin\""));
        }
    }

    @Test
    void webXmlWhenUnmatchedIsAuthenticatedThenAnyValidTokenPassesAndNoTokenIsChallenged() throws Exception {
        try (TestServer server = TestServer.start(context(webapp("stubbed")))) {
            assertThat(server.get("/legacy/reports", "Authorization", bearer(StubTokens.TRADE)).statusCode()).isEqualTo(200);
            assertThat(server.get("/legacy/reports").statusCode()).isEqualTo(401);
            assertThat(server.get("/legacy/api/public/health").statusCode()).isEqualTo(200);
        }
    }

    // --- bad configuration fails deployment, naming the key -----------------------------------------------

    @Test
    void webXmlWhenRuleMalformedThenDeploymentFailsNamingKeyLineAndRule() throws Exception {
        assertThatThrownBy(() -> TestServer.start(context(webapp("bad-rule"))).close())
                .satisfies(e -> assertThat(messages(e)).anySatisfy(m -> assertThat(m)
                        .contains("tokengate.rules (init-param): line 2 'GET /api/accounts/** = read'")
                        .contains("not a servlet URL pattern")));
    }

    @Test
    void webXmlWhenUnknownTokengateKeyThenDeploymentFailsNamingIt() throws Exception {
        assertThatThrownBy(() -> TestServer.start(context(webapp("unknown-key"))).close())
                .satisfies(e -> assertThat(messages(e)).anySatisfy(m -> assertThat(m)
                        .contains("unknown tokengate setting")
                        .contains("tokengate.rule")));
    }

    private static List<String> messages(Throwable e) {
        List<String> all = new ArrayList<>();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.add(String.valueOf(t.getMessage()));
            for (Throwable s : t.getSuppressed()) {
                all.addAll(messages(s));
            }
        }
        return all;
    }

    // --- real JWT validation from init-params -----------------------------------------------------------------

    @Test
    void webXmlWhenSignedJwtWithScopeThenLegacyServletSeesSubject(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(context(jwtWebapp(dir, TestKeys.rsa())))) {
            String jwt = token().sign();

            HttpResponse<String> r = server.get("/legacy/api/accounts/7", "Authorization", bearer(jwt));

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("principal=alice", "authType=BEARER", "role.read=true");
        }
    }

    @Test
    void webXmlWhenJwtSignedByAnotherKeyThenInvalidToken(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(context(jwtWebapp(dir, TestKeys.rsa())))) {
            String forged = token().signedWith(TestKeys.untrustedRsa()).subject("mallory").scope("read admin").sign();

            HttpResponse<String> r = server.get("/legacy/api/accounts/7", "Authorization", bearer(forged));

            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                    assertThat(v).contains("error=\"invalid_token\""));
        }
    }

    @Test
    void webXmlWhenJwtExpiredThenInvalidToken(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(context(jwtWebapp(dir, TestKeys.rsa())))) {
            String expired = token().expiresAt(Instant.now().minus(Duration.ofHours(1))).sign();

            HttpResponse<String> r = server.get("/legacy/api/accounts/7", "Authorization", bearer(expired));

            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                    assertThat(v).contains("error=\"invalid_token\""));
        }
    }

    /** A valid token for the {@code jwt} webapp: core's fixture token, for its issuer and audience, scope {@code read}. */
    private static TokenBuilder token() {
        return TestTokens.jwt().issuer("https://issuer.test/").audience("https://api.test").scope("read");
    }

    /** Copies the {@code jwt} webapp, pointing its {@code tokengate.jwt.public-key} at a PEM file of {@code key}. */
    private static Path jwtWebapp(Path dir, SigningKey key) throws Exception {
        Path pem = dir.resolve("issuer.pem");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.publicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        Path webInf = Files.createDirectories(dir.resolve("webapp/WEB-INF"));
        String webXml = Files.readString(webapp("jwt").resolve("WEB-INF/web.xml"))
                .replace("@PUBLIC_KEY_FILE@", pem.toString());
        Files.writeString(webInf.resolve("web.xml"), webXml);
        return webInf.getParent();
    }
}
