package dev.tokengate.control;

import org.junit.jupiter.api.Test;

import java.util.OptionalLong;
import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

class AddressesTest {

    @Test
    void dottedQuadsAreNumberedByTheirSlash24WithoutTheFullParserAndTheRestGoToIt() {
        assertThat(Addresses.ipv4Network("198.51.100.7")).isEqualTo((198L << 16) | (51L << 8) | 100L);
        assertThat(Addresses.ipv4Network("0.0.0.0")).isZero();
        assertThat(Addresses.ipv4Network("255.255.255.255")).isEqualTo(0xffffffL);
        for (String notQuad : new String[] {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "01.2.3.4", "1..2.3",
                ".1.2.3", "1.2.3.", "1.2.3.4 ", "::1", "a.b.c.d", "1.2.3.-4"}) {
            assertThat(Addresses.ipv4Network(notQuad)).as(notQuad).isEqualTo(-1);
        }
        assertThat(Addresses.network("198.51.100.7")).isEqualTo(OptionalLong.of((198L << 16) | (51L << 8) | 100L));
        assertThat(Addresses.networkText(Addresses.network("203.0.113.9").getAsLong())).isEqualTo("203.0.113.0/24");
        assertThat(Addresses.network("2001:db8:1:2::7")).isEqualTo(Addresses.network("2001:db8:1:ffff::1"));
        assertThat(Addresses.network("not an address")).isEmpty();
    }

    @Test
    void literalsAreReadWithBracketsZonesAndSpacesButNeverAsHostNames() throws Exception {
        assertThat(Addresses.literal(null)).isEmpty();
        assertThat(Addresses.literal(" 192.0.2.1 ")).contains(InetAddress.getByName("192.0.2.1"));
        assertThat(Addresses.literal("[2001:db8::1]")).contains(InetAddress.getByName("2001:db8::1"));
        assertThat(Addresses.literal("fe80::1%eth0")).contains(InetAddress.getByName("fe80::1"));
        assertThat(Addresses.literal("[fe80::1%eth0]")).contains(InetAddress.getByName("fe80::1"));
        assertThat(Addresses.literal("::ffff:192.0.2.1")).contains(InetAddress.getByName("192.0.2.1"));
        for (String notLiteral : new String[] {"", "[2001:db8::1", "2001:db8::1]", "localhost", "example.org",
                "2001:db8:zz::1", "1::2::3", ":", "%eth0", "1.2.3"}) {
            assertThat(Addresses.literal(notLiteral)).as(notLiteral).isEmpty();
        }
    }

    @Test
    void ipv6NetworksAreTheir48MarkedApartFromEveryIpv4Network() {
        long v6 = 1L << 62;
        assertThat(Addresses.network("2001:db8:1::7")).hasValue(v6 | 0x2001_0db8_0001L);
        assertThat(Addresses.network("[ffff:fffe:fdfc:fbfa::1]")).hasValue(v6 | 0xffff_fffe_fdfcL);
        assertThat(Addresses.network("2001:db8:1::")).isNotEqualTo(Addresses.network("2001:db8:2::"));
        assertThat(Addresses.network("::")).hasValue(v6);
        assertThat(Addresses.network("::")).isNotEqualTo(Addresses.network("0.0.0.1"));
        assertThat(Addresses.networkText(v6 | 0x2001_0db8_0001L)).isEqualTo("2001:db8:1:0:0:0:0:0/48");
        assertThat(Addresses.networkText(v6 | 0xffff_fffe_fdfcL)).isEqualTo("ffff:fffe:fdfc:0:0:0:0:0/48");
        assertThat(Addresses.networkText(v6)).isEqualTo("0:0:0:0:0:0:0:0/48");
    }

    @Test
    void ipv4NetworksReadByTheFullParserAreNumberedAsDottedQuadsAre() {
        // an IPv4-mapped IPv6 address is its IPv4 address
        assertThat(Addresses.network("::ffff:200.201.202.9")).hasValue(Addresses.ipv4Network("200.201.202.1"))
                .hasValue((200L << 16) | (201L << 8) | 202L);
        assertThat(Addresses.network(" 203.0.113.5 ")).hasValue((203L << 16) | 113L);
        assertThat(Addresses.networkText((255L << 16) | (254L << 8) | 253L)).isEqualTo("255.254.253.0/24");
        assertThat(Addresses.networkText(0)).isEqualTo("0.0.0.0/24");
        assertThat(Addresses.ipv4Network("9.9.9.9")).isEqualTo((9L << 16) | (9L << 8) | 9L);
        assertThat(Addresses.ipv4Network("1.2.3.:")).isEqualTo(-1);
        assertThat(Addresses.ipv4Network("1.2./.4")).isEqualTo(-1);
    }

    @Test
    void textThatLooksLikeAnIpv4AddressButIsNotIsRefusedWithoutAskingTheDns() {
        for (String notLiteral : new String[] {"1.2.3.999", "256.0.0.1", "01.2.3.4", "1.2.3.04"}) {
            assertThat(Addresses.literal(notLiteral)).as(notLiteral).isEmpty();
            assertThat(Addresses.network(notLiteral)).as(notLiteral).isEmpty();
            assertThat(dev.tokengate.IpRange.parse("10.0.0.0/8").contains(notLiteral)).as(notLiteral).isFalse();
        }
        assertThat(dev.tokengate.IpRange.parse("10.0.0.0/8").contains("10.20.30.40")).isTrue();
    }
}
