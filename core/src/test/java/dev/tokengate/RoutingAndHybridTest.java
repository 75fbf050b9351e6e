package dev.tokengate;

import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.log.CallEvent;
import dev.tokengate.store.IssuedToken;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.StoredToken;
import dev.tokengate.store.TokenKind;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestRequest;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One API accepting JWTs, its own stored tokens and introspected opaque tokens, configured from {@code tokengate.*}
 * keys against a real JWKS and introspection endpoint on loopback and a real (H2) token database; and the
 * API key + token hybrid.
 */
class RoutingAndHybridTest {

    private final List<CallEvent> events = new ArrayList<>();
    private LoopbackIssuer issuer;
    private ConfigSource source;
    private TokenGate gate;
    private JdbcTokenStore admin;

    @BeforeEach
    void start() {
        issuer = LoopbackIssuer.builder().clientCredentials("orders-api", "s3cret").start().jwks(TestKeys.jwksJson(TestKeys.rsa()))
                .introspectionAnswer("{\"active\":false}");
        String db = "jdbc:h2:mem:routing-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        admin = JdbcTokenStore.builder().jdbcUrl(db).username("sa").build();
        admin.createSchema();
        Map<String, String> keys = new HashMap<>();
        keys.put("tokengate.jwt.issuer", TestTokens.ISSUER);
        keys.put("tokengate.jwt.jwks-uri", issuer.jwksUri().toString());
        keys.put("tokengate.jwt.audience", TestTokens.AUDIENCE);
        keys.put("tokengate.introspection.uri", issuer.introspectionUri().toString());
        keys.put("tokengate.introspection.client-id", "orders-api");
        keys.put("tokengate.introspection.client-secret", "s3cret");
        keys.put("tokengate.store.jdbc-url", db);
        keys.put("tokengate.store.username", "sa");
        source = ConfigSource.of(keys, Map.of(), new Properties());
        gate = TokenGate.builder().config(source).callLogSink(events::add).build();
    }

    @AfterEach
    void stop() {
        gate.close();
        admin.close();
        issuer.close();
    }

    private Outcome check(TestRequest request, Requirement requirement) {
        TokenGate.Call call = gate.begin(request);
        Outcome outcome = call.authorize(requirement);
        call.finish(outcome instanceof Outcome.Rejected r ? r.error().status() : 200);
        return outcome;
    }

    private IssuedToken issue(TokenKind kind, String owner, List<String> scopes, List<IpRange> ranges) {
        return admin.create(kind, "test " + kind, owner, null, scopes, ranges, Instant.now().plusSeconds(3600));
    }

    private static VerifiedToken token(Outcome o) {
        assertThat(o).isInstanceOf(Outcome.Authenticated.class);
        return ((Outcome.Authenticated) o).token();
    }

    private static BearerError error(Outcome o) {
        assertThat(o).isInstanceOf(Outcome.Rejected.class);
        return ((Outcome.Rejected) o).error();
    }

    @Test
    void jwtGoesToJwtValidationWithoutIntrospection() {
        VerifiedToken t = token(check(TestRequest.get("/").bearer(TestTokens.jwt().sign()), Requirement.authenticated()));
        assertThat(t.kind()).isEqualTo(VerifiedToken.Kind.JWT);
        assertThat(issuer.introspections()).isZero();
    }

    @Test
    void storedTokenGoesToTheStoreWithoutIntrospection() {
        IssuedToken issued = issue(TokenKind.ACCESS_TOKEN, "alice", List.of("read"), List.of());
        VerifiedToken t = token(check(TestRequest.get("/").bearer(issued.token()), Requirement.allOf("read")));
        assertThat(t.kind()).isEqualTo(VerifiedToken.Kind.STORED);
        assertThat(t.subject()).contains("alice");
        assertThat(issuer.introspections()).isZero();
        assertThat(issuer.jwksRequests()).isZero();
    }

    @Test
    void otherOpaqueTokenGoesToIntrospection() {
        issuer.introspectionAnswer("opaque-abc", "{\"active\":true,\"sub\":\"bob\",\"scope\":\"read\",\"exp\":"
                + Instant.now().plusSeconds(600).getEpochSecond() + "}");
        VerifiedToken t = token(check(TestRequest.get("/").bearer("opaque-abc"), Requirement.allOf("read")));
        assertThat(t.kind()).isEqualTo(VerifiedToken.Kind.INTROSPECTED);
        assertThat(issuer.introspections("opaque-abc")).isEqualTo(1);
    }

