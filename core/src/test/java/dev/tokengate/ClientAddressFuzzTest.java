package dev.tokengate;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tokengate.config.TokenGateConfig.ForwardedHeader;
import dev.tokengate.testing.FuzzInput;
import dev.tokengate.testing.TestRequest;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Fuzzes {@link ClientAddress} with forged forwarding headers. Input lines: {@code P:} the socket peer,
 * {@code X:} an X-Forwarded-For header, {@code F:} a Forwarded header (each header may repeat), {@code H:} the header
 * the operator named ({@code forwarded}, else X-Forwarded-For). Trusted proxies: 10.0.0.0/8 and fd00::/8.
 */
class ClientAddressFuzzTest {

    private static final List<IpRange> PROXIES = List.of(IpRange.parse("10.0.0.0/8"), IpRange.parse("fd00::/8"));
    /** An address as it is logged and matched: a bare IPv4 or IPv6 literal, no brackets, port, zone or blank. */
    private static final Pattern BARE_LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

    /**
     * The client address is the peer, or a bare IP literal taken from the named header; an untrusted peer's headers
     * are never read; the header that was not named never changes the answer.
     */
    @FuzzTest(maxDuration = "30s")
    void resolveAnswersThePeerOrABareAddressFromTheNamedHeaderOnly(byte[] data) {
        FuzzInput in = FuzzInput.of(data);
        String peer = in.first('P', "10.0.0.1");
        ForwardedHeader named = in.first('H', "").equals("forwarded") ? ForwardedHeader.FORWARDED
                : ForwardedHeader.X_FORWARDED_FOR;
        TestRequest both = request(peer, in.all('X'), in.all('F'));
        TestRequest namedOnly = named == ForwardedHeader.FORWARDED
                ? request(peer, List.of(), in.all('F')) : request(peer, in.all('X'), List.of());

        String client = ClientAddress.resolve(both, PROXIES, Optional.of(named));

        if (!client.equals(peer)) {
            assertThat(client).matches(BARE_LITERAL);
            assertThat(IpRange.literal(client)).isPresent();
            assertThat(in.all(named == ForwardedHeader.FORWARDED ? 'F' : 'X')).anyMatch(h -> h.contains(client));
        }
        if (PROXIES.stream().noneMatch(r -> r.contains(peer))) {
            assertThat(client).isEqualTo(peer);
        }
        assertThat(ClientAddress.resolve(namedOnly, PROXIES, Optional.of(named))).isEqualTo(client);
        assertThat(ClientAddress.resolve(both, PROXIES, Optional.empty())).isEqualTo(peer);
    }

    private static TestRequest request(String peer, List<String> xForwardedFor, List<String> forwarded) {
        TestRequest request = TestRequest.get("/").remoteAddress(peer);
        xForwardedFor.forEach(v -> request.header("X-Forwarded-For", v));
        forwarded.forEach(v -> request.header("Forwarded", v));
        return request;
    }
}
