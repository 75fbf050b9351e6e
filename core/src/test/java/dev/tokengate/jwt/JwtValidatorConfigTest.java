package dev.tokengate.jwt;

import dev.tokengate.ConfigurationException;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link JwtValidator.Builder#config}: the builder reads its own keys, and names them in every error. */
class JwtValidatorConfigTest {

    private static ConfigSource source(Map<String, String> params, Map<String, String> env) {
        return ConfigSource.of(params, env, new Properties());
    }

    private static JwtValidator.Builder issuer() {
        return JwtValidator.builder().issuer(TestTokens.ISSUER);
    }

    @Test
    void configReadsTheIssuersKeys() {
        JwtValidator v = issuer().keySource(TestKeys.keySource(TestKeys.rsa())).config(source(Map.of(
                ConfigKeys.JWT_AUDIENCE, "a,b", ConfigKeys.JWT_ALGORITHMS, "RS256", ConfigKeys.JWT_TYPE, "at+jwt"), Map.of()))
                .build();
        assertThat(v.algorithms()).containsExactly("RS256");
        assertThat(v.validate(TestTokens.jwt().audience("b").sign()).audiences()).containsExactly("b");
        assertThatThrownBy(() -> v.validate(TestTokens.jwt().audience("b").type("JWT").sign()))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void configWhenKeyNotSetThenBuilderValueStays() {
        JwtValidator v = issuer().audiences(TestTokens.AUDIENCE).keySource(TestKeys.keySource(TestKeys.rsa()))
                .config(source(Map.of(), Map.of())).build();
        assertThat(v.validate(TestTokens.jwt().sign()).subject()).contains(TestTokens.SUBJECT);
    }

    @Test
    void configWhenValueRefusedThenErrorNamesTheKeyAndLayerNotTheSetter() {
        assertThatThrownBy(() -> issuer().config(source(Map.of(), Map.of("TOKENGATE_JWT_CLOCK_SKEW", "11m"))))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.key()).isEqualTo(ConfigKeys.JWT_CLOCK_SKEW);
                    assertThat(e.getMessage()).startsWith("tokengate.jwt.clock-skew (environment variable "
                            + "TOKENGATE_JWT_CLOCK_SKEW): must be between 0 and PT10M");
                });
    }

    @Test
    void buildWhenConfiguredAndACombinationIsRefusedThenErrorNamesKeysNotSettings() {
        JwtValidator.Builder b = issuer().keySource(TestKeys.keySource(TestKeys.rsa()))
                .config(source(Map.of(ConfigKeys.JWT_AUDIENCE, "api", ConfigKeys.JWT_ALGORITHMS, "HS256"), Map.of()));
        assertThatThrownBy(b::build).isInstanceOfSatisfying(ConfigurationException.class, e -> {
            assertThat(e.key()).isEqualTo(ConfigKeys.JWT_ALGORITHMS);
            assertThat(e.getMessage()).isEqualTo("tokengate.jwt.algorithms (parameter): HS256 needs a shared secret "
                    + "(tokengate.jwt.hmac-secret-env), and an issuer with a key source accepts only RS*, PS* and ES*");
        });
    }

    @Test
    void buildWhenNotConfiguredThenErrorsStillNameTheBuilderSetting() {
        assertThatThrownBy(() -> issuer().keySource(TestKeys.keySource(TestKeys.rsa())).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("audiences"));
    }

    @Test
    void configWhenHmacSecretVariableThenReadFromTheSourcesEnvironment() {
        String secret = "0123456789abcdef0123456789abcdef";
        JwtValidator v = issuer().config(source(Map.of(ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE,
                ConfigKeys.JWT_HMAC_SECRET_ENV, "ORDERS_JWT_SECRET"), Map.of("ORDERS_JWT_SECRET", secret))).build();
        assertThat(v.validate(TestTokens.jwt().signedWithHmac("HS256", secret.getBytes()).sign()).subject()).isPresent();
    }
}
