package dev.tokengate.jaxrs;

import dev.tokengate.jwt.DpopVerifier;
import dev.tokengate.log.CallEvent;
import dev.tokengate.testing.DpopProof;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A resource method's own DPoP mode ({@link Dpop}) and server nonces (RFC 9449 §8) on a real Jakarta REST runtime
 * in a real Jetty, with DPoP-bound JWTs from a JWKS on loopback and the gate on a test clock.
 */
abstract class DpopRouteContract extends GatedResourceContract {

    private static final String SECRET = "the nonce secret every node of the cluster shares";

    private final String bound = TestTokens.jwt().scope("read").expiresAt(time.instant().plus(Duration.ofHours(1)))
            .claim("cnf", Map.of("jkt", DpopProof.thumbprint(TestKeys.ec256()))).sign();
    private final String plain = TestTokens.jwt().scope("read").expiresAt(time.instant().plus(Duration.ofHours(1))).sign();

    /** The vault needs DPoP whatever the gate allows; accounts take what the gate allows. */
    @Path("/api")
    public static class Bank {
        @GET
        @Path("vault")
        @RequiresScopes("read")
        @Dpop
        public String vault() {
            return "vault";
        }

        @GET
        @Path("accounts")
        @RequiresScopes("read")
        public String accounts() {
            return "accounts";
        }
    }

    private void serve(DpopVerifier.Builder dpop) throws Exception {
        serve(gate().dpop(dpop).build(), new Bank());
    }

    private HttpResponse<String> dpop(String path, String nonce) throws Exception {
        DpopProof.Builder proof = DpopProof.by(TestKeys.ec256()).clock(time)
                .request("GET", server.base().resolve(path).toString()).accessToken(bound);
        if (nonce != null) {
            proof.claim("nonce", nonce);
        }
        return server.send(server.request(path).GET().header("Authorization", "DPoP " + bound)
                .header("DPoP", proof.sign()));
    }

    @Test
    void methodRequiringDpopRefusesABearerTokenWithADpopOnlyChallenge() throws Exception {
        serve(DpopVerifier.builder());

        HttpResponse<String> r = call("GET", "/api/vault", plain);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).doesNotContain("vault\"").isNotEqualTo("vault");
        assertThat(r.headers().allValues("WWW-Authenticate")).singleElement().asString()
                .startsWith("DPoP realm=\"api\", error=\"invalid_token\"").doesNotContain("Bearer");
        CallEvent event = sink.next();
        assertThat(event.reason()).hasValueSatisfying(v -> assertThat(v).contains("'+ dpop required'"));
        assertThat(event.marks()).contains("dpop");
        HttpResponse<String> missing = call("GET", "/api/vault", null);
        assertThat(missing.headers().allValues("WWW-Authenticate")).singleElement().asString()
                .startsWith("DPoP realm=\"api\"").doesNotContain("Bearer");
        assertThat(call("GET", "/api/accounts", plain).statusCode()).as("the gate allows Bearer elsewhere")
                .isEqualTo(200);
    }

    @Test
    void methodRequiringDpopAcceptsABoundTokenWithItsProof() throws Exception {
        serve(DpopVerifier.builder());

        HttpResponse<String> r = dpop("/api/vault", null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("vault");
        assertThat(r.headers().firstValue("DPoP-Nonce")).as("nonces are off").isEmpty();
        assertThat(sink.next().marks()).contains("dpop");
        assertThat(call("GET", "/api/vault", bound).statusCode()).as("the bound token as Bearer").isEqualTo(401);
    }

    @Test
    void nonceFlowFirstUseDpopNonceThenTheNonceWorksUntilTwoSlotsLater() throws Exception {
        serve(DpopVerifier.builder().nonceRequired(true).nonceSecret(SECRET).nonceLifetime(Duration.ofMinutes(1)));

        HttpResponse<String> first = dpop("/api/vault", null);
        assertThat(first.statusCode()).isEqualTo(401);
        assertThat(first.headers().allValues("WWW-Authenticate")).singleElement().asString()
                .startsWith("DPoP realm=\"api\", error=\"use_dpop_nonce\", error_description=\"");
        String nonce = first.headers().firstValue("DPoP-Nonce").orElseThrow();
        assertThat(sink.next().errorCode()).hasValue("use_dpop_nonce");

        HttpResponse<String> retried = dpop("/api/vault", nonce);
        assertThat(retried.statusCode()).isEqualTo(200);
        assertThat(retried.headers().firstValue("DPoP-Nonce")).hasValue(nonce);

        time.advance(Duration.ofMinutes(1));
        HttpResponse<String> previousSlot = dpop("/api/vault", nonce);
        assertThat(previousSlot.statusCode()).as("the previous slot's nonce").isEqualTo(200);
        String rotated = previousSlot.headers().firstValue("DPoP-Nonce").orElseThrow();
        assertThat(rotated).as("the success carries the new nonce").isNotEqualTo(nonce);

        time.advance(Duration.ofMinutes(1));
        HttpResponse<String> expired = dpop("/api/vault", nonce);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("error=\"use_dpop_nonce\""));
        assertThat(dpop("/api/vault", rotated).statusCode()).isEqualTo(200);
    }

    @Test
    void methodRequiringDpopWhenTheGateHasItOffIsClosed() throws Exception {
        serve(DpopVerifier.builder().mode(DpopVerifier.Mode.OFF));

        assertThat(call("GET", "/api/vault", plain).statusCode()).as("bound to deny at deployment").isEqualTo(403);
        assertThat(call("GET", "/api/accounts", plain).statusCode()).isEqualTo(200);
    }
}