    @Test
    void inactiveOpaqueTokenIsInvalidToken() {
        BearerError e = error(check(TestRequest.get("/").bearer("opaque-gone"), Requirement.authenticated()));
        assertThat(e.code()).contains(BearerError.Code.INVALID_TOKEN);
    }

    @Test
    void revokedStoredTokenIsRefusedOnceItsCacheEntryHasGone() {
        IssuedToken issued = issue(TokenKind.ACCESS_TOKEN, "alice", List.of("read"), List.of());
        admin.revoke(issued.metadata().id());
        BearerError e = error(check(TestRequest.get("/").bearer(issued.token()), Requirement.authenticated()));
        assertThat(e.description()).containsIgnoringCase("revoked");
    }

    @Test
    void storedTokenUseIsRecordedWithTheClientAddress() {
        IssuedToken issued = issue(TokenKind.ACCESS_TOKEN, "alice", List.of("read"), List.of());
        check(TestRequest.get("/").bearer(issued.token()).remoteAddress("198.51.100.7"), Requirement.authenticated());
        check(TestRequest.get("/").bearer(issued.token()).remoteAddress("198.51.100.8"), Requirement.authenticated());
        gate.close(); // flushes the batched last-used writes
        StoredToken row = admin.get(issued.metadata().id()).orElseThrow();
        assertThat(row.lastUsedAddress()).contains("198.51.100.8");
        assertThat(row.lastUsedAt()).isPresent();
    }

    @Test
    void storedTokenRestrictedToOtherRangeIsInvalidFromHere() {
        IssuedToken issued = issue(TokenKind.ACCESS_TOKEN, "alice", List.of("read"), List.of(IpRange.parse("203.0.113.0/24")));
        assertThat(error(check(TestRequest.get("/").bearer(issued.token()).remoteAddress("198.51.100.7"),
                Requirement.authenticated())).description()).contains("from this address");
        token(check(TestRequest.get("/").bearer(issued.token()).remoteAddress("203.0.113.9"), Requirement.authenticated()));
    }

    @Test
    void apiKeySentAsBearerTokenIsRefusedSayingWhatItIs() {
        IssuedToken key = issue(TokenKind.API_KEY, "portfolio-app", List.of(), List.of());
        assertThat(error(check(TestRequest.get("/").bearer(key.token()), Requirement.authenticated())).code())
                .contains(BearerError.Code.INVALID_TOKEN);
    }

    @Test
    void hybridWhenTokenAndApiKeyValidThenAllowedAndBothIdentitiesLogged() {
        IssuedToken key = issue(TokenKind.API_KEY, "portfolio-app", List.of(), List.of());
        try (LogCapture logs = LogCapture.start()) {
            Outcome o = check(TestRequest.get("/orders").bearer(TestTokens.jwt().sign()).header("X-API-Key", key.token()),
                    Requirement.allOf("read").withApiKey());
            assertThat(token(o).subject()).contains(TestTokens.SUBJECT);
            CallEvent e = events.get(0);
            assertThat(e.subject()).contains(TestTokens.SUBJECT);
            assertThat(e.application()).contains("portfolio-app");
            assertThat(e.apiKeyId()).contains(key.metadata().id());
            assertThat(logs.text()).doesNotContain(key.token());
        }
    }

