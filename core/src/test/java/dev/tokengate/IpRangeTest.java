package dev.tokengate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IpRangeTest {

    @Test
    void containsWhenInsideIpv4RangeThenTrue() {
        IpRange r = IpRange.parse("203.0.113.0/24");
        assertThat(r.contains("203.0.113.7")).isTrue();
        assertThat(r.contains("203.0.114.7")).isFalse();
    }

    @Test
    void containsWhenSingleAddressThenOnlyThatAddress() {
        IpRange r = IpRange.parse("198.51.100.7");
        assertThat(r).hasToString("198.51.100.7/32");
        assertThat(r.contains("198.51.100.7")).isTrue();
        assertThat(r.contains("198.51.100.8")).isFalse();
    }

    @Test
    void containsWhenIpv6RangeThenByPrefix() {
        IpRange r = IpRange.parse("2001:db8::/32");
        assertThat(r.contains("2001:db8:1::5")).isTrue();
        assertThat(r.contains("[2001:db8::1]")).isTrue();
        assertThat(r.contains("2001:db9::1")).isFalse();
        assertThat(r.contains("203.0.113.7")).isFalse();
    }

    @Test
    void containsWhenIpv4MappedIpv6ThenMatchesIpv4Range() {
        assertThat(IpRange.parse("10.0.0.0/8").contains("::ffff:10.1.2.3")).isTrue();
        assertThat(IpRange.parse("10.0.0.0/8").contains("[::ffff:10.1.2.3]")).isTrue();
        assertThat(IpRange.parse("10.0.0.0/8").contains("::ffff:11.1.2.3")).isFalse();
        assertThat(IpRange.parse("10.0.0.0/8").contains("::10.1.2.3")).as("IPv4-compatible, not mapped: IPv6").isFalse();
        assertThat(IpRange.parse("::/0").contains("::ffff:10.1.2.3")).as("read as the IPv4 address it maps").isFalse();
    }

    @Test
    void containsWhenPrefixIsNotAWholeNumberOfBytesThenBitByBit() {
        IpRange r = IpRange.parse("203.0.113.77/28");
        assertThat(r).hasToString("203.0.113.64/28");
        assertThat(r.contains("203.0.113.64")).isTrue();
        assertThat(r.contains("203.0.113.79")).isTrue();
        assertThat(r.contains("203.0.113.63")).isFalse();
        assertThat(r.contains("203.0.113.80")).isFalse();

        IpRange v6 = IpRange.parse("2001:db8:abcd:12f0::/60");
        assertThat(v6.contains("2001:db8:abcd:12ff::1")).isTrue();
        assertThat(v6.contains("2001:db8:abcd:12ef::1")).isFalse();
    }

    @Test
    void parseWhenPrefixIsTheWholeAddressOrZeroThenAccepted() {
        assertThat(IpRange.parse("203.0.113.7/32")).isEqualTo(IpRange.parse("203.0.113.7")).hasToString("203.0.113.7/32");
        assertThat(IpRange.parse("2001:db8::1/128")).hasToString("2001:db8:0:0:0:0:0:1/128");
        assertThat(IpRange.parse("::/0").contains("2001:db8::1")).isTrue();
        assertThat(IpRange.parse("203.0.113.7/0")).hasToString("0.0.0.0/0");
        assertThatThrownBy(() -> IpRange.parse("203.0.113.7/-1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'203.0.113.7/-1' has a prefix length outside 0..32");
        assertThatThrownBy(() -> IpRange.parse("2001:db8::/129")).hasMessage("'2001:db8::/129' has a prefix length outside 0..128");
    }

    @Test
    void equalsOnlyWhenSameNetworkAndPrefix() {
        IpRange r = IpRange.parse("203.0.113.0/24");
        assertThat(r).isEqualTo(IpRange.parse("203.0.113.0/24")).hasSameHashCodeAs(IpRange.parse("203.0.113.99/24"));
        assertThat(r).isNotEqualTo(IpRange.parse("203.0.113.0/25"))
                .isNotEqualTo(IpRange.parse("203.0.114.0/24"))
                .isNotEqualTo("203.0.113.0/24");
    }

    @Test
    void hashCodesOfDifferentRangesAreSpread() {
        java.util.Set<Integer> hashes = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            hashes.add(IpRange.parse("10." + i + ".0.0/16").hashCode());
        }
        assertThat(hashes).hasSize(200);
    }

    @Test
    void parseNormalisesHostBits() {
        assertThat(IpRange.parse("203.0.113.77/24")).isEqualTo(IpRange.parse("203.0.113.0/24")).hasToString("203.0.113.0/24");
        assertThat(IpRange.parse("0.0.0.0/0").contains("8.8.8.8")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "example.com", "localhost", "203.0.113.0/33", "203.0.113/24", "1.2.3.4/x", "2001:db8::/129", "::g"})
    void parseWhenNotALiteralRangeThenExplains(String text) {
        assertThatThrownBy(() -> IpRange.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(text);
    }

    @Test
    void containsNeverResolvesNames() {
        assertThat(IpRange.parse("127.0.0.0/8").contains("localhost")).isFalse();
        assertThat(IpRange.parse("127.0.0.0/8").contains(null)).isFalse();
    }
}
