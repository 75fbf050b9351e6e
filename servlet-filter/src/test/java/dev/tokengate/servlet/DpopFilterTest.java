package dev.tokengate.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokengate.testing.DpopProof;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DPoP (RFC 9449) over HTTP on the real filter in Jetty, configured by init-params, with a DPoP-bound JWT
 * ({@code cnf.jkt} of the client's EC P-256 key) from a loopback JWKS: the valid proof passes, and each attack —
 * replayed proof, wrong {@code htu}, {@code htm} or {@code ath}, a proof by another key, the bound token as a bearer
 * token — is a 401 that never reaches the application, with its call-log line and no token or proof in any log.
 */
class DpopFilterTest {

    private static final String PATH = "/api/accounts/1";

    private final LoopbackIssuer idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    private final String bound = TestTokens.jwt().scope("read")
            .claim("cnf", Map.of("jkt", DpopProof.thumbprint(TestKeys.ec256()))).sign();
    private GatedApp app;

    @BeforeEach
    void start() throws Exception {
        app = GatedApp.start(GatedApp.settings(idp));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            app.assertNoTokenLogged();
            app.close();
        } finally {
            idp.close();
        }
    }

    private DpopProof.Builder proof() {
        return DpopProof.by(TestKeys.ec256()).request("GET", app.url(PATH)).accessToken(bound);
    }

    private void assertRefused(HttpResponse<String> r, String error, String why) throws Exception {
        assertThat(r.statusCode()).as(why).isEqualTo(401);
        assertThat(r.headers().firstValue("X-Legacy")).as("the application was not called").isEmpty();
        assertThat(r.headers().allValues("WWW-Authenticate")).singleElement().asString()
                .contains("error=\"" + error + "\"").contains("algs=\"");
        JsonNode call = app.nextCall();
        assertThat(call.path("decision").asText()).isEqualTo("deny");
        assertThat(call.path("error").asText()).isEqualTo(error);
        assertThat(call.path("reason").asText()).containsIgnoringCase(why);
    }

    @Test
    void requestWithBoundTokenAndValidProofThenTheApplicationAnswers() throws Exception {
        HttpResponse<String> r = app.getWithDpop(PATH, bound, proof().sign());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Legacy")).isPresent();
        JsonNode call = app.nextCall();
        assertThat(call.path("decision").asText()).isEqualTo("allow");
        assertThat(call.path("marks").toString()).contains("dpop");
    }

    @Test
    void requestWithReplayedProofThenInvalidDpopProof() throws Exception {
        String proof = proof().sign();
        assertThat(app.getWithDpop(PATH, bound, proof).statusCode()).isEqualTo(200);
        app.nextCall();

        assertRefused(app.getWithDpop(PATH, bound, proof), "invalid_dpop_proof", "used before");
    }

    @Test
    void requestWithProofForAnotherUrlThenInvalidDpopProof() throws Exception {
        String proof = proof().request("GET", app.url("/api/accounts/2")).sign();

        assertRefused(app.getWithDpop(PATH, bound, proof), "invalid_dpop_proof", "htu");
    }

    @Test
    void requestWithProofForAnotherMethodThenInvalidDpopProof() throws Exception {
        assertRefused(app.getWithDpop(PATH, bound, proof().request("POST", app.url(PATH)).sign()),
                "invalid_dpop_proof", "htm");
    }

    @Test
    void requestWithProofForAnotherTokenThenInvalidDpopProof() throws Exception {
        assertRefused(app.getWithDpop(PATH, bound, proof().accessToken("another.access.token").sign()),
                "invalid_dpop_proof", "ath");
    }

    @Test
    void requestWithProofByAnotherKeyThanTheTokensThenInvalidDpopProof() throws Exception {
        String proof = DpopProof.by(TestKeys.ec384()).request("GET", app.url(PATH)).accessToken(bound).sign();

        assertRefused(app.getWithDpop(PATH, bound, proof), "invalid_dpop_proof", "cnf.jkt");
    }

    @Test
    void requestWithBoundTokenAsBearerThenInvalidToken() throws Exception {
        HttpResponse<String> r = app.get(PATH, bound);

        assertRefused(r, "invalid_token", "bound to a DPoP key");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer realm=\"api\", error=\"invalid_token\"").contains(", DPoP realm=\"api\", resource_metadata=\"" + java.net.URI.create(app.url(PATH)).resolve("/app/.well-known/oauth-protected-resource") + "\", algs=\""));
    }
}
