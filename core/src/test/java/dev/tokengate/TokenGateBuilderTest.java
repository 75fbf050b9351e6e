package dev.tokengate;

import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.introspection.IntrospectionValidator;
import dev.tokengate.jwks.KeySource;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.store.IssuedToken;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.TokenKind;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestRequest;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The gate's builder methods for its validators, given in code, and the checks the gate makes of the whole when it
 * reads them from keys: what each setting changes in what is accepted, and what each refuses.
 */
class TokenGateBuilderTest {

    private static final String OTHER_ISSUER = "https://other-issuer.example.com";
    private static final String HS256_SECRET = "0123456789abcdef0123456789abcdef";

    private final AtomicInteger keyLookups = new AtomicInteger();
    private final KeySource countingKeys = kid -> {
        keyLookups.incrementAndGet();
        return TestKeys.keySource(TestKeys.rsa()).keys(kid);
    };
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T opened(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    private JwtValidator.Builder issuer() {
        return JwtValidator.builder().issuer(TestTokens.ISSUER).audiences(TestTokens.AUDIENCE).keySource(countingKeys);
    }

    private static Outcome authenticate(TokenGate gate, String token) {
        TokenGate.Call call = gate.begin(TestRequest.get("/orders").bearer(token));
        Outcome outcome = call.authenticate(Requirement.authenticated());
        call.finish(outcome instanceof Outcome.Rejected r ? r.error().status() : 200);
        return outcome;
    }

    /** An active introspection answer for bob, with these members added (each starting with a comma). */
    private static String activeAnswer(String extra) {
        return "{\"active\":true,\"sub\":\"bob\",\"scope\":\"read\",\"exp\":"
                + Instant.now().plusSeconds(600).getEpochSecond() + extra + "}";
    }

    // ---- the verified-token cache

    @Test
    void cacheSpecWhenSizeZeroThenEveryRequestChecksTheSignature() {
        TokenGate gate = opened(TokenGate.builder().issuer(issuer()).cacheSpec("maximumSize=0")
                .cacheMaxTtl(Duration.ofMinutes(1)).build());
        String token = TestTokens.jwt().sign();

        assertThat(authenticate(gate, token)).isInstanceOf(Outcome.Authenticated.class);
        assertThat(authenticate(gate, token)).isInstanceOf(Outcome.Authenticated.class);

        assertThat(keyLookups).hasValue(2);
    }

    @Test
    void cacheSpecByDefaultThenASecondRequestIsServedFromTheCache() {
        TokenGate gate = opened(TokenGate.builder().issuer(issuer()).cacheSpec("maximumSize=100").build());
        String token = TestTokens.jwt().sign();

        authenticate(gate, token);
        authenticate(gate, token);

        assertThat(keyLookups).hasValue(1);
    }

    @Test
    void cacheSettingsWhenBadThenRefusedAtOnce() {
        assertThatThrownBy(() -> TokenGate.builder().cacheMaxTtl(Duration.ZERO))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("must be positive, was PT0S");
        assertThatThrownBy(() -> TokenGate.builder().cacheSpec("expireAfterWrite=1m"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("expireAfterWrite is not allowed");
    }

    // ---- introspection given in code

    @Test
    void introspectJwtsFromWhenIssuerListedThenItsJwtsAreIntrospectedAndALaterListReplacesAnEarlierOne() {
        try (LoopbackIssuer as = LoopbackIssuer.start().clientAuthentication(false)
                .introspectionAnswer(activeAnswer(",\"iss\":\"" + TestTokens.ISSUER + "\""))) {
            TokenGate gate = opened(TokenGate.builder().issuer(issuer())
                    .introspection(IntrospectionValidator.builder(as.introspectionUri()).clientId("api").clientSecret("s"))
                    .introspectJwtsFrom(List.of(OTHER_ISSUER))
                    .introspectJwtsFrom(List.of(TestTokens.ISSUER))
                    .build());

            Outcome listed = authenticate(gate, TestTokens.jwt().sign());
            assertThat(listed).isInstanceOfSatisfying(Outcome.Authenticated.class, a -> {
                assertThat(a.token().kind()).isEqualTo(VerifiedToken.Kind.INTROSPECTED);
                assertThat(a.token().getName()).isEqualTo("bob");
            });
            assertThat(keyLookups).hasValue(0);

            Outcome noLongerListed = authenticate(gate, TestTokens.jwt().issuer(OTHER_ISSUER).sign());
            assertThat(noLongerListed).isInstanceOf(Outcome.Rejected.class);
            assertThat(as.introspections()).isEqualTo(1);
        }
    }

    @Test
    void introspectJwtsFromWhenNoIntrospectionThenTheBuildFailsNamingTheKey() {
        assertThatThrownBy(() -> TokenGate.builder().issuer(issuer()).introspectJwtsFrom(List.of(TestTokens.ISSUER))
                .build()).isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.key()).isEqualTo(ConfigKeys.INTROSPECTION_JWT_ISSUERS);
                    assertThat(e.origin()).isEmpty();
                    assertThat(e.getMessage()).isEqualTo("tokengate.introspection.jwt-issuers: needs "
                            + "tokengate.introspection.uri to introspect with");
                });
        assertThatThrownBy(() -> TokenGate.builder().introspectJwtsFrom(List.of(" ")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("an issuer must not be empty");
    }

    // ---- the token store given in code

    @Test
    void storeCacheTtlWhenNotPositiveThenRefusedNamingTheKey() {
        for (Duration ttl : new Duration[] {Duration.ZERO, Duration.ofSeconds(-1), null}) {
            assertThatThrownBy(() -> TokenGate.builder().storeCacheTtl(ttl)).as("" + ttl)
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                        assertThat(e.key()).isEqualTo(ConfigKeys.STORE_CACHE_TTL);
                        assertThat(e.detail()).isEqualTo("must be a positive duration, was " + ttl);
                    });
        }
    }

