package dev.tokengate;

import dev.tokengate.config.TokenGateConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The RFC 9728 document and its URL, from the configured resource or the request's origin. */
class ResourceMetadataTest {

    /** A request to this URI. */
    private static RequestView request(String method, String uri) {
        return request(method, uri, "", "127.0.0.1", Map.of());
    }

    /** A request to this URI, of an application at this path, from this peer with these headers. */
    private static RequestView request(String method, String uri, String basePath, String peer,
                                       Map<String, List<String>> headers) {
        return new RequestView() {
            @Override
            public String method() {
                return method;
            }

            @Override
            public String path() { // within the application, as a servlet container gives it
                String path = URI.create(uri).getPath();
                return !basePath.isEmpty() && path.startsWith(basePath + "/") ? path.substring(basePath.length()) : path;
            }

            @Override
            public List<String> headers(String name) {
                return headers.getOrDefault(name, List.of());
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
                return peer;
            }

            @Override
            public Optional<String> url() {
                return Optional.of(uri);
            }

            @Override
            public String basePath() {
                return basePath;
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
    void unsetTheResourceOfAnApplicationBelowAContextPathIsServedBelowIt() {
        ResourceMetadata m = metadata(TokenGateConfig.defaults());
        RequestView doc = request("GET", "http://h:8080/app/.well-known/oauth-protected-resource", "/app", "127.0.0.1", Map.of());
        assertThat(m.resource(doc)).contains("http://h:8080/app");
        assertThat(m.metadataUrl(doc)).contains("http://h:8080/app/.well-known/oauth-protected-resource");
        assertThat(m.isMetadataRequest(doc)).isTrue();
        assertThat(m.isMetadataRequest(request("GET", "http://h:8080/.well-known/oauth-protected-resource/app", "/app",
                "127.0.0.1", Map.of()))).isFalse();
    }

    @Test
    void theWellKnownPathIsFoundAcrossTheContextPathBoundary() {
        ResourceMetadata m = metadata(TokenGateConfig.defaults());
        assertThat(m.isMetadataRequest(request("GET", "http://h/.well-known/oauth-protected-resource", "/.well-known",
                "127.0.0.1", Map.of()))).as("a context path /.well-known whose servlet serves the last segment").isFalse();
        assertThat(m.isMetadataRequest(request("GET", "http://h/.well-known/oauth-protected-resource/.well-known/"
                + "oauth-protected-resource", "/.well-known/oauth-protected-resource", "127.0.0.1", Map.of())))
                .as("the document of an application deployed at the well-known path itself").isTrue();
        assertThat(m.isMetadataRequest(request("GET", "http://h/app/orders", "/app", "127.0.0.1", Map.of()))).isFalse();
        ResourceMetadata v1 = metadata(TokenGateConfig.builder().resource("https://h/v1").build());
        assertThat(v1.isMetadataRequest(request("GET", "http://h/.well-known/oauth-protected-resource/v1",
                "/.well-known/oauth-protected-resource", "127.0.0.1", Map.of())))
                .as("an application at the well-known path, asked for /v1: the whole path is in its context path").isTrue();
    }

    @Test
    void unsetTheResourceIsTheOriginATrustedProxyForwarded() {
        ResourceMetadata m = metadata(TokenGateConfig.builder().trustedProxies(List.of("10.0.0.0/8"))
                .forwardedHeader(TokenGateConfig.ForwardedHeader.X_FORWARDED_FOR).build());
        Map<String, List<String>> forwarded = Map.of("X-Forwarded-Proto", List.of("https"),
                "X-Forwarded-Host", List.of("public.example"));
        RequestView viaProxy = request("GET", "http://10.0.0.5:8080/orders", "", "10.0.0.2", forwarded);
        assertThat(m.resource(viaProxy)).contains("https://public.example");
        assertThat(m.metadataUrl(viaProxy)).contains("https://public.example/.well-known/oauth-protected-resource");
        RequestView direct = request("GET", "http://10.0.0.5:8080/orders", "", "192.0.2.7", forwarded);
        assertThat(m.resource(direct)).as("an untrusted peer's headers are ignored").contains("http://10.0.0.5:8080");
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
        ResourceMetadata required = new ResourceMetadata(TokenGateConfig.defaults(), List.of(), List.of("ES256"), true);
        assertThat(required.document(request("GET", "http://h/"), Set.of())).as("RFC 9728 §2, tokengate.dpop=required")
                .endsWith(",\"dpop_signing_alg_values_supported\":[\"ES256\"],\"dpop_bound_access_tokens_required\":true}");
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
