package dev.tokengate.policy;

import dev.tokengate.BearerError;
import dev.tokengate.ConfigurationException;
import dev.tokengate.IpRange;
import dev.tokengate.TokenGate;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigSource;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code tokengate.ip-ranges.clients} / {@code .api-keys}: the value's form, its errors and the policy's answers. */
class AddressRangesTest {

    private static RequestFacts from(String address) {
        return RequestFacts.builder().requestId("r").method("GET").path("/").clientAddress(address)
                .time(Instant.EPOCH).requirement(Requirement.authenticated()).build();
    }

    private static VerifiedToken jwt(String clientId) {
        return VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("alice").clientId(clientId).build();
    }

    @Test
    void parseThenEntriesInOrderWithSpacesCommasAndSingleAddresses() {
        Map<String, List<IpRange>> parsed = AddressRanges.parse(" bot = 203.0.113.0/24  198.51.100.7;reporting=10.0.0.0/8,"
                + "2001:db8::/32;\n");

        assertThat(parsed).containsExactly(
                Map.entry("bot", List.of(IpRange.parse("203.0.113.0/24"), IpRange.parse("198.51.100.7/32"))),
                Map.entry("reporting", List.of(IpRange.parse("10.0.0.0/8"), IpRange.parse("2001:db8::/32"))));
        assertThat(AddressRanges.parse("  ")).isEmpty();
    }

    @Test
    void parseWhenMalformedThenSaysWhichEntryAndHowToWriteIt() {
        assertThatThrownBy(() -> AddressRanges.parse("bot 203.0.113.0/24"))
                .hasMessage("'bot 203.0.113.0/24' is not id=ranges; write e.g. bot=203.0.113.0/24 198.51.100.7; "
                        + "reporting=10.0.0.0/8");
        assertThatThrownBy(() -> AddressRanges.parse("=10.0.0.0/8")).hasMessageContaining("does not start with an id");
        assertThatThrownBy(() -> AddressRanges.parse("bot=")).hasMessageStartingWith("bot has no ranges after '='");
        assertThatThrownBy(() -> AddressRanges.parse("bot=10.0.0.0/33"))
                .hasMessage("bot: '10.0.0.0/33' has a prefix length outside 0..32");
        assertThatThrownBy(() -> AddressRanges.parse("bot=example.com")).hasMessageStartingWith("bot: 'example.com' is not an IP range");
        assertThatThrownBy(() -> AddressRanges.parse("bot=10.0.0.0/8; bot=192.0.2.1"))
                .hasMessage("bot is listed twice; give all its ranges in one entry");
    }

    @Test
    void configWhenMalformedThenGateRefusesToStartNamingTheKeyAndItsLayer() {
        ConfigSource env = ConfigSource.of(Map.of("tokengate.store.jdbc-url", "jdbc:h2:mem:x"),
                Map.of("TOKENGATE_IP_RANGES_CLIENTS", "bot=10.0.0.0/33"), new Properties());

        assertThatThrownBy(() -> TokenGate.create(env)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tokengate.ip-ranges.clients").hasMessageContaining("environment")
                .hasMessageContaining("bot: '10.0.0.0/33' has a prefix length outside 0..32");
    }

    @Test
    void configThenBothKeysReadAlsoFromEnvironmentVariables() {
        ConfigSource env = ConfigSource.of(Map.of(), Map.of("TOKENGATE_IP_RANGES_CLIENTS", "bot=203.0.113.0/24",
                "TOKENGATE_IP_RANGES_API_KEYS", "key-1=192.0.2.0/24"), new Properties());

        AddressRanges ranges = AddressRanges.config(env);

        assertThat(ranges.client("bot")).containsExactly(IpRange.parse("203.0.113.0/24"));
        assertThat(ranges.apiKey("key-1")).containsExactly(IpRange.parse("192.0.2.0/24"));
        assertThat(ranges.client("other")).isEmpty();
    }

    @Test
    void policyWhenClientFencedThenOnlyItsNetworksAndOwnRangesStillApply() {
        TokenPolicy policy = TokenPolicies.allowedAddresses(AddressRanges.builder()
                .client("bot", List.of(IpRange.parse("203.0.113.0/24"))).build());
        VerifiedToken narrowed = VerifiedToken.builder(VerifiedToken.Kind.STORED).subject("alice").clientId("bot")
                .allowedAddresses(List.of(IpRange.parse("203.0.113.128/25"))).build();

        assertThat(policy.check(jwt("bot"), from("203.0.113.9"))).isEqualTo(PolicyDecision.allow());
        assertThat(policy.check(jwt("other"), from("198.51.100.1"))).isEqualTo(PolicyDecision.allow());
        assertThat(policy.check(VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("a").build(), from("198.51.100.1")))
                .isEqualTo(PolicyDecision.allow());
        PolicyDecision.Deny outside = (PolicyDecision.Deny) policy.check(jwt("bot"), from("198.51.100.1"));
        assertThat(outside.error().description()).isEqualTo("This token may not be used from this address.");
        assertThat(outside.error().code()).contains(BearerError.Code.INVALID_TOKEN);
        assertThat(outside.marks()).containsExactly("address");
        PolicyDecision.Deny ownRange = (PolicyDecision.Deny) policy.check(narrowed, from("203.0.113.9"));
        assertThat(ownRange.reason()).isEqualTo("the token is restricted to [203.0.113.128/25]; the client is 203.0.113.9");
        assertThat(ownRange.marks()).containsExactly("address");
    }

    @Test
    void builderWhenNoRangesOrBadIdThenRefused() {
        assertThatThrownBy(() -> AddressRanges.builder().client("bot", List.of())).hasMessageContaining("at least one range");
        assertThatThrownBy(() -> AddressRanges.builder().apiKey("a b", List.of(IpRange.parse("10.0.0.0/8"))))
                .hasMessageContaining("keyId 'a b'");
        assertThat(AddressRanges.builder().build().isEmpty()).isTrue();
    }
}
