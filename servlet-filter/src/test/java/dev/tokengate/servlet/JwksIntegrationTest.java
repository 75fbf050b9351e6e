package dev.tokengate.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.TokenGate;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.jwks.KeySource;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end: the real filter in Jetty, the validators built from configuration, the issuer's keys served over
 * HTTP on loopback by a {@link LoopbackIssuer}, requests sent by the JDK client. Every test ends by checking that no
 * token sent appears in any log line.
 */
class JwksIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FLOOD = 100;

    private final LoopbackIssuer idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    private GatedApp app;

    @AfterEach
    void stop() throws Exception {
        try {
            if (app != null) {
                app.assertNoTokenLogged();
                app.close();
            }
        } finally {
            idp.close();
        }
    }

    private static Map<String, String> with(Map<String, String> settings, String key, String value) {
        settings.put(key, value);
        return settings;
    }

    /**
     * Settings under which an unknown kid is refetched at once. Refetches are rate-limited from the last fetch of
     * any kind: a 1 ms interval, and a JWKS that takes 5 ms to answer, let the next unknown kid refetch without the
     * test waiting out an interval.
     */
    private Map<String, String> settingsRefetchingAtOnce() {
        idp.delay(Duration.ofMillis(5));
        return with(GatedApp.settings(idp), ConfigKeys.JWKS_REFETCH_INTERVAL, "1ms");
    }

    // --- keys from the JWKS URI ------------------------------------------------------------------------------

    @Test
    void requestWhenTokenSignedWithPublishedKeyThenLegacyServletSeesSubjectAfterOneJwksFetch() throws Exception {
        app = GatedApp.start(GatedApp.settings(idp));

        HttpResponse<String> first = app.get("/api/accounts/1", TestTokens.jwt().sign());
        HttpResponse<String> second = app.get("/api/accounts/2", TestTokens.jwt().sign());

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("principal=alice", "remoteUser=alice", "authType=BEARER", "role.read=true");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(idp.jwksRequests()).isEqualTo(1);
        JsonNode call = app.nextCall();
        assertThat(call.path("status").asInt()).isEqualTo(200);
        assertThat(call.path("decision").asText()).isEqualTo("allow");
        assertThat(call.has("error")).isFalse();
        assertThat(call.path("subject").asText()).isEqualTo(TestTokens.SUBJECT);
        assertThat(call.path("token_fingerprint").asText()).isNotBlank();
    }

    @Test
    void requestWhenKidRotatedThenNewKeyFetchedAndAccepted() throws Exception {
        app = GatedApp.start(settingsRefetchingAtOnce());
        assertThat(app.get("/api/accounts/1", TestTokens.jwt().sign()).statusCode()).isEqualTo(200);
        app.nextCall();
        assertThat(idp.jwksRequests()).isEqualTo(1);

        idp.jwks(TestKeys.jwksJson(TestKeys.rsa(), TestKeys.rsa2()));
        HttpResponse<String> rotated = app.get("/api/accounts/1", TestTokens.jwt().signedWith(TestKeys.rsa2()).sign());

        assertThat(rotated.statusCode()).isEqualTo(200);
        assertThat(rotated.body()).contains("principal=alice");
        assertThat(idp.jwksRequests()).as("the unknown kid 'rsa-2' caused one refetch").isEqualTo(2);
        JsonNode call = app.nextCall();
        assertThat(call.path("status").asInt()).isEqualTo(200);
        assertThat(call.path("decision").asText()).isEqualTo("allow");

        assertThat(app.get("/api/accounts/1", TestTokens.jwt().signedWith(TestKeys.rsa2()).sign()).statusCode()).isEqualTo(200);
        assertThat(app.get("/api/accounts/1", TestTokens.jwt().sign()).statusCode()).isEqualTo(200);
        assertThat(idp.jwksRequests()).as("both keys now cached").isEqualTo(2);
    }

    @Test
    void requestsWhenFloodOfUnknownKidsAfterFirstFetchThenOneRefetchPerIntervalAndEachInvalidToken() throws Exception {
        // every refused request of the flood must have its own call-log event: no per-address summarising
        app = GatedApp.start(with(with(GatedApp.settings(idp), ConfigKeys.JWKS_REFETCH_INTERVAL, "1h"),
                ConfigKeys.CALL_LOG_DENIALS_PER_ADDRESS, "0"));
        assertThat(app.get("/api/accounts/1", TestTokens.jwt().sign()).statusCode()).isEqualTo(200);
        app.nextCall();
        assertThat(idp.jwksRequests()).isEqualTo(1);

        List<HttpResponse<String>> flood = floodWithUnknownKids();

        assertThat(idp.jwksRequests()).as("JWKS requests after %d unknown kids: one refetch", FLOOD).isEqualTo(2);
        assertAllInvalidToken(flood);
        assertAllInvalidToken(floodWithUnknownKids());
        assertThat(idp.jwksRequests()).as("a second flood within the interval: no more").isEqualTo(2);
    }

    @Test
    void requestsWhenFloodOfUnknownKidsOnColdCacheThenFirstFetchAndOneRefetchInAllAndEachInvalidToken() throws Exception {
        // every refused request of the flood must have its own call-log event: no per-address summarising
        app = GatedApp.start(with(with(GatedApp.settings(idp), ConfigKeys.JWKS_REFETCH_INTERVAL, "1h"),
                ConfigKeys.CALL_LOG_DENIALS_PER_ADDRESS, "0"));

        List<HttpResponse<String>> flood = floodWithUnknownKids();

        assertThat(idp.jwksRequests()).as("JWKS requests after %d concurrent unknown kids", FLOOD).isEqualTo(2);
        assertAllInvalidToken(flood);
        assertThat(app.get("/api/accounts/1", TestTokens.jwt().sign()).statusCode()).isEqualTo(200);
        assertThat(idp.jwksRequests()).isEqualTo(2);
    }

    /** {@value #FLOOD} requests from 10 concurrent clients, each token signed by the trusted key under a random kid. */
    private List<HttpResponse<String>> floodWithUnknownKids() throws Exception {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < FLOOD; i++) {
            tokens.add(TestTokens.jwt().keyId(UUID.randomUUID().toString()).sign());
        }
        ExecutorService clients = Executors.newFixedThreadPool(10);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> pending = new ArrayList<>();
            for (String token : tokens) {
                pending.add(clients.submit(() -> {
                    go.await();
                    return app.get("/api/accounts/1", token);
                }));
            }
            go.countDown();
            List<HttpResponse<String>> responses = new ArrayList<>();
            for (Future<HttpResponse<String>> f : pending) {
                responses.add(f.get());
            }
            return responses;
        } finally {
            clients.shutdownNow();
        }
    }

    private void assertAllInvalidToken(List<HttpResponse<String>> responses) throws Exception {
        for (HttpResponse<String> r : responses) {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                    assertThat(v).startsWith("Bearer realm=\"api\", error=\"invalid_token\""));
        }
        for (int i = 0; i < responses.size(); i++) {
            JsonNode call = app.nextCall();
            assertThat(call.path("status").asInt()).isEqualTo(401);
            assertThat(call.path("decision").asText()).isEqualTo("deny");
            assertThat(call.path("error").asText()).isEqualTo("invalid_token");
            assertThat(call.path("reason").asText()).contains("no key");
        }
    }

    // --- the JWKS endpoint failing -----------------------------------------------------------------------------

    @Test
    void requestWhenJwksDownAndKeyCachedThenStillAccepted() throws Exception {
        app = GatedApp.start(settingsRefetchingAtOnce());
        assertThat(app.get("/api/accounts/1", TestTokens.jwt().sign()).statusCode()).isEqualTo(200);
        app.nextCall();
        idp.down();
        // an unknown kid makes the source try the endpoint, which fails: it now serves its cached keys as stale
        assertThat(app.get("/api/accounts/1", TestTokens.jwt().signedWith(TestKeys.rsa2()).sign()).statusCode()).isEqualTo(503);
        app.nextCall();
        assertThat(idp.jwksRequests()).as("the endpoint was tried again").isGreaterThan(1);

        HttpResponse<String> r = app.get("/api/accounts/1", TestTokens.jwt().sign());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("principal=alice");
        JsonNode call = app.nextCall();
        assertThat(call.path("status").asInt()).isEqualTo(200);
        assertThat(call.path("decision").asText()).isEqualTo("allow");
    }

    @Test
    void requestWhenJwksDownAndKidNotCachedThen503NotInvalidToken() throws Exception {
        app = GatedApp.start(settingsRefetchingAtOnce());
        assertThat(app.get("/api/accounts/1", TestTokens.jwt().sign()).statusCode()).isEqualTo(200);
        app.nextCall();
        idp.down();

        HttpResponse<String> r = app.get("/api/accounts/1", TestTokens.jwt().signedWith(TestKeys.rsa2()).sign());

        assertTemporarilyUnavailable(r);
    }

    @Test
    void requestWhenJwksDownAndNothingCachedThen503WithRetryAfterAndNoChallenge() throws Exception {
        idp.down();
        app = GatedApp.start(GatedApp.settings(idp));
        String token = TestTokens.jwt().sign();

        HttpResponse<String> r = app.get("/api/accounts/1", token);

        assertTemporarilyUnavailable(r);
        idp.up();
        assertThat(app.get("/api/accounts/1", token).statusCode()).as("the failure was not cached").isEqualTo(200);
    }

    @Test
    void requestWhenJwksAnswersServerErrorAndNothingCachedThen503() throws Exception {
        idp.jwksStatus(500);
        app = GatedApp.start(GatedApp.settings(idp));

        HttpResponse<String> r = app.get("/api/accounts/1", TestTokens.jwt().sign());

        assertTemporarilyUnavailable(r);
    }

    @Test
    void requestWhenJwksRedirectsThen503AndRedirectNotFollowed() throws Exception {
        try (LoopbackIssuer elsewhere = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()))) {
            idp.redirect(LoopbackIssuer.JWKS_PATH, elsewhere.jwksUri());
            app = GatedApp.start(GatedApp.settings(idp));

            HttpResponse<String> r = app.get("/api/accounts/1", TestTokens.jwt().sign());

            assertTemporarilyUnavailable(r);
            assertThat(r.body()).doesNotContain(elsewhere.jwksUri().toString());
            assertThat(elsewhere.jwksRequests()).isZero();
        }
    }

    private void assertTemporarilyUnavailable(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v ->
                assertThat(v).startsWith("application/problem+json"));
        assertThat(r.headers().firstValue("X-Legacy")).as("the application was not called").isEmpty();
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("status").asInt()).isEqualTo(503);
        assertThat(body.path("error").asText()).isEqualTo("temporarily_unavailable");
        assertThat(r.body()).doesNotContain("invalid_token").doesNotContain(idp.jwksUri().toString());
        JsonNode call = app.nextCall();
        assertThat(call.path("status").asInt()).isEqualTo(503);
        assertThat(call.path("decision").asText()).isEqualTo("deny");
        assertThat(call.path("error").asText()).isEqualTo("temporarily_unavailable");
    }

    // --- keys through OpenID Connect discovery -----------------------------------------------------------------

    @Test
    void requestWhenOnlyIssuerConfiguredThenKeysFoundByDiscoveryOnce() throws Exception {
        String issuer = idp.baseUri().toString();
        Map<String, String> settings = GatedApp.settings(idp);
        settings.remove(ConfigKeys.JWT_JWKS_URI);
        settings.put(ConfigKeys.JWT_ISSUER, issuer);
        app = GatedApp.start(settings);

        HttpResponse<String> first = app.get("/api/accounts/1", TestTokens.jwt().issuer(issuer).sign());
        HttpResponse<String> second = app.get("/api/accounts/1", TestTokens.jwt().issuer(issuer).sign());

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("principal=alice");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(idp.requests(idp.openIdConfigurationPath())).isEqualTo(1);
        assertThat(idp.jwksRequests()).isEqualTo(1);
        JsonNode call = app.nextCall();
        assertThat(call.path("status").asInt()).isEqualTo(200);
        assertThat(call.path("decision").asText()).isEqualTo("allow");
    }

    @Test
    void requestWhenIssuerUntrustedThenInvalidTokenWithoutDiscoveryOrJwksFetch() throws Exception {
        String issuer = idp.baseUri().toString();
        Map<String, String> settings = GatedApp.settings(idp);
        settings.remove(ConfigKeys.JWT_JWKS_URI);
        settings.put(ConfigKeys.JWT_ISSUER, issuer);
        app = GatedApp.start(settings);

        HttpResponse<String> r = app.get("/api/accounts/1", TestTokens.jwt().issuer(issuer + "/evil").sign());

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                assertThat(v).contains("error=\"invalid_token\""));
        assertThat(idp.requests(idp.openIdConfigurationPath())).isZero();
        assertThat(idp.requests(idp.authorizationServerMetadataPath())).isZero();
        assertThat(idp.jwksRequests()).isZero();
        JsonNode call = app.nextCall();
        assertThat(call.path("status").asInt()).isEqualTo(401);
        assertThat(call.path("error").asText()).isEqualTo("invalid_token");
        assertThat(call.path("reason").asText()).contains("issuer is not accepted");
    }

    // --- the verified-token cache ----------------------------------------------------------------------------

    @Test
    void requestWhenSameTokenTwiceThenSecondAnsweredFromVerifiedTokenCacheWithoutKeyLookup() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        app = GatedApp.start(configWithCountingKeySource(lookups));
        String token = TestTokens.jwt().sign();

        assertThat(app.get("/api/accounts/1", token).statusCode()).isEqualTo(200);
        HttpResponse<String> again = app.get("/api/accounts/2", token);

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("principal=alice", "role.read=true");
        assertThat(lookups).as("key lookups").hasValue(1);
        assertThat(idp.jwksRequests()).isEqualTo(1);
        app.nextCall();
        JsonNode call = app.nextCall();
        assertThat(call.path("status").asInt()).isEqualTo(200);
        assertThat(call.path("decision").asText()).isEqualTo("allow");
    }

    @Test
    void requestWhenTokenCacheDisabledThenEveryRequestLooksUpTheKey() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        app = GatedApp.start(configWithCountingKeySource(lookups).cacheSpec("maximumSize=0"));
        String token = TestTokens.jwt().sign();

        assertThat(app.get("/api/accounts/1", token).statusCode()).isEqualTo(200);
        assertThat(app.get("/api/accounts/2", token).statusCode()).isEqualTo(200);

        assertThat(lookups).as("key lookups").hasValue(2);
        assertThat(idp.jwksRequests()).isEqualTo(1);
        app.nextCall();
        assertThat(app.nextCall().path("status").asInt()).isEqualTo(200);
    }

    @Test
    void requestWhenSameBadTokenTwiceThenRejectedBothTimesWithoutCachingTheFailure() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        app = GatedApp.start(configWithCountingKeySource(lookups));
        String forged = TestTokens.jwt().signedWith(TestKeys.untrustedRsa()).keyId(TestKeys.rsa().keyId()).sign();

        assertThat(app.get("/api/accounts/1", forged).statusCode()).isEqualTo(401);
        assertThat(app.get("/api/accounts/1", forged).statusCode()).isEqualTo(401);

        assertThat(lookups).as("key lookups: failures are not cached").hasValue(2);
        app.nextCall();
        JsonNode call = app.nextCall();
        assertThat(call.path("error").asText()).isEqualTo("invalid_token");
    }

    /** The programmatic twin of the init-params: the JWKS source wrapped to count the validator's key lookups. */
    private TokenGate.Builder configWithCountingKeySource(AtomicInteger lookups) {
        KeySource jwks = KeySources.jwks(idp.jwksUri()).build();
        KeySource counting = keyId -> {
            lookups.incrementAndGet();
            return jwks.keys(keyId);
        };
        return TokenGate.builder().issuer(JwtValidator.builder().issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE)
                .keySource(counting));
    }
}
