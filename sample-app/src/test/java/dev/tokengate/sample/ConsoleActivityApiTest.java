package dev.tokengate.sample;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.testing.FakeTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's activity API over HTTP against the app on a fake clock: a token's minutes, rate-limit window and
 * networks; the account's 5-minute timeline and its token filter; only the owner's tokens; the scope it needs.
 */
class ConsoleActivityApiTest {

    private static final Instant START = Instant.parse("2029-03-01T09:30:10Z");
    private static final FakeTime TIME = new FakeTime(START);
    private static SampleApp app;
    private static Walker walk;

    @BeforeAll
    static void start() throws Exception {
        // a cold embedded H2 on a loaded machine can take longer than the default timeout to open its first connection
        app = SampleApp.start("127.0.0.1", 0, Map.of(ConfigKeys.RATE_LIMIT_PER_TOKEN, "100/1m",
                ConfigKeys.STORE_TIMEOUT, "10s"), TIME, TIME);
        walk = new Walker(app.baseUri());
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
    }

    @Test
    void aTokenTheNetworksRuleRevokedIsListedAsRevokedWithTheRulesReason() throws Exception {
        String session = walk.session();
        JsonNode bot = walk.createToken(session, "{\"name\":\"roaming bot\",\"scopes\":[\"read\"]}");
        String token = bot.get("token").asText();
        String id = bot.get("id").asText();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        int last = 0;
        for (String network : new String[] {"198.51.100.7", "203.0.113.7", "192.0.2.7", "100.64.0.7"}) {
            // the app trusts 127.0.0.1 as a proxy: each forwarded address is the caller's, from a network of its own
            last = http.send(java.net.http.HttpRequest.newBuilder(app.baseUri().resolve("/api/account/balances"))
                    .header("Authorization", "Bearer " + token).header("X-Forwarded-For", network).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        assertThat(last).as("the fourth network within the window").isEqualTo(401);

        JsonNode listed = Walker.json(walk.get("/console/api/tokens", session));
        JsonNode row = null;
        for (JsonNode t : listed.get("tokens")) {
            if (t.get("id").asText().equals(id)) {
                row = t;
            }
        }
        assertThat(row).as("the bot's row in %s", listed).isNotNull();
        assertThat(row.get("status").asText()).isEqualTo("revoked");
        assertThat(row.get("revoked_at").asText()).isEqualTo(TIME.instant().toString());
        assertThat(row.get("revoked_reason").asText()).contains("networks");
    }

    @Test
    void tokenActivityCountsItsCallsByMinuteWithItsRateLimitWindowAndNetworks() throws Exception {
        String session = walk.session();
        JsonNode bot = walk.createToken(session, "{\"name\":\"api bot\",\"scopes\":[\"read\"]}");
        String token = bot.get("token").asText();
        String id = bot.get("id").asText();
        assertThat(walk.get("/console/api/tokens/" + id + "/activity", session).statusCode())
                .as("no call yet").isEqualTo(404);

        for (int i = 0; i < 3; i++) {
            assertThat(walk.get("/api/account/balances", token).statusCode()).isEqualTo(200);
        }
        assertThat(walk.send("POST", "/api/orders", token, Walker.ORDER).statusCode()).isEqualTo(403);
        TIME.advance(Duration.ofSeconds(50)); // 09:31:00: the next minute, the same rate-limit window
        assertThat(walk.get("/api/account/balances", token).statusCode()).isEqualTo(200);

        HttpResponse<String> r = walk.get("/console/api/tokens/" + id + "/activity", session);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode a = Walker.json(r);
        assertThat(a.get("name").asText()).isEqualTo("api bot");
        assertThat(a.get("fingerprint").asText()).isEqualTo(CallLabels.fingerprint(token));
        JsonNode minutes = a.get("minutes");
        assertThat(minutes).hasSize(60);
        assertThat(minutes.get(59).get("start").asText()).isEqualTo("2029-03-01T09:31:00Z");
        assertThat(minutes.get(59).get("allowed").asInt()).isEqualTo(1);
        assertThat(minutes.get(58).get("start").asText()).isEqualTo("2029-03-01T09:30:00Z");
        assertThat(minutes.get(58).get("allowed").asInt()).isEqualTo(3);
        assertThat(minutes.get(58).get("denied_scope").asInt()).isEqualTo(1);
        // the window began with the first call at 09:30:10 and ends at 09:31:10; the limits run before the route's
        // scopes, so the refused order counts too
        assertThat(a.get("rate_limit").toString()).isEqualTo(
                "{\"limit\":100,\"window_seconds\":60,\"used\":5,\"remaining\":95,\"resets_in_seconds\":10}");
        assertThat(a.get("networks")).singleElement().satisfies(n -> {
            assertThat(n.get("network").asText()).isEqualTo("127.0.0.0/24");
            assertThat(n.get("first_seen").asText()).isEqualTo("2029-03-01T09:30:10Z");
            assertThat(n.get("last_seen").asText()).isEqualTo("2029-03-01T09:31:00Z");
            assertThat(n.get("calls").asInt()).isEqualTo(5);
        });
        assertThat(a.get("countries")).isEmpty();
        assertThat(a.get("auto_revocation").isNull()).isTrue();

        // the account's day: 5-minute slots, this token alone with ?token=
        JsonNode day = Walker.json(walk.get("/console/api/activity?token=" + id, session));
        assertThat(day.get("account").asText()).isEqualTo("alice");
        assertThat(day.get("slot_seconds").asInt()).isEqualTo(300);
        assertThat(day.get("slots")).hasSize(288);
        JsonNode slot = day.get("slots").get(287);
        assertThat(slot.get("start").asText()).isEqualTo("2029-03-01T09:30:00Z");
        assertThat(slot.get("allowed").asInt()).isEqualTo(4);
        assertThat(slot.get("denied_scope").asInt()).isEqualTo(1);
        assertThat(day.get("tokens")).singleElement().satisfies(t -> assertThat(t.get("token_id").asText()).isEqualTo(id));
    }

    @Test
    void anotherUsersTokenAndTheWrongScopeAreRefused() throws Exception {
        String session = walk.session();
        String id = walk.createToken(session, "{\"name\":\"reader\",\"scopes\":[\"read\"]}").get("id").asText();
        assertThat(walk.get("/console/api/tokens/not-a-token/activity", session).statusCode()).isEqualTo(404);
        String tracker = walk.clientToken("portfolio-tracker", "tracker-secret");
        assertThat(walk.get("/console/api/activity", tracker).statusCode()).as("no scope tokens").isEqualTo(403);
        assertThat(walk.get("/console/api/tokens/" + id + "/activity", tracker).statusCode()).isEqualTo(403);
    }
}
