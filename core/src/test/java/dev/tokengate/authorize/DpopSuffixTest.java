package dev.tokengate.authorize;

import dev.tokengate.jwt.DpopVerifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code + dpop} suffix of a requirement: a route's own DPoP mode (RFC 9449). */
class DpopSuffixTest {

    @Test
    void parseWhenDpopThenTheRoutesModeInAnyCase() {
        assertThat(Requirement.parse("withdraw + dpop required").dpop()).contains(DpopVerifier.Mode.REQUIRED);
        assertThat(Requirement.parse("read +DPoP Allowed").dpop()).contains(DpopVerifier.Mode.ALLOWED);
        assertThat(Requirement.parse("authenticated + dpop off").dpop()).contains(DpopVerifier.Mode.OFF);
        assertThat(Requirement.parse("read + dpop off")).hasToString("read + dpop off");
        assertThat(Requirement.parse("read").dpop()).as("no suffix: the gate's mode").isEmpty();
    }

    @Test
    void dpopSitsBetweenStepUpAndRateLimitAndReadsBackAsItself() {
        Requirement a = Requirement.parse("withdraw + api-key + acr mfa + max-age 2m + dpop required + rate-limit 3/1h");
        Requirement b = Requirement.parse("withdraw + dpop REQUIRED + rate-limit 3/1h + max-age 120 + acr mfa + api-key");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).hasToString("withdraw + api-key + acr mfa + max-age 120 + dpop required + rate-limit 3/1h");
        assertThat(Requirement.parse(a.toString())).isEqualTo(a);
    }

    @Test
    void theModeIsPartOfTheValue() {
        assertThat(Requirement.parse("withdraw + dpop required")).isNotEqualTo(Requirement.parse("withdraw"))
                .isNotEqualTo(Requirement.parse("withdraw + dpop allowed"));
        assertThat(Requirement.allOf("withdraw").withAcrValues(List.of("mfa")).withDpop(DpopVerifier.Mode.REQUIRED))
                .isEqualTo(Requirement.parse("withdraw + dpop required + acr mfa"));
        assertThat(Requirement.parse("withdraw + dpop required").forRoute("POST /api/withdrawals").dpop())
                .as("naming the route keeps the mode").contains(DpopVerifier.Mode.REQUIRED);
    }

    @Test
    void malformedDpopIsRefusedSayingHow() {
        assertThatThrownBy(() -> Requirement.parse("withdraw + dpop")).hasMessageContaining("write the route's DPoP mode");
        assertThatThrownBy(() -> Requirement.parse("withdraw + dpop requried"))
                .hasMessageContaining("'withdraw + dpop requried'").hasMessageContaining("'+ dpop allowed'");
        assertThatThrownBy(() -> Requirement.parse("withdraw + dpop required + dpop off")).hasMessageContaining("two DPoP modes");
        assertThatThrownBy(() -> Requirement.parse("permit + dpop required")).hasMessageContaining("goes with a token requirement");
        assertThatThrownBy(() -> Requirement.parse("deny + dpop off")).hasMessageContaining("goes with a token requirement");
        assertThatThrownBy(() -> Requirement.parse("withdraw dpop required"))
                .hasMessageContaining("'<requirement> + dpop required'");
        assertThatThrownBy(() -> Requirement.parse("withdraw + dpopp required"))
                .hasMessageContaining("a '+' starts one of the suffixes").hasMessageContaining("did you mean '+ dpop'?");
    }
}
