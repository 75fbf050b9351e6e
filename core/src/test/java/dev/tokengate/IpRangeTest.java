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
