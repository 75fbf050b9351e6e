package dev.tokengate.jwt;

import dev.tokengate.ConfigurationException;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.log.Fingerprints;
import dev.tokengate.testing.DpopProof;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.TestKeys;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DPoP server nonces (RFC 9449 §8): stateless, per time slot, the current and the previous slot accepted. */
class DpopNonceTest {

    private static final String URL = "https://api.example.com/withdrawals";
    private static final String TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
    private static final String SECRET = "a shared secret of the cluster, 32+ bytes long";

    private final FakeTime time = new FakeTime(Instant.parse("2026-01-01T10:00:00Z"));

    private DpopVerifier verifier(String secret) {
        DpopVerifier.Builder b = DpopVerifier.builder().clock(time).nonceRequired(true).nonceLifetime(Duration.ofMinutes(5));
        return (secret == null ? b : b.nonceSecret(secret)).build();
    }

    private String proof(String nonce) {
        DpopProof.Builder b = DpopProof.by(TestKeys.ec256()).clock(time).request("POST", URL).accessToken(TOKEN);
        return (nonce == null ? b : b.claim("nonce", nonce)).sign();
    }

    private static String verify(DpopVerifier verifier, String proof) {
        return verifier.verify(proof, "POST", URL, Fingerprints.sha256(TOKEN));
    }

    private static void assertNonceRefused(DpopVerifier verifier, String proof, String message) {
        assertThatThrownBy(() -> verify(verifier, proof)).isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining(message).hasMessageContaining("DPoP-Nonce")
                .satisfies(e -> assertThat(((InvalidTokenException) e).claim()).contains(DpopVerifier.NONCE_CLAIM));
    }

    @Test
    void verifyWhenNoncesAreOffThenNoNonceIsIssuedOrNeeded() {
        DpopVerifier off = DpopVerifier.builder().clock(time).build();

        assertThat(off.nonce()).isEmpty();
        assertThat(verify(off, proof(null))).isEqualTo(DpopProof.thumbprint(TestKeys.ec256()));
    }

    @Test
    void verifyWhenProofHasNoNonceThenUseTheCurrentOne() {
        DpopVerifier verifier = verifier(SECRET);

        assertNonceRefused(verifier, proof(null), "requires a nonce");
        assertThat(verify(verifier, proof(verifier.nonce().orElseThrow()))).isEqualTo(DpopProof.thumbprint(TestKeys.ec256()));
    }

    @Test
    void verifyWhenNonceIsOfThePreviousSlotThenAcceptedAndOlderRefused() {
        DpopVerifier verifier = verifier(SECRET);
        String first = verifier.nonce().orElseThrow();

        time.advance(Duration.ofMinutes(5));
        String second = verifier.nonce().orElseThrow();
        assertThat(second).as("a new slot, a new nonce").isNotEqualTo(first);
        assertThat(verify(verifier, proof(first))).as("the previous slot's nonce").isNotEmpty();

        time.advance(Duration.ofMinutes(5));
        assertNonceRefused(verifier, proof(first), "no longer current");
        assertThat(verify(verifier, proof(second))).isNotEmpty();
    }

    @Test
    void verifyWhenNonceIsMadeUpThenRefused() {
        DpopVerifier verifier = verifier(SECRET);

        assertNonceRefused(verifier, proof("not-a-nonce-of-this-server"), "no longer current");
    }

    @Test
    void nodesWithTheSameSecretAcceptEachOthersNoncesWithoutSharedState() {
        DpopVerifier one = verifier(SECRET);
        DpopVerifier two = verifier(SECRET);

        assertThat(two.nonce()).isEqualTo(one.nonce());
        assertThat(verify(two, proof(one.nonce().orElseThrow()))).isNotEmpty();
        assertThat(one.nodeLocalNonces()).isFalse();
    }

    @Test
    void withoutASecretEachNodeHasItsOwnNonces() {
        DpopVerifier one = verifier(null);
        DpopVerifier two = verifier(null);

        assertThat(one.nodeLocalNonces()).isTrue();
        assertThat(two.nonce()).isNotEqualTo(one.nonce());
        assertNonceRefused(two, proof(one.nonce().orElseThrow()), "no longer current");
    }

    @Test
    void configurationReadsTheNonceKeysAndRefusesBadValuesNamingThem() {
        DpopVerifier configured = DpopVerifier.builder().clock(time).config(source(Map.of(ConfigKeys.DPOP_NONCE, "required",
                ConfigKeys.DPOP_NONCE_SECRET, SECRET, ConfigKeys.DPOP_NONCE_LIFETIME, "1m"))).build();
        assertThat(configured.nonce()).isEqualTo(DpopVerifier.builder().clock(time).nonceRequired(true)
                .nonceSecret(SECRET).nonceLifetime(Duration.ofMinutes(1)).build().nonce());
        assertThat(configured.nonceLifetime()).isEqualTo(Duration.ofMinutes(1));
        assertThat(configured.nodeLocalNonces()).isFalse();

        assertThatThrownBy(() -> DpopVerifier.builder().config(source(Map.of(ConfigKeys.DPOP_NONCE, "sometimes"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(ConfigKeys.DPOP_NONCE);
        assertThatThrownBy(() -> DpopVerifier.builder().config(source(Map.of(ConfigKeys.DPOP_NONCE_SECRET, "short"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(ConfigKeys.DPOP_NONCE_SECRET)
                .hasMessageContaining("at least 32").hasMessageNotContaining("short'");
        assertThatThrownBy(() -> DpopVerifier.builder().config(source(Map.of(ConfigKeys.DPOP_NONCE_LIFETIME, "2s"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(ConfigKeys.DPOP_NONCE_LIFETIME);
        assertThatThrownBy(() -> DpopVerifier.builder().config(source(Map.of(ConfigKeys.DPOP, "off",
                ConfigKeys.DPOP_NONCE, "required"))).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(ConfigKeys.DPOP_NONCE)
                .hasMessageContaining(ConfigKeys.DPOP + " is off");
    }

    private static ConfigSource source(Map<String, String> keys) {
        return ConfigSource.of(keys, Map.of(), new Properties());
    }
}
