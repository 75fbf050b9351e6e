package dev.tokengate.authorize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tokengate.ConfigurationException;
import dev.tokengate.config.ConfigKeys;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * Fuzzes the rule parsers with any text an operator (or a typo) could put in {@value ConfigKeys#RULES}: the input
 * bytes, read as UTF-8, are the rules text, or one requirement.
 */
class UrlRulesFuzzTest {

    private static final List<String> PATHS = List.of("/", "/api", "/api/", "/api/orders", "/api/x.csv", "/a/b/c", "");
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "get", "GETT");

    /**
     * Rules text is either refused with a {@link ConfigurationException} naming {@value ConfigKeys#RULES} or
     * {@value ConfigKeys#UNMATCHED}, or read into rules that answer every request without throwing and whose
     * requirements read back as themselves.
     */
    @FuzzTest(maxDuration = "30s")
    void parseRefusesWithAConfigurationErrorOrAnswersEveryRequest(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        UrlRules rules;
        try {
            rules = UrlRules.parse(text, Requirement.authenticated());
        } catch (ConfigurationException e) {
            assertThat(e.key()).isIn(ConfigKeys.RULES, ConfigKeys.UNMATCHED);
            assertThat(e.detail()).isNotBlank();
            return;
        }
        for (UrlRules.Rule rule : rules.rules()) {
            assertThat(Requirement.parse(rule.requirement().toString())).isEqualTo(rule.requirement());
            assertThat(rule.methods()).allMatch(m -> m.equals(m.strip()) && !m.isEmpty());
        }
        for (String path : PATHS) {
            for (String method : METHODS) {
                assertThatCode(() -> rules.requirementFor(method, path)).doesNotThrowAnyException();
            }
        }
        for (UrlRules.Rule rule : rules.rules()) {
            String path = rule.pattern().toString().replace("*", "x");
            String method = rule.methods().isEmpty() ? "GET" : rule.methods().iterator().next();
            assertThat(rules.ruleFor(method, path.startsWith("/") ? path : "/" + path)).isPresent();
        }
    }

    /**
     * A requirement's text is either refused with an {@link IllegalArgumentException} or read into a requirement
     * that reads back as itself, and whose scopes are RFC 6749 scope-tokens.
     */
    @FuzzTest(maxDuration = "30s")
    void requirementParseRefusesWithIllegalArgumentOrRoundTrips(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        Requirement requirement;
        try {
            requirement = Requirement.parse(text);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(Requirement.parse(requirement.toString())).isEqualTo(requirement);
        Set<String> scopes = requirement.scopes();
        assertThat(scopes).allMatch(s -> s.matches("[\\x21\\x23-\\x5B\\x5D-\\x7E]+"));
        boolean scoped = requirement.mode() == Requirement.Mode.ALL_OF || requirement.mode() == Requirement.Mode.ANY_OF;
        assertThat(scopes.isEmpty()).isEqualTo(!scoped);
    }
}