    @Test
    void storeCacheTtlThenAStoredTokenIsLookedUpOnceWithinIt() {
        String db = "jdbc:h2:mem:gate-builder-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        JdbcTokenStore store = JdbcTokenStore.builder().jdbcUrl(db).username("sa").build();
        store.createSchema();
        IssuedToken issued = store.create(TokenKind.ACCESS_TOKEN, "cli", "alice", null, List.of("read"), List.of(), null);
        TokenGate gate = opened(TokenGate.builder().tokenStore(store).storeCacheTtl(Duration.ofMinutes(1)).build());

        assertThat(authenticate(gate, issued.token())).isInstanceOf(Outcome.Authenticated.class);
        store.revoke(issued.metadata().id());

        assertThat(authenticate(gate, issued.token())).as("cached for a minute: the revocation is not seen yet")
                .isInstanceOf(Outcome.Authenticated.class);
    }

    // ---- start-up warnings

    @Test
    void buildWhenAnIssuerUsesAnHmacSecretThenWarnsThatAnyoneHoldingItCanMintTokens() {
        try (LogCapture logs = LogCapture.start()) {
            opened(TokenGate.builder().issuer(JwtValidator.builder().issuer(OTHER_ISSUER).audiences(TestTokens.AUDIENCE)
                    .hmacSecret(HS256_SECRET.getBytes())).issuer(issuer()).build());

            assertThat(logs.lines(TokenGate.class.getName()).stream().filter(l -> l.contains("shared HMAC secret")))
                    .containsExactly("issuer " + OTHER_ISSUER + " uses a shared HMAC secret ([HS256]): anyone "
                            + "holding the secret can mint tokens");
        }
    }

    // ---- keys: what several keys mean together

    private TokenGate fromKeys(Map<String, String> keys) {
        return opened(TokenGate.builder().config(ConfigSource.of(keys, Map.of(), new Properties())).build());
    }

    @Test
    void keysWhenJwksFileThenTokensCheckedAgainstItsKeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("issuer-jwks.json");
        Files.writeString(file, TestKeys.jwksJson(TestKeys.rsa()));
        TokenGate gate = fromKeys(Map.of(ConfigKeys.JWT_ISSUER, TestTokens.ISSUER,
                ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE, ConfigKeys.JWT_JWKS_FILE, file.toString()));

