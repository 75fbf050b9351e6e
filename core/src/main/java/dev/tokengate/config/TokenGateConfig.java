package dev.tokengate.config;

import dev.tokengate.ConfigurationException;
import dev.tokengate.IpRange;
import dev.tokengate.WwwAuthenticate;
import dev.tokengate.internal.Settings;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The request-facing settings of one {@link dev.tokengate.TokenGate}: where a token may be sent, which proxies name
 * the client, which header carries an API key, and how errors are presented. Immutable; a description, never a
 * live object. Built with {@link #builder()} or read from the {@code tokengate.*} keys with
 * {@link #from(ConfigSource)}; every value is checked when set and the combination when built, and a bad one fails
 * start-up naming its key. How tokens are validated is not here: each validator's builder reads its own keys
 * (see {@link dev.tokengate.TokenGate.Builder#config(ConfigSource)}).
 */
public final class TokenGateConfig {

    private final String realm;
    private final URI errorUri;
    private final URI resource;
    private final URI resourceDocumentation;
    private final boolean includeScopeInChallenge;
    private final boolean queryParameter;
    private final boolean formBody;
    private final String tokenCookie;
    private final String tokenHeader;
    private final List<IpRange> trustedProxies;
    private final ForwardedHeader forwardedHeader;
    private final String apiKeyHeader;
    private final boolean logOpenRoutes;
    private final int denialsPerAddress;
    private final Duration denialWindow;
    private final CorsPreflight corsPreflight;

    private TokenGateConfig(Builder b) {
        this.realm = b.realm;
        this.errorUri = b.errorUri;
        this.resource = b.resource;
        this.resourceDocumentation = b.resourceDocumentation;
        this.includeScopeInChallenge = b.includeScopeInChallenge;
        this.queryParameter = b.queryParameter;
        this.formBody = b.formBody;
        this.tokenCookie = b.tokenCookie;
        this.tokenHeader = b.tokenHeader;
        this.trustedProxies = List.copyOf(b.trustedProxies);
        this.forwardedHeader = b.forwardedHeader;
        this.apiKeyHeader = b.apiKeyHeader;
        this.logOpenRoutes = b.logOpenRoutes;
        this.denialsPerAddress = b.denialsPerAddress;
        this.denialWindow = b.denialWindow;
        this.corsPreflight = b.corsPreflight;
    }

    /**
     * A builder with every setting at its default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Every setting at its default.
     *
     * @return the default settings: realm {@code api}, tokens only in the {@code Authorization} header, no trusted
     *         proxies, API keys in {@code X-API-Key}
     */
    public static TokenGateConfig defaults() {
        return builder().build();
    }

    /**
     * Reads this class's keys from a source: {@code tokengate.realm}, {@code error-uri},
     * {@code challenge.include-scope}, {@code token.*}, {@code trusted-proxies} and {@code api-key.header}. Other
     * keys are left to their readers; unknown keys are checked by {@link ConfigSource#checkKeys()}.
     *
     * @param source system properties, environment and adapter parameters
     * @return the settings the keys describe, the others at their defaults
     * @throws ConfigurationException for a malformed value or a bad combination, naming the key and the layer its
     *                                value came from
     */
    public static TokenGateConfig from(ConfigSource source) {
        Builder b = builder();
        source.read(ConfigKeys.REALM, b::realm);
        source.read(ConfigKeys.ERROR_URI, b::errorUri);
        source.read(ConfigKeys.RESOURCE, b::resource);
        source.read(ConfigKeys.RESOURCE_DOCUMENTATION, b::resourceDocumentation);
        source.read(ConfigKeys.CHALLENGE_INCLUDE_SCOPE, ConfigSource::bool, b::includeScopeInChallenge);
        source.read(ConfigKeys.TOKEN_QUERY_PARAMETER, ConfigSource::bool, b::allowQueryParameter);
        source.read(ConfigKeys.TOKEN_FORM_BODY, ConfigSource::bool, b::allowFormBody);
        source.read(ConfigKeys.TOKEN_COOKIE, b::tokenCookie);
        source.read(ConfigKeys.TOKEN_HEADER, b::tokenHeader);
        source.read(ConfigKeys.TRUSTED_PROXIES, ConfigSource::list, b::trustedProxies);
        source.read(ConfigKeys.FORWARDED_HEADER, ForwardedHeader::named, b::forwardedHeader);
        source.read(ConfigKeys.API_KEY_HEADER, b::apiKeyHeader);
        source.read(ConfigKeys.CALL_LOG_OPEN_ROUTES, TokenGateConfig::openRoutes, b::logOpenRoutes);
        source.read(ConfigKeys.CALL_LOG_DENIALS_PER_ADDRESS, Integer::parseInt, b::denialsPerAddress);
        source.read(ConfigKeys.CALL_LOG_DENIAL_WINDOW, ConfigSource::duration, b::denialWindow);
        source.read(ConfigKeys.CORS_PREFLIGHT, CorsPreflight::named, b::corsPreflight);
        return source.attributing(b::build);
    }


    /**
     * The realm of the {@code WWW-Authenticate} challenge ({@value ConfigKeys#REALM}); default {@code api}.
     *
     * @return the realm, never empty
     */
    public String realm() {
        return realm;
    }

    /**
     * A page that explains errors, sent as the challenge's {@code error_uri} ({@value ConfigKeys#ERROR_URI}).
     *
     * @return the absolute URI, empty when none is configured
     */
    public Optional<URI> errorUri() {
        return Optional.ofNullable(errorUri);
    }

    /**
     * The resource identifier of RFC 9728 ({@value ConfigKeys#RESOURCE}): named as {@code resource} in the
     * protected-resource metadata, whose URL it gives.
     *
     * @return the absolute URI, empty when the origin of each request stands for it
     */
    public Optional<URI> resource() {
        return Optional.ofNullable(resource);
    }

    /**
     * A page about this API ({@value ConfigKeys#RESOURCE_DOCUMENTATION}), named as {@code resource_documentation} in
     * its RFC 9728 metadata.
     *
     * @return the absolute URI, empty when none is configured
     */
    public Optional<URI> resourceDocumentation() {
        return Optional.ofNullable(resourceDocumentation);
    }

    /**
     * Whether an {@code insufficient_scope} answer names the required scopes: in the challenge's {@code scope}, its
     * {@code error_description} and the problem body ({@code tokengate.challenge.include-scope}); default true.
     *
     * @return whether the required scopes are named
     */
    public boolean includeScopeInChallenge() {
        return includeScopeInChallenge;
    }

    /**
     * Whether a token is also accepted in the {@code access_token} query parameter ({@value
     * ConfigKeys#TOKEN_QUERY_PARAMETER}); default false, because URLs end up in logs.
     *
     * @return {@code true} when the query parameter is read
     */
    public boolean allowQueryParameter() {
        return queryParameter;
    }

    /**
     * Whether a token is also accepted in the {@code access_token} field of a urlencoded form body ({@value
     * ConfigKeys#TOKEN_FORM_BODY}); default false.
     *
     * @return {@code true} when the form body is read
     */
    public boolean allowFormBody() {
        return formBody;
    }

    /**
     * A cookie that carries the raw token, read when the {@code Authorization} header has none ({@value
     * ConfigKeys#TOKEN_COOKIE}).
     *
     * @return the cookie's name, empty when no cookie is read
     */
    public Optional<String> tokenCookie() {
        return Optional.ofNullable(tokenCookie);
    }

    /**
     * A custom header that carries the raw token without a scheme, read when the {@code Authorization} header has
     * none ({@value ConfigKeys#TOKEN_HEADER}).
     *
     * @return the header's name, empty when no such header is read
     */
    public Optional<String> tokenHeader() {
        return Optional.ofNullable(tokenHeader);
    }

    /**
     * The proxies whose forwarding headers name the client; empty when the socket's peer is the client.
     *
     * @return the trusted ranges, unmodifiable; empty by default
     */
    public List<IpRange> trustedProxies() {
        return trustedProxies;
    }

    /**
     * The forwarding header the trusted proxies set; present exactly when {@link #trustedProxies()} is not empty.
     *
     * @return the header, empty when no proxy is trusted
     */
    public Optional<ForwardedHeader> forwardedHeader() {
        return Optional.ofNullable(forwardedHeader);
    }

    /**
     * The header a trusted proxy names the client in. Only the one configured is read, from the right, skipping
     * trusted hops: a proxy appends to its own header, and passes on whatever the client sent in the other.
     */
    public enum ForwardedHeader {
        /** {@code X-Forwarded-For: client, proxy1} (nginx {@code proxy_add_x_forwarded_for}, most load balancers). */
        X_FORWARDED_FOR("x-forwarded-for"),
        /** {@code Forwarded: for=client, for=proxy1} (RFC 7239). */
        FORWARDED("forwarded");

        private final String value;

        ForwardedHeader(String value) {
            this.value = value;
        }

        /**
         * The setting's value for this header, which is also the header's name.
         *
         * @return {@code x-forwarded-for} or {@code forwarded}
         */
        public String value() {
            return value;
        }

        /**
         * The header named by a setting's value, in any case.
         *
         * @param value {@code x-forwarded-for} or {@code forwarded}, any case; not null
         * @return the header
         * @throws IllegalArgumentException for any other value, listing the accepted ones
         */
        public static ForwardedHeader named(String value) {
            return Settings.named(values(), ForwardedHeader::value, value).orElseThrow(() -> new IllegalArgumentException(
                    "'" + value + "' is not a forwarding header tokengate reads: x-forwarded-for or forwarded"));
        }
    }

    /**
     * The header carrying an API key, for routes that require one.
     *
     * @return the header's name; default {@code X-API-Key}
     */
    public String apiKeyHeader() {
        return apiKeyHeader;
    }

    /**
     * Whether requests to open ({@code permit}) routes are in the call log.
     *
     * @return {@code true} (the default) when open routes are logged
     */
    public boolean logOpenRoutes() {
        return logOpenRoutes;
    }

    /**
     * How many unauthenticated denials per client address and window are logged as events; 0 means all.
     *
     * @return the number of events per address and window, 0 for no limit
     */
    public int denialsPerAddress() {
        return denialsPerAddress;
    }

    /**
     * The window of {@link #denialsPerAddress()}.
     *
     * @return the window, at least one second
     */
    public Duration denialWindow() {
        return denialWindow;
    }

    private static boolean openRoutes(String value) {
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "log" -> true;
            case "skip" -> false;
            default -> throw new IllegalArgumentException("'" + value + "' is not allowed: write log (the default) or skip");
        };
    }

    /**
     * What happens to a CORS preflight request ({@value ConfigKeys#CORS_PREFLIGHT}).
     *
     * @return {@link CorsPreflight#PASS} (the default) or {@link CorsPreflight#RULES}
     */
    public CorsPreflight corsPreflight() {
        return corsPreflight;
    }

    /**
     * What the gate does with a CORS preflight: an {@code OPTIONS} request with an {@code Origin} and an
     * {@code Access-Control-Request-Method} header, which a browser sends without credentials by design (Fetch
     * standard, CORS-preflight request), so no token can ever be found on it.
     */
    public enum CorsPreflight {
        /** Passed to the application unchecked, whatever the route's rule, for its CORS handling to answer (the default). */
        PASS("pass"),
        /** Decided by the route's rule like any request (a protected route refuses it: 401). */
        RULES("rules");

        private final String value;

        CorsPreflight(String value) {
            this.value = value;
        }

        /**
         * As configured: {@code pass} or {@code rules}.
         *
         * @return {@code pass} or {@code rules}
         */
        public String value() {
            return value;
        }

        /**
         * Reads {@code pass} or {@code rules} (any case).
         *
         * @param value {@code pass} or {@code rules}, any case; not null
         * @return the matching value
         * @throws IllegalArgumentException for any other value, listing the accepted ones
         */
        public static CorsPreflight named(String value) {
            return Settings.named(values(), CorsPreflight::value, value).orElseThrow(() -> new IllegalArgumentException(
                    "'" + value + "' is not a CORS preflight handling: write pass (the application's CORS handling "
                            + "answers it) or rules (the route's rule decides it)"));
        }
    }

    /** Builds a {@link TokenGateConfig}; each setter rejects a bad value at once, naming its key. */
    public static final class Builder {
        private static final Pattern TOKEN_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

        private String realm = "api";
        private URI errorUri;
        private URI resource;
        private URI resourceDocumentation;
        private boolean includeScopeInChallenge = true;
        private boolean queryParameter;
        private boolean formBody;
        private String tokenCookie;
        private String tokenHeader;
        private final List<IpRange> trustedProxies = new ArrayList<>();
        private ForwardedHeader forwardedHeader;
        private String apiKeyHeader = "X-API-Key";
        private boolean logOpenRoutes = true;
        private int denialsPerAddress = 100;
        private Duration denialWindow = Duration.ofSeconds(60);
        private CorsPreflight corsPreflight = CorsPreflight.PASS;

        private Builder() {
        }

        /**
         * The realm of the {@code WWW-Authenticate} challenge; default {@code api}.
         *
         * @param realm non-empty printable ASCII without {@code "} or {@code \}
         * @return this builder
         * @throws ConfigurationException naming {@value ConfigKeys#REALM} for an empty or unprintable realm
         */
        public Builder realm(String realm) {
            if (realm == null || realm.isEmpty() || !realm.chars().allMatch(c -> WwwAuthenticate.isAllowed((char) c))) {
                throw new ConfigurationException(ConfigKeys.REALM, "'" + realm + "' must be non-empty printable ASCII without \" or \\");
            }
            this.realm = realm;
            return this;
        }

        /**
         * A page that explains errors, sent as the challenge's {@code error_uri}; default none.
         *
         * @param uri an absolute URI in printable ASCII; not null
         * @return this builder
         * @throws ConfigurationException naming {@value ConfigKeys#ERROR_URI} for anything else
         */
        public Builder errorUri(String uri) {
            try {
                this.errorUri = new URI(uri.strip());
            } catch (URISyntaxException e) {
                throw new ConfigurationException(ConfigKeys.ERROR_URI, "'" + uri + "' is not a URI", e);
            }
            if (!errorUri.isAbsolute() || !errorUri.toString().chars().allMatch(c -> WwwAuthenticate.isAllowed((char) c))) {
                throw new ConfigurationException(ConfigKeys.ERROR_URI, "'" + uri + "' must be an absolute URI in printable ASCII");
            }
            return this;
        }

        /**
         * The resource identifier of RFC 9728: the URI clients know this API by, without query or fragment; default
         * the origin each request was sent to.
         *
         * @param uri an absolute {@code https} (or {@code http}, for development) URI in printable ASCII; not null
         * @return this builder
         * @throws ConfigurationException naming {@value ConfigKeys#RESOURCE} for anything else
         */
        public Builder resource(String uri) {
            URI u = absolute(ConfigKeys.RESOURCE, uri);
            if (!"https".equalsIgnoreCase(u.getScheme()) && !"http".equalsIgnoreCase(u.getScheme())) {
                throw new ConfigurationException(ConfigKeys.RESOURCE, "'" + uri + "' must be an https URI, e.g. "
                        + "https://api.example.com (RFC 9728 §1.2)");
            }
            if (u.getRawQuery() != null || u.getRawFragment() != null || u.getHost() == null) {
                throw new ConfigurationException(ConfigKeys.RESOURCE, "'" + uri + "' must name a host and have no "
                        + "query or fragment (RFC 9728 §1.2), e.g. https://api.example.com/v1");
            }
            this.resource = u;
            return this;
        }

        /**
         * A page about this API, named as {@code resource_documentation} in its RFC 9728 metadata; default none.
         *
         * @param uri an absolute URI in printable ASCII; not null
         * @return this builder
         * @throws ConfigurationException naming {@value ConfigKeys#RESOURCE_DOCUMENTATION} for anything else
         */
        public Builder resourceDocumentation(String uri) {
            this.resourceDocumentation = absolute(ConfigKeys.RESOURCE_DOCUMENTATION, uri);
            return this;
        }

        private static URI absolute(String key, String uri) {
            URI u;
            try {
                u = new URI(uri.strip());
            } catch (URISyntaxException e) {
                throw new ConfigurationException(key, "'" + uri + "' is not a URI", e);
            }
            if (!u.isAbsolute() || !u.toString().chars().allMatch(c -> WwwAuthenticate.isAllowed((char) c))) {
                throw new ConfigurationException(key, "'" + uri + "' must be an absolute URI in printable ASCII");
            }
            return u;
        }

        /**
         * Whether an {@code insufficient_scope} answer names the required scopes anywhere; default true.
         *
         * @param include {@code false} to keep the required scopes out of every answer
         * @return this builder
         */
        public Builder includeScopeInChallenge(boolean include) {
            this.includeScopeInChallenge = include;
            return this;
        }

        /**
         * Accept {@code access_token} in the query string. Looser than the default: logged as a warning at start-up.
         *
         * @param allow {@code true} to read the query parameter
         * @return this builder
         */
        public Builder allowQueryParameter(boolean allow) {
            this.queryParameter = allow;
            return this;
        }

        /**
         * Accept {@code access_token} in a urlencoded form body.
         *
         * @param allow {@code true} to read the form body
         * @return this builder
         */
        public Builder allowFormBody(boolean allow) {
            this.formBody = allow;
            return this;
        }

        /**
         * Also reads the raw token from this cookie when the {@code Authorization} header has none; default no
         * cookie.
         *
         * @param name the cookie's name (an RFC 7230 token)
         * @return this builder
         * @throws ConfigurationException naming {@value ConfigKeys#TOKEN_COOKIE} for a null or invalid name
         */
        public Builder tokenCookie(String name) {
            this.tokenCookie = name(ConfigKeys.TOKEN_COOKIE, name);
            return this;
        }

        /**
         * Also reads the raw token (no scheme) from this header when the {@code Authorization} header has none;
         * default no such header.
         *
         * @param name the header's name (an RFC 7230 token), not {@code Authorization}
         * @return this builder
         * @throws ConfigurationException naming {@value ConfigKeys#TOKEN_HEADER} for a null, invalid or {@code
         *                                Authorization} name
         */
        public Builder tokenHeader(String name) {
            String n = name(ConfigKeys.TOKEN_HEADER, name);
            if (n.equalsIgnoreCase("Authorization")) {
                throw new ConfigurationException(ConfigKeys.TOKEN_HEADER, "the Authorization header is always read; name another header");
            }
            this.tokenHeader = n;
            return this;
        }

        /**
         * Proxies (CIDR ranges or addresses) whose {@code Forwarded} / {@code X-Forwarded-For} headers are believed;
         * only a request arriving from one of them has its client address taken from those headers.
         *
         * @param ranges CIDR ranges or single addresses, IPv4 or IPv6; replaces any given before; not null
         * @return this builder
         * @throws ConfigurationException naming {@value ConfigKeys#TRUSTED_PROXIES} for an entry that is no range
         */
        public Builder trustedProxies(Collection<String> ranges) {
            this.trustedProxies.clear();
            for (String r : ranges) {
                try {
                    this.trustedProxies.add(IpRange.parse(r));
                } catch (IllegalArgumentException e) {
                    throw new ConfigurationException(ConfigKeys.TRUSTED_PROXIES, e.getMessage(), e);
                }
            }
            return this;
        }

        /**
         * What happens to a CORS preflight: {@link CorsPreflight#PASS} (the default) or {@link CorsPreflight#RULES}.
         *
         * @param corsPreflight the treatment of preflight requests; not null
         * @return this builder
         */
        public Builder corsPreflight(CorsPreflight corsPreflight) {
            this.corsPreflight = Objects.requireNonNull(corsPreflight, "corsPreflight");
            return this;
        }

        /**
         * The header that carries an API key on routes that require one; default {@code X-API-Key}.
         *
         * @param name the header's name (an RFC 7230 token), not {@code Authorization}
         * @return this builder
         * @throws ConfigurationException naming {@value ConfigKeys#API_KEY_HEADER} for a null, invalid or {@code
         *                                Authorization} name
         */
        public Builder apiKeyHeader(String name) {
            String n = name(ConfigKeys.API_KEY_HEADER, name);
            if (n.equalsIgnoreCase("Authorization")) {
                throw new ConfigurationException(ConfigKeys.API_KEY_HEADER, "the Authorization header carries the bearer token; name another header");
            }
            this.apiKeyHeader = n;
            return this;
        }

        /**
         * The one forwarding header the trusted proxies set; required with trusted proxies, refused without.
         *
         * @param header {@code X_FORWARDED_FOR} or {@code FORWARDED}; not null
         * @return this builder
         */
        public Builder forwardedHeader(ForwardedHeader header) {
            this.forwardedHeader = Objects.requireNonNull(header, "header");
            return this;
        }

        /**
         * Whether requests to open routes are in the call log; default yes.
         *
         * @param log {@code false} to leave requests to open routes out of the call log
         * @return this builder
         */
        public Builder logOpenRoutes(boolean log) {
            this.logOpenRoutes = log;
            return this;
        }

        /**
         * How many unauthenticated denials (no token, a malformed or invalid one) per client address and window are
         * logged as events; the rest are counted into one summary per address and window. Default 100; 0 logs all.
         *
         * @param limit events per address and window; 0 for no limit, never negative
         * @return this builder
         */
        public Builder denialsPerAddress(int limit) {
            if (limit < 0) {
                throw new ConfigurationException(ConfigKeys.CALL_LOG_DENIALS_PER_ADDRESS, "must be 0 (log every denial) or more, was " + limit);
            }
            this.denialsPerAddress = limit;
            return this;
        }

        /**
         * The window of {@link #denialsPerAddress(int)}; default 60 s, at least 1 s.
         *
         * @param window the window's length; at least 1 s
         * @return this builder
         */
        public Builder denialWindow(Duration window) {
            Objects.requireNonNull(window, "window");
            if (window.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new ConfigurationException(ConfigKeys.CALL_LOG_DENIAL_WINDOW, "must be at least 1s, was " + window);
            }
            this.denialWindow = window;
            return this;
        }

        /**
         * Checks the combination and builds.
         *
         * @return the settings
         * @throws ConfigurationException naming the key at fault
         */
        public TokenGateConfig build() {
            if (!trustedProxies.isEmpty() && forwardedHeader == null) {
                throw new ConfigurationException(ConfigKeys.FORWARDED_HEADER, "is required with "
                        + ConfigKeys.TRUSTED_PROXIES + ": name the one header your proxy sets, x-forwarded-for "
                        + "(e.g. nginx proxy_add_x_forwarded_for) or forwarded (RFC 7239); the other header is then "
                        + "ignored, because a client can send it through the proxy");
            }
            if (trustedProxies.isEmpty() && forwardedHeader != null) {
                throw new ConfigurationException(ConfigKeys.FORWARDED_HEADER, "has no effect without "
                        + ConfigKeys.TRUSTED_PROXIES + ": list the proxies (CIDR ranges) whose header is believed, "
                        + "or remove this setting");
            }
            if (tokenHeader != null && tokenHeader.equalsIgnoreCase(apiKeyHeader)) {
                throw new ConfigurationException(ConfigKeys.TOKEN_HEADER, "is the same header as " + ConfigKeys.API_KEY_HEADER);
            }
            return new TokenGateConfig(this);
        }

        private static String name(String key, String value) {
            if (value == null || !TOKEN_NAME.matcher(value.strip()).matches()) {
                throw new ConfigurationException(key, "'" + value + "' is not a valid header or cookie name");
            }
            return value.strip();
        }
    }
}
