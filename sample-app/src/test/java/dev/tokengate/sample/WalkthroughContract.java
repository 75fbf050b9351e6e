package dev.tokengate.sample;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokengate.testing.LogCapture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.tokengate.sample.Walker.ORDER;
import static dev.tokengate.sample.Walker.challenge;
import static dev.tokengate.sample.Walker.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README walkthrough, step by step over HTTP against the real app (demo issuer on), and what surrounds it:
 * orders and withdrawals kept in the database, personal access tokens (expiry, revocation, address ranges), the
 * console's recent calls, the legacy web.xml area and the call log. Run once per database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WalkthroughContract {

    final MutableClock clock = new MutableClock();
    SampleApp app;
    Walker walk;
    /** Why the app could not start here (its database is unreachable); each test then reports itself skipped. */
    String skipped;

    /** The app's settings for this database. */
    abstract Map<String, String> settings();

    @BeforeAll
    void start() throws Exception {
        app = SampleApp.start("127.0.0.1", 0, settings(), clock);
        walk = new Walker(app.baseUri());
    }

    @BeforeEach
    void requireApp() {
        Assumptions.assumeTrue(skipped == null, () -> "skipped: " + skipped);
    }

    @AfterAll
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    // --- the README walkthrough --------------------------------------------------------------------------------

    @Test
    void walkthroughReadOnlyTokenReadsBalancesAndOrderIsRefusedWithInsufficientScope() throws Exception {
        String read = walk.clientToken("portfolio-tracker", "tracker-secret");

        HttpResponse<String> balances = walk.get("/api/account/balances", read);
        assertThat(balances.statusCode()).isEqualTo(200);
        assertThat(json(balances).get("owner").asText()).isEqualTo("alice");
        assertThat(json(balances).get("balances").has("EUR")).isTrue();

        HttpResponse<String> order = walk.send("POST", "/api/orders", read, ORDER);
        assertThat(order.statusCode()).isEqualTo(403);
        assertThat(challenge(order)).isEqualTo("Bearer realm=\"sample\", error=\"insufficient_scope\", "
                + "error_description=\"This resource requires the scope(s) trade; ask for a token that has them.\", scope=\"trade\"");
        assertThat(order.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    }

    @Test
    void walkthroughTradeTokenFromConsolePlacesOrderThatIsStoredAndCancellable() throws Exception {
        JsonNode bot = walk.createToken(walk.session(), "{\"name\":\"trading bot\",\"scopes\":[\"read\",\"trade\"],\"expires_in_days\":30}");
        String token = bot.get("token").asText();
        assertThat(token).startsWith("tgat_").hasSize(54);

        HttpResponse<String> order = walk.send("POST", "/api/orders", token, ORDER);
        assertThat(order.statusCode()).as(order.body()).isEqualTo(201);
        long id = json(order).get("id").asLong();
        assertThat(order.headers().firstValue("Location")).hasValue(app.baseUri() + "/api/orders/" + id);
        assertThat(json(order).get("placed_by").asText()).isEqualTo("token-console");

        // the order is in the database: another of alice's tokens sees it
        String tracker = walk.clientToken("portfolio-tracker", "tracker-secret");
        assertThat(walk.get("/api/orders", tracker).body()).contains("\"id\":" + id, "\"status\":\"open\"");

        HttpResponse<String> cancel = walk.send("DELETE", "/api/orders/" + id, token, null);
        assertThat(cancel.statusCode()).isEqualTo(200);
        assertThat(json(cancel).get("status").asText()).isEqualTo("cancelled");
        assertThat(walk.send("DELETE", "/api/orders/" + id, token, null).statusCode()).isEqualTo(409);
        assertThat(walk.send("DELETE", "/api/orders/999999", token, null).statusCode()).isEqualTo(404);
        assertThat(walk.send("DELETE", "/api/orders/" + id, tracker, null).statusCode()).isEqualTo(403);

        HttpResponse<String> withdrawal = walk.send("POST", "/api/withdrawals", token,
                "{\"currency\":\"EUR\",\"amount\":\"100\",\"address\":\"DE89370400440532013000\"}");
        assertThat(withdrawal.statusCode()).as("a bearer token, whatever its scopes").isEqualTo(401);
        assertThat(challenge(withdrawal)).startsWith("DPoP realm=\"sample\", error=\"invalid_token\"")
                .contains("accepts only DPoP-bound tokens");
    }

    @Test
    void walkthroughRevokedTokenThen401InvalidToken() throws Exception {
        String token = walk.createToken(walk.session(), "{\"name\":\"to revoke\",\"scopes\":[\"read\"]}").get("token").asText();
        assertThat(walk.get("/api/account/balances", token).statusCode()).isEqualTo(200);

        HttpResponse<String> revoked = walk.form("/demo-issuer/revoke", Map.of("token", token, "client_id", "token-console"), null);
        assertThat(revoked.statusCode()).isEqualTo(200);

        HttpResponse<String> after = walk.get("/api/account/balances", token);
        assertThat(after.statusCode()).isEqualTo(401);
        assertThat(challenge(after)).isEqualTo("Bearer realm=\"sample\", error=\"invalid_token\", "
                + "error_description=\"The token has been revoked.\", resource_metadata=\"" + app.baseUri()
                + "/.well-known/oauth-protected-resource\", DPoP realm=\"sample\", resource_metadata=\"" + app.baseUri() + "/.well-known/oauth-protected-resource\", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"");
    }

    @Test
    void walkthroughExpiredTokensThen401InvalidToken() throws Exception {
        String jwt = walk.clientToken("portfolio-tracker", "tracker-secret");
        String pat = walk.createToken(walk.session(), "{\"name\":\"short\",\"scopes\":[\"read\"],\"expires_in_days\":1}").get("token").asText();
        assertThat(walk.get("/api/account/balances", jwt).statusCode()).isEqualTo(200);
        assertThat(walk.get("/api/account/balances", pat).statusCode()).isEqualTo(200);

        clock.advance(Duration.ofDays(2));
        try {
            HttpResponse<String> expiredJwt = walk.get("/api/account/balances", jwt);
            assertThat(expiredJwt.statusCode()).isEqualTo(401);
            assertThat(challenge(expiredJwt)).contains("error=\"invalid_token\"", "expired");
            HttpResponse<String> expiredPat = walk.get("/api/account/balances", pat);
            assertThat(expiredPat.statusCode()).isEqualTo(401);
            assertThat(challenge(expiredPat)).contains("error=\"invalid_token\"", "expired");
        } finally {
            clock.advance(Duration.ofDays(-2)); // the legacy area's filter runs on the system clock
        }
    }

    // --- personal access tokens ----------------------------------------------------------------------------

    @Test
    void tokenWithAllowedRangesWorksOnlyFromThemAndRecordsLastUse() throws Exception {
        String session = walk.session();
        String elsewhere = walk.createToken(session, "{\"name\":\"office only\",\"scopes\":[\"read\"],"
                + "\"allowed_ranges\":[\"203.0.113.0/24\"]}").get("token").asText();
        JsonNode local = walk.createToken(session, "{\"name\":\"loopback only\",\"scopes\":[\"read\"],"
                + "\"allowed_ranges\":[\"127.0.0.1/32\"]}");

        HttpResponse<String> refused = walk.get("/api/me", elsewhere);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(challenge(refused)).contains("may not be used from this address");
        assertThat(walk.get("/api/me", local.get("token").asText()).statusCode()).isEqualTo(200);

        JsonNode listed = tokenNamed(walk.get("/console/api/tokens", session), "loopback only");
        assertThat(listed.get("last_used_address").asText()).isEqualTo("127.0.0.1");
        assertThat(listed.get("last_used_at").isNull()).isFalse();
        assertThat(listed.get("allowed_ranges").get(0).asText()).isEqualTo("127.0.0.1/32");
        assertThat(listed.has("token")).as("the secret is shown once, never listed").isFalse();
    }

    @Test
    void withdrawalsNeedASteppedUpSignInAndWithdrawFromTheStoredBalanceUntilFundsRunOut() throws Exception {
        String pat = walk.createToken(walk.session(), "{\"name\":\"treasurer\",\"scopes\":[\"read\",\"withdraw\"]}").get("token").asText();
        String withdrawal = "{\"currency\":\"BTC\",\"amount\":\"0.01\",\"address\":\"bc1qexampleaddress0001\"}";
        HttpResponse<String> patRefused = walk.send("POST", "/api/withdrawals", pat, withdrawal);
        assertThat(patRefused.statusCode()).as("a personal access token is a bearer token").isEqualTo(401);
        assertThat(challenge(patRefused)).startsWith("DPoP realm=\"sample\", error=\"invalid_token\"")
                .contains("accepts only DPoP-bound tokens",
                        "resource_metadata=\"" + app.baseUri() + "/.well-known/oauth-protected-resource\"")
                .doesNotContain("Bearer");
        HttpResponse<String> passwordOnly = walk.sendDpop("POST", "/api/withdrawals", walk.passwordToken("read withdraw"),
                withdrawal, clock.instant());
        assertThat(passwordOnly.statusCode()).as("a sign-in without the second factor").isEqualTo(401);
        assertThat(challenge(passwordOnly)).contains("error=\"insufficient_user_authentication\"", "acr_values=\"mfa\"",
                "max_age=\"120\"");

        String token = walk.steppedUpToken("read withdraw");
        HttpResponse<String> stolen = walk.send("POST", "/api/withdrawals", token, withdrawal);
        assertThat(stolen.statusCode()).as("the stepped-up token alone, as a bearer token").isEqualTo(401);
        assertThat(challenge(stolen)).contains("error=\"invalid_token\"", "bound to a DPoP key");
        String before = json(walk.sendDpop("GET", "/api/account/balances", token, null, clock.instant()))
                .get("balances").get("BTC").asText();

        HttpResponse<String> w = walk.sendDpop("POST", "/api/withdrawals", token,
                "{\"currency\":\"BTC\",\"amount\":\"0.01\",\"address\":\"bc1qexampleaddress0001\"}", clock.instant());
        assertThat(w.statusCode()).as(w.body()).isEqualTo(201);
        String after = json(walk.sendDpop("GET", "/api/account/balances", token, null, clock.instant()))
                .get("balances").get("BTC").asText();
        assertThat(new java.math.BigDecimal(before).subtract(new java.math.BigDecimal(after)))
                .isEqualByComparingTo("0.01");

        HttpResponse<String> tooMuch = walk.sendDpop("POST", "/api/withdrawals", token,
                "{\"currency\":\"EUR\",\"amount\":\"99999999\",\"address\":\"DE89370400440532013000\"}", clock.instant());
        assertThat(tooMuch.statusCode()).isEqualTo(409);
        assertThat(json(tooMuch).get("detail").asText()).contains("Insufficient funds");

        clock.advance(Duration.ofSeconds(121));
        try {
            HttpResponse<String> stale = walk.sendDpop("POST", "/api/withdrawals", token, withdrawal, clock.instant());
            assertThat(stale.statusCode()).as("the sign-in is older than two minutes").isEqualTo(401);
            assertThat(challenge(stale)).contains("error=\"insufficient_user_authentication\"", "max_age=\"120\"");
        } finally {
            clock.advance(Duration.ofSeconds(-121));
        }
    }

    @Test
    void protectedResourceMetadataIsServedOpenly() throws Exception {
        HttpResponse<String> r = walk.get("/.well-known/oauth-protected-resource", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = json(r);
        assertThat(doc.get("resource").asText()).isEqualTo(app.baseUri().toString());
        assertThat(doc.get("authorization_servers").get(0).asText()).isEqualTo(app.baseUri() + "/demo-issuer");
        assertThat(doc.get("scopes_supported").toString()).contains("\"read\"", "\"trade\"", "\"withdraw\"");
        assertThat(doc.get("bearer_methods_supported").get(0).asText()).isEqualTo("header");
    }

    @Test
    void consoleApiNeedsTheSignInScopeSoATokenCannotMintTokens() throws Exception {
        String pat = walk.createToken(walk.session(), "{\"name\":\"everything\",\"scopes\":[\"read\",\"trade\",\"withdraw\"]}")
                .get("token").asText();
        HttpResponse<String> r = walk.send("POST", "/console/api/tokens", pat, "{\"name\":\"x\",\"scopes\":[\"read\"]}");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(challenge(r)).contains("scope=\"tokens\"");
        assertThat(walk.get("/console/api/tokens", null).statusCode()).isEqualTo(401);
        HttpResponse<String> console = walk.send("POST", "/console/api/tokens", walk.session(),
                "{\"name\":\"x\",\"scopes\":[\"tokens\"]}");
        assertThat(console.statusCode()).isEqualTo(400);
    }

    @Test
    void consoleRevokesOnlyTheOwnersTokensAndTheNextCallIsRefused() throws Exception {
        String session = walk.session();
        JsonNode t = walk.createToken(session, "{\"name\":\"revoke in console\",\"scopes\":[\"read\"]}");
        assertThat(walk.send("DELETE", "/console/api/tokens/" + t.get("id").asText(), session, null).statusCode()).isEqualTo(204);
        assertThat(walk.get("/api/me", t.get("token").asText()).statusCode()).isEqualTo(401);
        assertThat(tokenNamed(walk.get("/console/api/tokens", session), "revoke in console").get("status").asText()).isEqualTo("revoked");
        assertThat(walk.send("DELETE", "/console/api/tokens/no-such-id", session, null).statusCode()).isEqualTo(404);
    }

    // --- bad input ---------------------------------------------------------------------------------------------

    @Test
    void badJsonOrValuesThen400ProblemWithoutStackTrace() throws Exception {
        String session = walk.session();
        String token = walk.createToken(session, "{\"name\":\"all\",\"scopes\":[\"read\",\"trade\",\"withdraw\"]}").get("token").asText();
        String steppedUp = walk.steppedUpToken("withdraw");
        List<HttpResponse<String>> bad = List.of(
                walk.send("POST", "/api/orders", token, "{bad"),
                walk.send("POST", "/api/orders", token, "[]"),
                walk.send("POST", "/api/orders", token, "{\"symbol\":\"BTC-EUR\",\"side\":\"hold\",\"quantity\":\"1\"}"),
                walk.send("POST", "/api/orders", token, "{\"symbol\":\"BTC-EUR\",\"side\":\"buy\",\"quantity\":\"-1\"}"),
                walk.send("POST", "/api/orders", token, "{\"symbol\":\"bitcoin\",\"side\":\"buy\",\"quantity\":\"1\"}"),
                walk.send("DELETE", "/api/orders/abc", token, null),
                walk.sendDpop("POST", "/api/withdrawals", steppedUp, "{\"currency\":\"DOGE\",\"amount\":\"1\",\"address\":\"DE89370400440532013000\"}", clock.instant()),
                walk.sendDpop("POST", "/api/withdrawals", steppedUp, "{\"currency\":\"EUR\",\"amount\":\"1e400\",\"address\":\"DE89370400440532013000\"}", clock.instant()),
                walk.send("POST", "/console/api/tokens", session, "{\"name\":\"\",\"scopes\":[\"read\"]}"),
                walk.send("POST", "/console/api/tokens", session, "{\"name\":\"x\",\"scopes\":[\"read\"],\"expires_in_days\":0}"),
                walk.send("POST", "/console/api/tokens", session, "{\"name\":\"x\",\"scopes\":[\"read\"],\"allowed_ranges\":[\"10.0.0.0/99\"]}"));
        for (HttpResponse<String> r : bad) {
            assertThat(r.statusCode()).as(r.request().uri() + " " + r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
            assertThat(json(r).get("status").asInt()).isEqualTo(400);
            assertThat(r.body()).doesNotContain("Exception", "at dev.", "at org.");
        }
    }

    // --- the console's recent calls -------------------------------------------------------------------------

    @Test
    void recentCallsNameTheTokenShowDenialsAndFilterByToken() throws Exception {
        String session = walk.session();
        JsonNode bot = walk.createToken(session, "{\"name\":\"calls bot\",\"scopes\":[\"read\"]}");
        String token = bot.get("token").asText();
        walk.get("/api/account/balances", token);
        walk.send("POST", "/api/orders", token, ORDER);

        JsonNode calls = json(walk.get("/console/api/calls?token=" + bot.get("id").asText(), session)).get("calls");
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).get("token").asText()).isEqualTo("calls bot");
        assertThat(calls.get(0).get("path").asText()).isEqualTo("/api/orders");
        assertThat(calls.get(0).get("decision").asText()).isEqualTo("deny");
        assertThat(calls.get(0).get("error").asText()).isEqualTo("insufficient_scope");
        assertThat(calls.get(0).get("status").asInt()).isEqualTo(403);
        assertThat(calls.get(1).get("decision").asText()).isEqualTo("allow");
        assertThat(calls.get(1).get("status").asInt()).isEqualTo(200);

        JsonNode all = json(walk.get("/console/api/calls", session)).get("calls");
        assertThat(all).allSatisfy(c -> assertThat(c.get("path").asText()).doesNotStartWith("/console/"));
    }

    // --- the legacy area ---------------------------------------------------------------------------------------

    @Test
    void legacyAreaIsProtectedByTheWebXmlRulesAlone() throws Exception {
        String read = walk.clientToken("portfolio-tracker", "tracker-secret");
        HttpResponse<String> statement = walk.get("/legacy/statement", read);
        assertThat(statement.statusCode()).isEqualTo(200);
        assertThat(statement.body()).contains("Statement for alice", "EUR", "This token may not trade.");

        HttpResponse<String> none = walk.get("/legacy/statement", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(challenge(none)).isEqualTo("Bearer realm=\"legacy\", resource_metadata=\"" + app.baseUri()
                + "/legacy/.well-known/oauth-protected-resource\", DPoP realm=\"legacy\", resource_metadata=\"" + app.baseUri() + "/legacy/.well-known/oauth-protected-resource\", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"");
        // the legacy web application (context /legacy) serves its own RFC 9728 document, which its challenges name
        HttpResponse<String> legacyMetadata = walk.get("/legacy/.well-known/oauth-protected-resource", null);
        assertThat(legacyMetadata.statusCode()).isEqualTo(200);
        assertThat(legacyMetadata.body()).startsWith("{\"resource\":\"" + app.baseUri() + "/legacy\"");

        HttpResponse<String> consoleOnly = walk.get("/legacy/statement", walk.session());
        assertThat(consoleOnly.statusCode()).isEqualTo(403);
        assertThat(challenge(consoleOnly)).contains("error=\"insufficient_scope\"", "scope=\"read\"");

        assertThat(walk.get("/legacy/whoami", walk.clientToken("trading-bot", "bot-secret")).body())
                .contains("remoteUser=alice", "authType=BEARER", "isUserInRole(trade)=true", "isUserInRole(withdraw)=false");
        assertThat(walk.get("/legacy/anything-else", read).statusCode()).isEqualTo(403);

        // the token database is configured there too (same keys, as init-params): personal access tokens work
        String pat = walk.createToken(walk.session(), "{\"name\":\"legacy reader\",\"scopes\":[\"read\"]}").get("token").asText();
        assertThat(walk.get("/legacy/statement", pat).statusCode()).isEqualTo(200);
    }

    // --- the call log --------------------------------------------------------------------------------------------

    @Test
    void callLogHasOneLinePerRequestWithClientAddressAndNeverTheToken() throws Exception {
        String tracker = walk.clientToken("portfolio-tracker", "tracker-secret");
        JsonNode pat = walk.createToken(walk.session(), "{\"name\":\"logged\",\"scopes\":[\"read\"]}");
        try (LogCapture logs = LogCapture.start()) {
            walk.get("/api/account/balances", tracker);
            walk.send("POST", "/api/orders", tracker, ORDER);
            walk.get("/api/orders", pat.get("token").asText());
            walk.get("/legacy/statement", tracker);
            List<String> calls = List.of();
            for (long end = System.nanoTime() + 5_000_000_000L; System.nanoTime() < end && calls.size() < 4; Thread.onSpinWait()) {
                calls = logs.lines("tokengate.calls").stream().filter(l -> l.contains("\"path\":\"/"))
                        .filter(l -> !l.contains("\"path\":\"/console/")).toList(); // the token's creation may log late
            }
            assertThat(calls).hasSize(4);
            assertThat(calls.get(0)).contains("\"path\":\"/api/account/balances\"", "\"status\":200", "\"decision\":\"allow\"",
                    "\"client_address\":\"127.0.0.1\"", "\"client_id\":\"portfolio-tracker\"");
            assertThat(calls.get(1)).contains("\"status\":403", "\"error\":\"insufficient_scope\"");
            assertThat(calls.get(2)).contains("\"path\":\"/api/orders\"", "\"subject\":\"alice\"", "\"client_id\":\"token-console\"");
            assertThat(calls.get(3)).contains("\"path\":\"/statement\"", "\"status\":200");
            assertThat(logs.text()).doesNotContain(tracker, pat.get("token").asText());
        }
    }

    static JsonNode tokenNamed(HttpResponse<String> list, String name) throws Exception {
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        for (JsonNode t : json(list).get("tokens")) {
            if (t.get("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no token named " + name + " in " + list.body());
    }
}
