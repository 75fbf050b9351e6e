package dev.tokengate.sample;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokengate.ConfigurationException;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.testing.conformance.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static dev.tokengate.sample.Walker.challenge;
import static dev.tokengate.sample.Walker.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The app around the walkthrough: open routes, the console's pages, errors, configuration, external issuer mode. */
class SampleAppTest {

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
    void healthIsOpenAndTheRootLeadsToTheConsole() throws Exception {
        assertThat(walk.get("/health", null).statusCode()).isEqualTo(200);
        assertThat(walk.get("/health", "not-even-checked").statusCode()).isEqualTo(200);
        HttpResponse<String> root = walk.get("/", null);
        assertThat(root.statusCode()).isEqualTo(303);
        assertThat(root.headers().firstValue("Location")).hasValueSatisfying(v -> assertThat(v).endsWith("/console/"));
    }

    @Test
    void consolePagesAreServedFromTheJarWithAStrictContentSecurityPolicy() throws Exception {
        for (String path : new String[] {"/console/", "/console", "/console/console.js", "/console/console.css",
                "/console/charts.js", "/console/stepup.js"}) {
            HttpResponse<String> r = walk.get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v ->
                    assertThat(v).contains("script-src 'self'", "frame-ancestors 'none'"));
        }
        assertThat(walk.get("/console/", null).body()).contains("<html lang=\"en\">", "<label for=\"token-name\">");
        assertThat(walk.get("/console/secret.txt", null).statusCode()).isEqualTo(404);
    }

    @Test
    void noTokenThenBareChallengeAndGarbageThenInvalidToken() throws Exception {
        HttpResponse<String> none = walk.get("/api/me", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(challenge(none)).isEqualTo("Bearer realm=\"sample\", resource_metadata=\"" + app.baseUri()
                + "/.well-known/oauth-protected-resource\", DPoP realm=\"sample\", resource_metadata=\"" + app.baseUri() + "/.well-known/oauth-protected-resource\", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"");
        HttpResponse<String> garbage = walk.get("/api/me", "not-a-jwt");
        assertThat(garbage.statusCode()).isEqualTo(401);
        assertThat(challenge(garbage)).contains("error=\"invalid_token\"");
        HttpResponse<String> typo = walk.get("/api/me", "tgat_0000000000000000000000000000000000000000000000000");
        assertThat(typo.statusCode()).isEqualTo(401);
        assertThat(challenge(typo)).contains("malformed");
    }

    /**
     * Jetty keeps recent header fields per connection and by default finds them again ignoring case: without the
     * sample's case-sensitive header cache, a stored token's case variant sent on the same kept-alive connection was
     * handed the earlier, valid Authorization value and served.
     */
    @Test
    void caseVariantOfAValidStoredTokenOnTheSameConnectionThenInvalidToken() throws Exception {
        String token = walk.createToken(walk.session(), "{\"name\":\"case\",\"scopes\":[\"read\"]}").get("token").asText();
        int i = token.length() - 1;
        while (!Character.isLetter(token.charAt(i))) {
            i--;
        }
        char c = token.charAt(i);
        String variant = token.substring(0, i) + (Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c))
                + token.substring(i + 1);
        try (RawHttp.Connection connection = RawHttp.connect(app.baseUri())) {
            assertThat(connection.get("/api/me", "Authorization: Bearer " + token).status()).isEqualTo(200);
            assertThat(connection.get("/api/me", "Authorization: Bearer " + token).status()).isEqualTo(200);

            RawHttp.Response r = connection.get("/api/me", "Authorization: Bearer " + variant);

            assertThat(r.status()).isEqualTo(401);
            assertThat(r.challenge()).contains("error=\"invalid_token\"");
        }
    }

    @Test
    void meShowsTheVerifiedToken() throws Exception {
        HttpResponse<String> me = walk.get("/api/me", walk.clientToken("trading-bot", "bot-secret"));
        assertThat(json(me).get("subject").asText()).isEqualTo("alice");
        assertThat(json(me).get("client_id").asText()).isEqualTo("trading-bot");
        assertThat(json(me).get("token_kind").asText()).isEqualTo("jwt");
        assertThat(json(me).get("scopes")).extracting(n -> n.asText()).containsExactly("read", "trade");
    }

    @Test
    void unknownResourceIs404ProblemAndWrongMethod405() throws Exception {
        HttpResponse<String> missing = walk.get("/api/nothing-here", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(walk.send("PUT", "/api/orders", null, "{}").statusCode()).isEqualTo(405);
    }

    @Test
    void bannerShowsTheConsoleTheDemoCredentialsAndTheDatabase() {
        assertThat(SampleApp.banner(app)).contains("/console/", "DEMO issuer", "alice / alice-password",
                "portfolio-tracker:tracker-secret", "embedded H2", "Ctrl-C");
    }

    @Test
    void metricsAreServedOpenInPrometheusFormatAndStayOutOfTheCallLog() throws Exception {
        assertThat(walk.get("/api/me", null).statusCode()).isEqualTo(401);
        String bot = walk.clientToken("trading-bot", "bot-secret");
        assertThat(walk.get("/api/me", bot).statusCode()).isEqualTo(200);
        assertThat(walk.get("/api/me", bot).statusCode()).isEqualTo(200);

        HttpResponse<String> metrics = walk.get("/metrics", null);

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(v ->
                assertThat(v).startsWith("text/plain; version=0.0.4"));
        String body = metrics.body();
        assertThat(value(body, "tokengate_decisions_total{error=\"missing_token\",outcome=\"deny\"}")).isPositive();
        assertThat(value(body, "tokengate_decisions_total{error=\"none\",outcome=\"allow\"}")).isGreaterThanOrEqualTo(2);
        assertThat(value(body, "tokengate_validation_seconds_count{kind=\"jwt\",result=\"ok\"}")).isGreaterThanOrEqualTo(2);
        assertThat(value(body, "tokengate_jwks_fetch_seconds_count{result=\"ok\"}")).isPositive();
        assertThat(value(body, "tokengate_jwks_age_seconds{issuer=\"" + app.baseUri() + "/demo-issuer\"}"))
                .isGreaterThanOrEqualTo(0);
        assertThat(value(body, "tokengate_cache_gets_total{cache=\"verified-tokens\",result=\"hit\"}")).isPositive();
        assertThat(body).contains("tokengate_store_lookup_seconds_count{result=\"ok\"}", "tokengate_rate_limited_total");
        assertThat(metrics.body()).doesNotContain(bot.substring(0, 24)).doesNotContain("alice");
        assertThat(walk.get("/metrics", bot).statusCode()).as("a token changes nothing: the route is not gated")
                .isEqualTo(200);
        JsonNode calls = json(walk.get("/console/api/calls", walk.session())).get("calls");
        assertThat(calls).isNotEmpty().allSatisfy(c -> assertThat(c.get("path").asText()).isNotEqualTo("/metrics"));
    }

    /** The value of one series in a Prometheus text exposition. */
    private static double value(String exposition, String series) {
        return exposition.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).strip()))
                .orElseThrow(() -> new AssertionError("no series " + series + " in:\n" + exposition));
    }

    @Test
    void unknownTokengateSettingFailsStartupNamingIt() {
        assertThatThrownBy(() -> SampleApp.start("127.0.0.1", 0, Map.of("tokengate.store.jdbc-uri", "jdbc:h2:mem:x")).close())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tokengate.store.jdbc-uri");
    }

    @Test
    void unreachableDatabaseFailsStartupNamingTheSetting() {
        assertThatThrownBy(() -> SampleApp.start("127.0.0.1", 0, Map.of(SampleSettings.STORE_JDBC_URL,
                "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1")).close())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(SampleSettings.STORE_JDBC_URL);
    }

    @Test
    void externalIssuerConfiguredThenDemoIssuerOffAndThatIssuerTrustedByApiAndLegacyArea() throws Exception {
        try (LoopbackIssuer jwks = LoopbackIssuer.start()) {
            jwks.jwks(TestKeys.jwksJson(TestKeys.rsa()));
            try (SampleApp external = SampleApp.start("127.0.0.1", 0, Map.of(
                    "tokengate.jwt.issuer", TestTokens.ISSUER,
                    "tokengate.jwt.jwks-uri", jwks.jwksUri().toString(),
                    "tokengate.jwt.audience", TestTokens.AUDIENCE))) {
                assertThat(external.demoIssuer()).isEmpty();
                Walker w = new Walker(external.baseUri());
                String read = TestTokens.jwt().scope("read").sign();
                assertThat(w.get("/api/account/balances", read).statusCode()).isEqualTo(200);
                assertThat(w.get("/legacy/statement", read).statusCode()).isEqualTo(200);
                assertThat(w.get("/demo-issuer/token", null).statusCode()).isEqualTo(404);
                assertThat(w.get("/api/me", walk.clientToken("trading-bot", "bot-secret")).statusCode())
                        .as("the demo issuer of another app is not trusted").isEqualTo(401);
                String console = TestTokens.jwt().scope("tokens").sign();
                assertThat(w.createToken(console, "{\"name\":\"ci\",\"scopes\":[\"read\"]}").get("token").asText()).startsWith("tgat_");
                assertThat(SampleApp.banner(external)).contains("demo issuer is off");
            }
        }
    }
}
