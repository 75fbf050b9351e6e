package dev.tokengate.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.testing.CapturingSink;
import dev.tokengate.testing.jetty.TestServer;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 9728 metadata through the real filter in Jetty, with real JWTs from a JWKS on loopback: what is the filter's own
 * (the rules' scopes, the document to GET and HEAD only, an application below a context path). The document and the
 * challenges whatever the adapter are the conformance suite's ({@code ResourceMetadataContract}), and so is RFC 9470
 * step-up ({@code StepUpContract}), run by {@link ServletConformanceTest}.
 */
class MetadataTest {

    /** DPoP being allowed by default, every 401 ends with the DPoP challenge and its proof algorithms. */
    private static final String DPOP_ALGS = ", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"";

    private static final String RULES = "POST /api/withdrawals = withdraw + acr mfa hwk + max-age 5m; "
            + "GET /api/fresh = read + max-age 60; GET /api/* = read | trade; /* = permit";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CapturingSink sink = new CapturingSink();
    private LoopbackIssuer idp;
    private TestServer server;

    @BeforeEach
    void start() {
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        idp.close();
    }

    private void serve(TokenGateConfig settings) throws Exception {
        serve(settings, "/");
    }

    private void serve(TokenGateConfig settings, String contextPath) throws Exception {
        TokenGate gate = TokenGate.builder().settings(settings)
                .issuer(JwtValidator.builder().issuer(TestTokens.ISSUER)
                        .keySource(KeySources.jwks(idp.jwksUri()).build()).audiences(TestTokens.AUDIENCE))
                .callLogSink(sink).build();
        ServletContextHandler context = new ServletContextHandler(contextPath);
        context.addFilter(new FilterHolder(new TokenGateFilter(gate, UrlRules.parse(RULES))), "/*",
                EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new LegacyServlet()), "/*");
        server = TestServer.start(context);
    }

    private HttpResponse<String> call(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = server.request(path).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return server.send(b);
    }

    @Test
    void theMetadataListsTheRulesScopesAndTheDpopAlgorithmsAndIsServedToGetAndHeadOnly() throws Exception {
        serve(TokenGateConfig.builder().resourceDocumentation("https://docs.example.com/api").build());
        HttpResponse<String> r = call("GET", "/.well-known/oauth-protected-resource", null);

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = JSON.readTree(r.body());
        assertThat(doc.get("scopes_supported").toString()).isEqualTo("[\"read\",\"trade\",\"withdraw\"]");
        assertThat(doc.get("dpop_signing_alg_values_supported").toString()).as("DPoP is allowed by default")
                .isEqualTo("[\"RS256\",\"RS384\",\"RS512\",\"PS256\",\"PS384\",\"PS512\",\"ES256\",\"ES384\",\"ES512\"]");
        assertThat(sink.drain()).isEmpty(); // not in the call log
        assertThat(call("POST", "/.well-known/oauth-protected-resource", null).body())
                .as("only GET and HEAD are the document; a POST goes to the application").doesNotContain("authorization_servers");
        HttpResponse<String> head = call("HEAD", "/.well-known/oauth-protected-resource", null);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void aResourceBelowAPathListsTheFormBodyIsNotTheBareFormsAndIsNotNamedInA403() throws Exception {
        serve(TokenGateConfig.builder().resource("https://api.example.com/v1").allowFormBody(true).build());

        HttpResponse<String> doc = call("GET", "/.well-known/oauth-protected-resource/v1", null);
        assertThat(doc.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(doc.body()).get("bearer_methods_supported").toString()).isEqualTo("[\"header\",\"body\"]");
        assertThat(call("GET", "/.well-known/oauth-protected-resource", null).body())
                .as("the bare form is another resource's").doesNotContain("api.example.com");
        HttpResponse<String> forbidden = call("GET", "/api/orders", TestTokens.jwt().scope("other").sign());
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                assertThat(v).doesNotContain("resource_metadata"));
    }

    @Test
    void withoutAConfiguredResourceTheChallengeNamesTheRequestsOrigin() throws Exception {
        serve(TokenGateConfig.builder().build());
        HttpResponse<String> missing = call("GET", "/api/orders", null);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"api\", resource_metadata=\""
                + server.base() + "/.well-known/oauth-protected-resource\", DPoP realm=\"api\", resource_metadata=\""
                + server.base() + "/.well-known/oauth-protected-resource\"" + DPOP_ALGS);
    }

    @Test
    void withoutAConfiguredResourceAnApplicationBelowAContextPathServesItsMetadataBelowIt() throws Exception {
        serve(TokenGateConfig.builder().build(), "/app");
        String origin = server.base().getScheme() + "://" + server.base().getRawAuthority();
        HttpResponse<String> doc = call("GET", "/app/.well-known/oauth-protected-resource", null);
        assertThat(doc.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(doc.body()).get("resource").asText()).isEqualTo(origin + "/app");
        assertThat(call("GET", "/app/api/orders", null).headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer realm=\"api\", resource_metadata=\""
                        + origin + "/app/.well-known/oauth-protected-resource\","));
    }
}
