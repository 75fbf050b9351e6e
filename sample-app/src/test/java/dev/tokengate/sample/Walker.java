package dev.tokengate.sample;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** What the README's curl commands do, over HTTP against a running app. */
final class Walker {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String ORDER = "{\"symbol\":\"BTC-EUR\",\"side\":\"buy\",\"quantity\":\"0.1\"}";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    /** The DPoP key the stepped-up and password tokens are bound to, and the proofs of {@link #sendDpop}. */
    private final DpopClient dpop;

    Walker(URI base) {
        this.base = base;
        try {
            this.dpop = DpopClient.generate();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client-credentials access token of a demo client. */
    String clientToken(String client, String secret) throws Exception {
        HttpResponse<String> r = form("/demo-issuer/token", Map.of("grant_type", "client_credentials"), client + ":" + secret);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r).get("access_token").asText();
    }

    /** The demo user's sign-in (password grant of the console client): access and refresh token. */
    JsonNode signIn() throws Exception {
        HttpResponse<String> r = form("/demo-issuer/token", Map.of("grant_type", "password", "client_id", "token-console",
                "username", "alice", "password", "alice-password", "scope", "tokens"), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    /**
     * An access token of a sign-in with the second factor (password and one-time code): {@code acr} mfa and
     * {@code auth_time} now, bound to this walker's DPoP key: what withdrawals need ({@link #sendDpop}).
     */
    String steppedUpToken(String scope) throws Exception {
        HttpResponse<String> r = form("/demo-issuer/token", Map.of("grant_type", "password", "client_id", "token-console",
                "username", "alice", "password", "alice-password", "otp", DemoIssuer.ONE_TIME_CODE, "scope", scope,
                "dpop_jkt", dpop.thumbprint()), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r).get("access_token").asText();
    }

    /** An access token of a sign-in with the password alone: {@code acr} pwd, bound to this walker's DPoP key. */
    String passwordToken(String scope) throws Exception {
        HttpResponse<String> r = form("/demo-issuer/token", Map.of("grant_type", "password", "client_id", "token-console",
                "username", "alice", "password", "alice-password", "scope", scope, "dpop_jkt", dpop.thumbprint()), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r).get("access_token").asText();
    }

    String session() throws Exception {
        return signIn().get("access_token").asText();
    }

    /** A personal access token made in the console: its id and its secret. */
    JsonNode createToken(String session, String body) throws Exception {
        HttpResponse<String> r = send("POST", "/console/api/tokens", session, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r);
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        return send("GET", path, token, null);
    }

    HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A request with a DPoP-bound token ({@link #steppedUpToken}) as {@code Authorization: DPoP} and a fresh proof
     * made at {@code iat} (the app's clock, which a test may move).
     */
    HttpResponse<String> sendDpop(String method, String path, String token, String body, java.time.Instant iat)
            throws Exception {
        return dpop.send(http, method, base.resolve(path).toString(), token, body, iat);
    }

    /** A form POST, with HTTP Basic client authentication when {@code basic} ("id:secret") is given. */
    HttpResponse<String> form(String path, Map<String, String> fields, String basic) throws IOException, InterruptedException {
        String body = new LinkedHashMap<>(fields).entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (basic != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    static String challenge(HttpResponse<String> r) {
        return r.headers().firstValue("WWW-Authenticate").orElse("(none)");
    }
}
