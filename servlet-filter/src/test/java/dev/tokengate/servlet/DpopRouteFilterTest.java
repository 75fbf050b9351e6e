package dev.tokengate.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokengate.ConfigurationException;
import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.DpopVerifier;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.testing.DpopProof;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.testkit.LoopbackIssuer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A route's own DPoP mode ({@code + dpop required} in the URL rules) and server nonces (RFC 9449 §8) over HTTP on
 * the real filter in Jetty, with DPoP-bound JWTs from a loopback JWKS and the gate on a test clock.
 */
class DpopRouteFilterTest {

    private static final String RULES = "GET /api/vault/* = read + dpop required; GET /api/* = read";
    private static final String VAULT = "/api/vault/1";
    private static final String SECRET = "the nonce secret every node of the cluster shares";

    private final FakeTime time = new FakeTime(Instant.now());
    private final LoopbackIssuer idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    private final String bound = TestTokens.jwt().scope("read").expiresAt(time.instant().plus(Duration.ofHours(1)))
            .claim("cnf", Map.of("jkt", DpopProof.thumbprint(TestKeys.ec256()))).sign();
    private final String plain = TestTokens.jwt().scope("read").expiresAt(time.instant().plus(Duration.ofHours(1))).sign();
    private GatedApp app;

    private TokenGate.Builder gate(DpopVerifier.Builder dpop) {
        return TokenGate.builder().clock(time).dpop(dpop)
                .issuer(JwtValidator.builder().issuer(TestTokens.ISSUER)
                        .keySource(KeySources.jwks(idp.jwksUri()).build()).audiences(TestTokens.AUDIENCE));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (app != null) {
                app.assertNoTokenLogged();
                app.close();
            }
        } finally {
            idp.close();
        }
    }

    private String proof(String path, String nonce) {
        DpopProof.Builder b = DpopProof.by(TestKeys.ec256()).clock(time).request("GET", app.url(path)).accessToken(bound);
        return (nonce == null ? b : b.claim("nonce", nonce)).sign();
    }

    @Test
    void routeRequiringDpopRefusesABearerTokenWithADpopOnlyChallenge() throws Exception {
        app = GatedApp.start(gate(DpopVerifier.builder()), RULES);

        HttpResponse<String> r = app.get(VAULT, plain);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("X-Legacy")).as("the application was not called").isEmpty();
        assertThat(r.headers().allValues("WWW-Authenticate")).singleElement().asString()
                .startsWith("DPoP realm=\"api\", error=\"invalid_token\"").doesNotContain("Bearer").contains("algs=\"");
        JsonNode call = app.nextCall();
        assertThat(call.path("reason").asText()).contains("'+ dpop required'");
        assertThat(call.path("marks").toString()).contains("dpop");
    }

    @Test
    void routeRequiringDpopAnswersAMissingTokenWithTheDpopChallengeAlone() throws Exception {
        app = GatedApp.start(gate(DpopVerifier.builder()), RULES);

        HttpResponse<String> vault = app.getWithoutToken(VAULT);
        HttpResponse<String> other = app.getWithoutToken("/api/accounts/1");

        assertThat(vault.statusCode()).isEqualTo(401);
        assertThat(vault.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("DPoP realm=\"api\"").doesNotContain("Bearer"));
        assertThat(other.headers().firstValue("WWW-Authenticate")).as("the gate's allowed elsewhere").hasValueSatisfying(
                v -> assertThat(v).startsWith("Bearer realm=\"api\"").contains(", DPoP realm=\"api\""));
    }

    @Test
    void routeRequiringDpopAcceptsABoundTokenWithItsProofAndOtherRoutesStillTakeBearer() throws Exception {
        app = GatedApp.start(gate(DpopVerifier.builder()), RULES);

        HttpResponse<String> r = app.getWithDpop(VAULT, bound, proof(VAULT, null));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Legacy")).isPresent();
        assertThat(r.headers().firstValue("DPoP-Nonce")).as("nonces are off").isEmpty();
        assertThat(app.nextCall().path("marks").toString()).contains("dpop");

        assertThat(app.get("/api/accounts/1", plain).statusCode()).isEqualTo(200);
        HttpResponse<String> boundAsBearer = app.get("/api/accounts/1", bound);
        assertThat(boundAsBearer.statusCode()).as("a bound token sent as Bearer, on any route").isEqualTo(401);
    }

    @Test
    void nonceFlowFirstUseDpopNonceThenTheNonceWorksUntilTwoSlotsLater() throws Exception {
        app = GatedApp.start(gate(DpopVerifier.builder().nonceRequired(true).nonceSecret(SECRET)
                .nonceLifetime(Duration.ofMinutes(1))), RULES);

        HttpResponse<String> first = app.getWithDpop(VAULT, bound, proof(VAULT, null));
        assertThat(first.statusCode()).isEqualTo(401);
        assertThat(first.headers().allValues("WWW-Authenticate")).singleElement().asString()
                .startsWith("DPoP realm=\"api\", error=\"use_dpop_nonce\", error_description=\"");
        String nonce = first.headers().firstValue("DPoP-Nonce").orElseThrow();
        assertThat(first.headers().firstValue("X-Legacy")).isEmpty();
        assertThat(app.nextCall().path("error").asText()).isEqualTo("use_dpop_nonce");

        HttpResponse<String> retried = app.getWithDpop(VAULT, bound, proof(VAULT, nonce));
        assertThat(retried.statusCode()).isEqualTo(200);
        assertThat(retried.headers().firstValue("DPoP-Nonce")).hasValue(nonce);

        time.advance(Duration.ofMinutes(1));
        HttpResponse<String> previousSlot = app.getWithDpop(VAULT, bound, proof(VAULT, nonce));
        assertThat(previousSlot.statusCode()).as("the previous slot's nonce").isEqualTo(200);
        String rotated = previousSlot.headers().firstValue("DPoP-Nonce").orElseThrow();
        assertThat(rotated).as("the success carries the new nonce").isNotEqualTo(nonce);

        time.advance(Duration.ofMinutes(1));
        HttpResponse<String> expired = app.getWithDpop(VAULT, bound, proof(VAULT, nonce));
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("error=\"use_dpop_nonce\""));
        assertThat(expired.headers().firstValue("DPoP-Nonce")).isPresent().isNotEqualTo(java.util.Optional.of(nonce));
        assertThat(app.getWithDpop(VAULT, bound, proof(VAULT, rotated)).statusCode()).isEqualTo(200);
    }

    @Test
    void aBearerRefusalOnARouteRequiringDpopCarriesTheNonceForTheFirstProof() throws Exception {
        app = GatedApp.start(gate(DpopVerifier.builder().nonceRequired(true).nonceSecret(SECRET)), RULES);

        HttpResponse<String> r = app.get(VAULT, plain);

        assertThat(r.statusCode()).isEqualTo(401);
        String nonce = r.headers().firstValue("DPoP-Nonce").orElseThrow();
        assertThat(app.getWithDpop(VAULT, bound, proof(VAULT, nonce)).statusCode()).isEqualTo(200);
        assertThat(app.get("/api/accounts/1", plain).headers().firstValue("DPoP-Nonce"))
                .as("a bearer request to a route that does not require DPoP").isEmpty();
    }

    @Test
    void aRouteRequiringDpopWhenTheGateHasItOffFailsStartUp() {
        TokenGate off = gate(DpopVerifier.builder().mode(DpopVerifier.Mode.OFF)).build();
        try {
            assertThatThrownBy(() -> new TokenGateFilter(off, UrlRules.parse(RULES)))
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining(TokenGateFilter.RULES)
                    .hasMessageContaining("GET /api/vault/*").hasMessageContaining(ConfigKeys.DPOP + "=off");
        } finally {
            off.close();
        }
    }
}
