package dev.tokengate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LoopbackIssuerTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A clock the tests move by hand. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static final MovableClock CLOCK = new MovableClock(NOW);
    private static LoopbackIssuer issuer;

    @BeforeAll
    static void start() {
        issuer = LoopbackIssuer.builder().clock(CLOCK).issuerPath("/realms/shop").start();
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    @Test
    void discoveryNamesTheIssuerAndItsEndpointsAtBothWellKnownPaths() throws Exception {
        String base = "http://" + issuer.jwksUri().getAuthority();
        for (String path : new String[] {"/realms/shop/.well-known/openid-configuration",
                "/.well-known/oauth-authorization-server/realms/shop"}) {
            HttpResponse<String> r = get(URI.create(base + path));
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.body()).contains("\"issuer\":\"" + base + "/realms/shop\"")
                    .contains("\"jwks_uri\":\"" + base + "/jwks\"")
                    .contains("\"introspection_endpoint\":\"" + base + "/introspect\"")
                    .contains("\"revocation_endpoint\":\"" + base + "/revoke\"");
        }
        assertThat(issuer.issuer()).isEqualTo(base + "/realms/shop");
    }

    @Test
    void mintedTokenVerifiesWithThePublishedKeyAndCarriesTheDefaults() throws Exception {
        String token = issuer.token().scope("orders:read").claim("roles", java.util.List.of("a", "b")).sign();
        DecodedJWT jwt = JWT.decode(token);
        RSAPublicKey key = (RSAPublicKey) issuer.signingKey().publicKey();
        ((JWTVerifier.BaseVerification) JWT.require(Algorithm.RSA256(key, null)).withIssuer(issuer.issuer())
                .withAudience(issuer.audience()).withClaim("scope", "orders:read")).build(CLOCK).verify(token);
        assertThat(jwt.getKeyId()).isEqualTo(issuer.signingKey().keyId());
        assertThat(jwt.getType()).isEqualTo("at+jwt");
        assertThat(jwt.getIssuedAtAsInstant()).isEqualTo(CLOCK.instant());
        assertThat(jwt.getExpiresAtAsInstant()).isEqualTo(CLOCK.instant().plus(Duration.ofMinutes(5)));
        assertThat(jwt.getClaim("roles").asList(String.class)).containsExactly("a", "b");
        assertThat(get(issuer.jwksUri()).body()).contains("\"kid\":\"" + issuer.signingKey().keyId() + "\"");
    }

    @Test
    void es256IssuerSignsWithAnEcKeyItPublishes() throws Exception {
        try (LoopbackIssuer ec = LoopbackIssuer.builder().algorithm("ES256").start()) {
            String token = ec.validToken();
            assertThat(JWT.decode(token).getAlgorithm()).isEqualTo("ES256");
            JWT.require(Algorithm.ECDSA256((ECPublicKey) ec.signingKey().publicKey(), null)).build().verify(token);
            assertThat(get(ec.jwksUri()).body()).contains("\"kty\":\"EC\"").contains("\"crv\":\"P-256\"");
        }
    }

    @Test
    void helpersBuildTheTokensAGateMustRefuse() {
        Instant now = CLOCK.instant();
        assertThat(JWT.decode(issuer.expiredToken()).getExpiresAtAsInstant()).isBefore(now);
        assertThat(JWT.decode(issuer.notYetValidToken()).getNotBeforeAsInstant()).isAfter(now);
        assertThat(JWT.decode(issuer.wrongAudienceToken()).getAudience()).doesNotContain(issuer.audience());
        assertThat(JWT.decode(issuer.wrongIssuerToken()).getIssuer()).isNotEqualTo(issuer.issuer());
        String forged = issuer.wrongKeyToken();
        assertThat(JWT.decode(forged).getKeyId()).isEqualTo(issuer.signingKey().keyId());
        RSAPublicKey key = (RSAPublicKey) issuer.signingKey().publicKey();
        assertThatThrownBy(() -> JWT.require(Algorithm.RSA256(key, null)).build().verify(forged))
                .isInstanceOf(SignatureVerificationException.class);
    }

    @Test
    void rotationPublishesOldAndNewKeysUntilTheOldOneIsRetired() throws Exception {
        try (LoopbackIssuer rotating = LoopbackIssuer.start()) {
            SigningKey first = rotating.signingKey();
            SigningKey second = rotating.rotateKey();
            assertThat(JWT.decode(rotating.validToken()).getKeyId()).isEqualTo(second.keyId());
            assertThat(get(rotating.jwksUri()).body()).contains("\"kid\":\"" + first.keyId() + "\"")
                    .contains("\"kid\":\"" + second.keyId() + "\"");
            rotating.retireKey(first.keyId());
            assertThat(get(rotating.jwksUri()).body()).doesNotContain("\"kid\":\"" + first.keyId() + "\"")
                    .contains("\"kid\":\"" + second.keyId() + "\"");
            assertThatThrownBy(() -> rotating.retireKey(second.keyId())).hasMessageContaining("rotateKey() first");
            assertThat(rotating.jwksRequests()).isEqualTo(2);
        }
    }

    @Test
    void introspectionAnswersMintedTokensActiveUntilTheyExpireByTheIssuersClock() throws Exception {
        String opaque = issuer.token().subject("bob").scope("orders:read").lifetime(Duration.ofMinutes(1)).opaque();
        HttpResponse<String> active = introspect(opaque, basic(issuer.clientId(), issuer.clientSecret()));
        assertThat(active.statusCode()).isEqualTo(200);
        assertThat(active.body()).startsWith("{\"active\":true").contains("\"sub\":\"bob\"")
                .contains("\"scope\":\"orders:read\"").contains("\"iss\":\"" + issuer.issuer() + "\"");
        assertThat(introspect(issuer.validToken(), basic(issuer.clientId(), issuer.clientSecret())).body())
                .startsWith("{\"active\":true");
        CLOCK.advance(Duration.ofMinutes(2));
        try {
            assertThat(introspect(opaque, basic(issuer.clientId(), issuer.clientSecret())).body())
                    .isEqualTo("{\"active\":false}");
        } finally {
            CLOCK.advance(Duration.ofMinutes(-2));
        }
        assertThat(introspect("never-minted", basic(issuer.clientId(), issuer.clientSecret())).body())
                .isEqualTo("{\"active\":false}");
        assertThat(issuer.introspections(opaque)).isEqualTo(2);
    }

    @Test
    void introspectionAndRevocationRefuseAClientWithoutTheCredentials() throws Exception {
        String opaque = issuer.token().opaque();
        HttpResponse<String> wrong = introspect(opaque, basic(issuer.clientId(), "not-the-secret"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("invalid_client");
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"loopback-issuer\"");
        assertThat(introspect(opaque, null).statusCode()).isEqualTo(401);
        assertThat(post(issuer.revocationUri(), "token=" + opaque, null).statusCode()).isEqualTo(401);
        assertThat(issuer.isRevoked(opaque)).isFalse();
        HttpResponse<String> posted = post(issuer.introspectionUri(), "token=" + opaque + "&client_id="
                + issuer.clientId() + "&client_secret=" + issuer.clientSecret(), null);
        assertThat(posted.body()).startsWith("{\"active\":true");
    }

    @Test
    void revocationMakesATokenInactive() throws Exception {
        String opaque = issuer.token().opaque();
        String auth = basic(issuer.clientId(), issuer.clientSecret());
        HttpResponse<String> revoked = post(issuer.revocationUri(), "token=" + opaque + "&token_type_hint=access_token",
                auth);
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(issuer.isRevoked(opaque)).isTrue();
        assertThat(introspect(opaque, auth).body()).isEqualTo("{\"active\":false}");
        assertThat(post(issuer.revocationUri(), "token=unknown", auth).statusCode()).as("RFC 7009 §2.2").isEqualTo(200);
        assertThat(issuer.lastRequest().path()).isEqualTo(LoopbackIssuer.REVOCATION_PATH);
    }

    @Test
    void scriptedFailuresAnswerAsSet() throws Exception {
        try (LoopbackIssuer failing = LoopbackIssuer.start()) {
            failing.jwksStatus(503).cacheControl("max-age=60");
            HttpResponse<String> r = get(failing.jwksUri());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("Cache-Control")).hasValue("max-age=60");
            failing.jwksStatus(200).jwks("{\"keys\":[]}");
            assertThat(get(failing.jwksUri()).body()).isEqualTo("{\"keys\":[]}");
            failing.openIdConfiguration(false);
            assertThat(get(URI.create(failing.baseUri() + failing.openIdConfigurationPath())).statusCode())
                    .isEqualTo(404);
            failing.clientAuthentication(false).introspectionAnswer("{\"active\":true,\"sub\":\"x\"}");
            assertThat(post(failing.introspectionUri(), "token=anything", null).body()).isEqualTo("{\"active\":true,\"sub\":\"x\"}");
            assertThat(failing.jwksRequests()).isEqualTo(2);
            failing.down();
            assertThatThrownBy(() -> get(failing.jwksUri())).isInstanceOf(IOException.class);
            failing.up();
            assertThat(get(failing.jwksUri()).statusCode()).isEqualTo(200);
            assertThat(failing.jwksRequests()).as("the client retries a GET once").isEqualTo(5);
        }
    }

    @Test
    void settingsNameTheKeysAGateReads() {
        assertThat(issuer.settings()).containsEntry("tokengate.jwt.issuer", issuer.issuer())
                .containsEntry("tokengate.jwt.jwks-uri", issuer.jwksUri().toString())
                .containsEntry("tokengate.jwt.audience", LoopbackIssuer.DEFAULT_AUDIENCE)
                .containsEntry("tokengate.introspection.uri", issuer.introspectionUri().toString())
                .containsEntry("tokengate.introspection.client-id", LoopbackIssuer.DEFAULT_CLIENT_ID)
                .containsEntry("tokengate.introspection.client-secret", LoopbackIssuer.DEFAULT_CLIENT_SECRET)
                .hasSize(6);
    }

    @Test
    void builderRefusesWhatItCannotServe() {
        assertThatThrownBy(() -> LoopbackIssuer.builder().issuerPath("realms/")).hasMessageContaining("issuerPath");
        assertThatThrownBy(() -> LoopbackIssuer.builder().algorithm("HS256")).hasMessageContaining("HS256");
        assertThatThrownBy(() -> TokenBuilder.signedBy(issuer.signingKey()).opaque())
                .hasMessageContaining("LoopbackIssuer.token()");
    }

    static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> introspect(String token, String authorization) throws Exception {
        return post(issuer.introspectionUri(), "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8),
                authorization);
    }

    static HttpResponse<String> post(URI uri, String form, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }
}
