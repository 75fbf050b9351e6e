package dev.tokengate.introspection;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tokengate.ConfigurationException;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.TokenValidator;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.VerifiedToken;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.health.HealthCheck;
import dev.tokengate.health.UpstreamHealth;
import dev.tokengate.internal.HttpFetcher;
import dev.tokengate.internal.Settings;
import dev.tokengate.observe.GateObserver;
import dev.tokengate.validate.CachingTokenValidator;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A {@link TokenValidator} for opaque tokens that asks the authorization server about each one by OAuth 2.0 Token
 * Introspection (RFC 7662), remembering the answers.
 *
 * <p>The stack, in this fixed order: a {@link CachingTokenValidator} in single-flight mode (keyed by the token's
 * SHA-256; an entry lives min({@code cacheTtl}, {@code exp} − now), and an answer without {@code exp} at most
 * {@link #MAX_CACHE_TTL_WITHOUT_EXP}; concurrent first uses of one token make exactly one call; inactive answers remembered only for {@code negativeCacheTtl}, off by default; failures never) over
 * the HTTP client (POST of {@code token} and {@code token_type_hint}, client authentication
 * {@code client_secret_basic} or {@code client_secret_post}, a total deadline and a response size cap).
 *
 * <ul>
 *   <li>{@code active: false}; a refresh token ({@code token_type: refresh_token}, Keycloak's {@code typ: Refresh});
 *       an {@code exp} passed, an {@code nbf} not reached or an {@code iat} in the future, each beyond the
 *       {@link Builder#leeway(Duration) clock skew}; an {@code iss} the answer carries that is not one of the
 *       {@link Builder#issuers configured issuers}, or an {@code aud} that names none of the
 *       {@link Builder#audiences API's audiences} → {@link InvalidTokenException} (401 {@code invalid_token}).</li>
 *   <li>Anything but HTTP 200 with a JSON object holding a boolean {@code active} — a timeout, a refused
 *       connection, 5xx, 401 for our credentials, HTML, invalid JSON, a body over {@code maxResponseBytes},
 *       {@code "active": "true"} — → {@link UpstreamUnavailableException} (503), never cached.</li>
 *   <li>The answer's {@code sub} (else {@code username}), {@code client_id}, {@code iss}, {@code aud},
 *       {@code scope}, {@code iat}, {@code exp} and {@code jti} fill the {@link VerifiedToken} (kind
 *       {@link VerifiedToken.Kind#INTROSPECTED}); every member is in its claims.</li>
 * </ul>
 *
 * <pre>{@code
 * TokenValidator introspection = IntrospectionValidator.builder(URI.create("https://as.example.com/introspect"))
 *         .clientId("orders-api")
 *         .clientSecretFromEnv("ORDERS_API_INTROSPECTION_SECRET")
 *         .cacheTtl(Duration.ofMinutes(2))
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe; the raw token is never logged nor put into a message.
 */
public final class IntrospectionValidator implements TokenValidator, AutoCloseable, HealthCheck {

    /**
     * The default longest time an answer is remembered ({@code tokengate.introspection.cache-ttl}): a token revoked at
     * the authorization server is refused here within 30 s.
     */
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(30);
    /** The longest an answer without {@code exp} is remembered, whatever {@code cacheTtl} says. */
    public static final Duration MAX_CACHE_TTL_WITHOUT_EXP = Duration.ofSeconds(30);
    /** The default clock skew tolerated on {@code exp}, {@code nbf} and {@code iat} ({@code tokengate.introspection.clock-skew}). */
    public static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(60);
    /** The largest clock skew {@link Builder#leeway(Duration)} accepts. */
    public static final Duration MAX_LEEWAY = Duration.ofMinutes(10);
    /** The default deadline for one introspection call, connection to last byte. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** The default cap on the size of an introspection response. */
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
    /** The default {@code token_type_hint}. */
    public static final String DEFAULT_TOKEN_TYPE_HINT = "access_token";
    /** The default client authentication ({@code tokengate.introspection.auth-method}). */
    public static final AuthMethod DEFAULT_AUTH_METHOD = AuthMethod.CLIENT_SECRET_BASIC;
    /** The default time an inactive answer is remembered: not at all ({@code tokengate.introspection.negative-cache-ttl}). */
    public static final Duration DEFAULT_NEGATIVE_CACHE_TTL = Duration.ZERO;

    private final URI uri;
    private final TokenValidator stack;
    private final IntrospectionClient client;

    /** The client this validator built (and stops on {@link #close()}); {@code null} when the application gave one. */
    private final HttpClient ownedClient;

    private IntrospectionValidator(URI uri, TokenValidator stack, IntrospectionClient client, HttpClient ownedClient) {
        this.ownedClient = ownedClient;
        this.client = client;
        this.uri = uri;
        this.stack = stack;
    }

    /**
     * Starts a builder for the introspection endpoint at {@code uri} (absolute http or https).
     *
     * @param uri the endpoint, an absolute http or https URI
     * @return a new builder
     */
    public static Builder builder(URI uri) {
        return new Builder(uri);
    }

    /**
     * The introspection endpoint.
     *
     * @return the endpoint's URI
     */
    public URI uri() {
        return uri;
    }

    @Override
    public VerifiedToken validate(String token) {
        return stack.validate(token);
    }

    /** The endpoint's health from the last call (see {@link #probe()} to call it now); cached answers are not calls. */
    @Override
    public UpstreamHealth health() {
        return client.health();
    }

    /** Asks the endpoint about a made-up token now, within the timeout, then answers {@link #health()}. */
    @Override
    public UpstreamHealth probe() {
        return client.probe();
    }

    /** Stops the HTTP client this validator built (Java 21 and later; see {@link HttpFetcher#shutdown}); a given client stays open. */
    @Override
    public void close() {
        if (ownedClient != null) {
            HttpFetcher.shutdown(ownedClient);
        }
    }

    @Override
    public String toString() {
        return "IntrospectionValidator[" + stack + "]";
    }

    /**
     * Builds an {@link IntrospectionValidator}. Each setter rejects a bad value at once with a
     * {@link ConfigurationException} naming the setting; {@link #build()} checks the combination. The settings
     * map one to one to the {@code tokengate.introspection.*} keys: {@code uri} ({@link IntrospectionValidator#builder(URI)}),
     * {@code client-id}, {@code client-secret} (or {@link #clientSecretFromEnv(String)}), {@code auth-method},
     * {@code cache-ttl}, {@code negative-cache-ttl}, {@code timeout}, {@code clock-skew} ({@link #leeway(Duration)}).
     */
    public static final class Builder {
        private final URI uri;
        private String clientId;
        private String clientSecret;
        private String clientSecretVariable;
        private Function<String, String> environment = System::getenv;
        private AuthMethod authMethod = DEFAULT_AUTH_METHOD;
        private Duration cacheTtl = DEFAULT_CACHE_TTL;
        private Duration negativeCacheTtl = DEFAULT_NEGATIVE_CACHE_TTL;
        private long cacheMaximumSize = CachingTokenValidator.DEFAULT_MAXIMUM_SIZE;
        private Duration timeout = DEFAULT_TIMEOUT;
        private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
        private String tokenTypeHint = DEFAULT_TOKEN_TYPE_HINT;
        private final Set<String> issuers = new LinkedHashSet<>();
        private final Set<String> audiences = new LinkedHashSet<>();
        private Duration leeway = DEFAULT_LEEWAY;
        private HttpClient httpClient;
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.systemTicker();
        private ConfigSource source;
        private GateObserver observer = GateObserver.none();

        private Builder(URI uri) {
            this.uri = requireHttpUri(uri);
        }

        /**
         * Reads the {@code tokengate.introspection.*} keys but {@code uri} (given to
         * {@link IntrospectionValidator#builder(URI)}) and {@code jwt-issuers} (the gate's routing):
         * {@code client-id}, {@code client-secret}, {@code auth-method}, {@code cache-ttl},
         * {@code negative-cache-ttl}, {@code timeout} and {@code clock-skew}. A key that is not set leaves this
         * builder's value. Every error, here or from {@link #build()}, names the key and the layer its value came
         * from. (The issuers and audiences an answer is checked against are the gate's: {@code tokengate.jwt.*}.)
         *
         * @param source the gate's configuration; not null
         * @return this builder
         */
        public Builder config(ConfigSource source) {
            source.read(ConfigKeys.INTROSPECTION_CLIENT_ID, this::clientId);
            source.read(ConfigKeys.INTROSPECTION_CLIENT_SECRET, this::clientSecret);
            source.read(ConfigKeys.INTROSPECTION_AUTH_METHOD, AuthMethod::fromParameterValue, this::authMethod);
            source.read(ConfigKeys.INTROSPECTION_CACHE_TTL, ConfigSource::duration, this::cacheTtl);
            source.read(ConfigKeys.INTROSPECTION_NEGATIVE_CACHE_TTL, ConfigSource::duration, this::negativeCacheTtl);
            source.read(ConfigKeys.INTROSPECTION_TIMEOUT, ConfigSource::duration, this::timeout);
            source.read(ConfigKeys.INTROSPECTION_CLOCK_SKEW, ConfigSource::duration, this::leeway);
            this.environment = name -> source.environmentVariable(name).orElse(null);
            this.source = source;
            return this;
        }

        /**
         * This API's client id at the authorization server ({@code tokengate.introspection.client-id}). Required.
         *
         * @param clientId the client id, not blank
         * @return this builder
         * @throws ConfigurationException naming {@code clientId} for a blank id
         */
        public Builder clientId(String clientId) {
            this.clientId = Settings.nonBlank("clientId", clientId);
            return this;
        }

        /**
         * This API's client secret ({@code tokengate.introspection.client-secret}). Required, unless
         * {@link #clientSecretFromEnv(String)} is used instead.
         *
         * @param clientSecret the secret, not blank
         * @return this builder
         * @throws ConfigurationException naming {@code clientSecret} for a blank secret
         */
        public Builder clientSecret(String clientSecret) {
            this.clientSecret = Settings.nonBlank("clientSecret", clientSecret);
            return this;
        }

        /**
         * Reads the client secret from this environment variable when the validator is built.
         *
         * @param variableName the variable's name, not blank
         * @return this builder
         * @throws ConfigurationException naming {@code clientSecretFromEnv} for a blank name
         */
        public Builder clientSecretFromEnv(String variableName) {
            this.clientSecretVariable = Settings.nonBlank("clientSecretFromEnv", variableName);
            return this;
        }

        /** Where {@link #clientSecretFromEnv(String)} looks variables up; default {@link System#getenv(String)}. For tests. */
        Builder environment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /**
         * How the client authenticates ({@code tokengate.introspection.auth-method}); default {@code
         * client_secret_basic}.
         *
         * @param authMethod {@code client_secret_basic} or {@code client_secret_post}; not null
         * @return this builder
         * @throws ConfigurationException naming {@code authMethod} for null
         */
        public Builder authMethod(AuthMethod authMethod) {
            if (authMethod == null) {
                throw new ConfigurationException("authMethod", "must not be null");
            }
            this.authMethod = authMethod;
            return this;
        }

        /**
         * The longest an active answer is remembered ({@code tokengate.introspection.cache-ttl}); never beyond the
         * token's {@code exp}, and an answer without {@code exp} never beyond {@link #MAX_CACHE_TTL_WITHOUT_EXP}. Zero
         * turns the cache, and with it single flight, off. Default 30 s. A token revoked at the authorization
         * server stays accepted here this long at most.
         *
         * @param cacheTtl zero (no cache) or more
         * @return this builder
         * @throws ConfigurationException naming {@code cacheTtl} for a negative duration
         */
        public Builder cacheTtl(Duration cacheTtl) {
            this.cacheTtl = Settings.notNegative("cacheTtl", cacheTtl);
            return this;
        }

        /**
         * How long an inactive (or expired, or wrong-audience) answer is remembered
         * ({@code tokengate.introspection.negative-cache-ttl}); default zero, not remembered. Keep it short.
         *
         * @param negativeCacheTtl zero (not remembered) or more, at most the cache TTL
         * @return this builder
         * @throws ConfigurationException naming {@code negativeCacheTtl} for a negative duration
         */
        public Builder negativeCacheTtl(Duration negativeCacheTtl) {
            this.negativeCacheTtl = Settings.notNegative("negativeCacheTtl", negativeCacheTtl);
            return this;
        }

        /**
         * The most tokens remembered; default 10,000.
         *
         * @param cacheMaximumSize at least 1
         * @return this builder
         * @throws ConfigurationException naming {@code cacheMaximumSize} for less than 1
         */
        public Builder cacheMaximumSize(long cacheMaximumSize) {
            if (cacheMaximumSize < 1) {
                throw new ConfigurationException("cacheMaximumSize", "must be at least 1, was " + cacheMaximumSize);
            }
            this.cacheMaximumSize = cacheMaximumSize;
            return this;
        }

        /**
         * The deadline for one call, from connecting to the last byte of the answer
         * ({@code tokengate.introspection.timeout}); default 5 s. Past it the call is an upstream failure (503).
         *
         * @param timeout positive
         * @return this builder
         * @throws ConfigurationException naming {@code timeout} for zero or less
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new ConfigurationException("timeout", "must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * The largest answer read; a larger one is an upstream failure, never read past the cap. Default 64 KiB.
         *
         * @param maxResponseBytes positive, in bytes
         * @return this builder
         * @throws ConfigurationException naming {@code maxResponseBytes} for zero or less, or more than fits an array
         */
        public Builder maxResponseBytes(long maxResponseBytes) {
            if (maxResponseBytes < 1 || maxResponseBytes > Integer.MAX_VALUE - 8) {
                throw new ConfigurationException("maxResponseBytes",
                        "must be between 1 and 2 GiB, was " + maxResponseBytes);
            }
            this.maxResponseBytes = maxResponseBytes;
            return this;
        }

        /**
         * The {@code token_type_hint} sent with each token; default {@code access_token}.
         *
         * @param tokenTypeHint the hint, not blank
         * @return this builder
         * @throws ConfigurationException naming {@code tokenTypeHint} for a blank hint
         */
        public Builder tokenTypeHint(String tokenTypeHint) {
            this.tokenTypeHint = Settings.nonBlank("tokenTypeHint", tokenTypeHint);
            return this;
        }

        /**
         * As {@link #issuers(Collection)}, with one issuer.
         *
         * @param issuer the issuer, not blank
         * @return this builder
         * @throws ConfigurationException naming {@code issuer} for a blank issuer
         */
        public Builder issuer(String issuer) {
            return issuers(List.of(Settings.nonBlank("issuer", issuer)));
        }

        /**
         * The issuers this API trusts: an answer that carries {@code iss} must name one of them exactly; an answer
         * without {@code iss} is not refused for it (RFC 7662 §2.2 makes it optional). Replaces earlier values.
         * Default: not checked (the endpoint itself vouches for its tokens).
         *
         * @param issuers at least one issuer, none blank
         * @return this builder
         * @throws ConfigurationException naming {@code issuers} for no issuer or a blank one
         */
        public Builder issuers(Collection<String> issuers) {
            Set<String> checked = Settings.nonBlankValues("issuers", issuers, "name at least one issuer, or do not call issuers()");
            this.issuers.clear();
            this.issuers.addAll(checked);
            return this;
        }

        /**
         * The audiences this API answers to: an answer that carries {@code aud} must name at least one of them; an
         * answer without {@code aud} is not refused for it. Replaces earlier values. Default: not checked.
         *
         * @param audiences at least one audience, none blank
         * @return this builder
         * @throws ConfigurationException naming {@code audiences} for no audience or a blank one
         */
        public Builder audiences(String... audiences) {
            return audiences(Arrays.asList(Objects.requireNonNull(audiences, "audiences")));
        }

        /**
         * As {@link #audiences(String...)}.
         *
         * @param audiences at least one audience, none blank
         * @return this builder
         * @throws ConfigurationException naming {@code audiences} for no audience or a blank one
         */
        public Builder audiences(Collection<String> audiences) {
            Set<String> checked = Settings.nonBlankValues("audiences", audiences, "name at least one audience, or do not call audiences()");
            this.audiences.clear();
            this.audiences.addAll(checked);
            return this;
        }

        /**
         * The HTTP client to call with; default a JDK client that connects within {@code timeout} and follows no
         * redirect (credentials are never replayed to another address).
         *
         * @param httpClient the client; not null
         * @return this builder
         */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
            return this;
        }

        /**
         * The clock skew tolerated on the answer's {@code exp}, {@code nbf} and {@code iat}
         * ({@code tokengate.introspection.clock-skew}); 0 to 10 minutes, default 60 s.
         *
         * @param leeway 0 to 10 minutes
         * @return this builder
         * @throws ConfigurationException naming {@code leeway} for a duration out of range
         */
        public Builder leeway(Duration leeway) {
            Objects.requireNonNull(leeway, "leeway");
            if (leeway.isNegative() || leeway.compareTo(MAX_LEEWAY) > 0) {
                throw new ConfigurationException("leeway", "must be between 0 and " + MAX_LEEWAY + ", was " + leeway);
            }
            this.leeway = leeway;
            return this;
        }

        /**
         * The wall clock {@code exp}, {@code nbf} and {@code iat} are compared with; default {@link Clock#systemUTC()}.
         * A gate sets its own.
         *
         * @param clock the time source; not null
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The ticker cache lifetimes are measured with; default {@link Ticker#systemTicker()}. For tests.
         *
         * @param ticker the time source; not null
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Reports each introspection call ({@code tokengate.introspection}) and the answer cache's statistics to this
         * observer; default {@link GateObserver#none()}. A gate sets its own.
         *
         * @param observer the observer
         * @return this builder
         */
        public Builder observer(GateObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /**
         * Builds the validator; nothing is called yet.
         *
         * @return the validator, which owns its cache; the gate closes it
         * @throws ConfigurationException when the client id is missing; neither or both of a client secret and
         *         {@code clientSecretFromEnv} are set, or the variable is unset; or a negative cache TTL is set with
         *         the cache off or longer than {@code cacheTtl}
         */
        public IntrospectionValidator build() {
            try {
                return checkAndBuild();
            } catch (ConfigurationException e) {
                throw source == null ? e : source.rename(e, CONFIG_KEYS);
            }
        }

        /** Each setting's {@code tokengate.*} key, for errors of a builder given a {@link #config(ConfigSource)}. */
        private static final Map<String, String> CONFIG_KEYS = Map.of(
                "uri", ConfigKeys.INTROSPECTION_URI, "clientId", ConfigKeys.INTROSPECTION_CLIENT_ID,
                "clientSecret", ConfigKeys.INTROSPECTION_CLIENT_SECRET, "authMethod", ConfigKeys.INTROSPECTION_AUTH_METHOD,
                "cacheTtl", ConfigKeys.INTROSPECTION_CACHE_TTL,
                "negativeCacheTtl", ConfigKeys.INTROSPECTION_NEGATIVE_CACHE_TTL, "timeout", ConfigKeys.INTROSPECTION_TIMEOUT,
                "leeway", ConfigKeys.INTROSPECTION_CLOCK_SKEW);

        private IntrospectionValidator checkAndBuild() {
            if (clientId == null) {
                throw new ConfigurationException("clientId",
                        "required: this API's client id at the authorization server");
            }
            String secret = secret();
            if (!negativeCacheTtl.isZero() && negativeCacheTtl.compareTo(cacheTtl) > 0) {
                throw new ConfigurationException("negativeCacheTtl", cacheTtl.isZero()
                        ? "needs the cache: cacheTtl is zero"
                        : "must not exceed cacheTtl (" + negativeCacheTtl + " > " + cacheTtl + ")");
            }
            HttpClient owned = httpClient != null ? null : HttpFetcher.client(timeout, false);
            HttpClient client = httpClient != null ? httpClient : owned;
            IntrospectionClient leaf = new IntrospectionClient(uri, new HttpFetcher(client, timeout, maxResponseBytes),
                    clientId, secret, authMethod, tokenTypeHint, issuers, audiences, leeway, clock, observer);
            if (cacheTtl.isZero()) {
                return new IntrospectionValidator(uri, leaf, leaf, owned);
            }
            TokenValidator cached = CachingTokenValidator.builder(leaf)
                    .maximumSize(cacheMaximumSize)
                    .maxTimeToLive(cacheTtl)
                    .maxTimeToLiveWithoutExpiry(MAX_CACHE_TTL_WITHOUT_EXP)
                    .negativeTimeToLive(negativeCacheTtl)
                    .singleFlight(true)
                    .ticker(ticker)
                    .clock(clock)
                    .observer(observer, "introspection")
                    .build();
            return new IntrospectionValidator(uri, cached, leaf, owned);
        }

        private String secret() {
            if (clientSecretVariable == null) {
                if (clientSecret == null) {
                    throw new ConfigurationException("clientSecret", source == null
                            ? "required: this API's client secret (or clientSecretFromEnv)"
                            : "required: this API's client secret; best set as the environment variable "
                                    + ConfigSource.environmentName(ConfigKeys.INTROSPECTION_CLIENT_SECRET));
                }
                return clientSecret;
            }
            if (clientSecret != null) {
                throw new ConfigurationException("clientSecretFromEnv", "cannot be combined with clientSecret(...)");
            }
            String value = environment.apply(clientSecretVariable);
            if (value == null || value.isBlank()) {
                throw new ConfigurationException("clientSecretFromEnv",
                        "the environment variable " + clientSecretVariable + " is not set");
            }
            return value;
        }

        private static URI requireHttpUri(URI uri) {
            if (uri == null) {
                throw new ConfigurationException("uri", "required: the introspection endpoint");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!uri.isAbsolute() || !(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
                throw new ConfigurationException("uri", "must be an absolute http(s) URI, was '" + uri + "'");
            }
            if (uri.getRawUserInfo() != null) {
                throw new ConfigurationException("uri", "must not hold credentials; use clientId and clientSecret");
            }
            return uri;
        }
    }
}
