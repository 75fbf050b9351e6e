package dev.tokengate.config;

import dev.tokengate.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenGateConfigTest {

    private static final String ISSUER = "https://issuer.example";

    private static TokenGateConfig load(Map<String, String> params) {
        return load(params, Map.of(), new Properties());
    }

    private static TokenGateConfig load(Map<String, String> params, Map<String, String> env, Properties sys) {
        return TokenGateConfig.from(ConfigSource.of(params, env, sys));
    }

    private static Map<String, String> minimal() {
        Map<String, String> m = new HashMap<>();
        m.put("tokengate.jwt.issuer", ISSUER);
        m.put("tokengate.jwt.audience", "orders-api");
        return m;
    }

    @Test
    void fromWhenMinimalThenSecureDefaults() {
        TokenGateConfig c = load(minimal());
        assertThat(c.realm()).isEqualTo("api");
        assertThat(c.allowQueryParameter()).isFalse();
        assertThat(c.allowFormBody()).isFalse();
        assertThat(c.includeScopeInChallenge()).isTrue();
        assertThat(c.jwksConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.jwksReadTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.jwksRefetchInterval()).isEqualTo(Duration.ofSeconds(30));
        IssuerConfig issuer = c.issuers().get(0);
        assertThat(issuer.issuer()).isEqualTo(ISSUER);
        assertThat(issuer.keysFrom()).isEqualTo(IssuerConfig.KeysFrom.DISCOVERY);
        assertThat(issuer.audiences()).containsExactly("orders-api");
        assertThat(issuer.algorithms()).containsExactlyInAnyOrderElementsOf(IssuerConfig.DEFAULT_ALGORITHMS);
        assertThat(issuer.clockSkew()).isEqualTo(Duration.ofSeconds(60));
        assertThat(issuer.type()).isEmpty();
    }

    @Test
    void fromReadsEveryJwtKey() {
        Map<String, String> m = minimal();
        m.put("tokengate.jwt.jwks-uri", "https://issuer.example/jwks");
        m.put("tokengate.jwt.audience", "a, b");
        m.put("tokengate.jwt.algorithms", "RS256,ES256");
        m.put("tokengate.jwt.type", "at+jwt");
        m.put("tokengate.jwt.clock-skew", "30s");
        m.put("tokengate.jwt.scope-claim", "scp");
        m.put("tokengate.jwt.required-claims", "jti,client_id");
        IssuerConfig issuer = load(m).issuers().get(0);
        assertThat(issuer.jwksUri()).hasValueSatisfying(u -> assertThat(u.toString()).isEqualTo("https://issuer.example/jwks"));
        assertThat(issuer.audiences()).containsExactly("a", "b");
        assertThat(issuer.algorithms()).containsExactly("RS256", "ES256");
        assertThat(issuer.type()).contains("at+jwt");
        assertThat(issuer.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(issuer.scopeClaim()).contains("scp");
        assertThat(issuer.requiredClaims()).containsExactly("jti", "client_id");
    }

    @Test
    void fromWhenSeveralIssuersThenEachGetsTheSharedRules() {
        Map<String, String> m = minimal();
        m.put("tokengate.jwt.issuer", "https://a.example, https://b.example");
        List<IssuerConfig> issuers = load(m).issuers();
        assertThat(issuers).extracting(IssuerConfig::issuer).containsExactly("https://a.example", "https://b.example");
        assertThat(issuers).allSatisfy(i -> assertThat(i.audiences()).containsExactly("orders-api"));
    }

    @Test
    void fromWhenSeveralIssuersAndOneJwksUriThenFailsNamingTheKey() {
        Map<String, String> m = minimal();
        m.put("tokengate.jwt.issuer", "https://a.example,https://b.example");
        m.put("tokengate.jwt.jwks-uri", "https://a.example/jwks");
        assertThatThrownBy(() -> load(m)).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.jwt.jwks-uri");
    }

    @Test
    void fromWhenSystemPropertyThenBeatsEnvironmentWhichBeatsParameters() {
        Map<String, String> params = minimal();
        params.put("tokengate.realm", "from-params");
        Properties sys = new Properties();
        assertThat(load(params, Map.of("TOKENGATE_REALM", "from-env"), sys).realm()).isEqualTo("from-env");
        sys.setProperty("tokengate.realm", "from-sys");
        assertThat(load(params, Map.of("TOKENGATE_REALM", "from-env"), sys).realm()).isEqualTo("from-sys");
        assertThat(load(params).realm()).isEqualTo("from-params");
    }

    @Test
    void fromWhenValueMalformedInEnvironmentThenErrorNamesKeyAndVariable() {
        assertThatThrownBy(() -> load(minimal(), Map.of("TOKENGATE_JWT_CLOCK_SKEW", "abc"), new Properties()))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.key()).isEqualTo("tokengate.jwt.clock-skew");
                    assertThat(e.getMessage()).startsWith("tokengate.jwt.clock-skew (environment variable "
                            + "TOKENGATE_JWT_CLOCK_SKEW): 'abc' is not a duration");
                });
    }

    @Test
    void fromWhenCombinationBadThenErrorNamesTheLayerOfTheKeyAtFault() {
        Properties sys = new Properties();
        sys.setProperty("tokengate.token.header", "X-API-Key");
        assertThatThrownBy(() -> load(minimal(), Map.of(), sys))
                .hasMessage("tokengate.token.header (system property): is the same header as tokengate.api-key.header");
    }

    @Test
    void fromWhenBlankSystemPropertyAndEnvironmentVariableThenParameterApplies() {
        Map<String, String> params = minimal();
        params.put("tokengate.realm", "from-params");
        Properties sys = new Properties();
        sys.setProperty("tokengate.realm", "");
        assertThat(load(params, Map.of("TOKENGATE_REALM", " "), sys).realm()).isEqualTo("from-params");
    }

    @Test
    void fromWhenEnvironmentOnlyThenConfigured() {
        TokenGateConfig c = load(Map.of(), Map.of("TOKENGATE_JWT_ISSUER", ISSUER, "TOKENGATE_JWT_AUDIENCE", "x",
                "TOKENGATE_JWT_CLOCK_SKEW", "5s"), new Properties());
        assertThat(c.issuers().get(0).clockSkew()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void fromWhenUnknownKeyThenFailsNamingIt() {
        Map<String, String> m = minimal();
        m.put("tokengate.jwt.isuer", "typo");
        assertThatThrownBy(() -> load(m)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tokengate.jwt.isuer");
    }

    @Test
    void fromWhenUnknownEnvironmentVariableThenFailsNamingIt() {
        assertThatThrownBy(() -> load(minimal(), Map.of("TOKENGATE_JWT_AUDIENSE", "x"), new Properties()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("TOKENGATE_JWT_AUDIENSE");
    }

    @Test
    void fromWhenAdapterKeyThenNotUnknown() {
        Map<String, String> m = minimal();
        m.put("tokengate.rules", "/* = authenticated");
        m.put("tokengate.jaxrs.unannotated", "permit");
        TokenGateConfig c = TokenGateConfig.from(ConfigSource.of(m, Map.of(), new Properties()));
        assertThat(c.issuers()).hasSize(1);
    }

    @Test
    void fromWhenNoIssuerThenFailsSayingWhatToSet() {
        assertThatThrownBy(() -> load(Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tokengate.jwt.issuer").hasMessageContaining("TOKENGATE_JWT_ISSUER");
    }

    @Test
    void fromWhenNoAudienceThenFailsUnlessExplicitlyAllowed() {
        Map<String, String> m = new HashMap<>(Map.of("tokengate.jwt.issuer", ISSUER));
        assertThatThrownBy(() -> load(m)).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.jwt.audience");
        m.put("tokengate.jwt.allow-any-audience", "true");
        assertThat(load(m).issuers().get(0).allowAnyAudience()).isTrue();
    }

    @Test
    void fromWhenAlgorithmNoneThenRefused() {
        Map<String, String> m = minimal();
        m.put("tokengate.jwt.algorithms", "RS256,None");
        assertThatThrownBy(() -> load(m)).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.jwt.algorithms").hasMessageContaining("never");
    }

    @Test
    void fromWhenHs256WithoutSecretThenRefused() {
        Map<String, String> m = minimal();
        m.put("tokengate.jwt.algorithms", "HS256");
        assertThatThrownBy(() -> load(m)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tokengate.jwt.hmac-secret-env");
    }

    @Test
    void fromWhenHmacSecretThenOnlyHsAlgorithms() {
        Map<String, String> m = minimal();
        m.put("tokengate.jwt.hmac-secret-env", "API_SECRET");
        assertThat(load(m).issuers().get(0).algorithms()).containsExactly("HS256");
        m.put("tokengate.jwt.algorithms", "HS256,RS256");
        assertThatThrownBy(() -> load(m)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("only HS256/HS384/HS512");
    }

    @Test
    void fromWhenTwoKeySourcesThenConflict() {
        Map<String, String> m = minimal();
        m.put("tokengate.jwt.jwks-uri", "https://issuer.example/jwks");
        m.put("tokengate.jwt.public-key", "/etc/key.pem");
        assertThatThrownBy(() -> load(m)).isInstanceOf(ConfigurationException.class).hasMessageContaining("conflicts");
    }

    @Test
    void fromWhenMalformedValuesThenEachNamesItsKey() {
        Map<String, Map.Entry<String, String>> cases = Map.of(
                "tokengate.jwt.clock-skew", Map.entry("tokengate.jwt.clock-skew", "sixty"),
                "tokengate.token.query-parameter", Map.entry("tokengate.token.query-parameter", "maybe"),
                "tokengate.jwt.jwks-uri", Map.entry("tokengate.jwt.jwks-uri", "ftp://x/jwks"),
                "tokengate.cache.spec", Map.entry("tokengate.cache.spec", "maximumSize=lots"),
                "tokengate.realm", Map.entry("tokengate.realm", "my \"realm\""),
                "tokengate.jwks.read-timeout", Map.entry("tokengate.jwks.read-timeout", "0s"),
                "tokengate.token.header", Map.entry("tokengate.token.header", "Authorization"));
        cases.forEach((key, entry) -> {
            Map<String, String> m = minimal();
            m.put(entry.getKey(), entry.getValue());
            assertThatThrownBy(() -> load(m)).as(key).isInstanceOf(ConfigurationException.class)
                    .satisfies(e -> assertThat(((ConfigurationException) e).key()).isEqualTo(key));
        });
    }

    @Test
    void fromWhenIntrospectionOnlyThenNoIssuerNeeded() {
        TokenGateConfig c = load(Map.of("tokengate.introspection.uri", "https://as.example/introspect",
                "tokengate.introspection.client-id", "api", "tokengate.introspection.client-secret", "s"));
        assertThat(c.issuers()).isEmpty();
        assertThat(c.introspection()).isPresent();
    }

    @Test
    void fromWhenIntrospectionSettingsWithoutUriThenFailsNamingTheKey() {
        assertThatThrownBy(() -> load(Map.of("tokengate.introspection.client-id", "api")))
                .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("tokengate.introspection.client-id")
                .hasMessageContaining("tokengate.introspection.uri");
    }

    @Test
    void fromWhenIntrospectionValuesBadThenEachNamesItsKey() {
        Map<String, String> base = Map.of("tokengate.introspection.uri", "https://as.example/introspect",
                "tokengate.introspection.client-id", "api", "tokengate.introspection.client-secret", "s");
        Map<String, String> bad = Map.of("tokengate.introspection.uri", "ftp://as.example/x",
                "tokengate.introspection.auth-method", "private_key_jwt",
                "tokengate.introspection.timeout", "0s");
        bad.forEach((key, value) -> {
            Map<String, String> m = new HashMap<>(base);
            m.put(key, value);
            assertThatThrownBy(() -> load(m)).as(key).isInstanceOf(ConfigurationException.class)
                    .satisfies(e -> assertThat(((ConfigurationException) e).key()).isEqualTo(key));
        });
    }

    @Test
    void fromWhenStoreUrlThenStoreOpenedAndClosedWithTheGate() {
        TokenGateConfig c = load(Map.of("tokengate.store.jdbc-url", "jdbc:h2:mem:cfg;DB_CLOSE_DELAY=-1",
                "tokengate.store.username", "sa", "tokengate.store.table", "api_tokens"));
        assertThat(c.tokenStore()).hasValueSatisfying(s -> assertThat(s.toString()).contains("api_tokens"));
        c.tokenStore().get().close();
    }

    @Test
    void fromWhenStoreTableUnsafeThenFailsNamingTheKey() {
        assertThatThrownBy(() -> load(Map.of("tokengate.store.jdbc-url", "jdbc:h2:mem:cfg2",
                "tokengate.store.table", "tokens; drop table x")))
                .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("tokengate.store.table");
    }

    @Test
    void fromWhenIntrospectedJwtIssuersWithoutIntrospectionThenFails() {
        Map<String, String> m = minimal();
        m.put("tokengate.introspection.jwt-issuers", ISSUER);
        assertThatThrownBy(() -> load(m)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tokengate.introspection.uri");
    }
}
