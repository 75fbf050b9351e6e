package dev.tokengate.authorize;

import dev.tokengate.ConfigurationException;
import dev.tokengate.config.ConfigKeys;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UrlRulesTest {

    private static final String EXAMPLE = """
            GET,HEAD /api/accounts/* = read
            POST /api/orders = trade
            /api/public/* = permit
            /api/admin/* = admin | root
            /* = authenticated
            """;

    @Test
    void requirementForWhenExampleRulesThenEachRouteGetsItsRequirement() {
        UrlRules rules = UrlRules.parse(EXAMPLE);

        assertThat(rules.requirementFor("GET", "/api/accounts/42")).isEqualTo(Requirement.allOf("read"));
        assertThat(rules.requirementFor("POST", "/api/orders")).isEqualTo(Requirement.allOf("trade"));
        assertThat(rules.requirementFor("GET", "/api/public/status")).isEqualTo(Requirement.permit());
        assertThat(rules.requirementFor("DELETE", "/api/admin/users/1")).isEqualTo(Requirement.anyOf("admin", "root"));
        assertThat(rules.requirementFor("GET", "/index.html")).isEqualTo(Requirement.authenticated());
    }

    @Test
    void requirementForWhenExactAndPrefixMatchThenExactWins() {
        UrlRules rules = UrlRules.parse("/api/* = read; /api/orders = trade");

        assertThat(rules.requirementFor("GET", "/api/orders")).isEqualTo(Requirement.allOf("trade"));
        assertThat(rules.requirementFor("GET", "/api/orders/1")).isEqualTo(Requirement.allOf("read"));
    }

    @Test
    void requirementForWhenTwoPrefixesMatchThenLongestWins() {
        UrlRules rules = UrlRules.parse("/api/* = read\n/api/admin/* = admin\n/api/admin/audit/* = audit");

        assertThat(rules.requirementFor("GET", "/api/admin/audit/2024")).isEqualTo(Requirement.allOf("audit"));
        assertThat(rules.requirementFor("GET", "/api/admin/users")).isEqualTo(Requirement.allOf("admin"));
        assertThat(rules.requirementFor("GET", "/api/other")).isEqualTo(Requirement.allOf("read"));
    }

    @Test
    void requirementForWhenPrefixPatternThenItMatchesItsOwnPathButNotALongerName() {
        UrlRules rules = UrlRules.parse("/api/accounts/* = read", Requirement.permit());

        assertThat(rules.requirementFor("GET", "/api/accounts")).isEqualTo(Requirement.allOf("read"));
        assertThat(rules.requirementFor("GET", "/api/accounts/")).isEqualTo(Requirement.allOf("read"));
        assertThat(rules.requirementFor("GET", "/api/accountsx")).isEqualTo(Requirement.permit());
    }

    @Test
    void requirementForWhenPrefixAndExtensionMatchThenPrefixWins() {
        UrlRules rules = UrlRules.parse("*.css = permit; /admin/* = admin; /* = authenticated");

        assertThat(rules.requirementFor("GET", "/admin/site.css")).isEqualTo(Requirement.allOf("admin"));
        assertThat(rules.requirementFor("GET", "/static/site.css")).isEqualTo(Requirement.permit());
    }

    @Test
    void requirementForWhenExtensionAndDefaultMatchThenExtensionWins() {
        UrlRules rules = UrlRules.parse("*.csv = export; / = read");

        assertThat(rules.requirementFor("GET", "/reports/q1.csv")).isEqualTo(Requirement.allOf("export"));
        assertThat(rules.requirementFor("GET", "/reports/q1.csv/raw")).isEqualTo(Requirement.allOf("read"));
        assertThat(rules.requirementFor("GET", "/reports/csv")).isEqualTo(Requirement.allOf("read"));
    }

    @Test
    void requirementForWhenPathsDifferOnlyInCaseOrTrailingSlashThenExactDoesNotMatch() {
        UrlRules rules = UrlRules.parse("/api/orders = trade; /* = authenticated");

        assertThat(rules.requirementFor("GET", "/API/orders")).isEqualTo(Requirement.authenticated());
        assertThat(rules.requirementFor("GET", "/api/orders/")).isEqualTo(Requirement.authenticated());
    }

    @Test
    void requirementForWhenSamePatternWithAndWithoutMethodThenMethodRuleWins() {
        UrlRules rules = UrlRules.parse("/api/orders = read\nPOST,PUT /api/orders = trade");

        assertThat(rules.requirementFor("POST", "/api/orders")).isEqualTo(Requirement.allOf("trade"));
        assertThat(rules.requirementFor("put", "/api/orders")).isEqualTo(Requirement.allOf("trade"));
        assertThat(rules.requirementFor("GET", "/api/orders")).isEqualTo(Requirement.allOf("read"));
    }

    @Test
    void requirementForWhenMethodRuleDoesNotNameMethodThenLessSpecificPatternDecides() {
        UrlRules rules = UrlRules.parse("POST /api/orders = trade; /api/* = read");

        assertThat(rules.requirementFor("GET", "/api/orders")).isEqualTo(Requirement.allOf("read"));
    }

    @Test
    void requirementForWhenMoreSpecificPatternHasNoMethodThenItBeatsMethodRuleOfLessSpecificPattern() {
        UrlRules rules = UrlRules.parse("GET /api/* = read; /api/orders = trade");

        assertThat(rules.requirementFor("GET", "/api/orders")).isEqualTo(Requirement.allOf("trade"));
    }

    @Test
    void requirementForWhenHeadAndOnlyGetRuleThenGetRuleCoversHead() {
        UrlRules rules = UrlRules.parse("GET /api/secret = admin; /* = permit");

        assertThat(rules.requirementFor("HEAD", "/api/secret")).isEqualTo(Requirement.allOf("admin"));
    }

    @Test
    void requirementForWhenExplicitHeadRuleThenItBeatsGetRule() {
        UrlRules rules = UrlRules.parse("GET /api/x = read; HEAD /api/x = authenticated; /api/x = admin");

        assertThat(rules.requirementFor("HEAD", "/api/x")).isEqualTo(Requirement.authenticated());
        assertThat(rules.requirementFor("GET", "/api/x")).isEqualTo(Requirement.allOf("read"));
        assertThat(rules.requirementFor("OPTIONS", "/api/x")).isEqualTo(Requirement.allOf("admin"));
    }

    @Test
    void requirementForWhenNoRuleMatchesThenUnmatchedRequirement() {
        // denied as 'no rule matched', not as a deny rule: the refusal says so
        assertThat(UrlRules.parse("/api/* = read").requirementFor("GET", "/other")).isEqualTo(Requirement.noMatchingRule());
        assertThat(UrlRules.parse("/api/* = read", Requirement.deny()).requirementFor("GET", "/other"))
                .isEqualTo(Requirement.noMatchingRule()).isNotEqualTo(Requirement.deny());
        assertThat(UrlRules.parse("/api/* = read; /admin/* = deny").requirementFor("GET", "/admin/x"))
                .isEqualTo(Requirement.deny());
        assertThat(UrlRules.parse("/api/* = read", Requirement.authenticated()).requirementFor("GET", "/other"))
                .isEqualTo(Requirement.authenticated());
    }

    @Test
    void parseWhenSeparatorsCommentsAndBlankLinesThenAllRulesRead() {
        UrlRules rules = UrlRules.parse("""

                # public things
                  /health = permit ;  /metrics = permit

                GET, HEAD   /api/*   =   read   list
                """);

        assertThat(rules.rules()).hasSize(3);
        assertThat(rules.requirementFor("HEAD", "/api/x")).isEqualTo(Requirement.allOf("read", "list"));
        assertThat(rules.requirementFor("GET", "/metrics")).isEqualTo(Requirement.permit());
    }

    @Test
    void parseWhenNoEqualsSignThenFailsNamingKeyAndLine() {
        assertThatThrownBy(() -> UrlRules.parse("/a = read\n/b read"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.rules: line 2 '/b read'")
                .hasMessageContaining("no '='")
                .satisfies(e -> assertThat(((ConfigurationException) e).key()).isEqualTo(ConfigKeys.RULES));
    }

    @Test
    void parseWhenPatternIsNotServletPatternThenFailsNamingLine() {
        for (String bad : new String[] {"api/x = read", "/api/*/x = read", "/a*b = read", "*.= read",
                "*.tar.gz = read", "/api//x = read", "*/x = read"}) {
            assertThatThrownBy(() -> UrlRules.parse(bad), bad)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("line 1")
                    .hasMessageContaining("servlet URL pattern");
        }
    }

    @Test
    void parseWhenMethodIsNotAMethodThenFailsNamingIt() {
        assertThatThrownBy(() -> UrlRules.parse("get /x = read"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'get' is not an HTTP method");
        assertThatThrownBy(() -> UrlRules.parse("GET;POST /x = read"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("line 1 'GET'");
    }

    @Test
    void parseWhenMethodMisspeltThenFailsWithDidYouMean() {
        assertThatThrownBy(() -> UrlRules.parse("/x = read\nGETT /y = read"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("'GETT' is not a registered HTTP method: did you mean GET?");
        assertThatThrownBy(() -> UrlRules.parse("FROB /y = read"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'FROB' is not a registered HTTP method (");
    }

    @Test
    void parseWhenWebDavOrQueryMethodThenAccepted() {
        assertThat(UrlRules.parse("PROPFIND,MKCOL,QUERY /dav/* = read").requirementFor("PROPFIND", "/dav/a"))
                .isEqualTo(Requirement.allOf("read"));
    }

    @Test
    void parseWhenRequirementHasTypoThenFailsNamingLineAndSuggestion() {
        assertThatThrownBy(() -> UrlRules.parse("/x = read\n/y = authenticted"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("did you mean authenticated?");
        assertThatThrownBy(() -> UrlRules.parse("/admin/* = admin, root"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'admin | root' (any one of them)");
    }

    @Test
    void parseWhenRequirementIsMalformedThenFailsNamingLineAndProblem() {
        assertThatThrownBy(() -> UrlRules.parse("/x = read\n/y = a b | c"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("line 2 '/y = a b | c'")
                .hasMessageContaining("mixes all-of and any-of");
        assertThatThrownBy(() -> UrlRules.parse("/y ="))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("empty requirement");
    }

    @Test
    void parseWhenPatternRepeatedForSameMethodsThenFailsNamingBothLines() {
        assertThatThrownBy(() -> UrlRules.parse("GET /x = read\nGET,POST /x = write"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("of line 1");
        assertThatThrownBy(() -> UrlRules.parse("/ = read\n/* = write"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("line 2");
    }

    @Test
    void parseWhenNoRulesAndUnmatchedDeniedThenFailsBecauseEverythingWouldBeRefused() {
        assertThatThrownBy(() -> UrlRules.parse("  \n# nothing"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.rules:");
        assertThat(UrlRules.parse("", Requirement.authenticated()).requirementFor("GET", "/x"))
                .isEqualTo(Requirement.authenticated());
    }

    @Test
    void parseWhenUnmatchedIsAScopeThenFailsNamingUnmatchedKey() {
        assertThatThrownBy(() -> UrlRules.parse("/x = read", Requirement.allOf("read")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.unmatched:");
        assertThatThrownBy(() -> UrlRules.parseUnmatched("allow"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("tokengate.unmatched:");
        assertThat(UrlRules.parseUnmatched(" Permit ")).isEqualTo(Requirement.permit());
    }

    @Test
    void parseWhenNothingBeforeTheEqualsSignThenSaysThePatternIsMissing() {
        assertThatThrownBy(() -> UrlRules.parse("= read")).isInstanceOf(ConfigurationException.class)
                .hasMessage("tokengate.rules: line 1 '= read': no URL pattern before '='");
    }

    @Test
    void parseWhenPatternRepeatedThenTheMessageNamesTheMethodsOfTheFirstRule() {
        assertThatThrownBy(() -> UrlRules.parse("POST,GET /x = read\nGET /x = write"))
                .hasMessage("tokengate.rules: line 2 'GET /x = write': it repeats the pattern /x for GET,POST of line 1; "
                        + "give each pattern and method one rule");
        assertThatThrownBy(() -> UrlRules.parse("/x = read\n/x = write"))
                .hasMessage("tokengate.rules: line 2 '/x = write': it repeats the pattern /x (any method) of line 1; "
                        + "give each pattern and method one rule");
    }

    @Test
    void parseWhenExtensionPatternHasNoExtensionThenRefused() {
        for (String pattern : new String[] {"*.", "*./x", "*.a*", "*.tar.gz"}) {
            assertThatThrownBy(() -> UrlRules.parse(pattern + " = read")).as(pattern)
                    .hasMessageContaining("is not a servlet URL pattern");
        }
        assertThat(UrlRules.parse("*.j = read").requirementFor("GET", "/a.j")).isEqualTo(Requirement.allOf("read"));
    }

    @Test
    void requirementForWhenTheLastSegmentIsOnlyTheExtensionThenTheExtensionRuleDoesNotMatch() {
        UrlRules rules = UrlRules.parse("*.json = read", Requirement.authenticated());

        assertThat(rules.requirementFor("GET", "/.json")).isEqualTo(Requirement.authenticated());
        assertThat(rules.requirementFor("GET", "/files/.json")).isEqualTo(Requirement.authenticated());
        assertThat(rules.requirementFor("GET", "/files/a.json")).isEqualTo(Requirement.allOf("read"));
    }

    @Test
    void requiresApiKeysWhenARuleOrTheUnmatchedRequirementNeedsOne() {
        assertThat(UrlRules.parse("/x = read").requiresApiKeys()).isFalse();
        assertThat(UrlRules.parse("/x = read; /y = trade + api-key").requiresApiKeys()).isTrue();
        assertThat(UrlRules.parse("/x = read", Requirement.authenticated().withApiKey()).requiresApiKeys()).isTrue();
    }

    @Test
    void toStringListsTheRulesAsWrittenThenTheUnmatchedRequirement() {
        assertThat(UrlRules.parse("GET /api/* = read; /health = permit")).hasToString(
                "UrlRules[GET /api/* = read; /health = permit; unmatched = deny]");
        assertThat(UrlRules.UrlPattern.parse("*.json").orElseThrow()).hasToString("*.json");
    }

    @Test
    void urlPatternEqualByKindAndValueWithSpreadHashCodes() {
        UrlRules.UrlPattern exact = UrlRules.UrlPattern.parse("/a").orElseThrow();

        assertThat(exact).isEqualTo(UrlRules.UrlPattern.parse("/a").orElseThrow())
                .hasSameHashCodeAs(UrlRules.UrlPattern.parse("/a").orElseThrow())
                .isNotEqualTo(UrlRules.UrlPattern.parse("/a/*").orElseThrow());
        assertThat(java.util.Set.of(exact.hashCode(), UrlRules.UrlPattern.parse("/b").orElseThrow().hashCode(),
                UrlRules.UrlPattern.parse("/a/*").orElseThrow().hashCode())).hasSize(3);
    }
}
