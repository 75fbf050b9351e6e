package dev.tokengate.validate;

import dev.tokengate.InvalidTokenException;
import dev.tokengate.TokenGate;
import dev.tokengate.TokenValidator;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.config.IssuerConfig;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.jwks.KeySource;
import dev.tokengate.testing.JwksServer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The validator stack that {@link TokenGate#create} builds from configuration, and its order:
 * cache → issuer router → JWT validator → key source.
 */
class ValidatorStackTest {

    private final AtomicInteger keyLookups = new AtomicInteger();
    private final KeySource countingKeys = kid -> {
        keyLookups.incrementAndGet();
        return TestKeys.keySource(TestKeys.rsa()).keys(kid);
    };

    private TokenValidator stack(String cacheSpec) {
        TokenGateConfig config = TokenGateConfig.builder()
                .issuer(IssuerConfig.builder(TestTokens.ISSUER).keySource(countingKeys).audiences(TestTokens.AUDIENCE).build())
                .cacheSpec(cacheSpec)
                .build();
        return ValidatorStack.create(config, Clock.systemUTC()).tokens();
    }

    @Test
    void cacheSitsInFrontOfSignatureChecks() {
        TokenValidator validator = stack("maximumSize=100");
        String token = TestTokens.jwt().sign();
        validator.validate(token);
        validator.validate(token);
        assertThat(keyLookups).hasValue(1);
    }

    @Test
    void cacheSpecWithSizeZeroTurnsTheCacheOff() {
        TokenValidator validator = stack("maximumSize=0");
        String token = TestTokens.jwt().sign();
        validator.validate(token);
        validator.validate(token);
        assertThat(keyLookups).hasValue(2);
    }

    @Test
    void routerRejectsAnUntrustedIssuerBeforeAnyKeyLookup() {
        TokenValidator validator = stack("maximumSize=100");
        assertThatThrownBy(() -> validator.validate(TestTokens.jwt().issuer("https://evil.example").sign()))
                .isInstanceOf(InvalidTokenException.class);
        assertThat(keyLookups).hasValue(0);
    }

    @Test
    void failuresAreNotCached() {
        TokenValidator validator = stack("maximumSize=100");
        String wrongAudience = TestTokens.jwt().audience("other-api").sign();
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> validator.validate(wrongAudience)).isInstanceOf(InvalidTokenException.class);
        }
        assertThat(keyLookups).hasValue(2);
    }

    @Test
    void fromKeysJwksUriThenValidatesAgainstTheEndpoint() {
        try (JwksServer jwks = JwksServer.start()) {
            jwks.jwks(TestKeys.jwksJson(TestKeys.rsa()));
            TokenValidator validator = fromKeys(Map.of("tokengate.jwt.issuer", TestTokens.ISSUER,
                    "tokengate.jwt.jwks-uri", jwks.uri().toString()));
            assertThat(validator.validate(TestTokens.jwt().sign()).subject()).contains(TestTokens.SUBJECT);
            assertThat(jwks.jwksRequests()).isEqualTo(1);
        }
    }

    @Test
    void fromKeysIssuerOnlyThenKeysFoundByDiscovery() {
        try (JwksServer server = JwksServer.start()) {
            server.jwks(TestKeys.jwksJson(TestKeys.rsa()));
            String issuer = server.issuer().toString();
            TokenValidator validator = fromKeys(Map.of("tokengate.jwt.issuer", issuer));
            assertThat(validator.validate(TestTokens.jwt().issuer(issuer).sign()).issuer()).contains(issuer);
            assertThat(server.requests(server.openIdConfigurationPath())).isEqualTo(1);
        }
    }

    @Test
    void fromKeysIssuerDownThenUpstreamUnavailableNotInvalidToken() {
        JwksServer server = JwksServer.start();
        String issuer = server.issuer().toString();
        server.close();
        TokenValidator validator = fromKeys(Map.of("tokengate.jwt.issuer", issuer));
        assertThatThrownBy(() -> validator.validate(TestTokens.jwt().issuer(issuer).sign()))
                .isInstanceOf(UpstreamUnavailableException.class);
    }

    @Test
    void fromKeysJwksUriRedirectsThenUpstreamUnavailableAndRedirectNotFollowed() {
        try (JwksServer jwks = JwksServer.start(); JwksServer elsewhere = JwksServer.start()) {
            elsewhere.jwks(TestKeys.jwksJson(TestKeys.rsa()));
            jwks.redirect(JwksServer.JWKS_PATH, elsewhere.uri());
            TokenValidator validator = fromKeys(Map.of("tokengate.jwt.issuer", TestTokens.ISSUER,
                    "tokengate.jwt.jwks-uri", jwks.uri().toString()));

            assertThatThrownBy(() -> validator.validate(TestTokens.jwt().sign()))
                    .isInstanceOf(UpstreamUnavailableException.class)
                    .hasMessageContaining("HTTP 302 (redirects are not followed");
            assertThat(elsewhere.jwksRequests()).isZero();
        }
    }

    @Test
    void fromKeysPublicKeyFileThenValidates(@TempDir Path dir) throws Exception {
        Path pem = dir.resolve("issuer.pem");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(TestKeys.rsa().publicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        TokenValidator validator = fromKeys(Map.of("tokengate.jwt.issuer", TestTokens.ISSUER,
                "tokengate.jwt.public-key", pem.toString()));
        assertThat(validator.validate(TestTokens.jwt().sign()).scopes()).isNotEmpty();
        assertThatThrownBy(() -> validator.validate(TestTokens.jwt().signedWith(TestKeys.untrustedRsa()).sign()))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void fromKeysTypeRequiredThenIdTokenRefused() {
        TokenGateConfig config = TokenGateConfig.builder()
                .issuer(IssuerConfig.builder(TestTokens.ISSUER).keySource(countingKeys).audiences(TestTokens.AUDIENCE)
                        .type("at+jwt").build())
                .build();
        TokenValidator validator = ValidatorStack.create(config, Clock.systemUTC()).tokens();
        assertThatThrownBy(() -> validator.validate(TestTokens.jwt().type("JWT").sign()))
                .isInstanceOf(InvalidTokenException.class);
        assertThat(validator.validate(TestTokens.jwt().type("at+jwt").sign()).subject()).isPresent();
    }

    private static TokenValidator fromKeys(Map<String, String> keys) {
        Map<String, String> all = new HashMap<>(keys);
        all.put("tokengate.jwt.audience", TestTokens.AUDIENCE);
        TokenGateConfig config = TokenGateConfig.from(ConfigSource.of(all, Map.of(), new Properties()), Set.of());
        return ValidatorStack.create(config, Clock.systemUTC()).tokens();
    }
}
