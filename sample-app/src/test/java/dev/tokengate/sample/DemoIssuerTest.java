package dev.tokengate.sample;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static dev.tokengate.sample.Walker.json;
import static org.assertj.core.api.Assertions.assertThat;

/** The demo authorization server: grants, refresh-token rotation, RFC 7662 introspection, RFC 7009 revocation. */
class DemoIssuerTest {

    private static SampleApp app;
    private static Walker walk;

    @BeforeAll
    static void start() throws Exception {
        app = SampleApp.start("127.0.0.1", 0, Map.of());
        walk = new Walker(app.baseUri());
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
    }

    @Test
    void discoveryNamesEveryEndpointAndTheDemoWarning() throws Exception {
        JsonNode doc = json(walk.get("/demo-issuer/.well-known/openid-configuration", null));
        String issuer = app.baseUri() + "/demo-issuer";
        assertThat(doc.get("issuer").asText()).isEqualTo(issuer);
        assertThat(doc.get("jwks_uri").asText()).isEqualTo(issuer + "/jwks");
        assertThat(doc.get("token_endpoint").asText()).isEqualTo(issuer + "/token");
        assertThat(doc.get("introspection_endpoint").asText()).isEqualTo(issuer + "/introspect");
        assertThat(doc.get("revocation_endpoint").asText()).isEqualTo(issuer + "/revoke");
        assertThat(doc.get("x-demo-warning").asText()).contains("DEMO");
        assertThat(json(walk.get("/demo-issuer/jwks", null)).get("keys").get(0).get("alg").asText()).isEqualTo("RS256");
    }

    @Test
    void accessTokenIsAnAtJwtForFiveMinutes() throws Exception {
        String token = walk.clientToken("trading-bot", "bot-secret");
        JsonNode header = Walker.JSON.readTree(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[0]));
        JsonNode claims = Walker.JSON.readTree(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertThat(header.get("typ").asText()).isEqualTo("at+jwt");
        assertThat(header.get("alg").asText()).isEqualTo("RS256");
        assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(300);
        assertThat(claims.get("scope").asText()).isEqualTo("read trade");
        assertThat(claims.get("aud").asText()).isEqualTo("tokengate-sample");
    }

    @Test
    void clientsGetOnlyTheirScopesAndWrongSecretsAreRefused() throws Exception {
        HttpResponse<String> withdraw = walk.form("/demo-issuer/token",
                Map.of("grant_type", "client_credentials", "scope", "withdraw"), "trading-bot:bot-secret");
        assertThat(withdraw.statusCode()).isEqualTo(400);
        assertThat(json(withdraw).get("error").asText()).isEqualTo("invalid_scope");
        assertThat(walk.form("/demo-issuer/token", Map.of("grant_type", "client_credentials"), "trading-bot:nope").statusCode()).isEqualTo(401);
        assertThat(json(walk.form("/demo-issuer/token", Map.of("grant_type", "password", "username", "alice",
                "password", "alice-password"), "trading-bot:bot-secret")).get("error").asText()).isEqualTo("unauthorized_client");
        assertThat(json(walk.form("/demo-issuer/token", Map.of("grant_type", "authorization_code"), null)).get("error").asText())
                .isEqualTo("unsupported_grant_type");
    }

