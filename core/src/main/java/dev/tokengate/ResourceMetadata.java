package dev.tokengate;

import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.internal.Json;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The API's OAuth 2.0 protected-resource metadata (RFC 9728): the document each adapter serves at
 * {@code /.well-known/oauth-protected-resource} (followed by the resource identifier's path, for an API below a
 * path), and the URL every 401 challenge names as {@code resource_metadata}. Built by the {@link TokenGate}; adapters
 * only ask {@link #isMetadataRequest} and serve {@link #document}.
 *
 * <p>The resource identifier is {@value ConfigKeys#RESOURCE} when set. Unset, it is the origin the request was sent
 * to followed by the application's path ({@code https://api.example.com}, {@code https://host.example.com/app}), as
 * Spring Security derives it: the origin as the client sees it, with scheme and host from the
 * {@value ConfigKeys#FORWARDED_HEADER} of a peer in {@value ConfigKeys#TRUSTED_PROXIES} (another peer's forwarding
 * headers are ignored), the way DPoP's {@code htu} is checked. The document of a derived identifier is served at the
 * application's path followed by the well-known path ({@code /app/.well-known/oauth-protected-resource}, named by the
 * challenges): an application below a context path cannot answer at the host's root. Set the key in production: a
 * client compares it with the URL it called (RFC 9728 §3.3), and a fixed value depends on no request header.
 *
 * <p>The document is public and the same for every caller: it is served without a token, not written to the call
 * log, and cacheable for an hour.
 */
public final class ResourceMetadata {

    /** The well-known path of the document (RFC 9728 §3), before the resource identifier's path. */
    public static final String WELL_KNOWN_PATH = "/.well-known/oauth-protected-resource";
    /** Its media type. */
    public static final String CONTENT_TYPE = "application/json";
    /** Its {@code Cache-Control}: public, for an hour (it changes only with the configuration). */
    public static final String CACHE_CONTROL = "public, max-age=3600";
    /** The well-known path's last segment. */
    private static final String LAST_SEGMENT = "/oauth-protected-resource";

    private final URI resource;
    private final URI documentation;
    private final List<String> authorizationServers;
    private final List<String> bearerMethods;
    private final List<String> dpopAlgorithms;
    private final boolean dpopRequired;
    private final List<IpRange> trustedProxies;
    private final Optional<TokenGateConfig.ForwardedHeader> forwardedHeader;

    ResourceMetadata(TokenGateConfig config, Collection<String> authorizationServers, List<String> dpopAlgorithms) {
        this(config, authorizationServers, dpopAlgorithms, false);
    }

    /** As the other; {@code dpopRequired} when every route requires DPoP-bound tokens (gate-wide {@code required}). */
    ResourceMetadata(TokenGateConfig config, Collection<String> authorizationServers, List<String> dpopAlgorithms,
                     boolean dpopRequired) {
        this.dpopRequired = dpopRequired;
        this.resource = config.resource().orElse(null);
        this.documentation = config.resourceDocumentation().orElse(null);
        this.authorizationServers = List.copyOf(new TreeSet<>(authorizationServers));
        List<String> methods = new java.util.ArrayList<>(List.of("header"));
        if (config.allowFormBody()) {
            methods.add("body");
        }
        if (config.allowQueryParameter()) {
            methods.add("query");
        }
        this.bearerMethods = List.copyOf(methods);
        this.dpopAlgorithms = List.copyOf(dpopAlgorithms);
        this.trustedProxies = config.trustedProxies();
        this.forwardedHeader = config.forwardedHeader();
    }

    /**
     * The resource identifier for a request: {@value ConfigKeys#RESOURCE}, else the origin the request was sent to as
     * seen through trusted proxies, followed by the application's path ({@link RequestView#basePath()}).
     *
     * @param request the request; not null
     * @return the identifier, empty when none is configured and the adapter cannot tell the request's URL
     */
    public Optional<String> resource(RequestView request) {
        if (resource != null) {
            return Optional.of(withoutTrailingSlash(resource.toString()));
        }
        return requestOrigin(request).map(origin -> origin + withoutTrailingSlash(request.basePath()));
    }

    /**
     * The URL of the metadata document for a request's resource. For {@value ConfigKeys#RESOURCE} the well-known path
     * inserted between the identifier's host and its path (RFC 9728 §3.1), e.g.
     * {@code https://api.example.com/.well-known/oauth-protected-resource/v1}; for an identifier derived from the
     * request the well-known path below the application's path, e.g.
     * {@code https://host.example.com/app/.well-known/oauth-protected-resource}, where the application can serve it.
     *
     * @param request the request; not null
     * @return the URL, empty when {@link #resource} is
     */
    public Optional<String> metadataUrl(RequestView request) {
        if (resource == null) {
            return resource(request).map(r -> r + WELL_KNOWN_PATH);
        }
        return resource(request).map(r -> {
            URI u = URI.create(r);
            return origin(u) + WELL_KNOWN_PATH + pathOf(u);
        });
    }

    /** The origin of the request's URL as the client sent it: scheme and host from a trusted proxy's header. */
    private Optional<String> requestOrigin(RequestView request) {
        return RequestUrl.resolve(request, trustedProxies, forwardedHeader).flatMap(url -> {
            try {
                URI u = new URI(url);
                return u.getScheme() == null || u.getHost() == null ? Optional.empty() : Optional.of(origin(u));
            } catch (URISyntaxException e) {
                return Optional.empty(); // a Host the container passed on but that no URI can hold
            }
        });
    }

    /**
     * Whether the request asks for this document: a {@code GET} or {@code HEAD} of the path of {@link #metadataUrl}.
     * The path is compared with the whole path of the request's URI, as the client sent it.
     *
     * @param request the request; not null
     * @return {@code true} to answer it with {@link #document}
     */
    public boolean isMetadataRequest(RequestView request) {
        if (!"GET".equals(request.method()) && !"HEAD".equals(request.method()) || !mayNameTheDocument(request)) {
            return false;
        }
        Optional<String> url = request.url();
        if (url.isEmpty()) {
            return false;
        }
        String path;
        try {
            path = new URI(url.get()).getRawPath();
        } catch (URISyntaxException e) {
            return false;
        }
        if (path == null || !path.contains(WELL_KNOWN_PATH)) {
            return false;
        }
        return metadataUrl(request).map(URI::create).map(URI::getRawPath).filter(path::equals).isPresent();
    }

    /**
     * A test every request passes through, so without building or parsing the URL: the well-known path can be in the
     * request's path only if its last segment is in {@link RequestView#path()} (a context path ends at a segment
     * boundary) or all of it is in {@link RequestView#basePath()}. Both are the client's path with no more than
     * percent-decoding and dot-segment removal, which keep a literal {@code /oauth-protected-resource} that the raw
     * path compared below holds (that path has no dot segments: it is a document path this class made).
     */
    private static boolean mayNameTheDocument(RequestView request) {
        return request.path().contains(LAST_SEGMENT) || request.basePath().contains(WELL_KNOWN_PATH);
    }

    /**
     * The metadata document for a request: {@code resource}, {@code authorization_servers} (the configured JWT
     * issuers), {@code scopes_supported}, {@code bearer_methods_supported} ({@code header}, and {@code body} or
     * {@code query} when enabled), {@code resource_documentation} when configured, and
     * {@code dpop_signing_alg_values_supported} when DPoP proofs are accepted, and
     * {@code dpop_bound_access_tokens_required: true} when {@code tokengate.dpop=required} (a route's own
     * {@code + dpop required} is not stated: the document is one for the whole API).
     *
     * @param request the request for the document; not null
     * @param scopes  the scopes the API's rules and annotations name; not null
     * @return the JSON document
     * @throws IllegalStateException when there is no resource identifier (check {@link #isMetadataRequest} first)
     */
    public String document(RequestView request, Collection<String> scopes) {
        String r = resource(request).orElseThrow(() -> new IllegalStateException("no resource identifier: set "
                + ConfigKeys.RESOURCE));
        Json.ObjectWriter w = Json.object();
        w.put("resource", r);
        if (!authorizationServers.isEmpty()) {
            w.put("authorization_servers", authorizationServers);
        }
        if (!scopes.isEmpty()) {
            w.put("scopes_supported", List.copyOf(new TreeSet<>(scopes)));
        }
        w.put("bearer_methods_supported", bearerMethods);
        if (documentation != null) {
            w.put("resource_documentation", documentation.toString());
        }
        if (!dpopAlgorithms.isEmpty()) {
            w.put("dpop_signing_alg_values_supported", dpopAlgorithms);
        }
        if (dpopRequired) {
            w.put("dpop_bound_access_tokens_required", true);
        }
        return w.toJson();
    }

    /** Warns about an identifier clients cannot trust: {@code http}. */
    void warnIfInsecure(org.slf4j.Logger log) {
        if (resource != null && !"https".equalsIgnoreCase(resource.getScheme())) {
            log.warn("{}={} is not https: RFC 9728 requires an https resource identifier; use http only in development",
                    ConfigKeys.RESOURCE, resource);
        }
    }

    private static String origin(URI u) {
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        int port = u.getPort();
        boolean defaultPort = port == -1 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
        String host = u.getHost().toLowerCase(Locale.ROOT);
        return scheme + "://" + host + (defaultPort ? "" : ":" + port);
    }

    private static String pathOf(URI u) {
        String p = u.getRawPath();
        return p == null ? "" : withoutTrailingSlash(p);
    }

    private static String withoutTrailingSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public String toString() {
        return "ResourceMetadata[" + Objects.toString(resource, "origin of each request") + "]";
    }
}
