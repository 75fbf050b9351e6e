package dev.tokengate;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class WwwAuthenticateTest {

    @Test
    void formatWhenNoTokenThenBareChallengeWithoutError() {
        assertThat(WwwAuthenticate.format("api", BearerError.missingToken(), Optional.empty(), true))
                .contains("Bearer realm=\"api\"");
    }

    @Test
    void formatWhenInvalidTokenThenErrorAndDescription() {
        assertThat(WwwAuthenticate.format("api", BearerError.invalidToken("The token expired"), Optional.empty(), true))
                .contains("Bearer realm=\"api\", error=\"invalid_token\", error_description=\"The token expired\"");
    }

    @Test
    void formatWhenInsufficientScopeThenScopeListed() {
        BearerError e = BearerError.insufficientScope("needs trade", List.of("trade"));
        assertThat(WwwAuthenticate.format("api", e, Optional.empty(), true))
                .contains("Bearer realm=\"api\", error=\"insufficient_scope\", error_description=\"needs trade\", scope=\"trade\"");
    }

    @Test
    void formatWhenScopeSwitchedOffThenNoScope() {
        BearerError e = BearerError.insufficientScope("needs trade", List.of("trade"));
        assertThat(WwwAuthenticate.format("api", e, Optional.empty(), false)).get().asString().doesNotContain("scope=");
    }

    @Test
    void formatWhenErrorUriConfiguredThenIncluded() {
        assertThat(WwwAuthenticate.format("api", BearerError.invalidRequest("bad"), Optional.of(URI.create("https://docs.example/errors")), true))
                .get().asString().contains("error_uri=\"https://docs.example/errors\"");
    }

    @Test
    void formatWhenDescriptionHasQuotesBackslashesOrNonAsciiThenSanitised() {
        String header = WwwAuthenticate.format("api", BearerError.invalidToken("a \"quoted\" \\ wörd\r\nX-Evil: 1"),
                Optional.empty(), true).orElseThrow();
        assertThat(header).endsWith("error_description=\"a ?quoted? ? w?rd??X-Evil: 1\"");
        assertThat(header).doesNotContain("\r", "\n");
    }

    @Test
    void formatWhenPolicyAnswersWithItsOwnCodeAndParametersThenTheyFollowTheStandardOnesSanitised() {
        BearerError e = BearerError.builder(401, new BearerError.Code("insufficient_user_authentication"),
                        "Authenticate again with a second factor.")
                .challengeParameter("acr_values", "urn:mfa \"now\"").challengeParameter("max_age", "300").build();
        assertThat(WwwAuthenticate.format("api", e, Optional.of(URI.create("https://docs.example/errors")), true))
                .contains("Bearer realm=\"api\", error=\"insufficient_user_authentication\", "
                        + "error_description=\"Authenticate again with a second factor.\", "
                        + "error_uri=\"https://docs.example/errors\", acr_values=\"urn:mfa ?now?\", max_age=\"300\"");
    }

    @Test
    void formatWhenTooManyRequestsThenNoChallenge() {
        BearerError e = BearerError.builder(429, BearerError.Code.RATE_LIMITED, "slow down")
                .retryAfter(java.time.Duration.ofSeconds(30)).build();
        assertThat(WwwAuthenticate.format("api", e, Optional.empty(), true)).isEmpty();
    }

    @Test
    void formatWhenAccessDeniedThenNoChallenge() {
        assertThat(WwwAuthenticate.format("api", BearerError.accessDenied("closed"), Optional.empty(), true)).isEmpty();
    }

    @Test
    void formatWhenServerUnavailableThenNoChallenge() {
        assertThat(WwwAuthenticate.format("api", BearerError.unavailable("down"), Optional.empty(), true)).isEmpty();
    }

    @Test
    void sanitizeKeepsExactlyTheRfc6750CharacterSet() {
        StringBuilder all = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (char c = 0; c < 0x100; c++) {
            all.append(c);
            boolean allowed = c == 0x20 || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
            expected.append(allowed ? c : '?');
        }
        assertThat(WwwAuthenticate.sanitize(all.toString())).isEqualTo(expected.toString());
        assertThat(WwwAuthenticate.sanitize(" !\"#[\\]~\u007f")).isEqualTo(" !?#[?]~?");
    }
}
