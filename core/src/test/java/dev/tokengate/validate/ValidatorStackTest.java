package dev.tokengate.validate;

import dev.tokengate.InvalidTokenException;
import dev.tokengate.TokenGate;
import dev.tokengate.TokenValidator;
import dev.tokengate.jwks.KeySource;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.util.List;
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
}
