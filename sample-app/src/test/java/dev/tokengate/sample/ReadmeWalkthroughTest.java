package dev.tokengate.sample;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Try it" walkthrough, to the letter: its shell blocks (all but building, starting and the
 * PostgreSQL variant) run in order with {@code bash}, {@code curl} and {@code sed} against the app, with
 * {@code localhost:8080} replaced by the test's port. Skipped, with the reason printed, where those tools are missing.
 */
class ReadmeWalkthroughTest {

    private static final Pattern SH_BLOCK = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL);

    @Test
    void readmeTryItCommandsGiveTheAnswersTheReadmeShows() throws Exception {
        for (String tool : new String[] {"bash", "curl", "sed"}) {
            if (!onPath(tool)) {
                System.out.println("SKIPPED " + getClass().getSimpleName() + ": " + tool + " is not installed");
                Assumptions.abort(tool + " is not installed");
            }
        }
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        String tryIt = readme.substring(readme.indexOf("## Try it"), readme.indexOf("\n## ", readme.indexOf("## Try it") + 1));
        List<String> blocks = new ArrayList<>();
        Matcher m = SH_BLOCK.matcher(tryIt);
        while (m.find()) {
            String block = m.group(1);
            if (!block.contains("./mvnw") && !block.contains("java -jar")) {
                blocks.add(block);
            }
        }
        assertThat(blocks).hasSize(9);

        RunningClock clock = new RunningClock();
        try (SampleApp app = SampleApp.start("127.0.0.1", 0, Map.of(), clock)) {
            String script = "set -u\n" + String.join("\necho '----'\n", blocks)
                    .replace("http://localhost:8080", app.baseUri().toString())
                    + "\necho '----'\necho \"OLD=$OLD\"\n"; // the rotated token's old secret, for the check below
            Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replace("\r", "");
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String[] steps = out.split("----\n");
            assertThat(steps).as(out).hasSize(10);

            assertThat(steps[0]).contains("HTTP/1.1 200 OK", "{\"owner\":\"alice\",\"balances\":{\"EUR\":\"10000\",\"BTC\":\"0.5\"}}");
            assertThat(steps[1]).contains("HTTP/1.1 403 Forbidden", "WWW-Authenticate: Bearer realm=\"sample\", "
                    + "error=\"insufficient_scope\", error_description=\"This resource requires the scope(s) trade; "
                    + "ask for a token that has them.\", scope=\"trade\"", "Content-Type: application/problem+json");
            assertThat(steps[2]).containsPattern("(?m)^tgat_[0-9A-Za-z]{49}$")
                    .contains("HTTP/1.1 201 Created", "Location: " + app.baseUri() + "/api/orders/1", "\"placed_by\":\"token-console\"");
            assertThat(steps[3]).contains("HTTP/1.1 429 Too Many Requests", "RateLimit-Policy: \"per-token\";q=60;w=60",
                    "Content-Type: application/problem+json", "\"error\":\"rate_limited\"",
                    "\"detail\":\"Too many requests with this token: at most 60 per 1m; try again in ")
                    .containsPattern("(?m)^Retry-After: ([1-9]|[1-5][0-9]|60)$")
                    .containsPattern("(?m)^RateLimit: \"per-token\";r=0;t=([1-9]|[1-5][0-9]|60)$")
                    .doesNotContain("WWW-Authenticate");
            assertThat(steps[4]).contains("HTTP/1.1 401 Unauthorized", "WWW-Authenticate: Bearer realm=\"sample\", "
                    + "error=\"invalid_token\", error_description=\"The token has been revoked.\"");
            assertThat(steps[5]).as(steps[5]).startsWith("200\n").contains("HTTP/1.1 401 Unauthorized",
                    "WWW-Authenticate: Bearer realm=\"sample\", error=\"invalid_token\", error_description=\"This token "
                    + "has been revoked; sign in again or ask its issuer for a new one.\"")
                    .containsPattern("\\{\"revocations\":\\[\\{\"target\":\"token_id\",\"value\":\"[0-9a-f-]{36}\",\"reason\":"
                            + "\"revoked at the demo issuer \\(RFC 7009\\) by portfolio-tracker\",\"revoked_at\":\"[^\"]+\","
                            + "\"expires_at\":\"[^\"]+\"\\},\\{\"target\":\"token_id\",\"value\":\"[0-9a-f-]{36}\",\"reason\":"
                            + "\"revoked at the demo issuer \\(RFC 7009\\) by token-console\"");
            assertThat(steps[6]).contains("HTTP/1.1 200 OK", "Statement for alice", "HTTP/1.1 403 Forbidden",
                    "WWW-Authenticate: Bearer realm=\"legacy\", error=\"insufficient_scope\"");
            assertThat(steps[7]).contains("198.51.100.7 200\n203.0.113.9 200\n192.0.2.1 200\n100.64.0.1 401\n"
                            + "198.51.100.7 401\n", "\"rule\":\"networks\",\"action\":\"revoke\",\"subject\":\"alice\","
                            + "\"client_id\":\"portfolio-tracker\"", "\"client_address\":\"100.64.0.1\",\"networks\":"
                            + "[\"198.51.100.0/24\",\"203.0.113.0/24\",\"192.0.2.0/24\",\"100.64.0.0/24\"],\"reason\":"
                            + "\"anomaly networks: used from 4 networks within 10m (at most 3 allowed)\"");
            assertThat(steps[8]).contains("new secret: 200\nold secret: 200\n{\"calls\":[{\"time\":")
                    .contains("\"token\":\"tracker\"", "\"path\":\"/api/account/balances\",\"decision\":\"allow\"",
                            "\"marks\":[\"rotated\"]");

            // The grace period (24 h by default) ends: the old secret is refused, saying why.
            String old = steps[9].strip().substring("OLD=".length());
            assertThat(old).matches("tgat_[0-9A-Za-z]{49}");
            clock.advance(Duration.ofHours(24).plusSeconds(1)); // past the grace period (24 h by default)
            HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    app.baseUri().resolve("/api/account/balances")).header("Authorization", "Bearer " + old).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                    .contains("error=\"invalid_token\"", "error_description=\"The token was rotated at ")
                    .contains("and has been replaced; use the new token.\""));
        }
    }

    /**
     * The system clock, which a test can move forward: unlike {@link MutableClock} it keeps running, so that the
     * walkthrough's events (revocations, listed newest first) keep their order.
     */
    private static final class RunningClock extends Clock {
        private volatile Duration offset = Duration.ZERO;

        void advance(Duration d) {
            offset = offset.plus(d);
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
