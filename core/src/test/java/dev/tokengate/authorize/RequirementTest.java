package dev.tokengate.authorize;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequirementTest {

    @Test
    void parseWhenKeywordsThenSpecialRequirements() {
        assertThat(Requirement.parse("permit")).isEqualTo(Requirement.permit());
        assertThat(Requirement.parse(" Authenticated ")).isEqualTo(Requirement.authenticated());
        assertThat(Requirement.parse("deny")).isEqualTo(Requirement.deny());
    }

    @Test
    void parseWhenSpacesThenAllOf() {
        assertThat(Requirement.parse("read trade")).isEqualTo(Requirement.allOf("read", "trade"));
        assertThat(Requirement.parse("read \t trade")).isEqualTo(Requirement.allOf("read", "trade"));
    }

    /** "admin, root" was read as all-of, where its writer most likely meant any-of: a comma is refused, both readings offered. */
    @Test
    void parseWhenCommaThenRefusedOfferingBothReadings() {
        assertThatThrownBy(() -> Requirement.parse("admin, root"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'admin root' (all of these scopes)")
                .hasMessageContaining("'admin | root' (any one of them)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"authenticted", "Authenticatd", "permitt", "pemrit", "denny", "read authenticted"})
    void parseWhenNearMissOfKeywordThenDidYouMean(String text) {
        assertThatThrownBy(() -> Requirement.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("did you mean");
    }

    @ParameterizedTest
    @ValueSource(strings = {"read authenticated", "permit | admin", "deny trade"})
    void parseWhenKeywordListedWithScopesThenRefused(String text) {
        assertThatThrownBy(() -> Requirement.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be listed with scopes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"admin", "read", "openid", "profile", "email", "offline_access", "api:read", "den", "admin | root"})
    void parseWhenOrdinaryScopesThenNoTypoSuspected(String text) {
        assertThat(Requirement.parse(text).scopes()).isNotEmpty();
    }

    @Test
    void parseWhenPipesThenAnyOf() {
        assertThat(Requirement.parse("admin | root")).isEqualTo(Requirement.anyOf("admin", "root"));
    }

    /** Found by UrlRulesFuzzTest: "a | a" read as any-of {a}, which printed as "a" and read back as all-of {a}. */
    @Test
    void parseWhenOneDistinctScopeThenSameRequirementWhicheverWayWritten() {
        Requirement repeated = Requirement.parse("a | a");
        assertThat(repeated).isEqualTo(Requirement.parse("a")).isEqualTo(Requirement.anyOf("a"));
        assertThat(repeated.mode()).isEqualTo(Requirement.Mode.ALL_OF);
        assertThat(repeated).hasToString("a");
        assertThat(Requirement.parse(repeated.toString())).isEqualTo(repeated);
    }

    /** Found by UrlRulesFuzzTest: a last scope merely ending in "api-key" was taken for a misspelt "+ api-key". */
    @Test
    void parseWhenLastScopeEndsWithApiKeyThenItIsAScope() {
        Requirement requirement = Requirement.parse("read partner-api-key");
        assertThat(requirement).isEqualTo(Requirement.allOf("read", "partner-api-key"));
        assertThat(requirement.requiresApiKey()).isFalse();
        assertThat(Requirement.parse("read | partner-api-key + api-key"))
                .isEqualTo(Requirement.anyOf("read", "partner-api-key").withApiKey());
        assertThat(Requirement.parse(requirement.toString())).isEqualTo(requirement);
        // The keyword itself is no scope, wherever it stands: "api-key y" printed (deduplicated) could end in it.
        assertThatThrownBy(() -> Requirement.parse("read api-key write"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("+ api-key");
    }

    /** Found by UrlRulesFuzzTest: a trailing bar was dropped, so "admin |" read as any-of one scope, "admin". */
    @Test
    void parseWhenTrailingBarThenEmptyScopeRefused() {
        assertThatThrownBy(() -> Requirement.parse("admin |"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has an empty scope");
        assertThatThrownBy(() -> Requirement.parse("admin | root |"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has an empty scope");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "a | b c", "a | | b", "sc\"ope"})
    void parseWhenMalformedThenExplains(String text) {
        assertThatThrownBy(() -> Requirement.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Found by fuzzing: "a +api-key a" kept a scope "+api-key", which printed last and read back as the hybrid. */
    @ParameterizedTest
    @ValueSource(strings = {"a +api-key a", "x+api-key read", "read | b+API-KEY | c"})
    void parseWhenAScopeEndsInPlusApiKeyThenRefused(String text) {
        assertThatThrownBy(() -> Requirement.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reads as the '+ api-key' suffix");
    }

    @Test
    void parseReadsBackToString() {
        for (String text : new String[] {"permit", "authenticated", "deny", "read trade", "admin | root", "api:read"}) {
            assertThat(Requirement.parse(Requirement.parse(text).toString())).isEqualTo(Requirement.parse(text));
        }
    }

    @Test
    void parseWhenApiKeySuffixThenHybrid() {
        assertThat(Requirement.parse("trade + api-key")).isEqualTo(Requirement.allOf("trade").withApiKey());
        assertThat(Requirement.parse("authenticated+API-KEY").requiresApiKey()).isTrue();
        assertThat(Requirement.parse("admin | root + api-key")).isEqualTo(Requirement.anyOf("admin", "root").withApiKey());
        assertThat(Requirement.parse("trade + api-key")).hasToString("trade + api-key");
        assertThat(Requirement.parse("trade").requiresApiKey()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"permit + api-key", "deny + api-key", "trade api-key", "+ api-key"})
    void parseWhenApiKeyWithoutTokenRequirementThenExplains(String text) {
        assertThatThrownBy(() -> Requirement.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void allOfWhenOneMissingThenNotSatisfied() {
        assertThat(Requirement.allOf("read", "trade").isSatisfiedBy(Set.of("read"))).isFalse();
        assertThat(Requirement.allOf("read", "trade").isSatisfiedBy(Set.of("read", "trade", "x"))).isTrue();
    }

    @Test
    void anyOfWhenOnePresentThenSatisfied() {
        assertThat(Requirement.anyOf("admin", "root").isSatisfiedBy(Set.of("root"))).isTrue();
        assertThat(Requirement.anyOf("admin", "root").isSatisfiedBy(Set.of("read"))).isFalse();
    }

    @Test
    void denyIsNeverSatisfied() {
        assertThat(Requirement.deny().isSatisfiedBy(Set.of("read"))).isFalse();
    }

    @Test
    void parseWhenACommaLeadsOrTrailsThenRefusedToo() {
        for (String text : new String[] {",read", "read,"}) {
            assertThatThrownBy(() -> Requirement.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("a comma is ambiguous here");
        }
    }

    @Test
    void parseWhenAFourLetterWordIsNearAKeywordThenRefusedAsATypo() {
        assertThatThrownBy(() -> Requirement.parse("deni")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'deni' looks like a misspelt keyword: did you mean deny? (Scope names this close to a "
                        + "keyword are refused, to catch typos.)");
        assertThat(Requirement.parse("den").scopes()).as("three letters: a scope").containsExactly("den");
    }

    @Test
    void hashCodeEqualForEqualRequirementsAndSpreadOtherwise() {
        assertThat(Requirement.parse("read trade")).hasSameHashCodeAs(Requirement.allOf("trade", "read"));
        assertThat(java.util.Set.of(Requirement.allOf("read").hashCode(), Requirement.anyOf("read", "trade").hashCode(),
                Requirement.allOf("read").withApiKey().hashCode(), Requirement.permit().hashCode(),
                Requirement.deny().hashCode(), Requirement.noMatchingRule().hashCode())).hasSize(6);
    }
}
