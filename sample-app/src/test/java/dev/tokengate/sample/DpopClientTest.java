package dev.tokengate.sample;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's DPoP client against the sample app: the demo issuer binds a token to the client's key
 * ({@code dpop_jkt} → {@code cnf.jkt}), a fresh proof passes, a replayed proof and the token alone do not.
 */
class DpopClientTest {

    private static SampleApp app;

    @BeforeAll
    static void start() throws Exception {
        app = SampleApp.start("127.0.0.1", 0, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
    }

    @Test
    void boundTokenWorksOnlyWithAFreshProofFromItsKey() throws Exception {
        String base = app.baseUri().toString().replaceAll("/$", "");
        List<String> lines = DpopClient.walk(base);
        String metadata = "resource_metadata=\"" + base + "/.well-known/oauth-protected-resource\"";

        assertThat(lines.get(0)).isEqualTo("DPoP with a fresh proof:  200");
        assertThat(lines.get(1)).startsWith("the same proof again:     401 Bearer realm=\"sample\", " + metadata
                + ", DPoP realm=\"sample\", error=\"invalid_dpop_proof\"").contains("used before")
                .endsWith(metadata + ", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"");
        assertThat(lines.get(2)).startsWith("the token alone (Bearer): 401 Bearer realm=\"sample\", error=\"invalid_token\"")
                .contains("bound to a DPoP key")
                .endsWith(", DPoP realm=\"sample\", " + metadata + ", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"");
    }
}