    @Test
    void passwordGrantChecksThePassword() throws Exception {
        HttpResponse<String> r = walk.form("/demo-issuer/token", Map.of("grant_type", "password", "client_id", "token-console",
                "username", "alice", "password", "wrong"), null);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).isEqualTo("invalid_grant");
        JsonNode ok = walk.signIn();
        assertThat(ok.get("scope").asText()).isEqualTo("tokens");
        assertThat(ok.get("refresh_token").asText()).startsWith("tgat_");
    }

    @Test
    void refreshTokenIsRotatedAndReuseRevokesTheWholeSignInButNoOtherSignIn() throws Exception {
        String otherSignIn = walk.signIn().get("refresh_token").asText();
        String first = walk.signIn().get("refresh_token").asText();

        JsonNode second = json(refresh(first));
        assertThat(second.get("access_token").asText()).isNotBlank();
        String secondRefresh = second.get("refresh_token").asText();
        assertThat(secondRefresh).isNotEqualTo(first);

        HttpResponse<String> reuse = refresh(first);
        assertThat(reuse.statusCode()).isEqualTo(400);
        assertThat(json(reuse).get("error").asText()).isEqualTo("invalid_grant");
        assertThat(json(reuse).get("error_description").asText()).contains("already used");

        assertThat(refresh(secondRefresh).statusCode()).as("the newer refresh token went with the reuse").isEqualTo(400);
        assertThat(refresh(otherSignIn).statusCode()).as("the same user's other sign-in is not touched").isEqualTo(200);
    }

    @Test
    void refreshTokenIsNotABearerTokenForTheApi() throws Exception {
        String refresh = walk.signIn().get("refresh_token").asText();
        assertThat(walk.get("/api/me", refresh).statusCode()).isEqualTo(401);
    }

    @Test
    void introspectionAnswersForJwtsPersonalTokensAndRefreshTokens() throws Exception {
        String jwt = walk.clientToken("portfolio-tracker", "tracker-secret");
        JsonNode active = json(introspect(jwt, "trading-bot:bot-secret"));
        assertThat(active.get("active").asBoolean()).isTrue();
        assertThat(active.get("scope").asText()).isEqualTo("read");
        assertThat(active.get("client_id").asText()).isEqualTo("portfolio-tracker");
        assertThat(active.get("sub").asText()).isEqualTo("alice");

        String pat = walk.createToken(walk.session(), "{\"name\":\"introspected\",\"scopes\":[\"trade\"]}").get("token").asText();
        JsonNode patInfo = json(introspect(pat, "trading-bot:bot-secret"));
        assertThat(patInfo.get("active").asBoolean()).isTrue();
        assertThat(patInfo.get("scope").asText()).isEqualTo("trade");
        walk.form("/demo-issuer/revoke", Map.of("token", pat, "client_id", "token-console"), null);
        assertThat(json(introspect(pat, "trading-bot:bot-secret")).get("active").asBoolean()).isFalse();

        assertThat(json(introspect("garbage", "trading-bot:bot-secret")).toString()).isEqualTo("{\"active\":false}");
        assertThat(introspect(jwt, null).statusCode()).isEqualTo(401);
        HttpResponse<String> publicClient = walk.form("/demo-issuer/introspect", Map.of("token", jwt, "client_id", "token-console"), null);
        assertThat(publicClient.statusCode()).isEqualTo(401);
    }

    @Test
    void revocationRevokesRefreshTokensOfTheCallingClientOnlyAndRefusesJwts() throws Exception {
        String refresh = walk.signIn().get("refresh_token").asText();
        HttpResponse<String> otherClient = walk.form("/demo-issuer/revoke", Map.of("token", refresh), "trading-bot:bot-secret");
        assertThat(otherClient.statusCode()).isEqualTo(200);
        assertThat(refresh(refresh).statusCode()).as("another client cannot revoke it").isEqualTo(200);

        String current = walk.signIn().get("refresh_token").asText();
        assertThat(walk.form("/demo-issuer/revoke", Map.of("token", current, "token_type_hint", "refresh_token",
                "client_id", "token-console"), null).statusCode()).isEqualTo(200);
        assertThat(refresh(current).statusCode()).isEqualTo(400);

    }

    @Test
    void revokingAJwtAccessTokenPutsItsJtiOnTheApisRevocationListOnlyForTheClientItWasIssuedTo() throws Exception {
        String access = walk.signIn().get("access_token").asText();
        assertThat(walk.get("/api/me", access).statusCode()).isEqualTo(200);

        HttpResponse<String> otherClient = walk.form("/demo-issuer/revoke", Map.of("token", access), "trading-bot:bot-secret");
        assertThat(otherClient.statusCode()).isEqualTo(400);
        assertThat(json(otherClient).get("error").asText()).isEqualTo("unauthorized_client");
        assertThat(walk.get("/api/me", access).statusCode()).isEqualTo(200);

        assertThat(walk.form("/demo-issuer/revoke", Map.of("token", access, "client_id", "token-console"), null)
                .statusCode()).isEqualTo(200);
        HttpResponse<String> refused = walk.get("/api/me", access);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                assertThat(v).contains("error=\"invalid_token\"", "This token has been revoked"));
        String jti = com.auth0.jwt.JWT.decode(access).getId();
        assertThat(walk.get("/console/api/revocations", walk.session()).body())
                .contains("{\"target\":\"token_id\",\"value\":\"" + jti + "\",\"reason\":\"revoked at the demo "
                        + "issuer (RFC 7009) by token-console\"");
    }

    private static HttpResponse<String> refresh(String refreshToken) throws Exception {
        return walk.form("/demo-issuer/token", Map.of("grant_type", "refresh_token", "refresh_token", refreshToken,
                "client_id", "token-console"), null);
    }

    private static HttpResponse<String> introspect(String token, String basic) throws Exception {
        return walk.form("/demo-issuer/introspect", Map.of("token", token), basic);
    }
}
