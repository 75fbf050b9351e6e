package dev.tokengate;

import dev.tokengate.config.TokenGateConfig.ForwardedHeader;
import dev.tokengate.testing.TestRequest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ClientAddressTest {

    private static final List<IpRange> PROXIES = List.of(IpRange.parse("10.0.0.0/8"));
    private static final Optional<ForwardedHeader> XFF = Optional.of(ForwardedHeader.X_FORWARDED_FOR);
    private static final Optional<ForwardedHeader> FORWARDED = Optional.of(ForwardedHeader.FORWARDED);

    /** Found by ClientAddressFuzzTest: a zone id ("fe80::1%anything") passed through, forging text in the call log. */
    @Test
    void resolveWhenHopHasZoneIdThenTreatedAsGarbage() {
        TestRequest r = TestRequest.get("/").remoteAddress("10.0.0.2")
                .header("X-Forwarded-For", "203.0.113.9, fe80::1%evil\"text");
        assertThat(ClientAddress.resolve(r, PROXIES, XFF)).isEqualTo("10.0.0.2");

        TestRequest forwarded = TestRequest.get("/").remoteAddress("10.0.0.2")
                .header("Forwarded", "for=\"[2001:db8::1%25eth0]\"");
        assertThat(ClientAddress.resolve(forwarded, PROXIES, FORWARDED)).isEqualTo("10.0.0.2");
    }

    @Test
    void resolveWhenNoTrustedProxiesThenSocketPeerEvenWithHeaders() {
        TestRequest r = TestRequest.get("/").remoteAddress("198.51.100.7").header("X-Forwarded-For", "203.0.113.9");
        assertThat(ClientAddress.resolve(r, List.of(), Optional.empty())).isEqualTo("198.51.100.7");
    }

    @Test
    void resolveWhenPeerIsNotTrustedThenHeadersIgnored() {
        TestRequest r = TestRequest.get("/").remoteAddress("198.51.100.7").header("X-Forwarded-For", "203.0.113.9");
        assertThat(ClientAddress.resolve(r, PROXIES, XFF)).isEqualTo("198.51.100.7");
    }

    @Test
    void resolveWhenTrustedProxyThenRightmostUntrustedForwardedAddress() {
        TestRequest r = TestRequest.get("/").remoteAddress("10.0.0.2")
                .header("X-Forwarded-For", "1.1.1.1, 203.0.113.9, 10.0.0.5");
        assertThat(ClientAddress.resolve(r, PROXIES, XFF)).isEqualTo("203.0.113.9");
    }

    @Test
    void resolveWhenForwardedConfiguredThenItsForValuesRightToLeft() {
        TestRequest r = TestRequest.get("/").remoteAddress("10.0.0.2")
                .header("Forwarded", "for=192.0.2.60;proto=http, for=\"[2001:db8:cafe::17]:4711\"")
                .header("X-Forwarded-For", "203.0.113.9");
        assertThat(ClientAddress.resolve(r, PROXIES, FORWARDED)).isEqualTo("2001:db8:cafe::17");
    }

    /**
     * Behind nginx's {@code proxy_add_x_forwarded_for}, a client sends its own {@code Forwarded} header, which nginx
     * passes on untouched, and the proxy appends the real address to {@code X-Forwarded-For}: the forged header must
     * not name the client (it would pass a per-token IP range and forge the call log's address).
     */
    @Test
    void resolveWhenXForwardedForConfiguredThenClientSentForwardedHeaderIgnored() {
        TestRequest r = TestRequest.get("/").remoteAddress("10.0.0.2")
                .header("Forwarded", "for=203.0.113.5")
                .header("X-Forwarded-For", "198.51.100.66");
        assertThat(ClientAddress.resolve(r, PROXIES, XFF)).isEqualTo("198.51.100.66");
    }

    @Test
    void resolveWhenForwardedConfiguredThenClientSentXForwardedForIgnored() {
        TestRequest r = TestRequest.get("/").remoteAddress("10.0.0.2")
                .header("X-Forwarded-For", "203.0.113.5")
                .header("Forwarded", "for=198.51.100.66");
        assertThat(ClientAddress.resolve(r, PROXIES, FORWARDED)).isEqualTo("198.51.100.66");
    }

    @Test
    void resolveWhenConfiguredHeaderAbsentThenTheProxyItself() {
        TestRequest r = TestRequest.get("/").remoteAddress("10.0.0.2").header("Forwarded", "for=203.0.113.5");
        assertThat(ClientAddress.resolve(r, PROXIES, XFF)).isEqualTo("10.0.0.2");
    }

    @Test
    void resolveWhenForwardedHopIsGarbageThenStopsThere() {
        TestRequest r = TestRequest.get("/").remoteAddress("10.0.0.2").header("X-Forwarded-For", "203.0.113.9, unknown");
        assertThat(ClientAddress.resolve(r, PROXIES, XFF)).isEqualTo("10.0.0.2");
    }

    @Test
    void resolveWhenPortGivenThenStripped() {
        TestRequest r = TestRequest.get("/").remoteAddress("10.0.0.2").header("X-Forwarded-For", "203.0.113.9:5555");
        assertThat(ClientAddress.resolve(r, PROXIES, XFF)).isEqualTo("203.0.113.9");
    }
}
