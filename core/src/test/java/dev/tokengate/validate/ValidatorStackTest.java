package dev.tokengate.validate;

import dev.tokengate.InvalidTokenException;
import dev.tokengate.TokenGate;
import dev.tokengate.TokenValidator;
import dev.tokengate.jwks.KeySource;
import dev.tokengate.VerifiedToken;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.store.IssuedToken;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.TokenKind;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The validator stack a {@link TokenGate} assembles, and its order: cache → issuer router → JWT validator → key
 * source. (The stack read from keys: {@code dev.tokengate.TokenGateKeysTest}.)
 */
class ValidatorStackTest {

    private final AtomicInteger keyLookups = new AtomicInteger();
    private final KeySource countingKeys = kid -> {
        keyLookups.incrementAndGet();
        return TestKeys.keySource(TestKeys.rsa()).keys(kid);
    };

    private TokenValidator stack(String cacheSpec) {
        JwtValidator issuer = JwtValidator.builder().issuer(TestTokens.ISSUER).keySource(countingKeys)
                .audiences(TestTokens.AUDIENCE).build();
        return ValidatorStack.builder().issuers(List.of(issuer)).verifiedTokenCache(cacheSpec, null).build().tokens();
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
    void typeRequiredThenIdTokenRefused() {
        JwtValidator issuer = JwtValidator.builder().issuer(TestTokens.ISSUER).keySource(countingKeys)
                .audiences(TestTokens.AUDIENCE).type("at+jwt").build();
        TokenValidator validator = ValidatorStack.builder().issuers(List.of(issuer)).build().tokens();
        assertThatThrownBy(() -> validator.validate(TestTokens.jwt().type("JWT").sign()))
                .isInstanceOf(InvalidTokenException.class);
        assertThat(validator.validate(TestTokens.jwt().type("at+jwt").sign()).subject()).isPresent();
    }

    @Test
    void turnsCacheOffWhenSpecBoundsTheSizeAtZeroWhereverItStands() {
        assertThat(ValidatorStack.turnsCacheOff("maximumSize=0")).isTrue();
        assertThat(ValidatorStack.turnsCacheOff(" maximumSize = 0 ")).isTrue();
        assertThat(ValidatorStack.turnsCacheOff("initialCapacity=8, maximumSize=0")).isTrue();
        assertThat(ValidatorStack.turnsCacheOff("maximumSize=0,initialCapacity=8")).isTrue();

        assertThat(ValidatorStack.turnsCacheOff("maximumSize=10")).isFalse();
        assertThat(ValidatorStack.turnsCacheOff("initialCapacity=0")).isFalse();
        assertThat(ValidatorStack.turnsCacheOff("")).isFalse();
    }

    @Test
    void buildWhenStoreAndIntrospectionThenStoredTokensLookedUpOpaqueOnesIntrospectedAndApiKeysApart() {
        AtomicInteger introspected = new AtomicInteger();
        TokenValidator introspection = token -> {
            introspected.incrementAndGet();
            return VerifiedToken.builder(VerifiedToken.Kind.INTROSPECTED).subject("introspected").build();
        };
        try (JdbcTokenStore store = JdbcTokenStore.builder()
                .jdbcUrl("jdbc:h2:mem:stack-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1").build()) {
            store.createSchema();
            IssuedToken token = store.create(TokenKind.ACCESS_TOKEN, "bot", "alice", null, List.of("read"), List.of(),
                    null);
            IssuedToken key = store.create(TokenKind.API_KEY, "app", "billing", null, List.of(), List.of(), null);

            ValidatorStack stack = ValidatorStack.builder()
                    .tokenStore(store, Duration.ofSeconds(30))
                    .introspection(introspection, Set.of())
                    .build();

            assertThat(stack.tokens().validate(token.token()).subject()).contains("alice");
            assertThat(stack.tokens().validate("opaque-token").subject()).contains("introspected");
            assertThat(stack.apiKeys().orElseThrow().validate(key.token()).subject()).contains("billing");
            assertThatThrownBy(() -> stack.apiKeys().orElseThrow().validate(token.token()))
                    .isInstanceOf(InvalidTokenException.class)
                    .hasMessage("An access token cannot be used as an API key.");
            assertThat(introspected).hasValue(1);
            assertThat(stack.usage()).isPresent();
        }
    }
}
