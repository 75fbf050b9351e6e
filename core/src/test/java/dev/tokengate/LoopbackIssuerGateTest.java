package dev.tokengate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.testing.TestRequest;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testkit.LoopbackIssuerExtension;
import dev.tokengate.testkit.SigningKey;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The testkit against the real gate, end to end: a gate made from nothing but system properties, which the
 * extension publishes, trusts the loopback issuer; the testkit's good tokens pass and its bad ones are refused with
 * {@code invalid_token}; key rotation, introspection with client authentication and revocation work over HTTP.
 */
class LoopbackIssuerGateTest {

    @RegisterExtension
    static final LoopbackIssuerExtension ISSUER = LoopbackIssuerExtension.create()
            .configure(b -> b.clientCredentials("orders-api", "s3cret").audience("https://orders.example.com"))
            .publishSystemProperties();

    private static TokenGate gate;

    @BeforeAll
    static void gateFromSystemPropertiesOnly() {
        // the parameters layer holds only what the test tunes; issuer, audience and introspection are system properties
        gate = TokenGate.create(ConfigSource.of(Map.of("tokengate.jwks.refetch-interval", "0s",
                "tokengate.introspection.cache-ttl", "0s")));
    }

    @AfterAll
    static void close() {
        gate.close();
    }

    @Test
    void validTokenOfTheIssuerIsAuthenticated(LoopbackIssuer issuer) {
        Outcome o = authorize(issuer.token().subject("bob").scope("orders:read").sign(), "orders:read");
        assertThat(o).isInstanceOfSatisfying(Outcome.Authenticated.class, a ->
                assertThat(a.token().subject()).contains("bob"));
    }

    @Test
    void everyBadTokenOfTheTestkitIsAnInvalidToken(LoopbackIssuer issuer) {
        Map<String, String> bad = Map.of("expired", issuer.expiredToken(), "not yet valid", issuer.notYetValidToken(),
                "wrong audience", issuer.wrongAudienceToken(), "wrong issuer", issuer.wrongIssuerToken(),
                "wrong key", issuer.wrongKeyToken());
        bad.forEach((what, token) -> assertThat(authorize(token, null)).as(what)
                .isInstanceOfSatisfying(Outcome.Rejected.class, r ->
                        assertThat(r.error().code()).contains(BearerError.Code.INVALID_TOKEN)));
    }

    @Test
    void missingScopeIsInsufficientScope(LoopbackIssuer issuer) {
        assertThat(authorize(issuer.token().scope("profile").sign(), "orders:read"))
                .isInstanceOfSatisfying(Outcome.Rejected.class, r ->
                        assertThat(r.error().code()).contains(BearerError.Code.INSUFFICIENT_SCOPE));
    }

    @Test
    void es256TokenOfARotatedKeyIsAcceptedAfterTheGateRefetchesTheKeys(LoopbackIssuer issuer) {
        String before = issuer.validToken();
        assertThat(authorize(before, null)).isInstanceOf(Outcome.Authenticated.class);
        int fetches = issuer.jwksRequests();

        SigningKey previous = issuer.signingKey();
        issuer.rotateKey(SigningKey.generate("ES256", "ec-rotated"));
        assertThat(authorize(issuer.validToken(), null)).isInstanceOf(Outcome.Authenticated.class);
        assertThat(issuer.jwksRequests()).isEqualTo(fetches + 1);
        assertThat(authorize(before, null)).as("the old key is still published").isInstanceOf(Outcome.Authenticated.class);

        issuer.rotateKey(previous);
        issuer.retireKey("ec-rotated");
    }

    @Test
    void opaqueTokenIsIntrospectedWithTheClientsCredentialsUntilRevoked(LoopbackIssuer issuer) {
        String opaque = issuer.token().subject("carol").scope("orders:read").opaque();
        assertThat(authorize(opaque, "orders:read")).isInstanceOfSatisfying(Outcome.Authenticated.class, a ->
                assertThat(a.token().subject()).contains("carol"));
        assertThat(issuer.lastRequest().authorization()).as("client_secret_basic").isPresent();

        issuer.revoke(opaque);
        assertThat(authorize(opaque, "orders:read")).isInstanceOfSatisfying(Outcome.Rejected.class, r ->
                assertThat(r.error().code()).contains(BearerError.Code.INVALID_TOKEN));
        assertThat(issuer.introspections(opaque)).isEqualTo(2);
    }

    private static Outcome authorize(String token, String scope) {
        TokenGate.Call call = gate.begin(TestRequest.get("/orders").bearer(token));
        Outcome o = call.authorize(scope == null ? Requirement.authenticated() : Requirement.allOf(scope));
        call.finish(200);
        return o;
    }
}
