package dev.tokengate.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.servlet.TokenGateFilter;
import dev.tokengate.testing.DpopProof;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.testing.jetty.TestServer;
import dev.tokengate.testkit.SigningKey;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DPoP (RFC 9449) against a real authorization server: Keycloak issues tokens by the client credentials grant to
 * two clients of its realm — {@code dpop-client}, whose access tokens must be DPoP-bound
 * ({@code dpop.bound.access.tokens}), and {@code bearer-client} — and the servlet filter in a real Jetty, configured
 * by {@code tokengate.*} init-params with nothing but Keycloak's issuer (keys found by OIDC discovery) and the
 * audience its realm puts in tokens, lets the bound token through with a fresh proof by its key, refuses each misuse
 * with the RFC 6750 / RFC 9449 error, and takes Keycloak's ordinary bearer tokens too; the same application with
 * {@code tokengate.dpop=required} ({@code /strict}) refuses those and says so in its RFC 9728 metadata. No token or
 * proof is logged.
 */
@ExtendWith(KeycloakExtension.class)
class KeycloakDpopIT {

    /** The audience the realm's {@code api-audience} client scope adds to every access token (tokengate-realm.json). */
    private static final String AUDIENCE = "tokengate-api";
    private static final String PATH = "/api/accounts/1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final List<String> sent = Collections.synchronizedList(new ArrayList<>());
    private static LogCapture logs;
    private static TestServer app;
    private static KeycloakServer keycloak;

    /** The client's DPoP key: the token is bound to it. */
    private final SigningKey clientKey = TestKeys.ec256();

