package dev.tokengate.testing.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.testing.CapturingSink;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 9728 protected-resource metadata, whatever the adapter: the document at
 * {@code /.well-known/oauth-protected-resource} (followed by the resource identifier's path), served openly and
 * cacheably, and the URL every 401 challenge names as {@code resource_metadata}; without a configured resource, the
 * origin the client called, as a trusted proxy forwards it. The scopes the document lists are the adapter's rules'
 * or annotations': each adapter's own tests check those.
 */
public abstract class ResourceMetadataContract extends ConformanceContract {

    /** DPoP being allowed by default, every 401 ends with the DPoP challenge and its proof algorithms. */
    private static final String DPOP_ALGS = ", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512\"";
    private static final String WELL_KNOWN = "/.well-known/oauth-protected-resource";
    private static final String[] FORWARDED = {"X-Forwarded-Proto", "https", "X-Forwarded-Host", "public.example"};
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The call log of the last {@link #deployWith deployment}. */
    private CapturingSink sink;

    /** A deployment of its own, realm {@code api}, with {@code overrides}, its call log captured. */
    private URI deployWith(Map<String, String> overrides) throws Exception {
        Map<String, String> settings = new HashMap<>(overrides);
        settings.put(ConfigKeys.REALM, "api");
        sink = new CapturingSink();
        return deploy(gate(settings).callLogSink(sink));
    }

    @Test
    void servesTheMetadataOpenlyAndCacheably() throws Exception {
        URI base = deployWith(Map.of(ConfigKeys.RESOURCE_DOCUMENTATION, "https://docs.example.com/api"));
        HttpResponse<String> r = call(base, "GET", WELL_KNOWN, null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("public, max-age=3600");
        JsonNode doc = JSON.readTree(r.body());
        assertThat(doc.get("resource").asText()).isEqualTo(base.toString());
        assertThat(doc.get("authorization_servers")).containsExactly(JSON.valueToTree(TestTokens.ISSUER));
        assertThat(doc.get("bearer_methods_supported").toString()).isEqualTo("[\"header\"]");
        assertThat(doc.get("resource_documentation").asText()).isEqualTo("https://docs.example.com/api");
        assertThat(sink.drain()).isEmpty(); // not in the call log
    }

    @Test
    void aResourceBelowAPathIsServedAtThePathSuffixedUrlAndNamedInEveryChallenge() throws Exception {
        URI base = deployWith(Map.of(ConfigKeys.RESOURCE, "https://api.example.com/v1"));

        HttpResponse<String> doc = call(base, "GET", WELL_KNOWN + "/v1", null);
        assertThat(doc.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(doc.body()).get("resource").asText()).isEqualTo("https://api.example.com/v1");

        String metadata = "resource_metadata=\"https://api.example.com/.well-known/oauth-protected-resource/v1\"";
        HttpResponse<String> missing = call(base, "GET", GatedApp.READ, null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"api\", " + metadata + ", DPoP realm=\"api\", " + metadata + DPOP_ALGS);
        HttpResponse<String> invalid = call(base, "GET", GatedApp.READ, "not-a-valid-token");
        assertThat(invalid.statusCode()).isEqualTo(401);
        assertThat(invalid.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                assertThat(v).contains("error=\"invalid_token\"").endsWith(metadata + ", DPoP realm=\"api\", " + metadata + DPOP_ALGS));
    }

    @Test
    void withoutAConfiguredResourceTheOriginIsTheOneATrustedProxyForwarded() throws Exception {
        URI base = deployWith(Map.of(ConfigKeys.TRUSTED_PROXIES, "127.0.0.0/8", ConfigKeys.FORWARDED_HEADER,
                "x-forwarded-for"));
        HttpResponse<String> doc = call(base, "GET", WELL_KNOWN, null, FORWARDED);
        assertThat(doc.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(doc.body()).get("resource").asText()).isEqualTo("https://public.example");
        HttpResponse<String> missing = call(base, "GET", GatedApp.READ, null, FORWARDED);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer realm=\"api\", resource_metadata=\"https://public.example/.well-known/oauth-protected-resource\","));
    }

    @Test
    void withoutAConfiguredResourceAnUntrustedPeersForwardedOriginIsIgnored() throws Exception {
        URI base = deployWith(Map.of(ConfigKeys.TRUSTED_PROXIES, "10.0.0.0/8", ConfigKeys.FORWARDED_HEADER,
                "x-forwarded-for"));
        HttpResponse<String> doc = call(base, "GET", WELL_KNOWN, null, FORWARDED);
        assertThat(JSON.readTree(doc.body()).get("resource").asText()).isEqualTo(base.toString());
        HttpResponse<String> missing = call(base, "GET", GatedApp.READ, null, FORWARDED);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .doesNotContain("public.example").contains("resource_metadata=\"" + base + "/.well-known/"));
    }
}
