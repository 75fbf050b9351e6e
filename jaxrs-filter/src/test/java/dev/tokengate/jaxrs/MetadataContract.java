package dev.tokengate.jaxrs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.testing.TestTokens;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 9728 metadata on a real Jakarta REST runtime in a real Jetty, with real JWTs from a JWKS on loopback: the
 * scopes of the annotations, {@link StepUp}'s among them. RFC 9470 step-up itself is the conformance suite's
 * ({@code StepUpContract}, run by {@link JerseyConformanceTest} and {@link ResteasyConformanceTest}).
 */
abstract class MetadataContract extends GatedResourceContract {

    /** DPoP being allowed by default, every 401 ends with the DPoP challenge and its proof algorithms. */
    private static final String DPOP_ALGS = ", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Withdrawals need the scope withdraw and a second factor within five minutes; statements a fresh sign-in. */
    @Path("/api")
    public static class Bank {
        @POST
        @Path("withdrawals")
        @RequiresScopes("withdraw")
        @StepUp(acr = {"mfa", "hwk"}, maxAge = 300)
        public String withdraw() {
            return "withdrawn";
        }

        @GET
        @Path("statements")
        @RequiresScopes({"read", "statements"})
        @StepUp(maxAge = 60)
        public String statements() {
            return "statements";
        }

        @GET
        @Path("orders")
        @RequiresScopes(value = {"read", "trade"}, match = RequiresScopes.Match.ANY)
        public String orders() {
            return "orders";
        }
    }

    private void serve(TokenGateConfig settings) throws Exception {
        serve(gate().settings(settings).build(), new Bank());
    }

    private HttpResponse<String> forwarded(String path) throws Exception {
        return server.send(server.request(path).header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "public.example"));
    }

    @Test
    void withoutAConfiguredResourceTheOriginIsTheOneATrustedProxyForwarded() throws Exception {
        serve(TokenGateConfig.builder().trustedProxies(java.util.List.of("127.0.0.0/8"))
                .forwardedHeader(TokenGateConfig.ForwardedHeader.X_FORWARDED_FOR).build());
        HttpResponse<String> doc = forwarded("/.well-known/oauth-protected-resource");
        assertThat(doc.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(doc.body()).get("resource").asText()).isEqualTo("https://public.example");
        assertThat(forwarded("/api/orders").headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer realm=\"api\", resource_metadata=\"https://public.example/.well-known/oauth-protected-resource\","));
    }

    @Test
    void withoutAConfiguredResourceAnUntrustedPeersForwardedOriginIsIgnored() throws Exception {
        serve(TokenGateConfig.builder().trustedProxies(java.util.List.of("10.0.0.0/8"))
                .forwardedHeader(TokenGateConfig.ForwardedHeader.X_FORWARDED_FOR).build());
        HttpResponse<String> doc = forwarded("/.well-known/oauth-protected-resource");
        assertThat(JSON.readTree(doc.body()).get("resource").asText()).isEqualTo(server.base().toString());
        assertThat(forwarded("/api/orders").headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .doesNotContain("public.example").contains("resource_metadata=\"" + server.base() + "/.well-known/"));
    }

    @Test
    void servesTheMetadataWithTheAnnotationsScopesOpenlyAndCacheably() throws Exception {
        serve(TokenGateConfig.builder().resourceDocumentation("https://docs.example.com/api").build());
        HttpResponse<String> r = call("GET", "/.well-known/oauth-protected-resource", null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("public, max-age=3600");
        JsonNode doc = JSON.readTree(r.body());
        assertThat(doc.get("resource").asText()).isEqualTo(server.base().toString());
        assertThat(doc.get("authorization_servers").toString()).isEqualTo("[\"" + TestTokens.ISSUER + "\"]");
        assertThat(doc.get("scopes_supported").toString()).isEqualTo("[\"read\",\"statements\",\"trade\",\"withdraw\"]");
        assertThat(doc.get("bearer_methods_supported").toString()).isEqualTo("[\"header\"]");
        assertThat(doc.get("resource_documentation").asText()).isEqualTo("https://docs.example.com/api");
        assertThat(sink.drain()).isEmpty(); // not in the call log
    }

    @Test
    void aResourceBelowAPathIsServedAtThePathSuffixedUrlAndNamedInEveryChallenge() throws Exception {
        serve(TokenGateConfig.builder().resource("https://api.example.com/v1").build());

        HttpResponse<String> doc = call("GET", "/.well-known/oauth-protected-resource/v1", null);
        assertThat(doc.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(doc.body()).get("resource").asText()).isEqualTo("https://api.example.com/v1");
        assertThat(call("GET", "/.well-known/oauth-protected-resource", null).statusCode())
                .as("the bare form is another resource's").isEqualTo(404);

        String metadata = "resource_metadata=\"https://api.example.com/.well-known/oauth-protected-resource/v1\"";
        HttpResponse<String> missing = call("GET", "/api/orders", null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"api\", " + metadata + ", DPoP realm=\"api\", " + metadata + DPOP_ALGS);
        HttpResponse<String> invalid = call("GET", "/api/orders", "not-a-valid-token");
        assertThat(invalid.statusCode()).isEqualTo(401);
        assertThat(invalid.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                assertThat(v).contains("error=\"invalid_token\"").endsWith(metadata + ", DPoP realm=\"api\", " + metadata + DPOP_ALGS));
    }
}
