package dev.tokengate.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokengate.ConfigurationException;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.jwks.KeySource;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IssuerRouterTest {

    private static final String OTHER_ISSUER = "https://login.partner.example.org";

    private final AtomicInteger lookups = new AtomicInteger();

    private KeySource counting(KeySource source) {
        return keyId -> {
            lookups.incrementAndGet();
            return source.keys(keyId);
        };
    }

    private IssuerRouter router() {
        return IssuerRouter.create(
                JwtValidator.builder().issuer(TestTokens.ISSUER).audiences(TestTokens.AUDIENCE)
                        .keySource(counting(TestKeys.keySource(TestKeys.rsa()))).build(),
                JwtValidator.builder().issuer(OTHER_ISSUER).audiences(TestTokens.AUDIENCE)
                        .keySource(counting(TestKeys.keySource(TestKeys.ec256()))).build());
    }

    @Test
    void validateWhenFirstIssuerThenVerifiedByItsValidator() {
        assertThat(router().validate(TestTokens.jwt().sign()).issuer()).contains(TestTokens.ISSUER);
    }

    @Test
    void validateWhenSecondIssuerThenVerifiedByItsValidator() {
        String token = TestTokens.jwt().issuer(OTHER_ISSUER).signedWith(TestKeys.ec256()).sign();

        assertThat(router().validate(token).issuer()).contains(OTHER_ISSUER);
    }

    @Test
    void validateWhenIssuerSignsWithAnotherIssuersKeyThenInvalidToken() {
        String token = TestTokens.jwt().issuer(OTHER_ISSUER).sign();

        assertThatThrownBy(() -> router().validate(token)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void validateWhenIssuerUntrustedThenInvalidTokenWithoutKeyLookup() {
        String token = TestTokens.jwt().issuer("https://evil.example.com").sign();

        assertThatThrownBy(() -> router().validate(token))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> {
                    assertThat(e.getMessage())
                            .isEqualTo("The token's issuer is not accepted by this API");
                    assertThat(e.claim()).contains("iss");
                });
        assertThat(lookups).hasValue(0);
    }

    @Test
    void validateWhenIssuerMissingThenInvalidTokenWithoutKeyLookup() {
        assertThatThrownBy(() -> router().validate(TestTokens.jwt().without("iss").sign()))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.claim()).contains("iss"));
        assertThat(lookups).hasValue(0);
    }

    @Test
    void validateWhenIssuerNotAStringThenInvalidTokenWithoutKeyLookup() {
        assertThatThrownBy(() -> router().validate(TestTokens.jwt().claim("iss", 42).sign()))
                .isInstanceOf(InvalidTokenException.class);
        assertThat(lookups).hasValue(0);
    }

    @Test
    void validateWhenNotJwtShapedThenInvalidToken() {
        assertThatThrownBy(() -> router().validate("2YotnFZFEjr1zCsicMWpAA"))
                .isInstanceOf(InvalidTokenException.class).hasMessage("The token is not a JWT");
        assertThat(lookups).hasValue(0);
    }

    @Test
    void validateWhenJweThenInvalidToken() {
        assertThatThrownBy(() -> router().validate(TestTokens.forgedJwe()))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("encrypted");
    }

    @Test
    void createWhenTwoValidatorsShareAnIssuerThenConfigurationException() {
        JwtValidator one = JwtValidator.builder().issuer("i").audiences("a").keySource(TestKeys.keySource()).build();

        assertThatThrownBy(() -> IssuerRouter.create(one, one)).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void createWhenNoValidatorsThenConfigurationException() {
        assertThatThrownBy(IssuerRouter::create).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void issuersWhenCreatedThenListsEachIssuer() {
        assertThat(router().issuers()).containsExactlyInAnyOrder(TestTokens.ISSUER, OTHER_ISSUER);
    }
}
