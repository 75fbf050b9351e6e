package dev.tokengate;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The denial value: the pipeline's own factories, and the builder a policy answers with. */
class BearerErrorTest {

    @Test
    void factoriesKeepTheirStatusCodeAndChallenge() {
        assertThat(BearerError.missingToken()).satisfies(e -> {
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.code()).isEmpty();
            assertThat(e.isChallenge()).isTrue();
            assertThat(e.headers()).isEmpty();
        });
        assertThat(BearerError.invalidRequest("bad")).satisfies(e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).contains(BearerError.Code.INVALID_REQUEST);
            assertThat(e.isChallenge()).isTrue();
        });
        assertThat(BearerError.invalidToken("expired")).satisfies(e -> {
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.code()).contains(BearerError.Code.INVALID_TOKEN);
            assertThat(e.isChallenge()).isTrue();
        });
        assertThat(BearerError.insufficientScope("needs trade", List.of("trade"))).satisfies(e -> {
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.code()).contains(BearerError.Code.INSUFFICIENT_SCOPE);
            assertThat(e.isChallenge()).isTrue();
            assertThat(e.requiredScopes()).containsExactly("trade");
        });
        assertThat(BearerError.unavailable("down")).satisfies(e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.code()).contains(BearerError.Code.TEMPORARILY_UNAVAILABLE);
            assertThat(e.isChallenge()).isFalse();
            assertThat(e.headers()).containsExactly(Map.entry("Retry-After", "5"));
        });
        assertThat(BearerError.accessDenied("closed")).satisfies(e -> {
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.code()).contains(BearerError.Code.ACCESS_DENIED);
            assertThat(e.isChallenge()).isFalse();
        });
    }

    @Test
    void builderWhen429ThenNoChallengeAndItsHeadersInOrder() {
        BearerError e = BearerError.builder(429, BearerError.Code.RATE_LIMITED, "slow down")
                .retryAfter(Duration.ofSeconds(30))
                .header("RateLimit-Policy", "\"per-token\";q=100;w=60")
                .header("RateLimit", "\"per-token\";r=0;t=30")
                .build();
        assertThat(e.isChallenge()).isFalse();
        assertThat(e.code()).contains(new BearerError.Code("rate_limited"));
        assertThat(e.headers()).containsExactly(Map.entry("Retry-After", "30"),
                Map.entry("RateLimit-Policy", "\"per-token\";q=100;w=60"), Map.entry("RateLimit", "\"per-token\";r=0;t=30"));
    }

    @Test
    void builderWhen401ThenAChallengeWhichCannotBeSwitchedOff() {
        assertThat(BearerError.builder(401, new BearerError.Code("revoked_token"), "revoked").build().isChallenge()).isTrue();
        assertThatThrownBy(() -> BearerError.builder(401, BearerError.Code.INVALID_TOKEN, "x").challenge(false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("401");
    }

    @Test
    void builderWhenChallengeOnAStatusRfc6750DoesNotUseThenRejected() {
        assertThatThrownBy(() -> BearerError.builder(429, BearerError.Code.RATE_LIMITED, "x").challenge(true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("400, 401 or 403");
    }

    @Test
    void builderWhenChallengeParametersWithoutChallengeThenRejected() {
        assertThatThrownBy(() -> BearerError.builder(403, new BearerError.Code("step_up"), "x")
                .challengeParameter("acr_values", "urn:mfa").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("challenge(true)");
    }

    @Test
    void builderWhenChallengeParameterIsOneTheFormatterWritesThenRejected() {
        for (String name : new String[] {"realm", "Error", "error_description", "error_uri", "scope", "bad name"}) {
            assertThatThrownBy(() -> BearerError.builder(401, BearerError.Code.INVALID_TOKEN, "x").challengeParameter(name, "v"))
                    .as(name).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void builderWhenHeaderValueCouldSplitTheResponseThenRejected() {
        for (String value : new String[] {"1\r\nSet-Cookie: a=b", "1\n", "", "caf\u00e9"}) {
            assertThatThrownBy(() -> BearerError.builder(429, BearerError.Code.RATE_LIMITED, "x").header("X-Limit", value))
                    .as(value).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> BearerError.builder(429, BearerError.Code.RATE_LIMITED, "x").header("X Limit", "1"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void builderWhenHeaderIsOneTheGateWritesThenRejected() {
        for (String name : new String[] {"WWW-Authenticate", "cache-control", "Content-Type", "Content-Length", "Set-Cookie"}) {
            assertThatThrownBy(() -> BearerError.builder(429, BearerError.Code.RATE_LIMITED, "x").header(name, "v"))
                    .as(name).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("itself");
        }
    }

    @Test
    void headerOfTheSameNameInAnyCaseReplacesTheFirst() {
        BearerError e = BearerError.builder(429, BearerError.Code.RATE_LIMITED, "x")
                .header("Retry-After", "10").header("retry-after", "20").build();
        assertThat(e.headers()).containsExactly(Map.entry("retry-after", "20"));
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUp() {
        assertThat(BearerError.builder(429, BearerError.Code.RATE_LIMITED, "x").retryAfter(Duration.ofMillis(1500))
                .build().headers()).containsEntry("Retry-After", "2");
        assertThat(BearerError.builder(429, BearerError.Code.RATE_LIMITED, "x").retryAfter(Duration.ZERO)
                .build().headers()).containsEntry("Retry-After", "0");
        assertThatThrownBy(() -> BearerError.builder(429, BearerError.Code.RATE_LIMITED, "x").retryAfter(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void codeIsAnOpenValueInTheRfcCharacterSet() {
        assertThat(new BearerError.Code("quota_exceeded").value()).isEqualTo("quota_exceeded");
        assertThat(new BearerError.Code("invalid_token")).isEqualTo(BearerError.Code.INVALID_TOKEN);
        for (String bad : new String[] {"rate limited", "a\"b", "a\\b", "", "caf\u00e9"}) {
            assertThatThrownBy(() -> new BearerError.Code(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void statusOutsideFourAndFiveHundredsIsRejected() {
        for (int status : new int[] {200, 302, 399, 600}) {
            assertThatThrownBy(() -> BearerError.builder(status, BearerError.Code.ACCESS_DENIED, "x"))
                    .as("" + status).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void equalWhenEverythingIsEqual() {
        assertThat(BearerError.unavailable("down")).isEqualTo(BearerError.unavailable("down"))
                .hasSameHashCodeAs(BearerError.unavailable("down"))
                .isNotEqualTo(BearerError.builder(503, BearerError.Code.TEMPORARILY_UNAVAILABLE, "down").build());
    }

    @Test
    void statusFromFourHundredToFiveNinetyNineIsAccepted() {
        assertThat(BearerError.builder(400, BearerError.Code.INVALID_REQUEST, "x").build().status()).isEqualTo(400);
        assertThat(BearerError.builder(599, new BearerError.Code("network_timeout"), "x").build().status()).isEqualTo(599);
        assertThatThrownBy(() -> BearerError.builder(600, BearerError.Code.ACCESS_DENIED, "x"))
                .hasMessage("an error's status is 4xx or 5xx, not 600");
    }

    @Test
    void headerValueMayUseEveryVisibleAsciiCharacterAndSpacesNothingElse() {
        String visible = "!\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~ \t";
        assertThat(BearerError.builder(429, BearerError.Code.RATE_LIMITED, "x").header("X-Visible", visible).build()
                .headers()).containsEntry("X-Visible", visible);
        for (String bad : new String[] {"\u007f", "a\u0000", "caf\u00e9", "\u001f"}) {
            assertThatThrownBy(() -> BearerError.builder(429, BearerError.Code.RATE_LIMITED, "x").header("X-Bad", bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the value of header X-Bad must be non-empty visible ASCII");
        }
    }

    @Test
    void hashCodeDiffersWhenTheDescriptionDiffers() {
        assertThat(BearerError.invalidToken("expired").hashCode()).isNotEqualTo(BearerError.invalidToken("revoked").hashCode());
    }

    @Test
    void toStringShowsStatusCodeAndDescription() {
        assertThat(BearerError.invalidToken("The token expired")).hasToString("BearerError[401 invalid_token: The token expired]");
        assertThat(BearerError.missingToken()).hasToString("BearerError[401 no token: This resource requires a bearer "
                + "token: send 'Authorization: Bearer <token>'.]");
        assertThat(BearerError.Code.RATE_LIMITED).hasToString("rate_limited");
    }

    @Test
    void unavailableWhenNextAttemptUnderASecondThenRetryAfterOne() {
        assertThat(BearerError.unavailable("down", Duration.ofMillis(200)).headers()).containsEntry("Retry-After", "1");
        assertThat(BearerError.unavailable("down", Duration.ofSeconds(1)).headers()).containsEntry("Retry-After", "1");
        assertThat(BearerError.unavailable("down", Duration.ofMillis(1001)).headers()).containsEntry("Retry-After", "2");
        assertThat(BearerError.unavailable("down").headers()).containsEntry("Retry-After", "5");
    }

    @Test
    void withoutRequiredScopesKeepsEverythingButTheScopesAndTheDescriptionThatMayNameThem() {
        BearerError error = BearerError.builder(403, BearerError.Code.INSUFFICIENT_SCOPE, "This resource requires the scope(s) withdraw")
                .challenge(true).requiredScopes(List.of("withdraw")).challengeParameter("acr_values", "urn:mfa")
                .header("Link", "<https://docs.example/scopes>").build();

        BearerError withheld = error.withoutRequiredScopes();

        assertThat(withheld.status()).isEqualTo(403);
        assertThat(withheld.code()).contains(BearerError.Code.INSUFFICIENT_SCOPE);
        assertThat(withheld.isChallenge()).isTrue();
        assertThat(withheld.requiredScopes()).isEmpty();
        assertThat(withheld.description()).isEqualTo(BearerError.SCOPES_WITHHELD).doesNotContain("withdraw");
        assertThat(withheld.challengeParameters()).containsExactly(Map.entry("acr_values", "urn:mfa"));
        assertThat(withheld.headers()).containsExactly(Map.entry("Link", "<https://docs.example/scopes>"));
        BearerError noScopes = BearerError.invalidToken("expired");
        assertThat(noScopes.withoutRequiredScopes()).isSameAs(noScopes);
    }
}
