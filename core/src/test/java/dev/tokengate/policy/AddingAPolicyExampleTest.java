package dev.tokengate.policy;

import dev.tokengate.BearerError;
import dev.tokengate.ErrorResponse;
import dev.tokengate.Outcome;
import dev.tokengate.TokenGate;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.TestRequest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The worked example of docs/architecture.md, "Adding a policy": it compiles, does what the text says, and is the text. */
class AddingAPolicyExampleTest {

    // docs/architecture.md "Adding a policy" — begin
    /** Clients whose daily quota is used up (the billing job says so) get 429 until midnight UTC. */
    static final class DailyQuotaPolicy implements TokenPolicy {
        private final Set<String> exhausted; // client ids, kept up to date by the billing job

        DailyQuotaPolicy(Set<String> exhausted) {
            this.exhausted = exhausted;
        }

        @Override
        public PolicyDecision check(VerifiedToken token, RequestFacts request) {
            String client = token.clientId().orElse(token.getName());
            if (!exhausted.contains(client)) {
                return PolicyDecision.allow(); // the next policy decides, then the route's scopes
            }
            Instant midnight = request.time().truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS);
            Duration wait = Duration.between(request.time(), midnight);
            BearerError error = BearerError.builder(429, BearerError.Code.RATE_LIMITED,
                            "The daily quota of this client is used up; it renews at midnight UTC.")
                    .retryAfter(wait)
                    .header("RateLimit-Policy", "\"daily\";q=10000;w=86400")
                    .header("RateLimit", "\"daily\";r=0;t=" + wait.toSeconds())
                    .build();
            return PolicyDecision.deny(error, "client " + client + " used up its daily quota"); // reason: call log only
        }
    }

    static TokenGate gateWithQuota(ConfigSource keys, Set<String> exhausted) {
        return TokenGate.builder().config(keys) // tokengate.* keys: issuer, audience, …
                .policy(new DailyQuotaPolicy(exhausted)) // runs after the built-in policies, in the order added
                .build();
    }
    // docs/architecture.md "Adding a policy" — end

    @Test
    void clientOverItsDailyQuotaGets429UntilMidnightAndOthersGoOn() {
        FakeTime time = new FakeTime(Instant.parse("2029-03-01T23:59:30.500Z"));
        ConfigSource keys = ConfigSource.of(Map.of("tokengate.jwt.issuer", "https://issuer.example",
                "tokengate.jwt.jwks-uri", "https://issuer.example/jwks", "tokengate.jwt.audience", "api"),
                Map.of(), new Properties());
        Set<String> exhausted = ConcurrentHashMap.newKeySet();
        exhausted.add("bulk-exporter");
        TokenGate gate = TokenGate.builder().config(keys)
                .validator(t -> VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("alice").clientId(t)
                        .scopes(List.of("read")).build())
                .policy(new DailyQuotaPolicy(exhausted)).clock(time).callLogSink(e -> { }).build();

        TokenGate.Call call = gate.begin(TestRequest.get("/reports").bearer("bulk-exporter"));
        Outcome refused = call.authorize(Requirement.allOf("read"));
        ErrorResponse r = call.errorResponse(((Outcome.Rejected) refused).error());
        call.finish(r.status());
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.headers()).containsEntry("Retry-After", "30")
                .containsEntry("RateLimit", "\"daily\";r=0;t=29")
                .containsEntry("RateLimit-Policy", "\"daily\";q=10000;w=86400")
                .doesNotContainKey("WWW-Authenticate");
        assertThat(r.body()).contains("\"title\":\"Too Many Requests\"", "\"error\":\"rate_limited\"");

        TokenGate.Call other = gate.begin(TestRequest.get("/reports").bearer("dashboard"));
        assertThat(other.authorize(Requirement.allOf("read"))).isInstanceOf(Outcome.Authenticated.class);
        other.finish(200);
        assertThat(gateWithQuota(keys, exhausted).mode()).isEqualTo(TokenGate.Mode.ENFORCE);
    }

    @Test
    void docsArchitectureShowsThisExampleAsItIs() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "architecture.md"), StandardCharsets.UTF_8);
        int start = doc.indexOf("```java\n") + "```java\n".length();
        String shown = doc.substring(start, doc.indexOf("```", start));
        String source = Files.readString(Path.of("src", "test", "java", "dev", "tokengate", "policy",
                "AddingAPolicyExampleTest.java"), StandardCharsets.UTF_8);
        String begin = "// docs/architecture.md \"Adding a policy\" — begin\n";
        String region = source.substring(source.indexOf(begin) + begin.length(),
                source.indexOf("    // docs/architecture.md \"Adding a policy\" — end"));
        assertThat(shown.strip()).isEqualTo(region.stripTrailing().stripIndent().strip());
    }
}