        assertThat(authenticate(gate, TestTokens.jwt().sign())).isInstanceOf(Outcome.Authenticated.class);
        assertThat(authenticate(gate, TestTokens.jwt().signedWith(TestKeys.untrustedRsa()).sign()))
                .isInstanceOf(Outcome.Rejected.class);
    }

    @Test
    void keysWhenIntrospectionAndJwtIssuerAndAudienceThenAnAnswerIsCheckedAgainstThem() {
        try (LoopbackIssuer as = LoopbackIssuer.start().clientAuthentication(false)) {
            Map<String, String> keys = new HashMap<>();
            keys.put(ConfigKeys.JWT_ISSUER, TestTokens.ISSUER);
            keys.put(ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE);
            keys.put(ConfigKeys.INTROSPECTION_URI, as.introspectionUri().toString());
            keys.put(ConfigKeys.INTROSPECTION_CLIENT_ID, "api");
            keys.put(ConfigKeys.INTROSPECTION_CLIENT_SECRET, "s");
            TokenGate gate = fromKeys(keys);
            as.introspectionAnswer("ours", activeAnswer(",\"iss\":\"" + TestTokens.ISSUER + "\",\"aud\":\""
                    + TestTokens.AUDIENCE + "\""));
            as.introspectionAnswer("foreign-issuer", activeAnswer(",\"iss\":\"https://evil.example\""));
            as.introspectionAnswer("other-api", activeAnswer(",\"aud\":\"https://other-api.example\""));

            assertThat(authenticate(gate, "ours")).isInstanceOf(Outcome.Authenticated.class);
            assertThat(authenticate(gate, "foreign-issuer")).isInstanceOf(Outcome.Rejected.class);
            assertThat(authenticate(gate, "other-api")).isInstanceOf(Outcome.Rejected.class);
        }
    }

    @Test
    void keysWhenAnyAudienceAllowedThenAnIntrospectionAnswersAudienceIsNotChecked() {
        try (LoopbackIssuer as = LoopbackIssuer.start().clientAuthentication(false)) {
            Map<String, String> keys = new HashMap<>();
            keys.put(ConfigKeys.JWT_ISSUER, TestTokens.ISSUER);
            keys.put(ConfigKeys.JWT_ALLOW_ANY_AUDIENCE, "true");
            keys.put(ConfigKeys.INTROSPECTION_URI, as.introspectionUri().toString());
            keys.put(ConfigKeys.INTROSPECTION_CLIENT_ID, "api");
            keys.put(ConfigKeys.INTROSPECTION_CLIENT_SECRET, "s");
            TokenGate gate = fromKeys(keys);
            as.introspectionAnswer("other-api", activeAnswer(",\"aud\":\"https://other-api.example\""));

            assertThat(authenticate(gate, "other-api")).isInstanceOf(Outcome.Authenticated.class);
        }
    }

    @Test
    void buildWhenAStepAfterTheSharedStoreFailsThenTheSharedStoreIsClosed() {
        AtomicInteger closed = new AtomicInteger();
        dev.tokengate.control.SharedControl shared = new dev.tokengate.control.SharedControl() {
            @Override
            public dev.tokengate.control.RevocationStore revocationStore() {
                throw new IllegalStateException("the shared revocation list cannot be read");
            }

            @Override
            public dev.tokengate.control.SharedBuckets buckets() {
                throw new AssertionError("not reached: the start fails before");
            }

            @Override
            public dev.tokengate.control.SharedAnomalyState anomalyState() {
                throw new AssertionError("not reached: the start fails before");
            }

            @Override
            public boolean failClosed() {
                return true;
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };
        assertThatThrownBy(() -> TokenGate.builder().validator(token -> {
            throw new InvalidTokenException("unused");
        }).sharedControl(shared).build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("the shared revocation list cannot be read");
        assertThat(closed).as("the connection of a gate that did not start is closed").hasValue(1);
    }

}
