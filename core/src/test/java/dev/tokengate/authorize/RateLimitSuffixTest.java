package dev.tokengate.authorize;

import dev.tokengate.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code + rate-limit N/duration} suffix of a requirement, and {@link Rate}'s text form. */
class RateLimitSuffixTest {

    @Test
    void parseWhenSuffixThenTheRequirementWithItsRate() {
        Requirement r = Requirement.parse("trade + rate-limit 10/1m");
        assertThat(r.mode()).isEqualTo(Requirement.Mode.ALL_OF);
        assertThat(r.scopes()).containsExactly("trade");
        assertThat(r.rateLimit()).contains(Rate.of(10, Duration.ofMinutes(1)));
        assertThat(r.requiresApiKey()).isFalse();
        assertThat(r).hasToString("trade + rate-limit 10/1m");
        assertThat(Requirement.parse("read | trade +rate-limit 5/30s")).hasToString("read | trade + rate-limit 5/30s");
        assertThat(Requirement.parse("authenticated + RATE-LIMIT 100/60s")).hasToString("authenticated + rate-limit 100/1m");
    }

    @Test
    void parseWithApiKeyInEitherOrderThenBothAndTheCanonicalTextPutsTheKeyFirst() {
        Requirement a = Requirement.parse("trade + api-key + rate-limit 10/1m");
        Requirement b = Requirement.parse("trade + rate-limit 10/1m + api-key");
        assertThat(a).isEqualTo(b);
        assertThat(a.requiresApiKey()).isTrue();
        assertThat(a.rateLimit()).isPresent();
        assertThat(a).hasToString("trade + api-key + rate-limit 10/1m");
        assertThat(Requirement.parse(a.toString())).isEqualTo(a);
    }

    @Test
    void parseWhenMalformedThenRefusedSayingHow() {
        assertThatThrownBy(() -> Requirement.parse("trade + rate-limit")).hasMessageContaining("write the rate after rate-limit");
        assertThatThrownBy(() -> Requirement.parse("trade + rate-limit ten")).hasMessageContaining("N/duration");
        assertThatThrownBy(() -> Requirement.parse("trade rate-limit 10/1m")).hasMessageContaining("+ rate-limit N/duration");
        assertThatThrownBy(() -> Requirement.parse("trade + rate-limit 1/1m + rate-limit 2/1m")).hasMessageContaining("two rate limits");
        assertThatThrownBy(() -> Requirement.parse("permit + rate-limit 10/1m")).hasMessageContaining("makes no sense");
        assertThatThrownBy(() -> Requirement.parse("deny + rate-limit 10/1m")).hasMessageContaining("makes no sense");
        assertThatThrownBy(() -> Requirement.parse("+ rate-limit 10/1m")).hasMessageContaining("empty requirement");
        assertThatThrownBy(() -> Requirement.parse("trade x+rate-limit")).hasMessageContaining("rate-limit");
    }

    @Test
    void theRouteNamesTheBudgetButIsNotPartOfTheValue() {
        Requirement r = Requirement.parse("trade + rate-limit 10/1m");
        assertThat(r.route()).isEmpty();
        Requirement named = r.forRoute("POST /api/orders");
        assertThat(named.route()).contains("POST /api/orders");
        assertThat(named).isEqualTo(r).hasSameHashCodeAs(r).hasToString(r.toString());
        assertThat(named.withApiKey().route()).contains("POST /api/orders");
        assertThat(named.withApiKey().rateLimit()).isPresent();
        assertThat(Requirement.allOf("trade").withRateLimit(Rate.parse("10/1m"))).isEqualTo(r);
        assertThat(r).isNotEqualTo(Requirement.allOf("trade"));
    }

    @Test
    void urlRulesNameEachRuleAsTheRouteOfItsRequirement() {
        UrlRules rules = UrlRules.parse("POST /api/orders = trade + rate-limit 10/1m; GET,HEAD /api/* = read; /* = authenticated");
        assertThat(rules.requirementFor("POST", "/api/orders").route()).contains("POST /api/orders");
        assertThat(rules.requirementFor("POST", "/api/orders").rateLimit()).contains(Rate.parse("10/1m"));
        assertThat(rules.requirementFor("GET", "/api/x").route()).contains("GET,HEAD /api/*");
        assertThatThrownBy(() -> UrlRules.parse("POST /api/orders = trade + rate-limit 10/minute"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("line 1").hasMessageContaining("N/duration");
    }

    @Test
    void rateReadsBackAsItself() {
        for (String text : List.of("1/1s", "100/1m", "10/90s", "5000/1d", "3/2h", "1/1500ms", "7/PT2M")) {
            Rate rate = Rate.parse(text);
            assertThat(Rate.parse(rate.toString())).as(text).isEqualTo(rate);
        }
        assertThat(Rate.parse("7/PT2M")).hasToString("7/2m");
        assertThat(Rate.parse(" 10 / 60s ")).hasToString("10/1m");
        for (String bad : List.of("0/1m", "1/999ms", "1/367d", "1000000001/1m", "1/1m/2", "12345678901/1m", "1/0.5s")) {
            assertThatThrownBy(() -> Rate.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
