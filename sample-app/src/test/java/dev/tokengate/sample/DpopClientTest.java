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
        List<String> lines = DpopClient.walk(app.baseUri().toString().replaceAll("/$", ""));

        assertThat(lines.get(0)).isEqualTo("DPoP with a fresh proof:  200");
        assertThat(lines.get(1)).startsWith("the same proof again:     401 Bearer realm=\"sample\", DPoP realm=\"sample\", "
                + "error=\"invalid_dpop_proof\"").contains("used before");
        assertThat(lines.get(2)).startsWith("the token alone (Bearer): 401 Bearer realm=\"sample\", error=\"invalid_token\"")
                .contains("bound to a DPoP key");
    }
}
