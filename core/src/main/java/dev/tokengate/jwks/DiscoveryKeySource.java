package dev.tokengate.jwks;

import dev.tokengate.internal.Settings;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tokengate.ConfigurationException;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.health.HealthCheck;
import dev.tokengate.health.UpstreamHealth;
import dev.tokengate.internal.HttpFetcher;
import dev.tokengate.log.Loggers;
import dev.tokengate.observe.GateObserver;
import dev.tokengate.observe.Observation;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * A {@link KeySource} that finds its JWKS through the issuer's OpenID Connect discovery document (or, on a 404,
 * its RFC 8414 authorization server metadata) on first use, then delegates to a {@link JwksKeySource}.
 *
 * <p>Discovery is lazy, so an identity provider that is down never fails start-up. A failed discovery raises
 * {@link UpstreamUnavailableException} and is retried by a later call, at most once per {@code retryInterval};
 * a successful one is kept for the life of this source. The discovered document must name exactly the configured
 * issuer. Neither document (404 for both) or a document naming another issuer is reported as a configuration error,
 * with what to set, in the exception and in {@link #health()}.
 *
 * <pre>{@code
 * KeySource keys = DiscoveryKeySource.builder(URI.create("https://idp.example.com/realms/shop"))
 *         .jwks(jwks -> jwks.refetchInterval(Duration.ofMinutes(1)))
 *         .build();
 * }</pre>
 */
public final class DiscoveryKeySource implements KeySource, HealthCheck {

    private static final Logger LOG = Loggers.logger(DiscoveryKeySource.class);

    private final URI issuer;
    private final HttpFetcher fetcher;
    private final HttpClient client;
    /** The client this source built (and stops on {@link #close()}); {@code null} when the application gave one. */
    private final HttpClient ownedClient;
    private final Builder settings;
    private final long retryInterval;

    private final Object lock = new Object();
    private volatile JwksKeySource delegate;
    /** Guarded by {@link #lock}. */
    private UpstreamUnavailableException lastFailure;
    /** Guarded by {@link #lock}. */
    private long lastFailureAt;
    /** The last failure's message and whether it was a configuration error, for {@link #health()} (which takes no lock). */
    private volatile String failureMessage;
    private volatile boolean misconfigured;
    /** Whether a discovery was ever completed, failed or not. */
    private volatile boolean attempted;
    /** A discovery that {@link #health()} started in the background is under way. */
    private final AtomicBoolean discovering = new AtomicBoolean();

    private DiscoveryKeySource(Builder b) {
        this.issuer = b.issuer;
        this.settings = b;
        this.retryInterval = Settings.nanos(b.retryInterval);
        this.ownedClient = b.httpClient != null ? null : HttpFetcher.client(b.connectTimeout, b.followRedirects);
        this.client = b.httpClient != null ? b.httpClient : ownedClient; // the JWKS source shares it
        this.fetcher = new HttpFetcher(client, b.readTimeout, b.maxResponseBytes);
        jwksBuilder(issuer).build(); // fail fast on a bad combination in the customizer, not at first use
    }

    private JwksKeySource.Builder jwksBuilder(URI jwksUri) {
        JwksKeySource.Builder jwks = JwksKeySource.builder(jwksUri)
                .httpClient(client)
                .readTimeout(settings.readTimeout)
                .maxResponseBytes(settings.maxResponseBytes)
                .ticker(settings.ticker);
        settings.jwks.accept(jwks);
        return jwks.observer(settings.observer);
    }

    /**
     * Starts a builder for the issuer, exactly as it appears in tokens' {@code iss}.
     *
     * @param issuer an absolute http or https URI without query or fragment
     * @return a new builder
     * @throws ConfigurationException naming {@code issuer} for a URI of another form
     */
    public static Builder builder(URI issuer) {
        return new Builder(issuer);
    }

    /**
     * The configured issuer.
     *
     * @return the issuer URI
     */
    public URI issuer() {
        return issuer;
    }

    /**
     * The JWKS URI, once discovered.
     *
     * @return the {@code jwks_uri} of the discovery document, empty until discovery has succeeded
     */
    public Optional<URI> jwksUri() {
        JwksKeySource d = delegate;
        return d == null ? Optional.empty() : Optional.of(d.uri());
    }

    @Override
    public List<VerificationKey> keys(Optional<String> keyId) {
        return jwks().keys(keyId);
    }

    /**
     * The age of the discovered JWKS's keys.
     *
     * @return their age; empty before discovery and the first fetch
     */
    @Override
    public Optional<Duration> age() {
        JwksKeySource d = delegate;
        return d == null ? Optional.empty() : d.age();
    }

    /**
     * Discovers the JWKS and fetches it now unless done already: an optional eager warm-up at start-up.
     *
     * @return the number of usable keys cached
     * @throws UpstreamUnavailableException when discovery or the JWKS fails and nothing is cached
     */
    public int prefetch() {
        return jwks().prefetch();
    }

    /**
     * Once the JWKS is discovered, its {@link JwksKeySource#health() health} (kind {@code discovery}); before, from
     * the last attempt: {@code down} after a failed discovery (a configuration error when neither document exists or
     * the document names another issuer), {@code unknown} when none was made. Never waits on the issuer: when
     * nothing is discovered, a discovery is started in the background, at most once per {@code retryInterval}.
     */
    @Override
    public UpstreamHealth health() {
        JwksKeySource d = delegate;
        if (d != null) {
            UpstreamHealth jwks = d.health();
            return new UpstreamHealth("discovery", jwks.target(), jwks.status(), jwks.problem(),
                    jwks.sinceLastSuccess(), jwks.detail() + " (JWKS discovered from " + issuer + ")");
        }
        boolean tried = attempted;
        String failure = failureMessage;
        boolean configuration = misconfigured;
        if (discovering.compareAndSet(false, true)) {
            CompletableFuture.runAsync(() -> {
                try {
                    jwks(); // within retryInterval of a failure this answers that failure without a request
                } catch (RuntimeException e) {
                    LOG.debug("Discovery for issuer {} started by a health check failed: {}", issuer, e.getMessage());
                } finally {
                    discovering.set(false);
                }
            });
        }
        String target = OidcDiscovery.openIdConfiguration(issuer).toString();
        if (!tried || failure == null) { // never tried, or discovered between the two reads above
            d = delegate;
            if (d != null) {
                return health();
            }
            return new UpstreamHealth("discovery", target, UpstreamHealth.Status.UNKNOWN,
                    Optional.of(UpstreamHealth.Problem.outage("not discovered yet")), Optional.empty(),
                    "the JWKS is discovered on first use; a discovery has been started");
        }
        return new UpstreamHealth("discovery", target, UpstreamHealth.Status.DOWN,
                Optional.of(configuration ? UpstreamHealth.Problem.configuration(failure)
                        : UpstreamHealth.Problem.outage(failure)), Optional.empty(),
                "the issuer's JWKS is not known; its tokens cannot be verified");
    }

    /** Discovers the JWKS and fetches its keys now unless done (see {@link #prefetch()}), then answers {@link #health()}. */
    @Override
    public UpstreamHealth probe() {
        try {
            prefetch();
        } catch (UpstreamUnavailableException e) {
            LOG.debug("Discovery probe for issuer {} failed: {}", issuer, e.getMessage());
        }
        return health();
    }

    /** Stops the HTTP client this source built for discovery and its JWKS (Java 21 and later); a given client stays open. */
    @Override
    public void close() {
        if (ownedClient != null) {
            HttpFetcher.shutdown(ownedClient);
        }
    }

    @Override
    public String toString() {
        return "DiscoveryKeySource[" + issuer + "]";
    }

    private JwksKeySource jwks() {
        JwksKeySource d = delegate;
        if (d != null) {
            return d;
        }
        synchronized (lock) {
            if (delegate != null) {
                return delegate;
            }
            long now = settings.ticker.read();
            if (lastFailure != null && now - lastFailureAt < retryInterval) {
                throw new UpstreamUnavailableException(lastFailure.getMessage(), lastFailure.upstream().orElse(null),
                        lastFailure, Duration.ofNanos(lastFailureAt + retryInterval - now));
            }
            Observation observation = settings.observer.calling(GateObserver.Upstream.DISCOVERY, issuer.toString());
            try {
                URI jwksUri;
                try {
                    jwksUri = OidcDiscovery.jwksUri(issuer, fetcher);
                    observation.end(Observation.Result.OK);
                } catch (HttpFetcher.FetchException | RuntimeException e) {
                    observation.end(Observation.Result.ERROR);
                    throw e;
                }
                LOG.info("Discovered JWKS {} for issuer {}", jwksUri, issuer);
                delegate = jwksBuilder(jwksUri).build();
                lastFailure = null;
                failureMessage = null;
                attempted = true;
                return delegate;
            } catch (HttpFetcher.FetchException e) {
                LOG.warn("Discovery for issuer {} failed, retrying in {}: {}", issuer, settings.retryInterval,
                        e.getMessage());
                lastFailure = new UpstreamUnavailableException("Discovery for issuer " + issuer + " failed: "
                        + e.getMessage(), issuer, e, settings.retryInterval);
                lastFailureAt = now;
                misconfigured = e instanceof OidcDiscovery.Misconfigured;
                failureMessage = lastFailure.getMessage();
                attempted = true;
                throw lastFailure;
            }
        }
    }

    /**
     * Builds a {@link DiscoveryKeySource}; every setter rejects a bad value at once with a
     * {@link ConfigurationException} naming the setting. The HTTP settings apply to discovery and to the JWKS.
     */
    public static final class Builder {
        private final URI issuer;
        private HttpClient httpClient;
        private Duration connectTimeout = JwksKeySource.DEFAULT_CONNECT_TIMEOUT;
        private boolean followRedirects;
        private Duration readTimeout = JwksKeySource.DEFAULT_READ_TIMEOUT;
        private long maxResponseBytes = JwksKeySource.DEFAULT_MAX_RESPONSE_BYTES;
        private Duration retryInterval = Duration.ofSeconds(30);
        private Ticker ticker = Ticker.systemTicker();
        private Consumer<JwksKeySource.Builder> jwks = b -> { };
        private GateObserver observer = GateObserver.none();

        private Builder(URI issuer) {
            this.issuer = JwksKeySource.requireHttpUri("issuer", issuer);
            if (issuer.getRawQuery() != null || issuer.getRawFragment() != null) {
                throw new ConfigurationException("issuer", "must have no query or fragment, was '" + issuer + "'");
            }
        }

        /**
         * Reads {@code tokengate.jwks.connect-timeout} and {@code read-timeout} for discovery and the JWKS, and
         * the JWKS's other keys (see {@link JwksKeySource.Builder#config}); a key that is not set leaves the
         * builder's value. Replaces an earlier {@link #jwks} customizer. A refused value fails with a
         * {@link ConfigurationException} naming the key and the layer it came from.
         *
         * @param source the gate's configuration; not null
         * @return this builder
         */
        public Builder config(ConfigSource source) {
            source.read(ConfigKeys.JWKS_CONNECT_TIMEOUT, ConfigSource::duration, this::connectTimeout);
            source.read(ConfigKeys.JWKS_READ_TIMEOUT, ConfigSource::duration, this::readTimeout);
            JwksKeySource.builder(issuer).config(source); // fail now, not when the JWKS is discovered
            return jwks(j -> j.config(source));
        }

        /**
         * The HTTP client for discovery and the JWKS; default a JDK client with {@code connectTimeout} that follows
         * no redirect (see {@link #followRedirects(boolean)}).
         *
         * @param httpClient the client; not null
         * @return this builder
         */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Settings.required("httpClient", httpClient);
            return this;
        }

        /**
         * How long to wait for a connection (default client only); default 2 s.
         *
         * @param connectTimeout positive
         * @return this builder
         * @throws ConfigurationException naming {@code connectTimeout} for zero or less
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Settings.positive("connectTimeout", connectTimeout);
            return this;
        }

        /**
         * Whether the default client follows redirects (never from https to http) for discovery and the JWKS;
         * default {@code false}: a 3xx answer is a failed fetch, so configure the final URI.
         *
         * @param followRedirects {@code true} to follow redirects
         * @return this builder
         */
        public Builder followRedirects(boolean followRedirects) {
            this.followRedirects = followRedirects;
            return this;
        }

        /**
         * How long one fetch may take, to the last byte; default 5 s.
         *
         * @param readTimeout positive
         * @return this builder
         * @throws ConfigurationException naming {@code readTimeout} for zero or less
         */
        public Builder readTimeout(Duration readTimeout) {
            this.readTimeout = Settings.positive("readTimeout", readTimeout);
            return this;
        }

        /**
         * The largest discovery document or JWKS accepted; default 512 KiB.
         *
         * @param maxResponseBytes positive, in bytes
         * @return this builder
         * @throws ConfigurationException naming {@code maxResponseBytes} for zero or less
         */
        public Builder maxResponseBytes(long maxResponseBytes) {
            Settings.positive("maxResponseBytes", maxResponseBytes);
            if (maxResponseBytes > Integer.MAX_VALUE - 8) {
                throw new ConfigurationException("maxResponseBytes", "must be below 2 GiB, was " + maxResponseBytes);
            }
            this.maxResponseBytes = maxResponseBytes;
            return this;
        }

        /**
         * The least time between two discovery attempts after one failed; default 30 s.
         *
         * @param retryInterval zero or more
         * @return this builder
         * @throws ConfigurationException naming {@code retryInterval} for a negative interval
         */
        public Builder retryInterval(Duration retryInterval) {
            this.retryInterval = Settings.notNegative("retryInterval", retryInterval);
            return this;
        }

        /**
         * The time source of the retry limit and of the JWKS cache; for tests.
         *
         * @param ticker the time source; not null
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Settings.required("ticker", ticker);
            return this;
        }

        /**
         * Further settings for the {@link JwksKeySource} built once the JWKS URI is known (cache lifetimes,
         * refetch interval, stale window, executor); applied after this builder's HTTP settings and ticker.
         *
         * @param customizer called with the JWKS source's builder; not null
         * @return this builder
         */
        public Builder jwks(Consumer<JwksKeySource.Builder> customizer) {
            this.jwks = Settings.required("jwks", customizer);
            return this;
        }

        /**
         * Reports each discovery ({@code tokengate.discovery}) and each JWKS fetch to this observer; default
         * {@link GateObserver#none()}. A gate sets its own on the key sources it builds from keys; give a source built
         * in code the gate's observer.
         *
         * @param observer the observer
         * @return this builder
         */
        public Builder observer(GateObserver observer) {
            this.observer = Settings.required("observer", observer);
            return this;
        }

        /**
         * Builds the source; nothing is fetched yet.
         *
         * @return the source
         */
        public DiscoveryKeySource build() {
            return new DiscoveryKeySource(copy());
        }

        private Builder copy() {
            Builder c = new Builder(issuer);
            c.httpClient = httpClient;
            c.connectTimeout = connectTimeout;
            c.followRedirects = followRedirects;
            c.readTimeout = readTimeout;
            c.maxResponseBytes = maxResponseBytes;
            c.retryInterval = retryInterval;
            c.ticker = ticker;
            c.jwks = jwks;
            c.observer = observer;
            return c;
        }
    }
}
