package dev.tokengate.config;

import dev.tokengate.ConfigurationException;
import dev.tokengate.IpRange;
import dev.tokengate.TokenGate;
import dev.tokengate.WwwAuthenticate;
import dev.tokengate.introspection.AuthMethod;
import dev.tokengate.introspection.IntrospectionValidator;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.TokenStore;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The immutable configuration of one {@link TokenGate}: trusted issuers, where tokens may be sent, how keys and
 * verified tokens are cached, and how errors are presented. Built programmatically with {@link #builder()} or
 * read from {@code tokengate.*} keys with {@link #from(ConfigSource)}; either way every value is checked
 * when set and every combination when built, and a bad one fails start-up naming its key.
 */
public final class TokenGateConfig {

    private final String realm;
    private final URI errorUri;
    private final boolean includeScopeInChallenge;
    private final boolean queryParameter;
    private final boolean formBody;
    private final String tokenCookie;
    private final String tokenHeader;
    private final List<IpRange> trustedProxies;
    private final List<IssuerConfig> issuers;
    private final Duration jwksConnectTimeout;
    private final Duration jwksReadTimeout;
    private final Duration jwksRefetchInterval;
    private final Duration jwksStaleWindow;
    private final String cacheSpec;
    private final Duration cacheMaxTtl;
    private final IntrospectionValidator introspection;
    private final Set<String> introspectJwtIssuers;
    private final TokenStore tokenStore;
    private final Duration storeCacheTtl;
    private final String apiKeyHeader;

    private TokenGateConfig(Builder b) {
        this.realm = b.realm;
        this.errorUri = b.errorUri;
        this.includeScopeInChallenge = b.includeScopeInChallenge;
        this.queryParameter = b.queryParameter;
        this.formBody = b.formBody;
        this.tokenCookie = b.tokenCookie;
        this.tokenHeader = b.tokenHeader;
        this.trustedProxies = List.copyOf(b.trustedProxies);
        this.issuers = List.copyOf(b.issuers);
        this.jwksConnectTimeout = b.jwksConnectTimeout;
        this.jwksReadTimeout = b.jwksReadTimeout;
        this.jwksRefetchInterval = b.jwksRefetchInterval;
        this.jwksStaleWindow = b.jwksStaleWindow;
        this.cacheSpec = b.cacheSpec;
        this.cacheMaxTtl = b.cacheMaxTtl;
        this.introspection = b.introspection;
        this.introspectJwtIssuers = Set.copyOf(b.introspectJwtIssuers);
        this.tokenStore = b.tokenStore;
        this.storeCacheTtl = b.storeCacheTtl;
        this.apiKeyHeader = b.apiKeyHeader;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the core keys ({@link ConfigKeys}) from a source.
     *
     * @param source system properties, environment and adapter parameters
     * @throws ConfigurationException for an unknown {@code tokengate.*} key, a malformed value or a bad combination,
     *                                naming the key and the layer its value came from
     */
    public static TokenGateConfig from(ConfigSource source) {
        source.checkKeys();
        return source.attributing(() -> read(source));
    }

    private static TokenGateConfig read(ConfigSource source) {
        Builder b = builder();
        source.read(ConfigKeys.REALM, b::realm);
        source.read(ConfigKeys.ERROR_URI, b::errorUri);
        source.read(ConfigKeys.CHALLENGE_INCLUDE_SCOPE, ConfigSource::bool, b::includeScopeInChallenge);
        source.read(ConfigKeys.TOKEN_QUERY_PARAMETER, ConfigSource::bool, b::allowQueryParameter);
        source.read(ConfigKeys.TOKEN_FORM_BODY, ConfigSource::bool, b::allowFormBody);
        source.read(ConfigKeys.TOKEN_COOKIE, b::tokenCookie);
        source.read(ConfigKeys.TOKEN_HEADER, b::tokenHeader);
        source.read(ConfigKeys.TRUSTED_PROXIES, ConfigSource::list, b::trustedProxies);
        source.read(ConfigKeys.JWKS_CONNECT_TIMEOUT, ConfigSource::duration, b::jwksConnectTimeout);
        source.read(ConfigKeys.JWKS_READ_TIMEOUT, ConfigSource::duration, b::jwksReadTimeout);
        source.read(ConfigKeys.JWKS_REFETCH_INTERVAL, ConfigSource::duration, b::jwksRefetchInterval);
        source.read(ConfigKeys.JWKS_STALE_WINDOW, ConfigSource::duration, b::jwksStaleWindow);
        source.read(ConfigKeys.CACHE_SPEC, b::cacheSpec);
        source.read(ConfigKeys.CACHE_MAX_TTL, ConfigSource::duration, b::cacheMaxTtl);

        source.read(ConfigKeys.API_KEY_HEADER, b::apiKeyHeader);
        source.read(ConfigKeys.STORE_CACHE_TTL, ConfigSource::duration, b::storeCacheTtl);
        readIntrospection(source).ifPresent(b::introspection);
        source.read(ConfigKeys.INTROSPECTION_JWT_ISSUERS, ConfigSource::list, b::introspectJwtsFrom);

        List<String> issuers = source.get(ConfigKeys.JWT_ISSUER, ConfigSource::list).orElse(List.of());
        List<String> perIssuerKeys = List.of(ConfigKeys.JWT_JWKS_URI, ConfigKeys.JWT_PUBLIC_KEY, ConfigKeys.JWT_JWKS_FILE,
                ConfigKeys.JWT_HMAC_SECRET_ENV, ConfigKeys.JWT_AUDIENCE, ConfigKeys.JWT_ALLOW_ANY_AUDIENCE,
                ConfigKeys.JWT_ALGORITHMS, ConfigKeys.JWT_TYPE, ConfigKeys.JWT_CLOCK_SKEW, ConfigKeys.JWT_SCOPE_CLAIM,
                ConfigKeys.JWT_REQUIRED_CLAIMS);
        if (issuers.isEmpty()) {
            for (String k : perIssuerKeys) {
                if (source.get(k).isPresent()) {
                    throw new ConfigurationException(k, "is set but " + ConfigKeys.JWT_ISSUER
                            + " is not; name the trusted issuer(s) first");
                }
            }
        }
        List<String> keySettings = perIssuerKeys.subList(0, 4).stream().filter(k -> source.get(k).isPresent()).toList();
        if (keySettings.size() > 1) {
            throw new ConfigurationException(keySettings.get(1), "conflicts with " + keySettings.get(0)
                    + ": configure one source of keys");
        }
        if (issuers.size() > 1 && !keySettings.isEmpty()) {
            throw new ConfigurationException(keySettings.get(0), "names one key source but " + issuers.size()
                    + " issuers are configured; leave it out so each issuer's keys are found by discovery, "
                    + "or configure issuers programmatically");
        }
        for (String issuer : issuers) {
            IssuerConfig.Builder ib = IssuerConfig.builder(issuer);
            source.read(ConfigKeys.JWT_JWKS_URI, ib::jwksUri);
            source.read(ConfigKeys.JWT_PUBLIC_KEY, Path::of, ib::publicKeyFile);
            source.read(ConfigKeys.JWT_JWKS_FILE, Path::of, ib::jwksFile);
            source.read(ConfigKeys.JWT_HMAC_SECRET_ENV, ib::hmacSecretEnv);
            source.read(ConfigKeys.JWT_AUDIENCE, ConfigSource::list, ib::audiences);
            source.read(ConfigKeys.JWT_ALLOW_ANY_AUDIENCE, ConfigSource::bool, ib::allowAnyAudience);
            source.read(ConfigKeys.JWT_ALGORITHMS, ConfigSource::list, ib::algorithms);
            source.read(ConfigKeys.JWT_TYPE, ib::type);
            source.read(ConfigKeys.JWT_CLOCK_SKEW, ConfigSource::duration, ib::clockSkew);
            source.read(ConfigKeys.JWT_SCOPE_CLAIM, ib::scopeClaim);
            source.read(ConfigKeys.JWT_REQUIRED_CLAIMS, ConfigSource::list, ib::requiredClaims);
            b.issuer(ib.build());
        }
        Optional<TokenStore> store = readStore(source); // last: it starts the store's flush thread
        store.ifPresent(b::tokenStore);
        try {
            return b.build();
        } catch (RuntimeException e) {
            store.ifPresent(TokenStore::close);
            throw e;
        }
    }

    private static Optional<IntrospectionValidator> readIntrospection(ConfigSource source) {
        List<String> keys = List.of(ConfigKeys.INTROSPECTION_CLIENT_ID, ConfigKeys.INTROSPECTION_CLIENT_SECRET,
                ConfigKeys.INTROSPECTION_AUTH_METHOD, ConfigKeys.INTROSPECTION_CACHE_TTL,
                ConfigKeys.INTROSPECTION_NEGATIVE_CACHE_TTL, ConfigKeys.INTROSPECTION_TIMEOUT, ConfigKeys.INTROSPECTION_JWT_ISSUERS);
        Optional<IntrospectionValidator.Builder> builder = source.get(ConfigKeys.INTROSPECTION_URI,
                v -> IntrospectionValidator.builder(uri(v)));
        if (builder.isEmpty()) {
            requireAbsent(source, keys, ConfigKeys.INTROSPECTION_URI);
            return Optional.empty();
        }
        IntrospectionValidator.Builder ib = builder.get();
        source.read(ConfigKeys.INTROSPECTION_CLIENT_ID, ib::clientId);
        source.read(ConfigKeys.INTROSPECTION_CLIENT_SECRET, ib::clientSecret);
        source.read(ConfigKeys.INTROSPECTION_AUTH_METHOD, AuthMethod::fromParameterValue, ib::authMethod);
        source.read(ConfigKeys.INTROSPECTION_CACHE_TTL, ConfigSource::duration, ib::cacheTtl);
        source.read(ConfigKeys.INTROSPECTION_NEGATIVE_CACHE_TTL, ConfigSource::duration, ib::negativeCacheTtl);
        source.read(ConfigKeys.INTROSPECTION_TIMEOUT, ConfigSource::duration, ib::timeout);
        return Optional.of(keyed(ConfigKeys.INTROSPECTION_URI, ib::build));
    }

    private static Optional<TokenStore> readStore(ConfigSource source) {
        Optional<JdbcTokenStore.Builder> builder = source.get(ConfigKeys.STORE_JDBC_URL,
                v -> JdbcTokenStore.builder().jdbcUrl(v));
        if (builder.isEmpty()) {
            requireAbsent(source, List.of(ConfigKeys.STORE_USERNAME, ConfigKeys.STORE_PASSWORD, ConfigKeys.STORE_TABLE),
                    ConfigKeys.STORE_JDBC_URL);
            return Optional.empty();
        }
        JdbcTokenStore.Builder sb = builder.get();
        source.read(ConfigKeys.STORE_USERNAME, sb::username);
        source.read(ConfigKeys.STORE_PASSWORD, sb::password);
        source.read(ConfigKeys.STORE_TABLE, sb::table);
        return Optional.of(keyed(ConfigKeys.STORE_JDBC_URL, sb::build));
    }

    private static void requireAbsent(ConfigSource source, List<String> keys, String needed) {
        for (String k : keys) {
            if (source.get(k).isPresent()) {
                throw new ConfigurationException(k, "is set but " + needed + " is not; set it too, or remove " + k);
            }
        }
    }

    /** Runs a builder's {@code build()}, re-labelling a {@link ConfigurationException} that names a setting with the {@code tokengate.*} key. */
    private static <T> T keyed(String key, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (ConfigurationException e) {
            throw e.key().startsWith(ConfigSource.PREFIX) ? e : new ConfigurationException(key, e.detail(), e);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(key, e.getMessage(), e);
        }
    }

    private static URI uri(String value) {
        try {
            return new URI(value.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + value + "' is not a URL: " + e.getReason(), e);
        }
    }

    public String realm() {
        return realm;
    }

    public Optional<URI> errorUri() {
        return Optional.ofNullable(errorUri);
    }

    public boolean includeScopeInChallenge() {
        return includeScopeInChallenge;
    }

    public boolean allowQueryParameter() {
        return queryParameter;
    }

    public boolean allowFormBody() {
        return formBody;
    }

    public Optional<String> tokenCookie() {
        return Optional.ofNullable(tokenCookie);
    }

    public Optional<String> tokenHeader() {
        return Optional.ofNullable(tokenHeader);
    }

    /** The proxies whose forwarding headers name the client; empty when the socket's peer is the client. */
    public List<IpRange> trustedProxies() {
        return trustedProxies;
    }

    public List<IssuerConfig> issuers() {
        return issuers;
    }

    public Duration jwksConnectTimeout() {
        return jwksConnectTimeout;
    }

    public Duration jwksReadTimeout() {
        return jwksReadTimeout;
    }

    public Duration jwksRefetchInterval() {
        return jwksRefetchInterval;
    }

    public Duration jwksStaleWindow() {
        return jwksStaleWindow;
    }

    public String cacheSpec() {
        return cacheSpec;
    }

    public Duration cacheMaxTtl() {
        return cacheMaxTtl;
    }

    /** The introspection validator for opaque tokens (and for JWTs of {@link #introspectJwtIssuers()}), if configured. */
    public Optional<IntrospectionValidator> introspection() {
        return Optional.ofNullable(introspection);
    }

    /** Issuers whose JWTs are introspected rather than checked locally. */
    public Set<String> introspectJwtIssuers() {
        return introspectJwtIssuers;
    }

    /** The token database for tokens and API keys this API issues itself, if configured. */
    public Optional<TokenStore> tokenStore() {
        return Optional.ofNullable(tokenStore);
    }

    /** Longest time a stored token is cached: the bound on how long a revoked one keeps working. */
    public Duration storeCacheTtl() {
        return storeCacheTtl;
    }

    /** The header carrying an API key, for routes that require one. */
    public String apiKeyHeader() {
        return apiKeyHeader;
    }

    /** Builds a {@link TokenGateConfig}; each setter rejects a bad value at once, naming its key. */
    public static final class Builder {
        private static final Pattern TOKEN_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

        private String realm = "api";
        private URI errorUri;
        private boolean includeScopeInChallenge = true;
        private boolean queryParameter;
        private boolean formBody;
        private String tokenCookie;
        private String tokenHeader;
        private final List<IpRange> trustedProxies = new ArrayList<>();
        private final List<IssuerConfig> issuers = new ArrayList<>();
        private Duration jwksConnectTimeout = Duration.ofSeconds(2);
        private Duration jwksReadTimeout = Duration.ofSeconds(5);
        private Duration jwksRefetchInterval = Duration.ofSeconds(30);
        private Duration jwksStaleWindow = Duration.ofHours(24);
        private String cacheSpec = "maximumSize=10000";
        private Duration cacheMaxTtl = Duration.ofMinutes(5);
        private IntrospectionValidator introspection;
        private final Set<String> introspectJwtIssuers = new java.util.LinkedHashSet<>();
        private TokenStore tokenStore;
        private Duration storeCacheTtl = Duration.ofSeconds(30);
        private String apiKeyHeader = "X-API-Key";

        private Builder() {
        }

        public Builder realm(String realm) {
            if (realm == null || realm.isEmpty() || !realm.chars().allMatch(c -> WwwAuthenticate.isAllowed((char) c))) {
                throw new ConfigurationException(ConfigKeys.REALM, "'" + realm + "' must be non-empty printable ASCII without \" or \\");
            }
            this.realm = realm;
            return this;
        }

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

        public Builder includeScopeInChallenge(boolean include) {
            this.includeScopeInChallenge = include;
            return this;
        }

        /** Accept {@code access_token} in the query string. Looser than the default: logged as a warning at start-up. */
        public Builder allowQueryParameter(boolean allow) {
            this.queryParameter = allow;
            return this;
        }

        /** Accept {@code access_token} in a urlencoded form body. */
        public Builder allowFormBody(boolean allow) {
            this.formBody = allow;
            return this;
        }

        public Builder tokenCookie(String name) {
            this.tokenCookie = name(ConfigKeys.TOKEN_COOKIE, name);
            return this;
        }

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

        /** Adds a trusted issuer. Issuers must be distinct. */
        public Builder issuer(IssuerConfig issuer) {
            Objects.requireNonNull(issuer, "issuer");
            for (IssuerConfig existing : issuers) {
                if (existing.issuer().equals(issuer.issuer())) {
                    throw new ConfigurationException(ConfigKeys.JWT_ISSUER, "issuer " + issuer.issuer() + " is configured twice");
                }
            }
            issuers.add(issuer);
            return this;
        }

        public Builder issuers(Collection<IssuerConfig> issuers) {
            this.issuers.clear();
            issuers.forEach(this::issuer);
            return this;
        }

        public Builder jwksConnectTimeout(Duration d) {
            this.jwksConnectTimeout = positive(ConfigKeys.JWKS_CONNECT_TIMEOUT, d);
            return this;
        }

        public Builder jwksReadTimeout(Duration d) {
            this.jwksReadTimeout = positive(ConfigKeys.JWKS_READ_TIMEOUT, d);
            return this;
        }

        public Builder jwksRefetchInterval(Duration d) {
            this.jwksRefetchInterval = positive(ConfigKeys.JWKS_REFETCH_INTERVAL, d);
            return this;
        }

        public Builder jwksStaleWindow(Duration d) {
            this.jwksStaleWindow = positive(ConfigKeys.JWKS_STALE_WINDOW, d);
            return this;
        }

        /** The verified-token cache as a Caffeine spec, e.g. {@code maximumSize=50000}; {@code maximumSize=0} disables it. */
        public Builder cacheSpec(String spec) {
            try {
                com.github.benmanes.caffeine.cache.CaffeineSpec.parse(spec);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(ConfigKeys.CACHE_SPEC, "'" + spec + "' is not a Caffeine spec: " + e.getMessage(), e);
            }
            if (spec.contains("expireAfter") || spec.contains("refreshAfter") || spec.contains("weakKeys")
                    || spec.contains("weakValues") || spec.contains("softValues")) {
                throw new ConfigurationException(ConfigKeys.CACHE_SPEC, "set only size and capacity here; lifetimes come from "
                        + ConfigKeys.CACHE_MAX_TTL + " and each token's exp");
            }
            this.cacheSpec = spec;
            return this;
        }

        public Builder cacheMaxTtl(Duration d) {
            this.cacheMaxTtl = positive(ConfigKeys.CACHE_MAX_TTL, d);
            return this;
        }

        /** Checks opaque (and {@link #introspectJwtsFrom listed} JWT) tokens by RFC 7662 introspection. */
        public Builder introspection(IntrospectionValidator introspection) {
            this.introspection = Objects.requireNonNull(introspection, ConfigKeys.INTROSPECTION_URI);
            return this;
        }

        /** JWTs from these issuers are introspected instead of checked locally (needs {@link #introspection}). */
        public Builder introspectJwtsFrom(Collection<String> issuers) {
            this.introspectJwtIssuers.clear();
            for (String i : issuers) {
                if (i == null || i.isBlank()) {
                    throw new ConfigurationException(ConfigKeys.INTROSPECTION_JWT_ISSUERS, "an issuer must not be empty");
                }
                this.introspectJwtIssuers.add(i.strip());
            }
            return this;
        }

        /**
         * Accepts the access tokens ({@code tgat_…}) and API keys ({@code tgak_…}) this API issued itself, looked
         * up by hash in this store. Closing the {@link TokenGate} closes the store.
         */
        public Builder tokenStore(TokenStore store) {
            this.tokenStore = Objects.requireNonNull(store, ConfigKeys.STORE_JDBC_URL);
            return this;
        }

        /** Longest time a stored token is cached (the bound on how long a revoked token keeps working); default 30 s. */
        public Builder storeCacheTtl(Duration d) {
            this.storeCacheTtl = positive(ConfigKeys.STORE_CACHE_TTL, d);
            return this;
        }

        /** The header that carries an API key on routes that require one; default {@code X-API-Key}. */
        public Builder apiKeyHeader(String name) {
            String n = name(ConfigKeys.API_KEY_HEADER, name);
            if (n.equalsIgnoreCase("Authorization")) {
                throw new ConfigurationException(ConfigKeys.API_KEY_HEADER, "the Authorization header carries the bearer token; name another header");
            }
            this.apiKeyHeader = n;
            return this;
        }

        /**
         * Checks the combination and builds.
         *
         * @throws ConfigurationException naming the key at fault
         */
        public TokenGateConfig build() {
            if (issuers.isEmpty() && introspection == null && tokenStore == null) {
                throw new ConfigurationException(ConfigKeys.JWT_ISSUER, "no way to check tokens is configured: set "
                        + ConfigKeys.JWT_ISSUER + " (env TOKENGATE_JWT_ISSUER) to the issuer URL of your authorization "
                        + "server, and/or " + ConfigKeys.INTROSPECTION_URI + " or " + ConfigKeys.STORE_JDBC_URL);
            }
            if (!introspectJwtIssuers.isEmpty() && introspection == null) {
                throw new ConfigurationException(ConfigKeys.INTROSPECTION_JWT_ISSUERS, "needs "
                        + ConfigKeys.INTROSPECTION_URI + " to introspect with");
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

        private static Duration positive(String key, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new ConfigurationException(key, "must be a positive duration, was " + d);
            }
            return d;
        }
    }
}
