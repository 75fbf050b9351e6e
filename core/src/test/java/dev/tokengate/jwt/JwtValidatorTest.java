package dev.tokengate.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import dev.tokengate.ConfigurationException;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.VerifiedToken;
import dev.tokengate.internal.LogSafe;
import dev.tokengate.jwks.KeySource;
import dev.tokengate.jwks.VerificationKey;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testkit.SigningKey;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.testkit.TokenBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JwtValidatorTest {

    private static final Instant NOW = Instant.parse("2026-11-29T09:55:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static KeySource allKeys() {
        return TestKeys.keySource(TestKeys.rsa(), TestKeys.rsa2(), TestKeys.ec256(), TestKeys.ec384(),
                TestKeys.ec521());
    }

    private static JwtValidator.Builder validator() {
        return JwtValidator.builder()
                .issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE)
                .keySource(allKeys())
                .clock(CLOCK);
    }

    private static JwtValidator.Builder hmacValidator() {
        return JwtValidator.builder()
                .issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE)
                .hmacSecret(SECRET)
                .clock(CLOCK);
    }

    private static TokenBuilder jwt() {
        return TestTokens.jwt().clock(CLOCK);
    }

    private static InvalidTokenException rejected(JwtValidator validator, String token) {
        InvalidTokenException e = catchThrowableOfType(() -> validator.validate(token), InvalidTokenException.class);
        assertThat(e).as("expected the token to be rejected").isNotNull();
        assertThat(e.getMessage()).doesNotContain(token);
        return e;
    }

    // --- the valid fixture ------------------------------------------------------------------------------------

    @Test
    void validateWhenValidThenVerifiedTokenWithEveryField() {
        String token = jwt().tokenId("id-1").claim("tenant", Map.of("id", 7, "tags", List.of("a", "b"))).sign();

        VerifiedToken verified = validator().build().validate(token);

        assertThat(verified.kind()).isEqualTo(VerifiedToken.Kind.JWT);
        assertThat(verified.subject()).contains(TestTokens.SUBJECT);
        assertThat(verified.clientId()).contains(TestTokens.CLIENT_ID);
        assertThat(verified.issuer()).contains(TestTokens.ISSUER);
        assertThat(verified.audiences()).containsExactly(TestTokens.AUDIENCE);
        assertThat(verified.scopes()).containsExactly("read", "trade");
        assertThat(verified.issuedAt()).contains(NOW);
        assertThat(verified.expiresAt()).contains(NOW.plus(TestTokens.LIFETIME));
        assertThat(verified.tokenId()).contains("id-1");
        assertThat(verified.claims()).containsEntry("scope", "read trade")
                .containsEntry("tenant", Map.of("id", 7L, "tags", List.of("a", "b")))
                .containsEntry("exp", NOW.plus(TestTokens.LIFETIME).getEpochSecond());
        assertThat(verified.getName()).isEqualTo(TestTokens.SUBJECT);
    }

    @Test
    void validateWhenClaimsNestedThenPlainImmutableJavaValues() {
        String token = jwt().claim("roles", List.of("a")).sign();

        Object roles = validator().build().validate(token).claims().get("roles");

        assertThat(roles).isInstanceOf(List.class);
        assertThatThrownBy(() -> ((List<Object>) roles).add("b")).isInstanceOf(UnsupportedOperationException.class);
    }

    // --- time ---------------------------------------------------------------------------------------------------

    @Test
    void validateWhenExpiredThenInvalidToken() {
        String token = jwt().expiresAt(Instant.parse("2026-11-29T09:50:00Z")).sign();

        InvalidTokenException e = rejected(validator().build(), token);

        assertThat(e.getMessage()).isEqualTo("The token expired at 2026-11-29T09:50:00Z");
        assertThat(e.claim()).contains("exp");
    }

    @Test
    void validateWhenExpiredWithinLeewayThenVerified() {
        String token = jwt().expiresAt(NOW.minusSeconds(30)).sign();

        assertThat(validator().build().validate(token).expiresAt()).contains(NOW.minusSeconds(30));
    }

    @Test
    void validateWhenExpiredBeyondConfiguredLeewayThenInvalidToken() {
        String token = jwt().expiresAt(NOW.minusSeconds(30)).sign();

        assertThat(rejected(validator().leeway(Duration.ofSeconds(10)).build(), token).claim()).contains("exp");
    }

    @Test
    void validateWhenNoExpThenInvalidToken() {
        InvalidTokenException e = rejected(validator().build(), jwt().without("exp").sign());

        assertThat(e.claim()).contains("exp");
        assertThat(e.getMessage()).contains("no expiry");
    }

    @Test
    void validateWhenExpNotANumberThenInvalidToken() {
        InvalidTokenException e = rejected(validator().build(), jwt().claim("exp", "tomorrow").sign());

        assertThat(e.claim()).contains("exp");
    }

    @Test
    void validateWhenExpFractionalThenVerified() {
        double exp = NOW.getEpochSecond() + 120.5;

        assertThat(validator().build().validate(jwt().claim("exp", exp).sign()).expiresAt())
                .contains(NOW.plusSeconds(120).plusMillis(500));
    }

    @Test
    void validateWhenNotYetValidThenInvalidToken() {
        InvalidTokenException e = rejected(validator().build(), jwt().notBefore(NOW.plusSeconds(120)).sign());

        assertThat(e.getMessage()).isEqualTo("The token is not valid before 2026-11-29T09:57:00Z");
        assertThat(e.claim()).contains("nbf");
    }

    @Test
    void validateWhenNotBeforeWithinLeewayThenVerified() {
        assertThat(validator().build().validate(jwt().notBefore(NOW.plusSeconds(30)).sign())).extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
    }

    @Test
    void validateWhenIssuedInTheFutureThenInvalidToken() {
        InvalidTokenException e = rejected(validator().build(), jwt().issuedAt(NOW.plusSeconds(120)).sign());

        assertThat(e.getMessage()).isEqualTo("The token was issued in the future, at 2026-11-29T09:57:00Z");
        assertThat(e.claim()).contains("iat");
    }

    @Test
    void validateWhenClockInjectedThenTimeChecksUseIt() {
        String token = jwt().sign();
        Clock later = Clock.fixed(NOW.plus(Duration.ofHours(1)), ZoneOffset.UTC);

        assertThat(rejected(validator().clock(later).build(), token).claim()).contains("exp");
    }

    // --- issuer, audience, type, required claims ----------------------------------------------------------------

    @Test
    void validateWhenIssuerDiffersThenInvalidToken() {
        InvalidTokenException e = rejected(validator().build(), jwt().issuer("https://evil.example.com").sign());

        assertThat(e.getMessage()).isEqualTo("The token's issuer is not accepted by this API");
        assertThat(e.claim()).contains("iss");
    }

    @Test
    void validateWhenIssuerDiffersOnlyByTrailingSlashThenInvalidToken() {
        assertThat(rejected(validator().build(), jwt().issuer(TestTokens.ISSUER + "/").sign()).claim()).contains("iss");
    }

    @Test
    void validateWhenNoIssuerThenInvalidToken() {
        assertThat(rejected(validator().build(), jwt().without("iss").sign()).claim()).contains("iss");
    }

    @Test
    void validateWhenAudienceDiffersThenInvalidToken() {
        InvalidTokenException e = rejected(validator().build(), jwt().audience("x").sign());

        assertThat(e.getMessage()).isEqualTo("The token's audience is not accepted by this API");
        assertThat(e.claim()).contains("aud");
    }

    @Test
    void validateWhenOneOfSeveralAudiencesMatchesThenVerified() {
        String token = jwt().audience("other", TestTokens.AUDIENCE).sign();

        assertThat(validator().audiences("third", TestTokens.AUDIENCE).build().validate(token).audiences())
                .containsExactly("other", TestTokens.AUDIENCE);
    }

    @Test
    void validateWhenNoAudienceThenInvalidToken() {
        assertThat(rejected(validator().build(), jwt().without("aud").sign()).claim()).contains("aud");
    }

    @Test
    void validateWhenAudienceNotStringsThenInvalidToken() {
        assertThat(rejected(validator().build(), jwt().claim("aud", List.of(1, 2)).sign()).claim()).contains("aud");
    }

    @Test
    void validateWhenAnyAudienceAllowedThenVerifiedAndBuildWarns() {
        try (LogCapture logs = LogCapture.of(JwtValidator.class.getName())) {
            JwtValidator validator = JwtValidator.builder().issuer(TestTokens.ISSUER).allowAnyAudience()
                    .keySource(allKeys()).clock(CLOCK).build();

            assertThat(validator.validate(jwt().audience("anything").sign())).extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
            assertThat(validator.validate(jwt().without("aud").sign()).audiences()).isEmpty();
            assertThat(logs.events()).anySatisfy(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage()).contains("any audience");
            });
        }
    }

    @Test
    void validateWhenTypeRequiredAndMatchesThenVerified() {
        JwtValidator validator = validator().type("at+jwt").build();

        assertThat(validator.validate(jwt().type("at+jwt").sign())).extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
        assertThat(validator.validate(jwt().type("application/at+jwt").sign())).extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
        assertThat(validator.validate(jwt().type("AT+JWT").sign())).extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
        assertThat(validator.validate(jwt().type("Application/AT+JWT").sign())).extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
    }

    @Test
    void validateWhenTypeRequiredAndMissingThenInvalidToken() {
        // An OIDC ID token carries no typ (or "JWT"): it must not pass as an access token.
        InvalidTokenException e = rejected(validator().type("at+jwt").build(), jwt().type(null).sign());

        assertThat(e.claim()).contains("typ");
        assertThat(e.getMessage()).isEqualTo("The token has no type (typ); expected at+jwt");
    }

    @Test
    void validateWhenTypeRequiredAndDiffersThenInvalidToken() {
        InvalidTokenException e = rejected(validator().type("application/at+jwt").build(), jwt().type("JWT").sign());

        assertThat(e.getMessage()).isEqualTo("The token's type (typ) is not accepted; expected at+jwt");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "JWT", "jwt", "application/jwt", "at+jwt", "application/at+jwt", "AT+JWT"})
    void validateWhenTypeNotConfiguredThenUntypedOrAccessTokenTypesVerified(String typ) {
        String token = jwt().type(typ.isEmpty() ? null : typ).sign();

        assertThat(validator().build().validate(token)).extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dpop+jwt", "logout+jwt", "secevent+jwt", "id_token+jwt", "application/dpop+jwt",
            "DPoP+JWT", "token-introspection+jwt", "JOSE", "at+jwt ", "jwt+at"})
    void validateWhenTypeNotConfiguredAndTypedAsAnotherKindOfJwtThenInvalidToken(String typ) {
        InvalidTokenException e = rejected(validator().build(), jwt().type(typ).sign());

        assertThat(e.getMessage()).isEqualTo("The token's type (typ) says it is not an access token");
        assertThat(e.claim()).contains("typ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"iss", "exp", "aud", "sub", "client_id", "iat", "jti"})
    void validateWhenAtJwtRequiredAndRfc9068ClaimMissingThenInvalidToken(String claim) {
        // Any audience: even aud, which this API would not otherwise need, is required of an at+jwt token.
        JwtValidator validator = JwtValidator.builder().issuer(TestTokens.ISSUER).allowAnyAudience()
                .keySource(allKeys()).clock(CLOCK).type("at+jwt").build();

        InvalidTokenException e = rejected(validator, jwt().without(claim).sign());

        assertThat(e.getMessage())
                .isEqualTo("The token lacks the claim " + claim + ", which an at+jwt access token must have (RFC 9068 §2.2)");
        assertThat(e.claim()).contains(claim);
    }

    @Test
    void validateWhenAtJwtRequiredAndClientNamedByAzpOnlyThenInvalidToken() {
        String token = jwt().without("client_id").claim("azp", TestTokens.CLIENT_ID).sign();

        assertThat(rejected(validator().type("at+jwt").build(), token).claim()).contains("client_id");
    }

    @Test
    void validateWhenNoTypeRequiredThenRfc9068ClaimsOtherThanExpOptional() {
        String token = jwt().without("jti").without("iat").without("client_id").sign();

        assertThat(validator().build().validate(token)).extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
    }

    @Test
    void validateWhenRequiredClaimMissingThenInvalidToken() {
        InvalidTokenException e = rejected(validator().requiredClaims("jti", "tenant").build(), jwt().sign());

        assertThat(e.getMessage()).isEqualTo("The token lacks the claim tenant, which this API requires");
        assertThat(e.claim()).contains("tenant");
    }

    @Test
    void validateWhenRequiredClaimNullThenInvalidToken() {
        assertThat(rejected(validator().requiredClaims("tenant").build(), jwt().claim("tenant", null).sign()).claim())
                .contains("tenant");
    }

    @Test
    void validateWhenRequiredClaimsPresentThenVerified() {
        assertThat(validator().requiredClaims("jti", "tenant").build().validate(jwt().claim("tenant", "t1").sign()))
                .extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
    }

    // --- scopes, client id, subject -----------------------------------------------------------------------------

    @Test
    void validateWhenScopeMissingThenScpArrayUsed() {
        String token = jwt().without("scope").claim("scp", List.of("read", "write")).sign();

        assertThat(validator().build().validate(token).scopes()).containsExactly("read", "write");
    }

    @Test
    void validateWhenScopeMissingThenScpStringUsed() {
        String token = jwt().without("scope").claim("scp", "read  write").sign();

        assertThat(validator().build().validate(token).scopes()).containsExactly("read", "write");
    }

    @Test
    void validateWhenScopeAndScpThenScopeWins() {
        String token = jwt().claim("scp", List.of("admin")).sign();

        assertThat(validator().build().validate(token).scopes()).containsExactly("read", "trade");
    }

    @Test
    void validateWhenScopeClaimConfiguredThenOnlyItIsRead() {
        String token = jwt().claim("permissions", List.of("orders:read")).sign();

        assertThat(validator().scopeClaim("permissions").build().validate(token).scopes())
                .containsExactly("orders:read");
        assertThat(validator().scopeClaim("roles").build().validate(token).scopes()).isEmpty();
    }

    @Test
    void validateWhenScopeMalformedThenInvalidToken() {
        assertThat(rejected(validator().build(), jwt().claim("scope", 42).sign()).claim()).contains("scope");
    }

    @Test
    void validateWhenNoClientIdThenAzpUsed() {
        String token = jwt().without("client_id").claim("azp", "spa").claim("cid", "okta").sign();

        assertThat(validator().build().validate(token).clientId()).contains("spa");
    }

    @Test
    void validateWhenNoClientIdNorAzpThenCidUsed() {
        String token = jwt().without("client_id").claim("cid", "okta-app").sign();

        assertThat(validator().build().validate(token).clientId()).contains("okta-app");
    }

    @Test
    void validateWhenClientCredentialsTokenWithoutSubjectThenNamedByClient() {
        VerifiedToken verified = validator().build().validate(jwt().without("sub").sign());

        assertThat(verified.subject()).isEmpty();
        assertThat(verified.getName()).isEqualTo(TestTokens.CLIENT_ID);
    }

    @Test
    void validateWhenSubjectAndClientEmptyThenInvalidToken() {
        assertThat(rejected(validator().build(), jwt().claim("sub", "").claim("client_id", "").sign()).claim())
                .contains("sub");
    }

    @Test
    void validateWhenNeitherSubjectNorClientThenInvalidToken() {
        assertThat(rejected(validator().build(), jwt().without("sub").without("client_id").sign()).claim())
                .contains("sub");
    }

    // --- algorithms and keys ------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
    void validateWhenSignedWithRsaAlgorithmThenVerified(String algorithm) {
        // java-jwt 4.6 signs and verifies PS256/384/512 (RSASSA-PSS), so they are in the default allow-list.
        String token = jwt().signedWith(algorithm, TestKeys.rsa()).sign();
        KeySource withoutJwkAlg = TestKeys.keySource(List.of(TestKeys.verificationKeyWithoutAlgorithm(TestKeys.rsa())));

        assertThat(validator().keySource(withoutJwkAlg).build().validate(token)).extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
    }

    @Test
    void validateWhenSignedWithEcAlgorithmsThenVerified() {
        JwtValidator validator = validator().build();

        assertThat(validator.validate(jwt().signedWith(TestKeys.ec256()).sign())).extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
        assertThat(validator.validate(jwt().signedWith(TestKeys.ec384()).sign())).extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
        assertThat(validator.validate(jwt().signedWith(TestKeys.ec521()).sign())).extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
    void validateWhenAlgNoneInAnyCasingThenInvalidToken(String none) {
        InvalidTokenException e = rejected(validator().build(), TestTokens.forgedAlgNone(none));

        assertThat(e.claim()).contains("alg");
    }

    @Test
    void validateWhenAlgNoneAndHmacIssuerThenInvalidToken() {
        assertThat(rejected(hmacValidator().build(), TestTokens.forgedAlgNone("none")).claim()).contains("alg");
    }

    @Test
    void validateWhenAlgorithmNotInAllowListThenInvalidToken() {
        InvalidTokenException e = rejected(validator().algorithms("ES256").build(), jwt().sign());

        assertThat(e.getMessage()).isEqualTo("The token's algorithm (alg) is not accepted by this API");
        assertThat(e.claim()).contains("alg");
    }

    @Test
    void validateWhenAlgorithmWrongCaseThenInvalidToken() {
        assertThat(rejected(validator().build(), jwt().header("alg", "rs256").sign()).claim()).contains("alg");
    }

    @Test
    void validateWhenNoAlgThenInvalidToken() {
        assertThat(rejected(validator().build(), jwt().header("alg", null).sign()).claim()).contains("alg");
    }

    @Test
    void validateWhenHs256SignedWithRsaPublicKeyThenInvalidToken() {
        JwtValidator validator = validator().build();

        assertThat(rejected(validator, TestTokens.forgedHs256WithRsaPublicKey(TestKeys.rsa())).claim()).contains("alg");
        assertThat(rejected(validator, TestTokens.forgedHs256WithRsaPublicKeyPem(TestKeys.rsa())).claim())
                .contains("alg");
    }

    @Test
    void validateWhenHmacIssuerAndHs256ThenVerified() {
        assertThat(hmacValidator().build().validate(jwt().signedWithHmac("HS256", SECRET).sign())).extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
    }

    @Test
    void validateWhenHmacIssuerAndWrongSecretThenInvalidToken() {
        byte[] other = "another secret that is 32 bytes!".getBytes(StandardCharsets.US_ASCII);

        assertThat(rejected(hmacValidator().build(), jwt().signedWithHmac("HS256", other).sign()).getMessage())
                .isEqualTo("The token's signature is invalid");
    }

    @Test
    void validateWhenHmacIssuerAndRsaTokenThenInvalidToken() {
        assertThat(rejected(hmacValidator().build(), jwt().sign()).claim()).contains("alg");
    }

    @Test
    void validateWhenHmacSecretTooShortForHs512ThenHs512NotAccepted() {
        byte[] sixtyFour = new byte[64];
        System.arraycopy(SECRET, 0, sixtyFour, 0, 32);

        assertThat(hmacValidator().build().algorithms()).containsExactly("HS256");
        assertThat(hmacValidator().hmacSecret(sixtyFour).build().validate(jwt().signedWithHmac("HS512", sixtyFour).sign()))
                .extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
    }

    @Test
    void validateWhenHmacSecretFromEnvThenVerified() {
        JwtValidator validator = JwtValidator.builder().issuer(TestTokens.ISSUER).audiences(TestTokens.AUDIENCE)
                .hmacSecretFromEnv("TOKENGATE_TEST_SECRET").clock(CLOCK)
                .environment(Map.of("TOKENGATE_TEST_SECRET", new String(SECRET, StandardCharsets.US_ASCII))::get)
                .build();

        assertThat(validator.validate(jwt().signedWithHmac("HS256", SECRET).sign())).extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
    }

    @Test
    void validateWhenEcTokenNamesRsaKeyThenInvalidToken() {
        String token = jwt().signedWith(TestKeys.ec256()).keyId(TestKeys.rsa().keyId()).sign();
        KeySource withoutJwkAlg = TestKeys.keySource(List.of(TestKeys.verificationKeyWithoutAlgorithm(TestKeys.rsa())));

        InvalidTokenException e = rejected(validator().keySource(withoutJwkAlg).build(), token);

        assertThat(e.claim()).contains("kid");
        assertThat(e.getMessage()).contains("not an EC key");
    }

    @Test
    void validateWhenEs256HeaderButP384KeyThenInvalidToken() {
        String token = jwt().signedWith(TestKeys.ec384()).header("alg", "ES256").sign();
        KeySource withoutJwkAlg = TestKeys.keySource(List.of(TestKeys.verificationKeyWithoutAlgorithm(TestKeys.ec384())));

        InvalidTokenException e = rejected(validator().keySource(withoutJwkAlg).build(), token);

        assertThat(e.getMessage()).contains("not on secp256r1");
    }

    @Test
    void validateWhenRsaTokenNamesEcKeyThenInvalidToken() {
        String token = jwt().keyId(TestKeys.ec256().keyId()).sign();
        KeySource withoutJwkAlg = TestKeys.keySource(List.of(TestKeys.verificationKeyWithoutAlgorithm(TestKeys.ec256())));

        assertThat(rejected(validator().keySource(withoutJwkAlg).build(), token).getMessage())
                .contains("not an RSA key");
    }

    @Test
    void validateWhenJwkAlgDiffersFromTokenAlgThenInvalidToken() {
        VerificationKey rs512Only = new VerificationKey(Optional.of("rsa-1"), TestKeys.rsa().publicKey(),
                Optional.of("RS512"));

        InvalidTokenException e = rejected(validator().keySource(TestKeys.keySource(List.of(rs512Only))).build(),
                jwt().sign());

        assertThat(e.getMessage()).isEqualTo("The issuer's key with the token's key id (kid) cannot verify a RS256 token: it is for RS512");
    }

    @Test
    void validateWhenRsaKeyUnder2048BitsThenInvalidToken() {
        String token = jwt().signedWith(TestKeys.rsa1024()).sign();
        KeySource source = TestKeys.keySource(TestKeys.rsa1024());

        InvalidTokenException e = rejected(validator().keySource(source).build(), token);

        assertThat(e.getMessage()).contains("1024 bits");
        assertThat(e.claim()).contains("kid");
    }

    @Test
    void validateWhenKeyIdUnknownThenInvalidToken() {
        InvalidTokenException e = rejected(validator().build(), jwt().keyId("unknown").sign());

        assertThat(e.getMessage()).isEqualTo("The issuer has no key with the token's key id (kid)");
        assertThat(e.claim()).contains("kid");
    }

    @Test
    void validateWhenSignedWithRotatedKeyThenVerified() {
        assertThat(validator().build().validate(jwt().signedWith(TestKeys.rsa2()).sign())).extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
    }

    @Test
    void validateWhenNoKeyIdThenEveryMatchingKeyIsTried() {
        String token = jwt().signedWith(TestKeys.rsa2()).keyId(null).sign();

        assertThat(validator().build().validate(token)).extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
    }

    @Test
    void validateWhenSeveralKeysShareTheKeyIdThenEachIsTried() {
        KeySource sameKid = TestKeys.keySource(TestKeys.rsa(), TestKeys.rsa2().withKeyId("rsa-1"));
        String token = jwt().signedWith(TestKeys.rsa2()).keyId("rsa-1").sign();

        assertThat(validator().keySource(sameKid).build().validate(token)).extracting(VerifiedToken::getName).isEqualTo(TestTokens.SUBJECT);
    }

    @Test
    void validateWhenSignedByUntrustedKeyWithTrustedKidThenInvalidToken() {
        String token = jwt().signedWith(TestKeys.untrustedRsa()).keyId("rsa-1").sign();

        assertThat(rejected(validator().build(), token).getMessage()).isEqualTo("The token's signature is invalid");
    }

    @Test
    void validateWhenPayloadTamperedThenInvalidToken() {
        String token = jwt().sign();
        String[] parts = token.split("\\.");
        String forgedPayload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                        .replace("read trade", "admin").getBytes(StandardCharsets.UTF_8));

        assertThat(rejected(validator().build(), parts[0] + "." + forgedPayload + "." + parts[2]).getMessage())
                .isEqualTo("The token's signature is invalid");
    }

    @Test
    void validateWhenSignatureStrippedThenInvalidToken() {
        String token = jwt().sign();

        assertThat(rejected(validator().build(), token.substring(0, token.lastIndexOf('.') + 1)).getMessage())
                .isEqualTo("The token's signature is invalid");
    }

    @ParameterizedTest
    @ValueSource(strings = {"!!!", "A", "AAAA", "____", "c2ln+/=="})
    void validateWhenSignatureGarbageThenInvalidToken(String signature) {
        JwtValidator validator = validator().build();
        for (String token : List.of(jwt().sign(), jwt().signedWith(TestKeys.ec256()).sign())) {
            String forged = token.substring(0, token.lastIndexOf('.') + 1) + signature;

            assertThat(rejected(validator, forged)).isInstanceOf(InvalidTokenException.class);
        }
    }

    @Test
    void validateWhenEs256SignatureAllZeroThenInvalidToken() {
        JwtValidator validator = validator().build();

        assertThat(rejected(validator, TestTokens.forgedEs256ZeroSignature()).getMessage())
                .isEqualTo("The token's signature is invalid");
        assertThat(rejected(validator, TestTokens.forgedEs256ZeroSignatureDer()).getMessage())
                .isEqualTo("The token's signature is invalid");
    }

    @Test
    void validateWhenKeyHeadersPointElsewhereThenIgnoredAndInvalidToken() {
        List<Optional<String>> lookups = new CopyOnWriteArrayList<>();
        KeySource recording = keyId -> {
            lookups.add(keyId);
            return allKeys().keys(keyId);
        };
        JwtValidator validator = validator().keySource(recording).build();

        for (String token : List.of(TestTokens.forgedWithJku(), TestTokens.forgedWithX5u(),
                TestTokens.forgedWithEmbeddedJwk(), TestTokens.forgedWithX5c())) {
            assertThat(rejected(validator, token).getMessage()).isEqualTo("The token's signature is invalid");
        }
        assertThat(lookups).containsOnly(Optional.of("rsa-1"));
    }

    @Test
    void validateWhenCritHeaderThenInvalidToken() {
        assertThat(rejected(validator().build(), jwt().header("crit", List.of("exp")).header("exp", 1).sign()).claim())
                .contains("crit");
    }

    // --- shape --------------------------------------------------------------------------------------------------

    @Test
    void validateWhenJweThenInvalidTokenSayingEncryptedNotAccepted() {
        InvalidTokenException e = rejected(validator().build(), TestTokens.forgedJwe());

        assertThat(e.getMessage()).contains("encrypted").contains("not accepted");
    }

    @ParameterizedTest
    @ValueSource(strings = {"opaque-token", "a.b", "a.b.c.d", "..", "!!!.e30.sig", "e30.W10.sig", "bm90IGpzb24.e30.x"})
    void validateWhenNotJwtShapedThenInvalidToken(String token) {
        assertThat(rejected(validator().build(), token).getMessage()).isEqualTo("The token is not a JWT");
    }

    @Test
    void validateWhenDuplicateClaimThenInvalidToken() {
        String header = b64("{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}");
        String payload = b64("{\"iss\":\"" + TestTokens.ISSUER + "\",\"aud\":\"x\",\"aud\":\"" + TestTokens.AUDIENCE
                + "\",\"exp\":" + NOW.plusSeconds(60).getEpochSecond() + ",\"sub\":\"a\"}");

        assertThat(rejected(validator().build(), header + "." + payload + ".c2ln").getMessage())
                .isEqualTo("The token is not a JWT");
    }

    @ParameterizedTest
    @ValueSource(strings = {"7", "true", "{\"id\":\"rsa-1\"}", "[\"rsa-1\"]"})
    void validateWhenKidNotAStringThenInvalidToken(String kid) throws Exception {
        Object value = new com.fasterxml.jackson.databind.ObjectMapper().readValue(kid, Object.class);

        InvalidTokenException rsa = rejected(validator().build(), jwt().keyId(null).header("kid", value).sign());
        InvalidTokenException hmac = rejected(hmacValidator().build(),
                jwt().signedWithHmac("HS256", SECRET).header("kid", value).sign());

        assertThat(rsa.getMessage()).isEqualTo("The token's header parameter (kid) is not a string");
        assertThat(hmac.getMessage()).isEqualTo(rsa.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"exp", "nbf", "iat"})
    void validateWhenNumericDateBeyondLongMillisecondsThenInvalidToken(String claim) {
        // 1e308 used to wrap to 1970: an nbf or iat of 1e308 passed as long past
        List<Object> tooLarge = List.of(1e308, 1e17, Long.MAX_VALUE / 1000 + 1, Long.MAX_VALUE,
                new java.math.BigInteger("1" + "0".repeat(30)));

        for (Object value : tooLarge) {
            InvalidTokenException e = rejected(validator().build(), jwt().claim(claim, value).sign());

            assertThat(e.getMessage()).as("%s = %s", claim, value)
                    .isEqualTo("The token's " + claim + " claim is not a NumericDate: it is negative or too large");
            assertThat(e.claim()).contains(claim);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "-0.5", "-9223372036854775808"})
    void validateWhenNumericDateNegativeThenInvalidToken(String seconds) {
        for (String claim : List.of("nbf", "iat")) {
            Object value = seconds.contains(".") ? (Object) Double.parseDouble(seconds) : (Object) Long.parseLong(seconds);

            assertThat(rejected(validator().build(), jwt().claim(claim, value).sign()).claim()).contains(claim);
        }
    }

    @Test
    void validateWhenNumericDateFractionalThenVerifiedToTheNanosecond() {
        VerifiedToken token = validator().build().validate(jwt().claim("iat", NOW.getEpochSecond() - 0.25)
                .claim("nbf", 0.0).claim("exp", 1.7e9 + 1e8 + 0.5).sign());

        assertThat(token.issuedAt()).contains(NOW.minusMillis(250));
        assertThat(token.expiresAt()).contains(Instant.ofEpochSecond(1_800_000_000L, 500_000_000));
    }

    @Test
    void validateWhenNumericDateIsTheLargestAcceptedThenItsMillisecondsFitALong() {
        long last = Long.MAX_VALUE / 1000;

        Instant expiresAt = validator().build().validate(jwt().claim("exp", last).sign()).expiresAt().orElseThrow();

        assertThat(expiresAt.toEpochMilli()).isEqualTo(last * 1000);
    }

    // --- upstream failures, messages and logs -------------------------------------------------------------------

    @Test
    void validateWhenKeySourceUnavailableThenUpstreamUnavailablePassesThrough() {
        UpstreamUnavailableException down = new UpstreamUnavailableException("JWKS unreachable",
                URI.create("https://issuer.example.com/jwks"));
        JwtValidator validator = validator().keySource(keyId -> {
            throw down;
        }).build();

        assertThatThrownBy(() -> validator.validate(jwt().sign())).isSameAs(down);
    }

    @Test
    void validateWhenRejectedThenNoMessageNorLogLineContainsTheToken() {
        JwtValidator validator = validator().type("at+jwt").requiredClaims("tenant").build();
        List<String> tokens = List.of(jwt().expiresAt(NOW.minusSeconds(600)).sign(), jwt().audience("x").sign(),
                jwt().issuer("https://evil").sign(), jwt().keyId("nope").sign(), jwt().type("JWT").sign(),
                jwt().sign(), TestTokens.forgedAlgNone("none"), TestTokens.forgedWithJku(),
                TestTokens.forgedHs256WithRsaPublicKey(TestKeys.rsa()), TestTokens.forgedJwe(),
                TestTokens.forgedEs256ZeroSignature(), jwt().claim("exp", "soon").sign());
        List<String> messages = new ArrayList<>();

        try (LogCapture logs = LogCapture.of("dev.tokengate")) {
            for (String token : tokens) {
                messages.add(rejected(validator, token).getMessage());
            }
            messages.addAll(logs.lines());
            assertThat(logs.lines()).isNotEmpty();
        }
        for (String token : tokens) {
            for (String fragment : TestTokens.fragmentsOf(token)) {
                assertThat(messages).noneMatch(line -> line.contains(fragment));
            }
        }
    }

    @Test
    void validateWhenRejectedForAnUnverifiedValueThenMessageIsFixedAndDebugLineEscapesIt() {
        String crafted = "forged\r\nINFO admin logged in \u202Eevil\u2028";
        JwtValidator validator = validator().type("at+jwt").algorithms("RS256").build();
        IssuerRouter router = IssuerRouter.create(validator);
        List<String> tokens = List.of(jwt().issuer(crafted).sign(), jwt().audience(crafted).sign(),
                jwt().header("alg", crafted).sign(), jwt().type(crafted).sign(), jwt().keyId(crafted).sign());
        List<String> messages = new ArrayList<>();

        try (LogCapture logs = LogCapture.of("dev.tokengate")) {
            for (String token : tokens) {
                messages.add(rejected(validator, token).getMessage());
                messages.add(catchThrowableOfType(() -> router.validate(token), InvalidTokenException.class).getMessage());
            }
            assertThat(messages).noneMatch(m -> m.contains("forged"));
            assertThat(logs.lines()).filteredOn(line -> line.contains("forged"))
                    .hasSizeGreaterThanOrEqualTo(tokens.size())
                    .allSatisfy(line -> assertThat(line).contains(LogSafe.escape(crafted))
                            .doesNotContain("\r", "\n", "\u202E", "\u2028"));
        }
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    // --- builder ------------------------------------------------------------------------------------------------

    @Test
    void buildWhenNoIssuerThenConfigurationExceptionNamingIt() {
        assertThatThrownBy(() -> JwtValidator.builder().audiences("a").keySource(allKeys()).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("issuer"));
    }

    @Test
    void buildWhenNoAudienceChoiceThenConfigurationException() {
        assertThatThrownBy(() -> JwtValidator.builder().issuer("i").keySource(allKeys()).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("audiences"));
    }

    @Test
    void buildWhenAudiencesAndAnyAudienceThenConfigurationException() {
        assertThatThrownBy(() -> validator().allowAnyAudience().build())
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.key()).isEqualTo("allowAnyAudience"));
    }

    @Test
    void buildWhenNoKeySourceNorSecretThenConfigurationException() {
        assertThatThrownBy(() -> JwtValidator.builder().issuer("i").audiences("a").build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("keySource"));
    }

    @Test
    void buildWhenKeySourceAndSecretThenConfigurationException() {
        assertThatThrownBy(() -> validator().hmacSecret(SECRET).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("hmacSecret"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "NONE", "None"})
    void algorithmsWhenNoneThenConfigurationException(String none) {
        assertThatThrownBy(() -> JwtValidator.builder().algorithms("RS256", none))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("algorithms"));
    }

    @Test
    void algorithmsWhenUnknownThenConfigurationException() {
        assertThatThrownBy(() -> JwtValidator.builder().algorithms("EdDSA"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("EdDSA");
    }

    @Test
    void buildWhenHmacAlgorithmWithKeySourceThenConfigurationException() {
        assertThatThrownBy(() -> validator().algorithms("RS256", "HS256").build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("algorithms"));
    }

    @Test
    void buildWhenAsymmetricAlgorithmWithSecretThenConfigurationException() {
        assertThatThrownBy(() -> hmacValidator().algorithms("HS256", "RS256").build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("algorithms"));
    }

    @Test
    void buildWhenHs512AndSecretUnder64BytesThenConfigurationException() {
        assertThatThrownBy(() -> hmacValidator().algorithms("HS512").build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("64 bytes");
    }

    @Test
    void hmacSecretWhenUnder32BytesThenConfigurationException() {
        assertThatThrownBy(() -> JwtValidator.builder().hmacSecret(new byte[31]))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("hmacSecret"));
    }

    @Test
    void buildWhenHmacSecretEnvironmentVariableUnsetThenConfigurationException() {
        assertThatThrownBy(() -> JwtValidator.builder().issuer("i").audiences("a")
                .hmacSecretFromEnv("TOKENGATE_UNSET").environment(name -> null).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.key()).isEqualTo("hmacSecretFromEnv");
                    assertThat(e.getMessage()).contains("TOKENGATE_UNSET");
                });
    }

    @Test
    void leewayWhenNegativeOrHugeThenConfigurationException() {
        assertThatThrownBy(() -> JwtValidator.builder().leeway(Duration.ofSeconds(-1)))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("leeway"));
        assertThatThrownBy(() -> JwtValidator.builder().leeway(Duration.ofHours(1)))
                .isInstanceOf(ConfigurationException.class);
    }

    @Test
    void issuerWhenBlankThenConfigurationException() {
        assertThatThrownBy(() -> JwtValidator.builder().issuer(" "))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("issuer"));
    }

    @Test
    void buildWhenDefaultsThenAsymmetricAllowList() {
        assertThat(validator().build().algorithms()).containsExactlyInAnyOrder("RS256", "RS384", "RS512", "PS256",
                "PS384", "PS512", "ES256", "ES384", "ES512");
    }

    @Test
    void validateWhenKeyOfAnotherIssuerSignedThenInvalidToken() {
        SigningKey other = TestKeys.rsa2();
        JwtValidator onlyFirst = validator().keySource(TestKeys.keySource(TestKeys.rsa())).build();

        assertThat(rejected(onlyFirst, jwt().signedWith(other).keyId(null).sign()).getMessage())
                .isEqualTo("The token's signature is invalid");
    }
}
