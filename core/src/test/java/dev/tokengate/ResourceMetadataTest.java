package dev.tokengate;

import dev.tokengate.config.TokenGateConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The RFC 9728 document and its URL, from the configured resource or the request's origin. */
class ResourceMetadataTest {

    /** A request to this URI. */
    private static RequestView request(String method, String uri) {
        return new RequestView() {
            @Override
            public String method() {
                return method;
            }

            @Override
            public String path() {
                return URI.create(uri).getPath();
            }

            @Override
            public List<String> headers(String name) {
                return List.of();
            }

            @Override
            public Optional<String> queryString() {
                return Optional.empty();
            }

            @Override
            public List<String> formParameters(String name) {
                return List.of();
            }

            @Override
            public String remoteAddress() {
                return "127.0.0.1";
            }

            @Override
            public Optional<URI> requestUri() {
                return Optional.of(URI.create(uri));
            }
        };
    }

    private static ResourceMetadata metadata(TokenGateConfig config) {
        return new ResourceMetadata(config, List.of("https://idp.example.com/b", "https://idp.example.com/a"), List.of());
    }

    @Test
    void unsetTheResourceIsTheRequestsOriginWithoutADefaultPort() {
        ResourceMetadata m = metadata(TokenGateConfig.defaults());
        assertThat(m.resource(request("GET", "https://API.example.com:443/orders/1"))).contains("https://api.example.com");
        assertThat(m.metadataUrl(request("GET", "http://127.0.0.1:8080/x"))).contains("http://127.0.0.1:8080/.well-known/oauth-protected-resource");
        assertThat(m.isMetadataRequest(request("GET", "http://h/.well-known/oauth-protected-resource"))).isTrue();
        assertThat(m.isMetadataRequest(request("HEAD", "http://h/.well-known/oauth-protected-resource"))).isTrue();
        assertThat(m.isMetadataRequest(request("POST", "http://h/.well-known/oauth-protected-resource"))).isFalse();
        assertThat(m.isMetadataRequest(request("GET", "http://h/.well-known/oauth-protected-resource/other"))).isFalse();
        assertThat(m.isMetadataRequest(request("GET", "http://h/.well-known/oauth-protected-resourcex"))).isFalse();
    }

    @Test
    void aConfiguredResourceBelowAPathIsAtThePathSuffixedUrl() {
        ResourceMetadata m = metadata(TokenGateConfig.builder().resource("https://api.example.com/v1/").build());
        RequestView any = request("GET", "http://10.0.0.5:8080/.well-known/oauth-protected-resource/v1");
        assertThat(m.resource(any)).contains("https://api.example.com/v1");
        assertThat(m.metadataUrl(any)).contains("https://api.example.com/.well-known/oauth-protected-resource/v1");
        assertThat(m.isMetadataRequest(any)).isTrue();
        assertThat(m.isMetadataRequest(request("GET", "http://10.0.0.5:8080/.well-known/oauth-protected-resource"))).isFalse();
    }

    @Test
    void theDocumentNamesWhatIsConfigured() {
        ResourceMetadata m = metadata(TokenGateConfig.builder().resource("https://api.example.com")
                .resourceDocumentation("https://docs.example.com/api").allowQueryParameter(true).build());
        assertThat(m.document(request("GET", "http://h/"), Set.of("trade", "read"))).isEqualTo("{\"resource\":"
                + "\"https://api.example.com\",\"authorization_servers\":[\"https://idp.example.com/a\","
                + "\"https://idp.example.com/b\"],\"scopes_supported\":[\"read\",\"trade\"],"
                + "\"bearer_methods_supported\":[\"header\",\"query\"],\"resource_documentation\":"
                + "\"https://docs.example.com/api\"}");
        ResourceMetadata dpop = new ResourceMetadata(TokenGateConfig.defaults(), List.of(), List.of("ES256"));
        assertThat(dpop.document(request("GET", "http://h/"), Set.of())).isEqualTo("{\"resource\":\"http://h\","
                + "\"bearer_methods_supported\":[\"header\"],\"dpop_signing_alg_values_supported\":[\"ES256\"]}");
    }

    @Test
    void aResourceThatIsNoAbsoluteHttpUriIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> TokenGateConfig.builder().resource("/api")).hasMessageContaining("tokengate.resource")
                .hasMessageContaining("absolute");
        assertThatThrownBy(() -> TokenGateConfig.builder().resource("urn:example:api")).hasMessageContaining("https URI");
        assertThatThrownBy(() -> TokenGateConfig.builder().resource("https://api.example.com/?a=b"))
                .hasMessageContaining("no query or fragment");
    }

    @Test
    void theBareChallengeCarriesTheGatesOwnParameter() {
        BearerError missing = BearerError.missingToken().withGateParameter("resource_metadata", "https://x/.well-known/y");
        assertThat(WwwAuthenticate.format("api", missing, Optional.empty(), true))
                .contains("Bearer realm=\"api\", resource_metadata=\"https://x/.well-known/y\"");
        assertThatThrownBy(() -> BearerError.builder(401, BearerError.Code.INVALID_TOKEN, "x")
                .challengeParameter("resource_metadata", "forged")).hasMessageContaining("resource_metadata");
    }
}