    @BeforeAll
    static void start(KeycloakServer server) throws Exception {
        keycloak = server;
        logs = LogCapture.start();
        FilterHolder filter = new FilterHolder(new TokenGateFilter());
        filter.setInitParameter(ConfigKeys.JWT_ISSUER, keycloak.issuer().toString());
        filter.setInitParameter(ConfigKeys.JWT_AUDIENCE, AUDIENCE);
        filter.setInitParameter(ConfigKeys.RULES, "GET /api/* = read");
        ServletContextHandler context = new ServletContextHandler("/app");
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new WhoAmI()), "/*");
        // the same application with DPoP required for every route (tokengate.dpop=required)
        FilterHolder strictFilter = new FilterHolder(new TokenGateFilter());
        strictFilter.setInitParameter(ConfigKeys.JWT_ISSUER, keycloak.issuer().toString());
        strictFilter.setInitParameter(ConfigKeys.JWT_AUDIENCE, AUDIENCE);
        strictFilter.setInitParameter(ConfigKeys.RULES, "GET /api/* = read");
        strictFilter.setInitParameter(ConfigKeys.DPOP, "required");
        ServletContextHandler strict = new ServletContextHandler("/strict");
        strict.addFilter(strictFilter, "/*", EnumSet.of(DispatcherType.REQUEST));
        strict.addServlet(new ServletHolder(new WhoAmI()), "/*");
        app = TestServer.start(new ContextHandlerCollection(context, strict));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            String text = logs.text();
            List<String> tokens;
            synchronized (sent) {
                tokens = List.copyOf(sent);
            }
            for (String token : tokens) {
                for (String fragment : TestTokens.fragmentsOf(token)) {
                    assertThat(text).as("the log").doesNotContain(fragment);
                }
            }
        } finally {
            try {
                if (app != null) {
                    app.close();
                }
            } finally {
                logs.close();
            }
        }
    }

    @Test
    void dpopBoundTokenWithFreshProofThenTheApplicationAnswers() throws Exception {
        JsonNode response = tokenResponse("dpop-client", Optional.of(clientKey));
        String token = response.path("access_token").asText();

        assertThat(response.path("token_type").asText()).as("Keycloak's token_type").isEqualTo("DPoP");
        JsonNode claims = claims(token);
        assertThat(claims.path("cnf").path("jkt").asText()).as("cnf.jkt: the client key's RFC 7638 thumbprint")
                .isEqualTo(DpopProof.thumbprint(clientKey));
        assertThat(claims.path("iss").asText()).isEqualTo(keycloak.issuer().toString());

        HttpResponse<String> r = getWithDpop(PATH, token, proof(PATH, token).sign());

        assertThat(r.statusCode()).as(r.headers().allValues("WWW-Authenticate").toString()).isEqualTo(200);
        assertThat(r.body()).as("the application sees Keycloak's subject as the remote user")
                .isEqualTo("user=" + claims.path("sub").asText());
    }

    @Test
    void dpopBoundTokenAsBearerThenInvalidToken() throws Exception {
        String token = accessToken("dpop-client", Optional.of(clientKey));

        assertRefused(get(PATH, "Bearer " + token), "invalid_token", "bound to a DPoP key");
    }

    @Test
    void replayedProofThenInvalidDpopProof() throws Exception {
        String token = accessToken("dpop-client", Optional.of(clientKey));
        String proof = proof(PATH, token).sign();
        assertThat(getWithDpop(PATH, token, proof).statusCode()).isEqualTo(200);

        assertRefused(getWithDpop(PATH, token, proof), "invalid_dpop_proof", "used before");
    }

    @Test
    void proofForAnotherUrlThenInvalidDpopProof() throws Exception {
        String token = accessToken("dpop-client", Optional.of(clientKey));
        String proof = proof("/api/accounts/2", token).sign();

        assertRefused(getWithDpop(PATH, token, proof), "invalid_dpop_proof", "htu");
    }

    @Test
    void proofByAnotherKeyThanTheTokensThenInvalidDpopProof() throws Exception {
        String token = accessToken("dpop-client", Optional.of(clientKey));
        String proof = DpopProof.by(TestKeys.ec384()).request("GET", url(PATH)).accessToken(token).sign();

        assertRefused(getWithDpop(PATH, token, proof), "invalid_dpop_proof", "signed by a key other than");
    }

    @Test
    void dpopRequiredGateWideThenKeycloaksBearerTokenIsRefusedItsBoundTokenServedAndTheMetadataSaysSo() throws Exception {
        String bearer = accessToken("bearer-client", Optional.empty());
        HttpResponse<String> refused = app.get("/strict" + PATH, "Authorization", "Bearer " + bearer);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).doesNotStartWith("user=");
        assertThat(refused.headers().allValues("WWW-Authenticate")).as("a DPoP challenge only").singleElement()
                .asString().startsWith("DPoP ");

        String bound = accessToken("dpop-client", Optional.of(clientKey));
        String proof = DpopProof.by(clientKey).request("GET", app.base().resolve("/strict" + PATH).toString())
                .accessToken(bound).sign();
        sent.add(proof);
        HttpResponse<String> served = app.get("/strict" + PATH, "Authorization", "DPoP " + bound, "DPoP", proof);
        assertThat(served.statusCode()).as(served.headers().allValues("WWW-Authenticate").toString()).isEqualTo(200);
        assertThat(served.body()).isEqualTo("user=" + claims(bound).path("sub").asText());

        HttpResponse<String> metadata = app.get("/strict/.well-known/oauth-protected-resource");
        assertThat(metadata.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(metadata.body()).path("dpop_bound_access_tokens_required").asBoolean())
                .as(metadata.body()).isTrue();
        assertThat(JSON.readTree(get("/.well-known/oauth-protected-resource", "Bearer x").body())
                .has("dpop_bound_access_tokens_required")).as("DPoP allowed, not required, at /app").isFalse();
    }

    @Test
    void plainTokenAsBearerThenTheApplicationAnswers() throws Exception {
        JsonNode response = tokenResponse("bearer-client", Optional.empty());
        String token = response.path("access_token").asText();
        assertThat(response.path("token_type").asText()).as("Keycloak's token_type").isEqualTo("Bearer");
        assertThat(claims(token).has("cnf")).as("a bearer token has no cnf").isFalse();

        HttpResponse<String> r = get(PATH, "Bearer " + token);

        assertThat(r.statusCode()).as(r.headers().allValues("WWW-Authenticate").toString()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("user=" + claims(token).path("sub").asText());
    }

    @Test
    void tokenRequestOfTheDpopClientWithoutProofThenKeycloakRefusesIt() throws Exception {
        // The realm really demands DPoP of dpop-client: the tests above do not pass on a bearer token by mistake.
        HttpResponse<String> r = requestToken("dpop-client", Optional.empty());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("error_description").asText()).containsIgnoringCase("DPoP");
    }

    private DpopProof.Builder proof(String path, String token) {
        return DpopProof.by(clientKey).request("GET", url(path)).accessToken(token);
    }

    private static void assertRefused(HttpResponse<String> r, String error, String description) {
        assertThat(r.statusCode()).as("status").isEqualTo(401);
        assertThat(r.body()).as("the application was not called").doesNotStartWith("user=");
        assertThat(r.headers().allValues("WWW-Authenticate")).singleElement().asString()
                .contains("error=\"" + error + "\"").contains(description).contains("DPoP realm=").contains("algs=\"");
    }

    /** An access token of this client from Keycloak's token endpoint, bound to {@code dpopKey} when given. */
    private String accessToken(String clientId, Optional<SigningKey> dpopKey) throws Exception {
        return tokenResponse(clientId, dpopKey).path("access_token").asText();
    }

    private JsonNode tokenResponse(String clientId, Optional<SigningKey> dpopKey) throws Exception {
        HttpResponse<String> r = requestToken(clientId, dpopKey);
        assertThat(r.statusCode()).as("Keycloak's token response: %s", r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** The client credentials grant (client_secret_post), with a DPoP proof for the token endpoint when a key is given. */
    private static HttpResponse<String> requestToken(String clientId, Optional<SigningKey> dpopKey) throws Exception {
        String form = "grant_type=client_credentials&client_id=" + encode(clientId)
                + "&client_secret=" + encode(clientId + "-secret");
        HttpRequest.Builder request = HttpRequest.newBuilder(keycloak.tokenEndpoint()).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        dpopKey.ifPresent(key -> request.header("DPoP",
                DpopProof.by(key).request("POST", keycloak.tokenEndpoint().toString()).sign()));
        HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
            sent.add(JSON.readTree(r.body()).path("access_token").asText());
        }
        return r;
    }

    private static JsonNode claims(String jwt) throws IOException {
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    private static HttpResponse<String> get(String path, String authorization) throws Exception {
        return app.get("/app" + path, "Authorization", authorization);
    }

    private static HttpResponse<String> getWithDpop(String path, String token, String proof) throws Exception {
        sent.add(proof);
        return app.get("/app" + path, "Authorization", "DPoP " + token, "DPoP", proof);
    }

    /** The URL the client calls for {@code /app} + path: what a proof's {@code htu} names. */
    private static String url(String path) {
        return app.base().resolve("/app" + path).toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** The protected application: answers with the remote user the filter set. */
    private static final class WhoAmI extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain");
            response.getWriter().print("user=" + request.getRemoteUser());
        }
    }
}
