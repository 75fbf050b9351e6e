package dev.tokengate.testing.conformance;

import dev.tokengate.config.ConfigKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 6750 §2 and §3.1 over HTTP: where a token may be, and what a malformed <em>token</em> (401
 * {@code invalid_token}) and a malformed <em>request</em> (400 {@code invalid_request}) are answered.
 */
public abstract class ExtractionContract extends ConformanceContract {

    private static final String BARE = "Bearer realm=\"" + REALM + "\"";
    private static final String INVALID_TOKEN = BARE + ", error=\"invalid_token\"";
    private static final String INVALID_REQUEST = BARE + ", error=\"invalid_request\"";

    /** The bare challenge of an application at {@code base}: the realm, and where the API's RFC 9728 metadata is. */
    static String bare(URI base) {
        String metadata = ", resource_metadata=\"" + base.getScheme() + "://" + base.getRawAuthority()
                + "/.well-known/oauth-protected-resource\"";
        // DPoP being allowed by default, the DPoP challenge follows the Bearer one
        return BARE + metadata + ", DPoP realm=\"" + REALM + "\"" + metadata
                + ", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"";
    }

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
        assertThat(r.challenge()).isEqualTo(bare(base()));
    }

    @Test
    void openRouteWhenNoTokenThenServed() throws Exception {
        assertThat(RawHttp.get(base(), GatedApp.OPEN).status()).isEqualTo(200);
    }

    // ---- a malformed token: 401 invalid_token

    @ParameterizedTest
    @ValueSource(strings = {"\"abc\"", "a{b}", "a:b", "a@b", "a\\b", "a;b", "a%41b", "a*b", "a!b", "a?b", "ab=c", "=abc",
            "a, Basic dXNlcjpwYXNz", "a,b"})
    void requestWhenTokenOutsideB64tokenThen401InvalidToken(String token) throws Exception {
        RawHttp.Response r = RawHttp.get(base(), GatedApp.READ, "Authorization: Bearer " + token);

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.challenge()).startsWith(INVALID_TOKEN).contains("b64token");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer  ", "Bearer\t", "Bearer \t"})
    void requestWhenNotExactlyOneSpaceAfterBearerThen401InvalidToken(String separator) throws Exception {
        RawHttp.Response r = RawHttp.get(base(), GatedApp.READ, "Authorization: " + separator + jwt("read"));

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.challenge()).startsWith(INVALID_TOKEN).contains("exactly one space");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Authorization: Bearer", "Authorization: Bearer ", "Authorization: bearer   "})
    void requestWhenBearerWithNothingAfterItThen401InvalidToken(String header) throws Exception {
        RawHttp.Response r = RawHttp.get(base(), GatedApp.READ, header);

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.challenge()).startsWith(INVALID_TOKEN).contains("carries no token");
    }

    // ---- a malformed request: 400 invalid_request

    @Test
    void requestWhenTwoAuthorizationFieldsThen400InvalidRequest() throws Exception {
        String token = jwt("read");
        RawHttp.Response twoBearer = RawHttp.get(base(), GatedApp.READ,
                "Authorization: Bearer " + token, "Authorization: Bearer " + token);
        RawHttp.Response bearerAndBasic = RawHttp.get(base(), GatedApp.READ,
                "Authorization: Basic dXNlcjpwYXNz", "Authorization: Bearer " + token);

        for (RawHttp.Response r : new RawHttp.Response[] {twoBearer, bearerAndBasic}) {
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.challenge()).startsWith(INVALID_REQUEST).contains("more than one Authorization header");
        }
    }

    @Test
    void requestWhenTokenInHeaderAndQueryThen400InvalidRequest() throws Exception {
        URI base = deploy(Map.of(ConfigKeys.TOKEN_QUERY_PARAMETER, "true"));
        String token = jwt("read");

        RawHttp.Response r = RawHttp.get(base, GatedApp.READ + "?access_token=" + token, "Authorization: Bearer " + token);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.challenge()).startsWith(INVALID_REQUEST).contains("more than one place");
    }

    @Test
    void requestWhenAccessTokenParameterTwiceThen400InvalidRequest() throws Exception {
        URI base = deploy(Map.of(ConfigKeys.TOKEN_QUERY_PARAMETER, "true"));
        String token = jwt("read");

        RawHttp.Response r = RawHttp.get(base, GatedApp.READ + "?access_token=" + token + "&access_token=" + token);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.challenge()).startsWith(INVALID_REQUEST).contains("more than one access_token");
    }

    @Test
    void requestWhenTokenInHeaderAndFormBodyThen400InvalidRequest() throws Exception {
        URI base = deploy(Map.of(ConfigKeys.TOKEN_FORM_BODY, "true"));
        String token = jwt("read");

        RawHttp.Response r = RawHttp.request(base, "POST", GatedApp.READ)
                .headerLine("Authorization: Bearer " + token).form("access_token=" + token).send();

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.challenge()).startsWith(INVALID_REQUEST).contains("more than one place");
    }

    // ---- a method that is switched off is not looked at

    @Test
    void requestWhenTokenOnlyInQueryAndQueryOffThen401BareChallenge() throws Exception {
        RawHttp.Response r = RawHttp.get(base(), GatedApp.READ + "?access_token=" + jwt("read"));

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.challenge()).isEqualTo(bare(base()));
    }

    @Test
    void requestWhenTokenInHeaderAndQueryAndQueryOffThenHeaderTokenServed() throws Exception {
        String token = jwt("read");

        RawHttp.Response r = RawHttp.get(base(), GatedApp.READ + "?access_token=" + token, "Authorization: Bearer " + token);

        assertThat(r.status()).isEqualTo(200);
    }

    @Test
    void requestWhenTokenOnlyInFormBodyAndFormOffThen401BareChallenge() throws Exception {
        RawHttp.Response r = RawHttp.request(base(), "POST", GatedApp.READ).form("access_token=" + jwt("read")).send();

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.challenge()).isEqualTo(bare(base()));
    }

    @Test
    void requestWhenTokenInQueryAndQueryOnThenServed() throws Exception {
        URI base = deploy(Map.of(ConfigKeys.TOKEN_QUERY_PARAMETER, "true"));

        assertThat(RawHttp.get(base, GatedApp.READ + "?access_token=" + jwt("read")).status()).isEqualTo(200);
    }

    @Test
    void requestWhenTokenInFormBodyAndFormOnThenServed() throws Exception {
        URI base = deploy(Map.of(ConfigKeys.TOKEN_FORM_BODY, "true"));

        RawHttp.Response r = RawHttp.request(base, "POST", GatedApp.READ).form("note=hi&access_token=" + jwt("read")).send();

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).as("the application still reads the form").contains("subject=", "note=hi");
    }
}
