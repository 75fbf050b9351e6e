package dev.tokengate.jaxrs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.config.TokenGateConfig;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 9728 metadata on a real Jakarta REST runtime in a real Jetty, with real JWTs from a JWKS on loopback: what is
 * the feature's own (the annotations' scopes, {@link StepUp}'s among them; no application answers the bare form of
 * another resource's URL). The document and the challenges whatever the adapter are the conformance suite's
 * ({@code ResourceMetadataContract}), and so is RFC 9470 step-up ({@code StepUpContract}), run by
 * {@link JerseyConformanceTest} and {@link ResteasyConformanceTest}.
 */
abstract class MetadataContract extends GatedResourceContract {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Statements need a fresh sign-in; withdrawals ({@link JaxrsGatedApp.Withdrawals}) a second factor too. */
    @Path("/api")
    public static class Bank {
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
        serve(gate().settings(settings).build(), new Bank(), new JaxrsGatedApp.Withdrawals());
    }

    @Test
    void theMetadataListsTheAnnotationsScopes() throws Exception {
        serve(TokenGateConfig.builder().resourceDocumentation("https://docs.example.com/api").build());
        HttpResponse<String> r = call("GET", "/.well-known/oauth-protected-resource", null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("scopes_supported").toString())
                .isEqualTo("[\"read\",\"statements\",\"trade\",\"withdraw\"]");
        assertThat(sink.drain()).isEmpty(); // not in the call log
    }

    @Test
    void aResourceBelowAPathIsNotServedAtTheBareUrl() throws Exception {
        serve(TokenGateConfig.builder().resource("https://api.example.com/v1").build());

        assertThat(call("GET", "/.well-known/oauth-protected-resource/v1", null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/.well-known/oauth-protected-resource", null).statusCode())
                .as("the bare form is another resource's").isEqualTo(404);
    }
}
