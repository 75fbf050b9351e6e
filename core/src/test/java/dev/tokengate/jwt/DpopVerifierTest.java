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

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DpopVerifierTest {

    private static final String URL = "https://api.example.com/accounts/7";
    private static final String TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";

    private final FakeTime time = new FakeTime(Instant.parse("2026-01-01T10:00:00Z"));
    private final DpopVerifier verifier = DpopVerifier.builder().clock(time).build();

    private DpopProof.Builder proof() {
        return DpopProof.by(TestKeys.ec256()).clock(time).request("GET", URL).accessToken(TOKEN);
    }

    private String verify(String proof) {
        return verifier.verify(proof, "GET", URL, Fingerprints.sha256(TOKEN));
    }

    private void assertRefused(String proof, String part, String message) {
        assertThatThrownBy(() -> verify(proof)).isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((InvalidTokenException) e).claim()).contains(part));
    }

    @Test
    void thumbprintOfTheRfc7638Example() {
        Map<String, Object> jwk = Map.of("kty", "RSA", "e", "AQAB", "alg", "RS256", "kid", "2011-04-29",
                "n", "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw");

        assertThat(DpopVerifier.thumbprint(jwk)).isEqualTo("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    @Test
    void verifyWhenProofIsValidThenTheKeysThumbprint() {
        assertThat(verify(proof().sign())).isEqualTo(DpopProof.thumbprint(TestKeys.ec256()));
    }

    @Test
    void verifyWhenProofIsSignedWithEachAllowedAlgorithmThenAccepted() {
        for (String alg : List.of("RS256", "PS256", "RS512")) {
            String proof = DpopProof.by(TestKeys.rsa()).signedWith(alg).clock(time).request("GET", URL)
                    .accessToken(TOKEN).sign();
            assertThat(verify(proof)).as(alg).isEqualTo(DpopProof.thumbprint(TestKeys.rsa()));
        }
        String es384 = DpopProof.by(TestKeys.ec384()).clock(time).request("GET", URL).accessToken(TOKEN).sign();
        assertThat(verify(es384)).isEqualTo(DpopProof.thumbprint(TestKeys.ec384()));
    }

    @Test
    void verifyWhenProofIsReplayedThenRefused() {
        String proof = proof().sign();
        verify(proof);

        assertRefused(proof, "jti", "used before");
    }

    @Test
    void verifyRecordsAHashOfTheKeyAndJtiInTheSharedCacheUntilTheProofIsTooOldAnywhere() {
        Map<String, Instant> recorded = new java.util.HashMap<>();
        DpopVerifier shared = DpopVerifier.builder().clock(time)
                .sharedReplayCache((key, expiresAt) -> recorded.putIfAbsent(key, expiresAt) == null, true).build();
        Instant iat = time.instant().minusSeconds(20);
        String proof = proof().claim("jti", "jti-of-the-proof").issuedAt(iat).sign();

        shared.verify(proof, "GET", URL, Fingerprints.sha256(TOKEN));

        String thumbprint = DpopProof.thumbprint(TestKeys.ec256());
        String hash = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                Fingerprints.sha256(thumbprint + " jti-of-the-proof"));
        assertThat(recorded).containsOnlyKeys(hash);
        assertThat(recorded.get(hash)).as("iat + lifetime + the 5 s other nodes' clocks may lag")
                .isEqualTo(iat.plusSeconds(60 + 5));
    }

    @Test
    void verifyWhenAnotherNodeAcceptedTheProofThenRefused() {
        DpopVerifier nodeA = DpopVerifier.builder().clock(time).build();
        java.util.Set<String> redis = new java.util.HashSet<>();
        DpopVerifier sharedA = DpopVerifier.builder().clock(time).sharedReplayCache((k, e) -> redis.add(k), false)
                .build();
        DpopVerifier sharedB = DpopVerifier.builder().clock(time).sharedReplayCache((k, e) -> redis.add(k), false)
                .build();
        String proof = proof().sign();
        nodeA.verify(proof, "GET", URL, Fingerprints.sha256(TOKEN));
        sharedA.verify(proof, "GET", URL, Fingerprints.sha256(TOKEN));

        assertThat(verify(proof)).as("a node with its own cache only does not know it").isNotEmpty();
        assertThatThrownBy(() -> sharedB.verify(proof, "GET", URL, Fingerprints.sha256(TOKEN)))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("used before");
    }

    @Test
    void verifyWhenJtiIsReusedAfterTheLifetimeThenTheProofIsTooOldAnyway() {
        String proof = proof().sign();
        verify(proof);
        time.advance(Duration.ofSeconds(61));

        assertRefused(proof, "iat", "too old");
    }

    @Test
    void verifyWhenAnotherKeyUsesTheSameJtiThenAccepted() {
        verify(proof().claim("jti", "same").sign());
        String other = DpopProof.by(TestKeys.ec384()).clock(time).request("GET", URL).accessToken(TOKEN)
                .claim("jti", "same").sign();

        assertThat(verify(other)).isEqualTo(DpopProof.thumbprint(TestKeys.ec384()));
    }

    @Test
    void verifyWhenHtuNamesAnotherUrlThenRefused() {
        assertRefused(proof().request("GET", "https://api.example.com/accounts/8").sign(), "htu", "htu");
        assertRefused(proof().request("GET", "https://evil.example.com/accounts/7").sign(), "htu", "htu");
        assertRefused(proof().request("GET", "http://api.example.com/accounts/7").sign(), "htu", "htu");
        assertRefused(proof().claim("htu", null).sign(), "htu", "htu");
    }

    @Test
    void verifyWhenHtuDiffersOnlyByNormalisationOrQueryThenAccepted() {
        verify(proof().request("GET", "HTTPS://API.example.com:443/accounts/7").sign());
        verify(proof().request("GET", "https://api.example.com/accounts/7?x=1#frag").sign());
    }

    @Test
    void verifyWhenHtmIsAnotherMethodThenRefused() {
        assertRefused(proof().request("POST", URL).sign(), "htm", "htm");
    }

    @Test
    void verifyWhenAthIsTheHashOfAnotherTokenThenRefused() {
        assertRefused(proof().accessToken("another.token.value").sign(), "ath", "ath");
        assertRefused(proof().claim("ath", null).sign(), "ath", "ath");
    }

    @Test
    void verifyWhenIatIsOlderThanTheLifetimeThenRefused() {
        assertRefused(proof().issuedAt(time.instant().minusSeconds(61)).sign(), "iat", "too old");
        verify(proof().issuedAt(time.instant().minusSeconds(60)).sign());
    }

    @Test
    void verifyWhenIatIsInTheFutureThenRefused() {
        assertRefused(proof().issuedAt(time.instant().plusSeconds(30)).sign(), "iat", "future");
        assertRefused(proof().claim("iat", null).sign(), "iat", "iat");
    }

    @Test
    void verifyWhenJwkHoldsThePrivateKeyThenRefused() {
        assertRefused(proof().withPrivateKeyInJwk().sign(), "jwk", "private key");
        assertRefused(DpopProof.by(TestKeys.rsa()).clock(time).request("GET", URL).accessToken(TOKEN)
                .withPrivateKeyInJwk().sign(), "jwk", "private key");
    }

    @Test
    void verifyWhenAlgIsNoneOrHmacThenRefused() {
        assertRefused(proof().unsignedAlgNone(), "alg", "alg");
        assertRefused(proof().signedWithHmac("HS256", "a-secret-of-at-least-32-bytes-long!".getBytes(StandardCharsets.US_ASCII))
                .sign(), "alg", "alg");
    }

    @Test
    void verifyWhenAlgIsNotInTheConfiguredListThenRefused() {
        DpopVerifier es256Only = DpopVerifier.builder().clock(time).algorithms(List.of("ES256")).build();
        String rs256 = DpopProof.by(TestKeys.rsa()).clock(time).request("GET", URL).accessToken(TOKEN).sign();

        assertThatThrownBy(() -> es256Only.verify(rs256, "GET", URL, Fingerprints.sha256(TOKEN)))
                .hasMessageContaining("sign it with one of ES256");
    }

    @Test
    void verifyWhenSignedByAnotherKeyThanItsJwkThenRefused() {
        assertRefused(proof().jwkOf(otherEc256()).sign(), "signature", "signature");
    }

    private static dev.tokengate.testkit.SigningKey otherEc256() {
        return dev.tokengate.testkit.SigningKey.generate("ES256", "other");
    }

    @Test
    void verifyWhenTypIsNotDpopJwtThenRefused() {
        assertRefused(proof().header("typ", "JWT").sign(), "typ", "dpop+jwt");
        assertRefused(proof().header("typ", null).sign(), "typ", "dpop+jwt");
    }

    @Test
    void verifyWhenJwkIsMissingOrSymmetricThenRefused() {
        assertRefused(proof().header("jwk", null).sign(), "jwk", "no jwk");
        assertRefused(proof().header("jwk", Map.of("kty", "oct", "k", "c2VjcmV0")).sign(), "jwk", "private");
    }

    @Test
    void verifyWhenProofIsNotAJwtThenRefused() {
        assertRefused("not-a-jwt", "dpop", "not a signed JWT");
    }

    @Test
    void configReadsTheKeysAndRefusesSymmetricAlgorithms() {
        DpopVerifier configured = DpopVerifier.builder().config(ConfigSource.of(Map.of(ConfigKeys.DPOP, "required",
                ConfigKeys.DPOP_ALGORITHMS, "ES256,PS256", ConfigKeys.DPOP_PROOF_LIFETIME, "30s"))).build();
        assertThat(configured.mode()).isEqualTo(DpopVerifier.Mode.REQUIRED);
        assertThat(configured.algorithms()).containsExactly("PS256", "ES256");

        assertThatThrownBy(() -> DpopVerifier.builder().config(ConfigSource.of(Map.of(ConfigKeys.DPOP_ALGORITHMS, "HS256"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(ConfigKeys.DPOP_ALGORITHMS);
        assertThatThrownBy(() -> DpopVerifier.builder().config(ConfigSource.of(Map.of(ConfigKeys.DPOP, "maybe"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(ConfigKeys.DPOP);
        assertThatThrownBy(() -> DpopVerifier.builder().config(ConfigSource.of(Map.of(ConfigKeys.DPOP_PROOF_LIFETIME, "1h"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(ConfigKeys.DPOP_PROOF_LIFETIME);
    }
}