    @Test
    void hybridWhenApiKeyMissingThenInvalidRequestNamingTheHeader() {
        BearerError e = error(check(TestRequest.get("/").bearer(TestTokens.jwt().sign()), Requirement.authenticated().withApiKey()));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.description()).contains("X-API-Key");
    }

    @Test
    void hybridWhenApiKeyUnknownOrAnAccessTokenThenInvalidToken() {
        IssuedToken accessToken = issue(TokenKind.ACCESS_TOKEN, "alice", List.of("read"), List.of());
        for (String bad : new String[] {"tgak_nonsense", accessToken.token()}) {
            BearerError e = error(check(TestRequest.get("/").bearer(TestTokens.jwt().sign()).header("X-API-Key", bad),
                    Requirement.authenticated().withApiKey()));
            assertThat(e.status()).as(bad).isEqualTo(401);
            assertThat(e.description()).contains("API key");
        }
    }

    @Test
    void hybridWhenApiKeyRestrictedToOtherRangeThenInvalidTokenFromHereAndNoApplicationLogged() {
        IssuedToken key = issue(TokenKind.API_KEY, "portfolio-app", List.of(), List.of(IpRange.parse("203.0.113.0/24")));
        BearerError e = error(check(TestRequest.get("/").bearer(TestTokens.jwt().sign()).header("X-API-Key", key.token())
                .remoteAddress("198.51.100.7"), Requirement.authenticated().withApiKey()));
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.description()).isEqualTo("This API key may not be used from this address.");
        assertThat(events.get(0).reason()).hasValueSatisfying(v -> assertThat(v)
                .isEqualTo("the API key is restricted to [203.0.113.0/24]; the client is 198.51.100.7"));
        assertThat(events.get(0).application()).isEmpty();
        token(check(TestRequest.get("/").bearer(TestTokens.jwt().sign()).header("X-API-Key", key.token())
                .remoteAddress("203.0.113.9"), Requirement.authenticated().withApiKey()));
    }

    @Test
    void hybridWhenTwoApiKeyHeadersThenInvalidRequest() {
        IssuedToken key = issue(TokenKind.API_KEY, "portfolio-app", List.of(), List.of());
        BearerError e = error(check(TestRequest.get("/").bearer(TestTokens.jwt().sign()).header("X-API-Key", key.token())
                .header("X-API-Key", key.token()), Requirement.authenticated().withApiKey()));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.description()).contains("more than one X-API-Key");
        assertThat(events.get(0).reason()).contains("more than one API key");
    }

    @Test
    void policiesAfterTheBuiltInsSeeTheAcceptedApiKey() {
        IssuedToken key = issue(TokenKind.API_KEY, "portfolio-app", List.of(), List.of());
        List<String> applications = new ArrayList<>();
        // the same keys (so the same database) with one more policy
        TokenGate withPolicy = TokenGate.builder().config(source).callLogSink(events::add)
                .policy((token, request) -> {
                    applications.add(request.apiKey().flatMap(VerifiedToken::subject).orElse("none"));
                    return dev.tokengate.policy.PolicyDecision.allow();
                }).build();
        TokenGate.Call call = withPolicy.begin(TestRequest.get("/orders").bearer(TestTokens.jwt().sign())
                .header("X-API-Key", key.token()));
        assertThat(call.authorize(Requirement.allOf("read").withApiKey())).isInstanceOf(Outcome.Authenticated.class);
        assertThat(call.apiKey().flatMap(VerifiedToken::tokenId)).contains(key.metadata().id());
        call.finish(200);
        TokenGate.Call noKeyNeeded = withPolicy.begin(TestRequest.get("/orders").bearer(TestTokens.jwt().sign())
                .header("X-API-Key", key.token()));
        assertThat(noKeyNeeded.authorize(Requirement.allOf("read"))).isInstanceOf(Outcome.Authenticated.class);
        noKeyNeeded.finish(200);
        withPolicy.close();
        assertThat(applications).containsExactly("portfolio-app", "none");
        assertThat(events.get(1).application()).isEmpty();
    }

    @Test
    void hybridWhenBearerTokenInvalidThenThatErrorWins() {
        IssuedToken key = issue(TokenKind.API_KEY, "portfolio-app", List.of(), List.of());
        BearerError e = error(check(TestRequest.get("/").bearer(TestTokens.jwt().expiresAt(Instant.now().minusSeconds(3600)).sign())
                .header("X-API-Key", key.token()), Requirement.authenticated().withApiKey()));
        assertThat(e.description()).doesNotContain("API key");
    }

    /** JWTs of {@link #OTHER_ISSUER} are introspected; those of {@link TestTokens#ISSUER} are verified here. */
    private static final String OTHER_ISSUER = "https://other-issuer.example.com";

    private TokenGate introspectingOtherIssuer() {
        Map<String, String> keys = new HashMap<>();
        keys.put("tokengate.introspection.uri", issuer.introspectionUri().toString());
        keys.put("tokengate.introspection.client-id", "orders-api");
        keys.put("tokengate.introspection.client-secret", "s3cret");
        keys.put("tokengate.introspection.cache-ttl", "0"); // every use of an introspected token asks the endpoint
        keys.put("tokengate.introspection.jwt-issuers", OTHER_ISSUER);
        keys.put("tokengate.jwt.issuer", TestTokens.ISSUER);
        keys.put("tokengate.jwt.jwks-uri", issuer.jwksUri().toString());
        keys.put("tokengate.jwt.audience", TestTokens.AUDIENCE);
        return TokenGate.create(ConfigSource.of(keys, Map.of(), new Properties()));
    }

    private static Outcome authenticate(TokenGate gate, String token) {
        TokenGate.Call call = gate.begin(TestRequest.get("/").bearer(token));
        Outcome outcome = call.authenticate();
        call.finish(outcome instanceof Outcome.Rejected r ? r.error().status() : 200);
        return outcome;
    }

    @Test
    void introspectedJwtIssuerThenOtherIssuersJwtsVerifiedLocallyAndCached() {
        try (TokenGate gate = introspectingOtherIssuer()) {
            String jwt = TestTokens.jwt().sign();

            assertThat(token(authenticate(gate, jwt)).kind()).isEqualTo(VerifiedToken.Kind.JWT);
            assertThat(token(authenticate(gate, jwt)).kind()).isEqualTo(VerifiedToken.Kind.JWT);
            assertThat(issuer.introspections()).isZero();
            assertThat(issuer.jwksRequests()).isEqualTo(1);
        }
    }

    @Test
    void introspectedJwtIssuerThenItsAnswerIsNotRememberedByTheJwtCache() {
        issuer.introspectionAnswer("{\"active\":true,\"sub\":\"bob\",\"iss\":\"" + OTHER_ISSUER + "\"}");
        try (TokenGate gate = introspectingOtherIssuer()) {
            String jwt = TestTokens.jwt().issuer(OTHER_ISSUER).sign();

            assertThat(token(authenticate(gate, jwt)).kind()).isEqualTo(VerifiedToken.Kind.INTROSPECTED);
            assertThat(token(authenticate(gate, jwt)).subject()).contains("bob");
            assertThat(issuer.introspections()).as("introspection's cache-ttl 0 holds for JWTs too").isEqualTo(2);
        }
    }

    @Test
    void introspectedJwtIssuerWhenJwtMalformedThenInvalidTokenWithoutIntrospection() {
        try (TokenGate gate = introspectingOtherIssuer()) {
            String jwt = TestTokens.jwtWithUnalignedParts().issuer(OTHER_ISSUER).sign();
            String[] parts = jwt.split("\\.");
            for (String malformed : List.of(
                    TestTokens.withStrayBits(parts[0]) + "." + parts[1] + "." + parts[2],
                    parts[0] + "." + TestTokens.withStrayBits(parts[1]) + "." + parts[2],
                    parts[0] + "." + parts[1] + "." + TestTokens.padded(parts[2]),
                    parts[0] + "." + parts[1] + "." + TestTokens.withStrayBits(parts[2]))) {
                BearerError e = error(authenticate(gate, malformed));

                assertThat(e.code()).contains(BearerError.Code.INVALID_TOKEN);
                assertThat(e.description()).isEqualTo("The token is not a JWT");
            }
            assertThat(issuer.introspections()).as("the strict parse decides the route: nothing is sent on").isZero();
            assertThat(issuer.jwksRequests()).isZero();
        }
    }

    @Test
    void introspectedJwtIssuerThenJwtsOfThatIssuerAreIntrospected() {
        Map<String, String> keys = new HashMap<>();
        keys.put("tokengate.introspection.uri", issuer.introspectionUri().toString());
        keys.put("tokengate.introspection.client-id", "orders-api");
        keys.put("tokengate.introspection.client-secret", "s3cret");
        keys.put("tokengate.introspection.jwt-issuers", TestTokens.ISSUER);
        keys.put("tokengate.jwt.issuer", TestTokens.ISSUER);
        keys.put("tokengate.jwt.jwks-uri", issuer.jwksUri().toString());
        keys.put("tokengate.jwt.audience", TestTokens.AUDIENCE);
        try (TokenGate introspecting = TokenGate.create(ConfigSource.of(keys, Map.of(), new Properties()))) {
            String jwt = TestTokens.jwt().sign();
            TokenGate.Call call = introspecting.begin(TestRequest.get("/").bearer(jwt));
            assertThat(call.authenticate()).isInstanceOf(Outcome.Rejected.class); // the endpoint says inactive
            call.finish(401);
            assertThat(issuer.introspections()).isEqualTo(1);
            assertThat(issuer.jwksRequests()).isZero();
        }
    }
}
