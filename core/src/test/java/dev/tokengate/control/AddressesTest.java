package dev.tokengate.control;

import org.junit.jupiter.api.Test;

import java.util.OptionalLong;

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
}
