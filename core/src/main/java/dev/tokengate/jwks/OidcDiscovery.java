package dev.tokengate.jwks;

import dev.tokengate.config.ConfigKeys;
import dev.tokengate.internal.HttpFetcher;
import dev.tokengate.internal.Json;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;

/**
 * Finds an issuer's {@code jwks_uri}: OpenID Connect Discovery 1.0 ({@code {issuer}/.well-known/openid-configuration})
 * first and, when that is a 404, RFC 8414 ({@code /.well-known/oauth-authorization-server} inserted before the
 * issuer's path). The document's {@code issuer} must equal the configured issuer exactly.
 */
final class OidcDiscovery {

    private OidcDiscovery() {
    }

    /**
     * A discovery that failed because tokengate is pointed at the wrong place, not because the issuer is out: neither
     * document exists (404), or the document names another issuer. Waiting will not help; a setting must change.
     */
    static final class Misconfigured extends HttpFetcher.FetchException {
        private static final long serialVersionUID = 1L;

        Misconfigured(String message) {
            super(message);
        }
    }

    /** {@code {issuer}/.well-known/openid-configuration}, without a doubled slash. */
    static URI openIdConfiguration(URI issuer) {
        String base = issuer.toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + "/.well-known/openid-configuration");
    }

    /** RFC 8414 §3: the well-known segment goes between the host and the issuer's path. */
    static URI authorizationServerMetadata(URI issuer) {
        String path = issuer.getRawPath() == null ? "" : issuer.getRawPath();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        try {
            return new URI(issuer.getScheme(), issuer.getRawAuthority(), null, null, null)
                    .resolve("/.well-known/oauth-authorization-server" + path);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * Discovers the JWKS URI of {@code issuer}.
     *
     * @throws HttpFetcher.FetchException when neither document can be had, or the document is unusable
     */
    static URI jwksUri(URI issuer, HttpFetcher fetcher) throws HttpFetcher.FetchException {
        URI location = openIdConfiguration(issuer);
        HttpFetcher.Response response = fetcher.get(location);
        if (response.status() == 404) {
            location = authorizationServerMetadata(issuer);
            response = fetcher.get(location);
        }
        if (response.status() == 404) {
            throw new Misconfigured("issuer " + issuer + " publishes no discovery document (HTTP 404 at "
                    + openIdConfiguration(issuer) + " and at " + location + "); set " + ConfigKeys.JWT_JWKS_URI
                    + " to its JWKS endpoint, or correct the issuer URL (" + ConfigKeys.JWT_ISSUER + ")");
        }
        if (response.status() != 200) {
            String tried = location.equals(openIdConfiguration(issuer)) ? "" : " (after a 404 from "
                    + openIdConfiguration(issuer) + ")";
            throw new HttpFetcher.FetchException("GET " + location + " failed: HTTP " + response.status()
                    + HttpFetcher.redirectHint(response.status()) + tried);
        }
        Object read;
        try {
            read = Json.UPSTREAM.read(response.body());
        } catch (Json.ParseException e) {
            throw new HttpFetcher.FetchException("discovery document " + location + " is not valid JSON", e);
        }
        if (!(read instanceof Map<?, ?> document)) {
            throw new HttpFetcher.FetchException("discovery document " + location + " is not a JSON object");
        }
        Object claimed = document.get("issuer");
        if (!(claimed instanceof String) || !claimed.equals(issuer.toString())) {
            throw new Misconfigured("discovery document " + location + " names issuer '"
                    + (claimed instanceof String || claimed instanceof Number || claimed instanceof Boolean
                            ? claimed : "") + "', configured issuer is '" + issuer + "'; they must be equal exactly");
        }
        if (!(document.get("jwks_uri") instanceof String jwks)) {
            throw new HttpFetcher.FetchException("discovery document " + location + " has no jwks_uri");
        }
        URI jwksUri;
        try {
            jwksUri = new URI(jwks);
        } catch (URISyntaxException e) {
            throw new HttpFetcher.FetchException("discovery document " + location + " has a malformed jwks_uri", e);
        }
        String scheme = jwksUri.getScheme() == null ? "" : jwksUri.getScheme().toLowerCase(Locale.ROOT);
        boolean httpsIssuer = "https".equalsIgnoreCase(issuer.getScheme());
        if (!jwksUri.isAbsolute() || jwksUri.getHost() == null
                || !(scheme.equals("https") || scheme.equals("http") && !httpsIssuer)) {
            throw new HttpFetcher.FetchException("discovery document " + location + " has jwks_uri '" + jwksUri
                    + "', which is not an absolute " + (httpsIssuer ? "https" : "http(s)") + " URI");
        }
        return jwksUri;
    }
}
