package dev.tokengate.config;

import dev.tokengate.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The request-facing settings, read from keys. (The validators' keys: {@code dev.tokengate.TokenGateKeysTest}.) */
class TokenGateConfigTest {

    private static TokenGateConfig load(Map<String, String> params) {
        return load(params, Map.of(), new Properties());
    }

    private static TokenGateConfig load(Map<String, String> params, Map<String, String> env, Properties sys) {
        return TokenGateConfig.from(ConfigSource.of(params, env, sys));
    }

    @Test
    void fromWhenNothingSetThenSecureDefaults() {
        TokenGateConfig c = load(Map.of());
        assertThat(c.realm()).isEqualTo("api");
        assertThat(c.allowQueryParameter()).isFalse();
        assertThat(c.allowFormBody()).isFalse();
        assertThat(c.includeScopeInChallenge()).isTrue();
        assertThat(c.errorUri()).isEmpty();
        assertThat(c.tokenCookie()).isEmpty();
        assertThat(c.tokenHeader()).isEmpty();
        assertThat(c.trustedProxies()).isEmpty();
        assertThat(c.apiKeyHeader()).isEqualTo("X-API-Key");
        assertThat(TokenGateConfig.defaults().realm()).isEqualTo("api");
    }

    @Test
    void fromReadsEverySetting() {
        Map<String, String> m = new HashMap<>();
        m.put("tokengate.realm", "orders");
        m.put("tokengate.error-uri", "https://docs.example/errors");
        m.put("tokengate.challenge.include-scope", "false");
        m.put("tokengate.token.query-parameter", "true");
        m.put("tokengate.token.form-body", "yes");
        m.put("tokengate.token.cookie", "at");
        m.put("tokengate.token.header", "X-Token");
        m.put("tokengate.trusted-proxies", "10.0.0.0/8, 192.168.1.7");
        m.put("tokengate.forwarded-header", "Forwarded");
        m.put("tokengate.api-key.header", "X-App-Key");
        TokenGateConfig c = load(m);
        assertThat(c.realm()).isEqualTo("orders");
        assertThat(c.errorUri()).hasValueSatisfying(u -> assertThat(u.toString()).isEqualTo("https://docs.example/errors"));
        assertThat(c.includeScopeInChallenge()).isFalse();
        assertThat(c.allowQueryParameter()).isTrue();
        assertThat(c.allowFormBody()).isTrue();
        assertThat(c.tokenCookie()).contains("at");
        assertThat(c.tokenHeader()).contains("X-Token");
        assertThat(c.trustedProxies()).hasSize(2);
        assertThat(c.forwardedHeader()).contains(TokenGateConfig.ForwardedHeader.FORWARDED);
        assertThat(c.apiKeyHeader()).isEqualTo("X-App-Key");
    }

    @Test
    void fromWhenTrustedProxiesWithoutForwardedHeaderThenRefusedNamingTheHeaderToSet() {
        assertThatThrownBy(() -> load(Map.of("tokengate.trusted-proxies", "10.0.0.0/8")))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.key()).isEqualTo(ConfigKeys.FORWARDED_HEADER);
                    assertThat(e.getMessage()).contains("x-forwarded-for", "forwarded", "ignored");
                });
    }

    @Test
    void fromWhenForwardedHeaderWithoutTrustedProxiesThenRefused() {
        assertThatThrownBy(() -> load(Map.of("tokengate.forwarded-header", "x-forwarded-for")))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.key()).isEqualTo(ConfigKeys.FORWARDED_HEADER);
                    assertThat(e.getMessage()).contains(ConfigKeys.TRUSTED_PROXIES);
                });
    }

    @Test
    void fromWhenSystemPropertyThenBeatsEnvironmentWhichBeatsParameters() {
        Map<String, String> params = Map.of("tokengate.realm", "from-params");
        Properties sys = new Properties();
        assertThat(load(params, Map.of("TOKENGATE_REALM", "from-env"), sys).realm()).isEqualTo("from-env");
        sys.setProperty("tokengate.realm", "from-sys");
        assertThat(load(params, Map.of("TOKENGATE_REALM", "from-env"), sys).realm()).isEqualTo("from-sys");
        assertThat(load(params).realm()).isEqualTo("from-params");
    }

    @Test
    void fromWhenBlankSystemPropertyAndEnvironmentVariableThenParameterApplies() {
        Properties sys = new Properties();
        sys.setProperty("tokengate.realm", "");
        assertThat(load(Map.of("tokengate.realm", "from-params"), Map.of("TOKENGATE_REALM", " "), sys).realm())
                .isEqualTo("from-params");
    }

    @Test
    void fromWhenMalformedValuesThenEachNamesItsKeyAndLayer() {
        Map<String, String> cases = Map.of(
                "tokengate.token.query-parameter", "maybe",
                "tokengate.realm", "my \"realm\"",
                "tokengate.token.header", "Authorization",
                "tokengate.error-uri", "relative/page",
                "tokengate.trusted-proxies", "10.0.0.0/99",
                "tokengate.forwarded-header", "x-real-ip",
                "tokengate.api-key.header", "Authorization",
                "tokengate.token.cookie", "a cookie");
        cases.forEach((key, value) -> assertThatThrownBy(() -> load(Map.of(key, value))).as(key)
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.key()).isEqualTo(key);
                    assertThat(e.origin()).contains("parameter");
                }));
    }

    @Test
    void fromWhenCombinationBadThenErrorNamesTheLayerOfTheKeyAtFault() {
        Properties sys = new Properties();
        sys.setProperty("tokengate.token.header", "X-API-Key");
        assertThatThrownBy(() -> load(Map.of(), Map.of(), sys))
                .hasMessage("tokengate.token.header (system property): is the same header as tokengate.api-key.header");
    }

    @Test
    void fromReadsOnlyItsOwnKeys() {
        TokenGateConfig c = load(Map.of("tokengate.jwt.issuer", "https://issuer.example", "tokengate.realm", "x"));
        assertThat(c.realm()).isEqualTo("x");
    }

    @Test
    void builderRefusesABadValueAtOnceNamingTheKey() {
        assertThatThrownBy(() -> TokenGateConfig.builder().trustedProxies(List.of("not-an-address")))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo(ConfigKeys.TRUSTED_PROXIES));
    }

    @Test
    void builderSetsEverySettingInOneChain() {
        TokenGateConfig c = TokenGateConfig.builder()
                .realm("orders")
                .errorUri(" https://docs.example/errors ")
                .includeScopeInChallenge(false)
                .allowQueryParameter(true)
                .allowFormBody(true)
                .tokenCookie("session-token")
                .tokenHeader("X-Access-Token")
                .trustedProxies(List.of("192.0.2.0/24"))
                .trustedProxies(List.of("10.0.0.0/8", "203.0.113.7"))
                .forwardedHeader(TokenGateConfig.ForwardedHeader.FORWARDED)
                .corsPreflight(TokenGateConfig.CorsPreflight.RULES)
                .apiKeyHeader("X-App-Key")
                .logOpenRoutes(false)
                .denialsPerAddress(0)
                .denialWindow(java.time.Duration.ofSeconds(1))
                .build();

        assertThat(c.realm()).isEqualTo("orders");
        assertThat(c.errorUri()).contains(java.net.URI.create("https://docs.example/errors"));
        assertThat(c.includeScopeInChallenge()).isFalse();
        assertThat(c.allowQueryParameter()).isTrue();
        assertThat(c.allowFormBody()).isTrue();
        assertThat(c.tokenCookie()).contains("session-token");
        assertThat(c.tokenHeader()).contains("X-Access-Token");
        assertThat(c.trustedProxies()).as("a later list replaces an earlier one")
                .containsExactly(dev.tokengate.IpRange.parse("10.0.0.0/8"), dev.tokengate.IpRange.parse("203.0.113.7"));
        assertThat(c.forwardedHeader()).contains(TokenGateConfig.ForwardedHeader.FORWARDED);
        assertThat(c.corsPreflight()).isEqualTo(TokenGateConfig.CorsPreflight.RULES);
        assertThat(c.apiKeyHeader()).isEqualTo("X-App-Key");
        assertThat(c.logOpenRoutes()).isFalse();
        assertThat(c.denialsPerAddress()).isZero();
        assertThat(c.denialWindow()).isEqualTo(java.time.Duration.ofSeconds(1));
    }

    @Test
    void builderWhenDenialLimitsOutOfRangeThenRefusedNamingTheKey() {
        assertThatThrownBy(() -> TokenGateConfig.builder().denialsPerAddress(-1))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.key()).isEqualTo(ConfigKeys.CALL_LOG_DENIALS_PER_ADDRESS);
                    assertThat(e.detail()).isEqualTo("must be 0 (log every denial) or more, was -1");
                });
        assertThatThrownBy(() -> TokenGateConfig.builder().denialWindow(java.time.Duration.ofMillis(999)))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.key()).isEqualTo(ConfigKeys.CALL_LOG_DENIAL_WINDOW);
                    assertThat(e.detail()).isEqualTo("must be at least 1s, was PT0.999S");
                });
    }

    @Test
    void builderWhenErrorUriNotPrintableAsciiOrRelativeThenRefused() {
        for (String uri : new String[] {"https://docs.example/caf\u00e9", "/errors", "https://docs.example/a b"}) {
            assertThatThrownBy(() -> TokenGateConfig.builder().errorUri(uri)).as(uri)
                    .isInstanceOfSatisfying(ConfigurationException.class,
                            e -> assertThat(e.key()).isEqualTo(ConfigKeys.ERROR_URI));
        }
    }
}
