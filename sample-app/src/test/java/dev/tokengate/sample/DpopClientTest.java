package dev.tokengate.sample;

import dev.tokengate.config.ConfigKeys;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's DPoP client against the sample app: a withdrawal needs a DPoP-bound token of a sign-in with the second
 * factor and a fresh proof from its key; the password alone, the same proof again and the token alone do not do.
 */
class DpopClientTest {

    private static final String ALGS = ", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"";

    @Test
    void aWithdrawalNeedsTheSecondFactorAFreshProofAndTheTokensKey() throws Exception {
        try (SampleApp app = SampleApp.start("127.0.0.1", 0, Map.of())) {
            assertWalk(app);
        }
    }

    @Test
    void withServerNoncesRequiredTheClientRetriesWithTheNonceAndTheWalkIsTheSame() throws Exception {
        try (SampleApp app = SampleApp.start("127.0.0.1", 0, Map.of(ConfigKeys.DPOP_NONCE, "required",
                ConfigKeys.DPOP_NONCE_SECRET, "a secret of the sample app's nodes, 32+ bytes"))) {
            assertWalk(app);
        }
    }

    private static void assertWalk(SampleApp app) throws Exception {
        String base = app.baseUri().toString().replaceAll("/$", "");
        List<String> lines = DpopClient.walk(base);
        String metadata = "resource_metadata=\"" + base + "/.well-known/oauth-protected-resource\"";

        assertThat(lines.get(0)).startsWith("password alone, DPoP:      401 DPoP realm=\"sample\", "
                + "error=\"insufficient_user_authentication\"").contains("acr_values=\"mfa\", max_age=\"120\"")
                .endsWith(metadata + ALGS);
        assertThat(lines.get(1)).isEqualTo("with the one-time code:    201");
        assertThat(lines.get(2)).startsWith("the same proof again:      401 DPoP realm=\"sample\", "
                + "error=\"invalid_dpop_proof\"").contains("used before").endsWith(metadata + ALGS);
        assertThat(lines.get(3)).startsWith("the token alone (Bearer):  401 DPoP realm=\"sample\", error=\"invalid_token\"")
                .contains("bound to a DPoP key").doesNotContain("Bearer realm").endsWith(metadata + ALGS);
    }
}
