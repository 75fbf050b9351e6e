package dev.tokengate;

import dev.tokengate.testing.TestRequest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClientAddressTest {

    private static final List<IpRange> PROXIES = List.of(IpRange.parse("10.0.0.0/8"));

    @Test
    void resolveWhenNoTrustedProxiesThenSocketPeerEvenWithHeaders() {
        TestRequest r = TestRequest.get("/").remoteAddress("198.51.100.7").header("X-Forwarded-For", "203.0.113.9");
        assertThat(ClientAddress.resolve(r, List.of())).isEqualTo("198.51.100.7");
    }

    @Test
    void resolveWhenPeerIsNotTrustedThenHeadersIgnored() {
        TestRequest r = TestRequest.get("/").remoteAddress("198.51.100.7").header("X-Forwarded-For", "203.0.113.9");
        assertThat(ClientAddress.resolve(r, PROXIES)).isEqualTo("198.51.100.7");
    }

    @Test
    void resolveWhenTrustedProxyThenRightmostUntrustedForwardedAddress() {
        TestRequest r = TestRequest.get("/").remoteAddress("10.0.0.2")
                .header("X-Forwarded-For", "1.1.1.1, 203.0.113.9, 10.0.0.5");
        assertThat(ClientAddress.resolve(r, PROXIES)).isEqualTo("203.0.113.9");
    }

    @Test
    void resolveWhenForwardedHeaderThenPreferredOverXForwardedFor() {
        TestRequest r = TestRequest.get("/").remoteAddress("10.0.0.2")
                .header("Forwarded", "for=192.0.2.60;proto=http, for=\"[2001:db8:cafe::17]:4711\"")
                .header("X-Forwarded-For", "203.0.113.9");
        assertThat(ClientAddress.resolve(r, PROXIES)).isEqualTo("2001:db8:cafe::17");
    }

    @Test
    void resolveWhenForwardedHopIsGarbageThenStopsThere() {
        TestRequest r = TestRequest.get("/").remoteAddress("10.0.0.2").header("X-Forwarded-For", "203.0.113.9, unknown");
        assertThat(ClientAddress.resolve(r, PROXIES)).isEqualTo("10.0.0.2");
    }

    @Test
    void resolveWhenPortGivenThenStripped() {
        TestRequest r = TestRequest.get("/").remoteAddress("10.0.0.2").header("X-Forwarded-For", "203.0.113.9:5555");
        assertThat(ClientAddress.resolve(r, PROXIES)).isEqualTo("203.0.113.9");
    }
}
