package dev.tokengate;

import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestRequest;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.testkit.TokenBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The validators a gate builds from {@code tokengate.*} keys, each read by its own builder: checked by what they
 * accept and refuse (against a real JWKS, discovery and introspection server on loopback), and by the errors a bad
 * key gets, which name the key and the layer it came from.
 */
class TokenGateKeysTest {

    private static final String HS256_SECRET = "0123456789abcdef0123456789abcdef";
    private static final String HS512_SECRET = HS256_SECRET + HS256_SECRET;

    private final LoopbackIssuer idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa(), TestKeys.ec256()));
    private final FakeTime time = new FakeTime(Instant.now());
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        idp.close();
    }

    private Map<String, String> keys() {
        Map<String, String> m = new HashMap<>();
        m.put(ConfigKeys.JWT_ISSUER, TestTokens.ISSUER);
        m.put(ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE);
        m.put(ConfigKeys.JWT_JWKS_URI, idp.jwksUri().toString());
        return m;
    }

    private Validators.Built built(Map<String, String> params) {
        return built(params, Map.of(), new Properties());
    }

    /** What {@link TokenGate.Builder#config} and {@code build()} make of these layers, with the fake clock. */
    private Validators.Built built(Map<String, String> params, Map<String, String> env, Properties sys) {
        ConfigSource source = ConfigSource.of(params, env, sys);
        source.checkKeys();
        Validators validators = new Validators();
        validators.config(source);
        Validators.Built built = validators.build(time, time, false, dev.tokengate.observe.GateObserver.none());
        opened.add(() -> Validators.close(built.resources()));
        return built;
    }

    private TokenGate gate(Map<String, String> params) {
        TokenGate gate = TokenGate.builder().config(ConfigSource.of(params, Map.of(), new Properties())).clock(time).build();
        opened.add(gate);
        return gate;
    }

    private VerifiedToken validate(Validators.Built built, TokenBuilder token) {
        return built.stack().tokens().validate(token.clock(time).sign());
    }

    private void refused(Validators.Built built, TokenBuilder token) {
        assertThatThrownBy(() -> validate(built, token)).isInstanceOf(InvalidTokenException.class);
    }

    private static Map<String, String> with(Map<String, String> m, String key, String value) {
        m.put(key, value);
        return m;
    }

    // ---- JWT issuers

    @Test
    void keysWhenOnlyIssuerAndAudienceThenKeysFoundByDiscoveryAndSecureDefaults() {
        String issuer = idp.baseUri().toString();
        Validators.Built b = built(Map.of(ConfigKeys.JWT_ISSUER, issuer, ConfigKeys.JWT_AUDIENCE, "orders-api"));

        assertThat(b.issuers()).singleElement().satisfies(v -> {
            assertThat(v.issuer()).isEqualTo(issuer);
            assertThat(v.acceptsAnyAudience()).isFalse();
            assertThat(v.algorithms()).containsExactlyInAnyOrder("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                    "ES256", "ES384", "ES512");
        });
        assertThat(validate(b, TestTokens.jwt().issuer(issuer).audience("orders-api").type(null)).subject())
                .contains(TestTokens.SUBJECT);
        assertThat(idp.requests(idp.openIdConfigurationPath())).isEqualTo(1);
        refused(b, TestTokens.jwt().issuer(issuer).audience("other-api"));
    }

    @Test
    void keysWhenClockSkewNotSetThenSixtySecondsOfLeeway() {
        Validators.Built b = built(keys());
        Instant now = time.instant();
        assertThat(validate(b, TestTokens.jwt().expiresAt(now.minusSeconds(50))).subject()).isPresent();
        refused(b, TestTokens.jwt().expiresAt(now.minusSeconds(70)));
    }

    @Test
    void keysReadEveryJwtKey() {
        Map<String, String> m = keys();
        m.put(ConfigKeys.JWT_AUDIENCE, "a, b");
        m.put(ConfigKeys.JWT_ALGORITHMS, "RS256,ES256");
        m.put(ConfigKeys.JWT_TYPE, "at+jwt");
        m.put(ConfigKeys.JWT_CLOCK_SKEW, "30s");
        m.put(ConfigKeys.JWT_SCOPE_CLAIM, "scp");
        m.put(ConfigKeys.JWT_REQUIRED_CLAIMS, "jti,client_id");
        Validators.Built b = built(m);
        Instant now = time.instant();

        assertThat(b.issuers().get(0).algorithms()).containsExactlyInAnyOrder("RS256", "ES256");
        assertThat(validate(b, TestTokens.jwt().audience("b").signedWith(TestKeys.ec256())).audiences()).containsExactly("b");
        refused(b, TestTokens.jwt().audience("c"));
        refused(b, TestTokens.jwt().audience("a").signedWith("PS256", TestKeys.rsa()));
        refused(b, TestTokens.jwt().audience("a").type("JWT"));
        assertThat(validate(b, TestTokens.jwt().audience("a").expiresAt(now.minusSeconds(20))).subject()).isPresent();
        refused(b, TestTokens.jwt().audience("a").expiresAt(now.minusSeconds(40)));
        assertThat(validate(b, TestTokens.jwt().audience("a").claim("scp", List.of("x", "y"))).scopes())
                .containsExactlyInAnyOrder("x", "y");
        refused(b, TestTokens.jwt().audience("a").without("jti"));
    }

    @Test
    void keysWhenSeveralIssuersThenEachGetsTheSharedRules() {
        try (LoopbackIssuer a = LoopbackIssuer.builder().issuerPath("/a").start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
             LoopbackIssuer c = LoopbackIssuer.builder().issuerPath("/c").start().jwks(TestKeys.jwksJson(TestKeys.rsa()))) {
            Validators.Built b = built(Map.of(ConfigKeys.JWT_ISSUER, a.baseUri() + ", " + c.baseUri(),
                    ConfigKeys.JWT_AUDIENCE, "orders-api"));
            assertThat(b.issuers()).extracting(v -> v.issuer()).containsExactly(a.baseUri().toString(), c.baseUri().toString());
            for (LoopbackIssuer idp : List.of(a, c)) {
                String iss = idp.baseUri().toString();
                assertThat(validate(b, TestTokens.jwt().issuer(iss).audience("orders-api")).issuer()).contains(iss);
                refused(b, TestTokens.jwt().issuer(iss));
            }
        }
    }

    @Test
    void keysWhenSeveralIssuersAndOneJwksUriThenFailsNamingTheKey() {
        Map<String, String> m = with(keys(), ConfigKeys.JWT_ISSUER, "https://a.example,https://b.example");
        assertThatThrownBy(() -> built(m)).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.jwt.jwks-uri (parameter): names one key source but 2 issuers");
    }

    @Test
    void keysWhenAnIssuerIsListedTwiceThenFailsNamingTheKey() {
        assertThatThrownBy(() -> built(with(keys(), ConfigKeys.JWT_ISSUER, TestTokens.ISSUER + "," + TestTokens.ISSUER)))
                .hasMessage("tokengate.jwt.issuer (parameter): issuer " + TestTokens.ISSUER + " is listed twice");
    }

    @Test
    void keysWhenEnvironmentOnlyThenConfigured() {
        Validators.Built b = built(Map.of(), Map.of("TOKENGATE_JWT_ISSUER", TestTokens.ISSUER,
                "TOKENGATE_JWT_AUDIENCE", TestTokens.AUDIENCE, "TOKENGATE_JWT_JWKS_URI", idp.jwksUri().toString(),
                "TOKENGATE_JWT_CLOCK_SKEW", "5s"), new Properties());
        Instant now = time.instant();
        assertThat(validate(b, TestTokens.jwt().expiresAt(now.minusSeconds(3))).subject()).isPresent();
        refused(b, TestTokens.jwt().expiresAt(now.minusSeconds(7)));
    }

    @Test
    void keysWhenNoAudienceThenFailsUnlessExplicitlyAllowed() {
        Map<String, String> m = keys();
        m.remove(ConfigKeys.JWT_AUDIENCE);
        assertThatThrownBy(() -> built(m)).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.jwt.audience");
        m.put(ConfigKeys.JWT_ALLOW_ANY_AUDIENCE, "true");
        Validators.Built b = built(m);
        assertThat(b.issuers().get(0).acceptsAnyAudience()).isTrue();
        assertThat(validate(b, TestTokens.jwt().audience("any-api")).subject()).isPresent();
    }

    @Test
    void keysWhenAlgorithmNoneThenRefused() {
        assertThatThrownBy(() -> built(with(keys(), ConfigKeys.JWT_ALGORITHMS, "RS256,None")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.jwt.algorithms (parameter)").hasMessageContaining("never");
    }

    @Test
    void keysWhenHs256WithoutSecretThenRefusedSayingWhichKeyEnablesIt() {
        assertThatThrownBy(() -> built(with(keys(), ConfigKeys.JWT_ALGORITHMS, "HS256")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.jwt.algorithms (parameter)")
                .hasMessageContaining("tokengate.jwt.hmac-secret-env");
    }

    @Test
    void keysWhenHmacSecretThenOnlyTheHsAlgorithmsTheSecretIsLongEnoughFor() {
        Map<String, String> m = keys();
        m.remove(ConfigKeys.JWT_JWKS_URI);
        m.put(ConfigKeys.JWT_HMAC_SECRET_ENV, "API_SECRET");
        Validators.Built short256 = built(m, Map.of("API_SECRET", HS256_SECRET), new Properties());
        assertThat(short256.issuers().get(0).algorithms()).containsExactly("HS256");
        assertThat(validate(short256, TestTokens.jwt().signedWithHmac("HS256", HS256_SECRET.getBytes())).subject()).isPresent();

        Validators.Built long512 = built(m, Map.of("API_SECRET", HS512_SECRET), new Properties());
        assertThat(long512.issuers().get(0).algorithms()).containsExactlyInAnyOrder("HS256", "HS384", "HS512");

        m.put(ConfigKeys.JWT_ALGORITHMS, "HS256,RS256");
        assertThatThrownBy(() -> built(m, Map.of("API_SECRET", HS256_SECRET), new Properties()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.jwt.algorithms (parameter)")
                .hasMessageContaining("only HS256/HS384/HS512");
    }

    @Test
    void keysWhenHmacSecretVariableUnsetThenFailsNamingTheKeyNotTheBuilderSetting() {
        Map<String, String> m = keys();
        m.remove(ConfigKeys.JWT_JWKS_URI);
        m.put(ConfigKeys.JWT_HMAC_SECRET_ENV, "API_SECRET");
        assertThatThrownBy(() -> built(m)).isInstanceOfSatisfying(ConfigurationException.class, e -> {
            assertThat(e.key()).isEqualTo(ConfigKeys.JWT_HMAC_SECRET_ENV);
            assertThat(e.getMessage()).isEqualTo("tokengate.jwt.hmac-secret-env (parameter): "
                    + "the environment variable API_SECRET is not set");
        });
    }

    @Test
    void keysWhenTwoKeySourcesThenConflict() {
        Map<String, String> m = with(keys(), ConfigKeys.JWT_PUBLIC_KEY, "/etc/key.pem");
        assertThatThrownBy(() -> built(m)).isInstanceOf(ConfigurationException.class).hasMessageContaining("conflicts");
    }

    @Test
    void keysWhenPublicKeyFileMissingThenFailsNamingTheKeyAndLayer() {
        Map<String, String> m = keys();
        m.remove(ConfigKeys.JWT_JWKS_URI);
        Properties sys = new Properties();
        sys.setProperty(ConfigKeys.JWT_PUBLIC_KEY, "/no/such/issuer.pem");
        assertThatThrownBy(() -> built(m, Map.of(), sys)).isInstanceOfSatisfying(ConfigurationException.class, e -> {
            assertThat(e.key()).isEqualTo(ConfigKeys.JWT_PUBLIC_KEY);
            assertThat(e.getMessage()).startsWith("tokengate.jwt.public-key (system property): "
                    + Path.of("/no/such/issuer.pem") + ": no such file");
        });
    }

    @Test
    void keysWhenPerIssuerKeyWithoutIssuerThenFailsSayingWhatIsMissing() {
        assertThatThrownBy(() -> built(Map.of(ConfigKeys.JWT_AUDIENCE, "api")))
                .hasMessageStartingWith("tokengate.jwt.audience (parameter): is set but tokengate.jwt.issuer is not");
    }

    @Test
    void keysWhenMalformedValuesThenEachNamesItsKeyAndLayer() {
        Map<String, String> cases = Map.of(
                "tokengate.jwt.clock-skew", "sixty",
                "tokengate.token.query-parameter", "maybe",
                "tokengate.jwt.jwks-uri", "ftp://x/jwks",
                "tokengate.cache.spec", "maximumSize=lots",
                "tokengate.cache.max-ttl", "0s",
                "tokengate.realm", "my \"realm\"",
                "tokengate.jwks.read-timeout", "0s",
                "tokengate.jwks.connect-timeout", "-1s",
                "tokengate.token.header", "Authorization",
                "tokengate.store.cache-ttl", "0s");
        cases.forEach((key, value) -> assertThatThrownBy(() -> gate(with(keys(), key, value))).as(key)
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.key()).isEqualTo(key);
                    assertThat(e.origin()).contains("parameter");
                }));
    }

    @Test
    void keysWhenStaleWindowOrRefetchIntervalZeroThenAcceptedAsTheJwksBuilderDoes() {
        Map<String, String> m = keys();
        m.put(ConfigKeys.JWKS_REFETCH_INTERVAL, "0s");
        m.put(ConfigKeys.JWKS_STALE_WINDOW, "0s");
        assertThat(validate(built(m), TestTokens.jwt()).subject()).isPresent();
    }

    // ---- key sources (moved from ValidatorStackTest)

    private TokenValidator fromKeys(Map<String, String> keys) {
        Map<String, String> all = new HashMap<>(keys);
        all.put(ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE);
        return built(all).stack().tokens();
    }

    @Test
    void fromKeysJwksUriThenValidatesAgainstTheEndpoint() {
        try (LoopbackIssuer jwks = LoopbackIssuer.start()) {
            jwks.jwks(TestKeys.jwksJson(TestKeys.rsa()));
            TokenValidator validator = fromKeys(Map.of("tokengate.jwt.issuer", TestTokens.ISSUER,
                    "tokengate.jwt.jwks-uri", jwks.jwksUri().toString()));
            assertThat(validator.validate(TestTokens.jwt().sign()).subject()).contains(TestTokens.SUBJECT);
            assertThat(jwks.jwksRequests()).isEqualTo(1);
        }
    }

    @Test
    void fromKeysIssuerOnlyThenKeysFoundByDiscovery() {
        try (LoopbackIssuer server = LoopbackIssuer.start()) {
            server.jwks(TestKeys.jwksJson(TestKeys.rsa()));
            String issuer = server.baseUri().toString();
            TokenValidator validator = fromKeys(Map.of("tokengate.jwt.issuer", issuer));
            assertThat(validator.validate(TestTokens.jwt().issuer(issuer).sign()).issuer()).contains(issuer);
            assertThat(server.requests(server.openIdConfigurationPath())).isEqualTo(1);
        }
    }

    @Test
    void fromKeysIssuerDownThenUpstreamUnavailableNotInvalidToken() {
        LoopbackIssuer server = LoopbackIssuer.start();
        String issuer = server.baseUri().toString();
        server.close();
        TokenValidator validator = fromKeys(Map.of("tokengate.jwt.issuer", issuer));
        assertThatThrownBy(() -> validator.validate(TestTokens.jwt().issuer(issuer).sign()))
                .isInstanceOf(UpstreamUnavailableException.class);
    }

    @Test
    void fromKeysJwksUriRedirectsThenUpstreamUnavailableAndRedirectNotFollowed() {
        try (LoopbackIssuer jwks = LoopbackIssuer.start(); LoopbackIssuer elsewhere = LoopbackIssuer.start()) {
            elsewhere.jwks(TestKeys.jwksJson(TestKeys.rsa()));
            jwks.redirect(LoopbackIssuer.JWKS_PATH, elsewhere.jwksUri());
            TokenValidator validator = fromKeys(Map.of("tokengate.jwt.issuer", TestTokens.ISSUER,
                    "tokengate.jwt.jwks-uri", jwks.jwksUri().toString()));

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

    // ---- the gate's own checks of the whole

    @Test
    void keysWhenUnknownKeyThenFailsNamingItAndTheNearestKey() {
        assertThatThrownBy(() -> gate(with(keys(), "tokengate.jwt.isuer", "typo")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.jwt.isuer (parameter): unknown tokengate setting; "
                        + "did you mean tokengate.jwt.issuer?");
    }

    @Test
    void keysWhenUnknownEnvironmentVariableThenFailsNamingIt() {
        assertThatThrownBy(() -> TokenGate.builder().config(ConfigSource.of(keys(),
                Map.of("TOKENGATE_JWT_AUDIENSE", "x"), new Properties())))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("TOKENGATE_JWT_AUDIENSE")
                .hasMessageContaining("did you mean TOKENGATE_JWT_AUDIENCE (tokengate.jwt.audience)?");
    }

    @Test
    void keysWhenAdapterKeysThenNotUnknown() {
        Map<String, String> m = keys();
        m.put(ConfigKeys.RULES, "/* = authenticated");
        m.put(ConfigKeys.UNMATCHED, "permit");
        m.put(ConfigKeys.JAXRS_UNANNOTATED, "permit");
        assertThat(built(m).issuers()).hasSize(1);
        assertThat(gate(m).config().realm()).isEqualTo("api");
    }

    @Test
    void keysWhenNoWayToCheckTokensThenFailsSayingWhatToSet() {
        assertThatThrownBy(() -> gate(Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tokengate.jwt.issuer").hasMessageContaining("TOKENGATE_JWT_ISSUER");
    }

    @Test
    void builderWhenCustomValidatorAndNoIssuerThenWorks() {
        VerifiedToken alice = VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("alice").scopes(Set.of("read")).build();
        try (TokenGate gate = TokenGate.builder().validator(token -> alice).build()) {
            TokenGate.Call call = gate.begin(TestRequest.get("/x").bearer("opaque"));
            assertThat(call.authorize(Requirement.allOf("read"))).isInstanceOf(Outcome.Authenticated.class);
            call.finish(200);
        }
    }

    // ---- introspection

    @Test
    void keysWhenIntrospectionOnlyThenNoIssuerNeededAndOpaqueTokensAreIntrospected() {
        try (LoopbackIssuer as = LoopbackIssuer.start().clientAuthentication(false)
                .introspectionAnswer("{\"active\":true,\"sub\":\"bob\",\"scope\":\"read\"}")) {
            Validators.Built b = built(Map.of(ConfigKeys.INTROSPECTION_URI, as.introspectionUri().toString(),
                    ConfigKeys.INTROSPECTION_CLIENT_ID, "api", ConfigKeys.INTROSPECTION_CLIENT_SECRET, "s"));
            assertThat(b.issuers()).isEmpty();
            VerifiedToken t = b.stack().tokens().validate("opaque-token-1");
            assertThat(t.kind()).isEqualTo(VerifiedToken.Kind.INTROSPECTED);
            assertThat(t.subject()).contains("bob");
            assertThat(as.introspections()).isEqualTo(1);
        }
    }

    @Test
    void keysWhenIntrospectionSettingsWithoutUriThenFailsNamingTheKey() {
        assertThatThrownBy(() -> built(Map.of(ConfigKeys.INTROSPECTION_CLIENT_ID, "api")))
                .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("tokengate.introspection.client-id")
                .hasMessageContaining("tokengate.introspection.uri");
    }

    @Test
    void keysWhenIntrospectionValuesBadThenEachNamesItsKey() {
        Map<String, String> base = Map.of(ConfigKeys.INTROSPECTION_URI, "https://as.example/introspect",
                ConfigKeys.INTROSPECTION_CLIENT_ID, "api", ConfigKeys.INTROSPECTION_CLIENT_SECRET, "s");
        Map<String, String> bad = Map.of(ConfigKeys.INTROSPECTION_URI, "ftp://as.example/x",
                ConfigKeys.INTROSPECTION_AUTH_METHOD, "private_key_jwt",
                ConfigKeys.INTROSPECTION_TIMEOUT, "0s",
                ConfigKeys.INTROSPECTION_NEGATIVE_CACHE_TTL, "-1s");
        bad.forEach((key, value) -> {
            Map<String, String> m = new HashMap<>(base);
            m.put(key, value);
            assertThatThrownBy(() -> built(m)).as(key).isInstanceOfSatisfying(ConfigurationException.class,
                    e -> assertThat(e.key()).isEqualTo(key));
        });
    }

    @Test
    void keysWhenIntrospectionClientIdMissingThenBuildErrorNamesTheKeyNotTheBuilderSetting() {
        assertThatThrownBy(() -> built(Map.of(ConfigKeys.INTROSPECTION_URI, "https://as.example/introspect",
                ConfigKeys.INTROSPECTION_CLIENT_SECRET, "s")))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.key()).isEqualTo(ConfigKeys.INTROSPECTION_CLIENT_ID);
                    assertThat(e.getMessage()).startsWith("tokengate.introspection.client-id: required");
                });
        assertThatThrownBy(() -> built(Map.of(ConfigKeys.INTROSPECTION_URI, "https://as.example/introspect",
                ConfigKeys.INTROSPECTION_CLIENT_ID, "api")))
                .hasMessageStartingWith("tokengate.introspection.client-secret: required")
                .hasMessageContaining("TOKENGATE_INTROSPECTION_CLIENT_SECRET");
    }

    @Test
    void keysWhenIntrospectedJwtIssuersWithoutIntrospectionThenFails() {
        assertThatThrownBy(() -> built(with(keys(), ConfigKeys.INTROSPECTION_JWT_ISSUERS, TestTokens.ISSUER)))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tokengate.introspection.uri");
    }

    // ---- token store

    @Test
    void keysWhenStoreUrlThenNothingStartsUntilTheGateIsBuiltAndTheGateClosesIt() throws Exception {
        Map<String, String> m = Map.of(ConfigKeys.STORE_JDBC_URL, "jdbc:h2:mem:cfg;DB_CLOSE_DELAY=-1",
                ConfigKeys.STORE_USERNAME, "sa", ConfigKeys.STORE_TABLE, "api_tokens");
        List<Thread> before = flushThreads();
        TokenGate.Builder builder = TokenGate.builder().config(ConfigSource.of(m, Map.of(), new Properties()));
        assertThat(flushThreads()).as("threads after reading the configuration").isEqualTo(before);

        TokenGate gate = builder.build();
        List<Thread> started = new ArrayList<>(flushThreads());
        started.removeAll(before);
        assertThat(started).hasSize(1);
        assertThat(gate.supportsApiKeys()).isTrue();

        gate.close();
        started.get(0).join(Duration.ofSeconds(10).toMillis());
        assertThat(started.get(0).isAlive()).isFalse();
    }

    @Test
    void keysWhenStoreThenItsTableIsTheConfiguredOne() {
        Validators.Built b = built(Map.of(ConfigKeys.STORE_JDBC_URL, "jdbc:h2:mem:cfg2;DB_CLOSE_DELAY=-1",
                ConfigKeys.STORE_USERNAME, "sa", ConfigKeys.STORE_TABLE, "api_tokens"));
        assertThat(b.resources()).singleElement().satisfies(s -> assertThat(s.toString()).contains("api_tokens"));
    }

    @Test
    void keysWhenStoreUrlGivenInCodeAfterwardsThenTheConfiguredStoreIsNeverStarted() {
        Map<String, String> m = Map.of(ConfigKeys.STORE_JDBC_URL, "jdbc:h2:mem:cfg3;DB_CLOSE_DELAY=-1");
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL("jdbc:h2:mem:cfg4;DB_CLOSE_DELAY=-1");
        dev.tokengate.store.JdbcTokenStore own = dev.tokengate.store.JdbcTokenStore.builder().dataSource(ds).build();
        List<Thread> before = flushThreads();
        try (TokenGate gate = TokenGate.builder().config(ConfigSource.of(m, Map.of(), new Properties()))
                .tokenStore(own).build()) {
            assertThat(flushThreads()).isEqualTo(before);
            assertThat(gate.supportsApiKeys()).isTrue();
        }
    }

    @Test
    void keysWhenStoreValuesBadThenEachNamesItsKeyAndLayer() {
        assertThatThrownBy(() -> built(Map.of(ConfigKeys.STORE_JDBC_URL, "jdbc:h2:mem:cfg5",
                ConfigKeys.STORE_TABLE, "tokens; drop table x")))
                .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("tokengate.store.table (parameter)");
        assertThatThrownBy(() -> built(Map.of(), Map.of("TOKENGATE_STORE_JDBC_URL", "postgres://db/app"), new Properties()))
                .hasMessageStartingWith("tokengate.store.jdbc-url (environment variable TOKENGATE_STORE_JDBC_URL): "
                        + "'postgres://db/app' is not a JDBC URL");
        assertThatThrownBy(() -> built(Map.of(ConfigKeys.STORE_TABLE, "api_tokens")))
                .hasMessageStartingWith("tokengate.store.table (parameter): is set but tokengate.store.jdbc-url is not");
    }

    @Test
    void keysWhenStoreTimeoutAndLookupLimitThenReadFromTheEnvironmentAndCheckedNamingKeyAndLayer() {
        Map<String, String> env = Map.of("TOKENGATE_STORE_JDBC_URL", "jdbc:h2:mem:cfg6;DB_CLOSE_DELAY=-1",
                "TOKENGATE_STORE_TIMEOUT", "500ms", "TOKENGATE_STORE_MAX_CONCURRENT_LOOKUPS", "3");
        assertThat(built(Map.of(), env, new Properties()).resources()).hasSize(1);

        assertThatThrownBy(() -> built(Map.of(), with(new java.util.HashMap<>(env), "TOKENGATE_STORE_MAX_CONCURRENT_LOOKUPS", "ten"), new Properties()))
                .hasMessageStartingWith("tokengate.store.max-concurrent-lookups (environment variable "
                        + "TOKENGATE_STORE_MAX_CONCURRENT_LOOKUPS): 'ten' is not a whole number");
        assertThatThrownBy(() -> built(Map.of(), with(new java.util.HashMap<>(env), "TOKENGATE_STORE_TIMEOUT", "100ms"), new Properties()))
                .hasMessageStartingWith("tokengate.store.timeout (environment variable TOKENGATE_STORE_TIMEOUT): "
                        + "must be from 250ms");
        assertThatThrownBy(() -> built(Map.of(ConfigKeys.STORE_TIMEOUT, "1s")))
                .hasMessageStartingWith("tokengate.store.timeout (parameter): is set but tokengate.store.jdbc-url is not");
    }

    @Test
    void keysWhenStoreDataSourceNameThenLookedUpWhenTheGateIsBuilt() {
        Map<String, String> m = Map.of(ConfigKeys.STORE_DATASOURCE, "java:comp/env/jdbc/none");
        TokenGate.Builder builder = TokenGate.builder().config(ConfigSource.of(m, Map.of(), new Properties()));

        assertThatThrownBy(builder::build).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.store.datasource (parameter): no DataSource could be looked up "
                        + "under the JNDI name 'java:comp/env/jdbc/none'");
    }

    private static List<Thread> flushThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("tokengate-token-usage-flush") && t.isAlive())
                .sorted(java.util.Comparator.comparingLong(Thread::getId)).toList();
    }
}
