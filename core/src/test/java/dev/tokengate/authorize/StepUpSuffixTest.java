package dev.tokengate.authorize;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code + acr} and {@code + max-age} suffixes of a requirement (RFC 9470 step-up). */
class StepUpSuffixTest {

    @Test
    void parseWhenAcrThenItsValuesInOrderOfPreference() {
        Requirement r = Requirement.parse("withdraw + acr mfa hwk");
        assertThat(r.scopes()).containsExactly("withdraw");
        assertThat(r.acrValues()).containsExactly("mfa", "hwk");
        assertThat(r.maxAge()).isEmpty();
        assertThat(r).hasToString("withdraw + acr mfa hwk");
        assertThat(Requirement.parse("authenticated +ACR urn:example:acr:mfa")).hasToString("authenticated + acr urn:example:acr:mfa");
    }

    @Test
    void parseWhenMaxAgeThenSecondsWhateverTheUnit() {
        assertThat(Requirement.parse("read + max-age 300").maxAge()).contains(Duration.ofMinutes(5));
        assertThat(Requirement.parse("read + max-age 300s").maxAge()).contains(Duration.ofMinutes(5));
        assertThat(Requirement.parse("read + max-age 5m")).hasToString("read + max-age 300");
        assertThat(Requirement.parse("read + max-age 1h").maxAge()).contains(Duration.ofHours(1));
    }

    @Test
    void everySuffixInAnyOrderReadsAsOneCanonicalText() {
        Requirement a = Requirement.parse("withdraw + api-key + acr mfa + max-age 2m + rate-limit 3/1h");
        Requirement b = Requirement.parse("withdraw + max-age 120 + rate-limit 3/1h + acr mfa + api-key");
        assertThat(a).isEqualTo(b);
        assertThat(a).hasToString("withdraw + api-key + acr mfa + max-age 120 + rate-limit 3/1h");
        assertThat(Requirement.parse(a.toString())).isEqualTo(a);
        assertThat(a).isNotEqualTo(Requirement.parse("withdraw + api-key + rate-limit 3/1h"));
    }

    @Test
    void builtInCodeEqualsTheTextForm() {
        assertThat(Requirement.allOf("withdraw").withAcrValues(List.of("mfa")).withMaxAge(Duration.ofSeconds(120)))
                .isEqualTo(Requirement.parse("withdraw + acr mfa + max-age 2m"));
    }

    @Test
    void malformedStepUpIsRefusedSayingHow() {
        assertThatThrownBy(() -> Requirement.parse("withdraw + acr")).hasMessageContaining("write the acceptable acr values");
        assertThatThrownBy(() -> Requirement.parse("withdraw + max-age")).hasMessageContaining("write a positive age");
        assertThatThrownBy(() -> Requirement.parse("withdraw + max-age 0")).hasMessageContaining("write a positive age");
        assertThatThrownBy(() -> Requirement.parse("withdraw + max-age soon")).hasMessageContaining("write a positive age");
        assertThatThrownBy(() -> Requirement.parse("withdraw + acr a + acr b")).hasMessageContaining("two acr lists");
        assertThatThrownBy(() -> Requirement.parse("withdraw + max-age 1m + max-age 2m")).hasMessageContaining("two max-age");
        assertThatThrownBy(() -> Requirement.parse("permit + acr mfa")).hasMessageContaining("goes with a token requirement");
        assertThatThrownBy(() -> Requirement.parse("deny + max-age 60")).hasMessageContaining("goes with a token requirement");
        assertThatThrownBy(() -> Requirement.parse("withdraw acr")).hasMessageContaining("'<requirement> + acr v1 v2'");
        assertThatThrownBy(() -> Requirement.allOf("a").withMaxAge(Duration.ofMillis(1500)))
                .hasMessageContaining("whole number of seconds");
        assertThatThrownBy(() -> Requirement.allOf("a").withAcrValues(List.of("two words")))
                .hasMessageContaining("is not an acr value");
    }

    @Test
    void urlRulesNameTheirScopesForTheMetadata() {
        UrlRules rules = UrlRules.parse("POST /w = withdraw + acr mfa; GET /* = read | trade; /open = permit");
        assertThat(rules.scopes()).containsExactly("read", "trade", "withdraw");
        assertThat(rules.requirementFor("POST", "/w").acrValues()).containsExactly("mfa");
    }
}
