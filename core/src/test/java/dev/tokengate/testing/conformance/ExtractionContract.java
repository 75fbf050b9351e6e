package dev.tokengate.testing.conformance;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 6750 §2 and §3.1: where a token may be, and what a malformed token or request is answered. */
public abstract class ExtractionContract extends ConformanceContract {

    @Test
    void requestWhenValidTokenThenServed() throws Exception {
        RawHttp.Response r = RawHttp.get(base(), GatedApp.READ, "Authorization: Bearer " + jwt("read"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("subject=");
    }

    @Test
    void requestWhenNoTokenThenBareChallenge() throws Exception {
        RawHttp.Response r = RawHttp.get(base(), GatedApp.READ);

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.challenge()).isEqualTo("Bearer realm=\"" + REALM + "\"");
    }

    @Test
    void openRouteWhenNoTokenThenServed() throws Exception {
        assertThat(RawHttp.get(base(), GatedApp.OPEN).status()).isEqualTo(200);
    }
}
