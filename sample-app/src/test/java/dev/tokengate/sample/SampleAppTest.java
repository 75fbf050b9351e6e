package dev.tokengate.sample;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.testing.JwksServer;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The README walkthrough, driven over HTTP against the real app with its demo issuer. */
class SampleAppTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ORDER = "{\"symbol\":\"BTC-EUR\",\"side\":\"buy\",\"quantity\":\"0.1\"}";

    private static SampleApp app;

    @BeforeAll
    static void start() throws Exception {
        app = SampleApp.start("127.0.0.1", 0, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
    }

    private static String token(String client, String secret) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(app.baseUri().resolve("/demo-issuer/token"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((client + ":" + secret).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("access_token").asText();
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(app.baseUri().resolve(path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postOrder(String token, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(app.baseUri().resolve("/api/orders"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void walkthroughReadOnlyTokenReadsButCannotTrade() throws Exception {
        String tracker = token("portfolio-tracker", "tracker-secret");

        HttpResponse<String> balances = get("/api/account/balances", tracker);
        assertThat(balances.statusCode()).isEqualTo(200);
        assertThat(balances.body()).contains("\"owner\":\"portfolio-tracker\"");

        HttpResponse<String> order = postOrder(tracker, ORDER);
        assertThat(order.statusCode()).isEqualTo(403);
        assertThat(order.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"sample\", "
                + "error=\"insufficient_scope\", error_description=\"This resource requires the scope(s) trade; "
                + "ask for a token that has them.\", scope=\"trade\"");
        assertThat(order.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    }

    @Test
    void walkthroughTradingTokenPlacesAnOrder() throws Exception {
        String bot = token("trading-bot", "bot-secret");
        HttpResponse<String> order = postOrder(bot, ORDER);
        assertThat(order.statusCode()).isEqualTo(201);
        assertThat(order.headers().firstValue("Location")).hasValueSatisfying(v -> assertThat(v).startsWith("/api/orders/"));
        assertThat(get("/api/orders", bot).body()).contains("BTC-EUR");
    }

    @Test
    void meShowsTheVerifiedToken() throws Exception {
        JsonNode me = JSON.readTree(get("/api/me", token("trading-bot", "bot-secret")).body());
        assertThat(me.get("subject").asText()).isEqualTo("trading-bot");
        assertThat(me.get("client_id").asText()).isEqualTo("trading-bot");
        assertThat(me.get("auth_type").asText()).isEqualTo("BEARER");
        assertThat(me.get("scopes")).extracting(JsonNode::asText).containsExactly("read", "trade");
    }

    @Test
    void noTokenThenBareChallengeAndGarbageThenInvalidToken() throws Exception {
        HttpResponse<String> none = get("/api/me", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"sample\"");

        HttpResponse<String> garbage = get("/api/me", "not-a-jwt");
        assertThat(garbage.statusCode()).isEqualTo(401);
        assertThat(garbage.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).contains("error=\"invalid_token\""));
    }

    @Test
    void badOrderThen400ProblemNotAStackTrace() throws Exception {
        HttpResponse<String> r = postOrder(token("trading-bot", "bot-secret"), "{bad");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("\"status\":400").doesNotContain("Exception", "at dev.");
        assertThat(postOrder(token("trading-bot", "bot-secret"), "{\"symbol\":\"BTC-EUR\",\"side\":\"hold\",\"quantity\":\"1\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void demoIssuerRefusesUnknownClientsAndScopesItMayNotGrant() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(app.baseUri().resolve("/demo-issuer/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=portfolio-tracker"
                        + "&client_secret=tracker-secret&scope=withdraw")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("invalid_scope");
        HttpResponse<String> wrong = HTTP.send(HttpRequest.newBuilder(app.baseUri().resolve("/demo-issuer/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=trading-bot&client_secret=nope"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
    }

    @Test
    void healthIsOpen() throws Exception {
        assertThat(get("/health", null).statusCode()).isEqualTo(200);
    }

    @Test
    void callLogHasOneLinePerRequestAndNeverTheToken() throws Exception {
        String tracker = token("portfolio-tracker", "tracker-secret");
        try (LogCapture logs = LogCapture.start()) {
            get("/api/account/balances", tracker);
            postOrder(tracker, ORDER);
            // the event is written after the response is sent, so it may trail the client by a moment;
            // the app's own JWKS and discovery requests (permitted) may be logged too, if keys were not cached yet
            java.util.List<String> api = java.util.List.of();
            for (long end = System.nanoTime() + 5_000_000_000L; System.nanoTime() < end && api.size() < 2; Thread.onSpinWait()) {
                api = logs.lines("tokengate.calls").stream().filter(l -> l.contains("\"path\":\"/api/")).toList();
            }
            assertThat(api).hasSize(2)
                    .anySatisfy(l -> assertThat(l).contains("\"status\":200", "\"subject\":\"portfolio-tracker\""))
                    .anySatisfy(l -> assertThat(l).contains("\"status\":403", "\"error\":\"insufficient_scope\""));
            assertThat(logs.text()).doesNotContain(tracker);
        }
    }

    @Test
    void externalIssuerConfiguredThenDemoIssuerOffAndThatIssuerTrusted() throws Exception {
        try (JwksServer jwks = JwksServer.start()) {
            jwks.jwks(TestKeys.jwksJson(TestKeys.rsa()));
            try (SampleApp external = SampleApp.start("127.0.0.1", 0, Map.of(
                    "tokengate.jwt.issuer", TestTokens.ISSUER,
                    "tokengate.jwt.jwks-uri", jwks.uri().toString(),
                    "tokengate.jwt.audience", TestTokens.AUDIENCE))) {
                assertThat(external.demoIssuer()).isEmpty();
                URI base = external.baseUri();
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/account/balances"))
                        .header("Authorization", "Bearer " + TestTokens.jwt().scope("read").sign()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(HTTP.send(HttpRequest.newBuilder(base.resolve("/demo-issuer/token")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
            }
        }
    }
}
