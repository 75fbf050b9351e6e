package dev.tokengate.jwks;

import dev.tokengate.internal.LogSafe;
import dev.tokengate.internal.Settings;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
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
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * A {@link KeySource} backed by a JWKS endpoint over HTTP(S), cached in Caffeine, refreshed in the background and
 * kept serving its known keys while the endpoint fails.
 *
 * <ul>
 *   <li><b>Lazy:</b> nothing is fetched until the first {@link #keys} (or an explicit {@link #prefetch()}), so an
 *       identity provider that is down never fails start-up. Concurrent first callers share one request.</li>
 *   <li><b>Lifetime:</b> a fetched set is fresh for the response's {@code Cache-Control: max-age}, bounded by
 *       {@code minCacheTtl} and {@code maxCacheTtl} ({@code no-store} / {@code no-cache} → {@code minCacheTtl};
 *       none → {@code defaultCacheTtl}). Once it is no longer fresh the next call triggers a background refresh
 *       (Caffeine {@code refreshAfterWrite}) while still answering from the old set.</li>
 *   <li><b>Unknown key id:</b> a {@code kid} not in the set triggers one refetch, at most once per
 *       {@code refetchInterval} (counted between such refetches only, so a key rotated just after a routine fetch
 *       is still picked up at once); concurrent callers wait for the same request.</li>
 *   <li><b>Endpoint failing</b> (cannot connect, timeout, non-200, body over {@code maxResponseBytes}, not a JWK
 *       set): the cached set keeps being served for {@code staleWindow} after the first failure, a refresh is
 *       retried every {@code minCacheTtl}, and one WARN is logged per failure episode. While failing, a key id
 *       missing from the cached set raises {@link UpstreamUnavailableException} rather than answer "no such key",
 *       and so does every call once nothing usable is cached.</li>
 * </ul>
 *
 * <pre>{@code
 * KeySource keys = JwksKeySource.builder(URI.create("https://idp.example.com/jwks"))
 *         .readTimeout(Duration.ofSeconds(3))
 *         .build();
 * }</pre>
 *
 * <p>Its {@link #health()} is read from the cache: up while the set is fresh or refreshed, degraded while it serves
 * cached keys within the stale window of a failing endpoint, down once nothing usable is cached.
 */
public final class JwksKeySource implements KeySource, HealthCheck {

    /** The default time to wait for a connection ({@code tokengate.jwks.connect-timeout}; default HTTP client only). */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** The default deadline of one fetch, request to last byte ({@code tokengate.jwks.read-timeout}). */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(5);
    /** The default cap on a JWKS (or discovery document) body. */
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 512 * 1024;
    /** The default least time between two fetches for an unknown key id ({@code tokengate.jwks.refetch-interval}). */
    public static final Duration DEFAULT_REFETCH_INTERVAL = Duration.ofSeconds(30);
    /** The default time known keys are served while the endpoint fails ({@code tokengate.jwks.stale-window}). */
    public static final Duration DEFAULT_STALE_WINDOW = Duration.ofHours(24);

    private static final Logger LOG = Loggers.logger(JwksKeySource.class);
    private static final String CACHE_KEY = "jwks";

    private final URI uri;
    private final HttpFetcher fetcher;
    private final Ticker ticker;
    private final long defaultTtl;
    private final long minTtl;
    private final long maxTtl;
    private final long refetchInterval;
    private final long staleWindow;
    private final AsyncLoadingCache<String, KeySet> cache;
    private final Executor executor;
    private final GateObserver observer;
    /** The client this source built (and stops on {@link #close()}); {@code null} when the application gave one. */
    private final HttpClient ownedClient;
    /** The set last read from the cache (or refetched); {@code null} before the first. */
    private volatile KeySet latest;

    private final AtomicBoolean failing = new AtomicBoolean();
    private final Object refetchLock = new Object();
    /** Guarded by {@link #refetchLock}. */
    private CompletableFuture<KeySet> refetch = CompletableFuture.completedFuture(null);
    private long lastRefetchStarted; // guarded by refetchLock
    private boolean refetchedOnce; // guarded by refetchLock
    private volatile String lastFailure = "";
    /** Whether a fetch was ever started; when the last started and when one last succeeded, in ticker nanos. */
    private volatile boolean attempted;
    private volatile long lastAttemptAt;
    private volatile long lastSuccessAt;
    private volatile boolean succeeded;

    private JwksKeySource(Builder b) {
        this.uri = b.uri;
        this.ticker = b.ticker;
        this.defaultTtl = Settings.nanos(b.defaultCacheTtl);
        this.minTtl = Settings.nanos(b.minCacheTtl);
        this.maxTtl = Settings.nanos(b.maxCacheTtl);
        this.refetchInterval = Settings.nanos(b.refetchInterval);
        this.staleWindow = Settings.nanos(b.staleWindow);
        this.ownedClient = b.httpClient != null ? null : HttpFetcher.client(b.connectTimeout, b.followRedirects);
        this.fetcher = new HttpFetcher(b.httpClient != null ? b.httpClient : ownedClient, b.readTimeout, b.maxResponseBytes);
        this.observer = b.observer;
        this.executor = observer.propagating(b.executor); // a fetch in the background is part of the call that caused it
        this.cache = Caffeine.newBuilder()
                .ticker(ticker)
                .executor(executor)
                .maximumSize(1)
                .refreshAfterWrite(refreshCheck(b.minCacheTtl))
                .expireAfter(new StaleWindowExpiry())
                .buildAsync(new Loader());
    }

    /**
     * How often Caffeine asks the loader whether a refresh is due: fine enough that a set is refreshed within a
     * second of its lifetime; a check that is not due costs no request.
     */
    private static Duration refreshCheck(Duration minCacheTtl) {
        return minCacheTtl.compareTo(Duration.ofSeconds(1)) < 0 ? minCacheTtl : Duration.ofSeconds(1);
    }

    /**
     * Starts a builder for the JWKS at {@code uri} (http or https, absolute).
     *
     * @param uri the JWKS endpoint, an absolute http or https URI
     * @return a new builder
     * @throws ConfigurationException naming {@code jwksUri} for a URI of another form
     */
    public static Builder builder(URI uri) {
        return new Builder(uri);
    }

    /**
     * The JWKS endpoint.
     *
     * @return the endpoint's URI
     */
    public URI uri() {
        return uri;
    }

    @Override
    public List<VerificationKey> keys(Optional<String> keyId) {
        Settings.required("keyId", keyId);
        KeySet set = current();
        List<VerificationKey> matches = set.matching(keyId);
        if (!matches.isEmpty() || keyId.isEmpty()) {
            return matches;
        }
        set = cached(); // another caller may have just refetched: the cache holds the newest set
        matches = set.matching(keyId);
        if (!matches.isEmpty()) {
            return matches;
        }
        Optional<CompletableFuture<KeySet>> pending = refetchForUnknownKeyId(keyId.get(), set);
        if (pending.isPresent()) {
            set = await(pending.get());
            matches = set.matching(keyId);
        }
        if (matches.isEmpty() && set.isFailing()) {
            // The message is logged: it names no value of the token (the kid is the client's, unverified).
            throw new UpstreamUnavailableException("A token's key id is not among the keys cached from " + uri
                    + " and the JWKS cannot be fetched to look for it: " + lastFailure, uri, null, nextAttemptIn(set));
        }
        return matches;
    }

    /**
     * How long ago the cached keys were fetched: they keep their age while the endpoint fails.
     *
     * @return the age of the cached keys; empty before the first fetch
     */
    @Override
    public Optional<Duration> age() {
        CompletableFuture<KeySet> cached = cache.asMap().get(CACHE_KEY); // a look that starts no refresh
        KeySet set = cached != null && cached.isDone() && !cached.isCompletedExceptionally() ? cached.join() : null;
        return set == null ? Optional.empty() : Optional.of(Duration.ofNanos(Math.max(0, ticker.read() - set.fetchedAt())));
    }

    /**
     * Fetches the key set now unless one is cached: an optional eager warm-up at start-up.
     *
     * @return the number of usable keys cached
     * @throws UpstreamUnavailableException when the endpoint fails and nothing is cached
     */
    public int prefetch() {
        return current().keys().size();
    }

    /**
     * The key set's health, from the cache: {@code up} while the set is fresh (or merely due a refresh),
     * {@code degraded} while the endpoint fails and cached keys are served within the stale window, {@code down}
     * once nothing usable is cached (never fetched successfully, or the stale window ran out), {@code unknown}
     * before the first fetch. Never waits on the endpoint: a set due a refresh is refreshed in the background as a
     * request would (at most once per its lifetime, or per {@code minCacheTtl} while failing), and with nothing
     * cached a fetch is started in the background at most once per {@code minCacheTtl}.
     */
    @Override
    public UpstreamHealth health() {
        KeySet set = cache.synchronous().getIfPresent(CACHE_KEY); // never blocks; starts a refresh that is due
        long now = ticker.read();
        Optional<Duration> sinceSuccess = succeeded ? Optional.of(Duration.ofNanos(now - lastSuccessAt)) : Optional.empty();
        if (set == null) {
            boolean wasAttempted = attempted;
            if (!wasAttempted || now - lastAttemptAt >= minTtl) {
                cache.get(CACHE_KEY).exceptionally(e -> null); // the loader logs the failure; the next look shows it
            }
            if (!wasAttempted) {
                return new UpstreamHealth("jwks", uri.toString(), UpstreamHealth.Status.UNKNOWN,
                        Optional.of(UpstreamHealth.Problem.outage("not fetched yet")), sinceSuccess,
                        "keys are fetched on first use; a fetch has been started");
            }
            return new UpstreamHealth("jwks", uri.toString(), UpstreamHealth.Status.DOWN,
                    Optional.of(UpstreamHealth.Problem.outage(lastFailure.isEmpty() ? "no keys cached" : lastFailure)),
                    sinceSuccess, succeeded ? "the cached keys were dropped: the endpoint kept failing for the whole "
                            + "stale window (" + Duration.ofNanos(staleWindow) + "); tokens cannot be verified"
                            : "no keys cached; tokens cannot be verified");
        }
        if (set.isFailing()) {
            Duration failingFor = Duration.ofNanos(now - set.failingSince().getAsLong());
            Duration left = Duration.ofNanos(Math.max(0, set.failingSince().getAsLong() + staleWindow - now));
            return new UpstreamHealth("jwks", uri.toString(), UpstreamHealth.Status.DEGRADED,
                    Optional.of(UpstreamHealth.Problem.outage(lastFailure)), sinceSuccess,
                    "serving " + set.keys().size() + " cached key(s); the endpoint has failed for " + failingFor
                            + ", the keys are dropped in " + left + " unless a fetch succeeds");
        }
        return new UpstreamHealth("jwks", uri.toString(), UpstreamHealth.Status.UP, Optional.empty(), sinceSuccess,
                set.keys().size() + " usable key(s), fetched " + Duration.ofNanos(now - set.fetchedAt()) + " ago");
    }

    /** Fetches the keys now unless a usable set is cached (see {@link #prefetch()}), then answers {@link #health()}. */
    @Override
    public UpstreamHealth probe() {
        try {
            prefetch();
        } catch (UpstreamUnavailableException e) {
            LOG.debug("JWKS {} probe failed: {}", uri, e.getMessage());
        }
        return health();
    }

    /** Stops the HTTP client this source built (on Java 21 and later; see {@link HttpFetcher#shutdown}); a client the application gave stays open. */
    @Override
    public void close() {
        if (ownedClient != null) {
            HttpFetcher.shutdown(ownedClient);
        }
    }

    @Override
    public String toString() {
        return "JwksKeySource[" + uri + "]";
    }

    /**
     * The set to verify with: the one last read from the cache while it is not due a refresh (until then the cache
     * would answer that very set; reading it there costs more than the rest of a key lookup), else the cache's.
     */
    private KeySet current() {
        KeySet set = latest;
        if (set != null && !set.isDue(ticker.read())) {
            return set;
        }
        return cached();
    }

    /** The cache's set, which loads, refreshes and expires it. */
    private KeySet cached() {
        KeySet set = await(cache.get(CACHE_KEY));
        latest = set;
        return set;
    }

    private KeySet await(CompletableFuture<KeySet> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            // Caffeine drops a failed load in a callback that may run after this caller wakes up (its callbacks run
            // last-registered first), so a caller that retries at once could be handed the same failure again. The
            // caller that sees the failure drops it first; a newer set another caller loaded is left alone.
            cache.asMap().remove(CACHE_KEY, future);
            if (e.getCause() instanceof UpstreamUnavailableException u) {
                throw new UpstreamUnavailableException(u.getMessage(), uri, u);
            }
            throw new UpstreamUnavailableException("JWKS " + uri + " unavailable: " + e.getCause(), uri, e.getCause());
        }
    }

    /**
     * How long until this source fetches again while {@code failing} is the cached set: the earlier of its retry
     * (every {@code minCacheTtl} while failing) and the next refetch the {@code refetchInterval} allows for an
     * unknown key id.
     */
    private Duration nextAttemptIn(KeySet failing) {
        long now = ticker.read();
        long next = failing.nextFetch() - now;
        synchronized (refetchLock) {
            if (refetch.isDone()) {
                long refetchAllowed = refetchedOnce ? lastRefetchStarted + refetchInterval - now : 0;
                next = Math.min(next, refetchAllowed);
            } else {
                next = 0; // a refetch is under way
            }
        }
        return Duration.ofNanos(Math.max(0, next));
    }

    private Optional<CompletableFuture<KeySet>> refetchForUnknownKeyId(String keyId, KeySet old) {
        synchronized (refetchLock) {
            if (!refetch.isDone()) {
                return Optional.of(refetch);
            }
            long now = ticker.read();
            if (refetchedOnce && now - lastRefetchStarted < refetchInterval) {
                LOG.debug("Key id {} not in JWKS {}; refetch rate-limited", LogSafe.escape(keyId), uri);
                return Optional.empty();
            }
            LOG.debug("Key id {} not in JWKS {}; refetching", LogSafe.escape(keyId), uri);
            lastRefetchStarted = now;
            refetchedOnce = true;
            // Fetched here and put, not through Caffeine's refresh(): that would join a refreshAfterWrite reload
            // already in flight, which may decide no fetch is due.
            refetch = CompletableFuture.supplyAsync(() -> refetchNow(old), executor);
            return Optional.of(refetch);
        }
    }

    /** Fetches now, whatever the lifetime of {@code old}, and caches the result; a failure keeps {@code old}, failing. */
    private KeySet refetchNow(KeySet old) {
        KeySet next;
        try {
            next = fetch();
        } catch (HttpFetcher.FetchException e) {
            recordFailure(e, true);
            next = old.failing(ticker.read(), minTtl);
        }
        cache.synchronous().put(CACHE_KEY, next);
        latest = next;
        return next;
    }

    /** One fetch of the JWKS, reported to the observer. */
    private KeySet fetch() throws HttpFetcher.FetchException {
        Observation observation = observer.calling(GateObserver.Upstream.JWKS, uri.toString());
        try {
            KeySet set = fetchNow();
            observation.end(Observation.Result.OK);
            return set;
        } catch (HttpFetcher.FetchException | RuntimeException e) {
            observation.end(Observation.Result.ERROR);
            throw e;
        }
    }

    private KeySet fetchNow() throws HttpFetcher.FetchException {
        lastAttemptAt = ticker.read();
        attempted = true;
        HttpFetcher.Response response = fetcher.get(uri);
        if (response.status() != 200) {
            throw new HttpFetcher.FetchException("GET " + uri + " failed: HTTP " + response.status()
                    + HttpFetcher.redirectHint(response.status()));
        }
        List<VerificationKey> keys;
        try {
            keys = JwkSetParser.parse(response.body(), uri.toString());
        } catch (JwkSetParser.JwksFormatException e) {
            throw new HttpFetcher.FetchException("GET " + uri + " failed: response is " + e.getMessage(), e);
        }
        long lifetime = lifetime(response.headers().allValues("Cache-Control"));
        if (failing.compareAndSet(true, false)) {
            LOG.info("JWKS {} is answering again ({} keys)", uri, keys.size());
        }
        LOG.debug("Fetched JWKS {}: {} usable keys, fresh for {} s", uri, keys.size(), lifetime / 1_000_000_000L);
        long now = ticker.read();
        lastSuccessAt = now;
        succeeded = true;
        return KeySet.fetched(keys, now, lifetime);
    }

    /** The freshness lifetime from {@code Cache-Control}, in nanoseconds, bounded. */
    long lifetime(List<String> cacheControl) {
        long maxAge = -1;
        for (String header : cacheControl) {
            for (String directive : header.split(",")) {
                String d = directive.trim().toLowerCase(Locale.ROOT);
                if (d.equals("no-store") || d.equals("no-cache")) {
                    return minTtl;
                }
                if (d.startsWith("max-age=")) {
                    String value = d.substring("max-age=".length()).replace("\"", "").trim();
                    try {
                        maxAge = Math.max(0, Long.parseLong(value));
                    } catch (NumberFormatException e) {
                        LOG.debug("Ignoring malformed Cache-Control max-age '{}' from {}", value, uri);
                    }
                }
            }
        }
        if (maxAge < 0) {
            return defaultTtl;
        }
        long nanos = maxAge > Long.MAX_VALUE / 1_000_000_000L / 4 ? maxTtl : maxAge * 1_000_000_000L;
        return Math.min(maxTtl, Math.max(minTtl, nanos));
    }

    private void recordFailure(HttpFetcher.FetchException e, boolean servingStale) {
        lastFailure = e.getMessage();
        String consequence = servingStale
                ? "serving the cached keys for up to " + Duration.ofNanos(staleWindow) + " from the first failure"
                : "no keys cached, tokens cannot be verified";
        if (failing.compareAndSet(false, true)) {
            LOG.warn("JWKS fetch failed, {}: {}", consequence, e.getMessage());
        } else {
            LOG.debug("JWKS fetch failed again, {}: {}", consequence, e.getMessage());
        }
    }

    /** Caffeine loads and refreshes through this; a failed refresh keeps the old keys, marked as failing. */
    private final class Loader implements CacheLoader<String, KeySet> {
        @Override
        public KeySet load(String key) {
            try {
                return fetch();
            } catch (HttpFetcher.FetchException e) {
                recordFailure(e, false);
                throw new UpstreamUnavailableException("JWKS " + uri + " unavailable and no keys cached: "
                        + e.getMessage(), uri, e);
            }
        }

        @Override
        public KeySet reload(String key, KeySet old) {
            long now = ticker.read();
            if (!old.isDue(now)) {
                // The expiry deadline is unchanged; Caffeine checks again after refreshCheck.
                return old.unchanged();
            }
            try {
                return fetch();
            } catch (HttpFetcher.FetchException e) {
                // Handled here rather than thrown: Caffeine would log every attempt and retry on every call.
                recordFailure(e, true);
                return old.failing(now, minTtl);
            }
        }
    }

    /** A set is dropped {@code staleWindow} after it stopped being fresh, or after its endpoint started failing. */
    private final class StaleWindowExpiry implements Expiry<String, KeySet> {
        @Override
        public long expireAfterCreate(String key, KeySet set, long currentTime) {
            return remaining(set, currentTime);
        }

        @Override
        public long expireAfterUpdate(String key, KeySet set, long currentTime, long currentDuration) {
            return remaining(set, currentTime);
        }

        @Override
        public long expireAfterRead(String key, KeySet set, long currentTime, long currentDuration) {
            return currentDuration;
        }

        private long remaining(KeySet set, long now) {
            long deadline = set.failingSince().isPresent()
                    ? set.failingSince().getAsLong() + staleWindow
                    : set.fetchedAt() + set.lifetime() + staleWindow;
            return Math.max(0, deadline - now);
        }
    }

    /**
     * Builds a {@link JwksKeySource}; every setter rejects a bad value at once with a
     * {@link ConfigurationException} naming the setting, and {@link #build()} checks the combinations.
     */
    public static final class Builder {
        private final URI uri;
        private HttpClient httpClient;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private boolean followRedirects;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
        private Duration defaultCacheTtl = Duration.ofMinutes(5);
        private Duration minCacheTtl = Duration.ofMinutes(1);
        private Duration maxCacheTtl = Duration.ofHours(24);
        private Duration refetchInterval = DEFAULT_REFETCH_INTERVAL;
        private Duration staleWindow = DEFAULT_STALE_WINDOW;
        private Ticker ticker = Ticker.systemTicker();
        private Executor executor = ForkJoinPool.commonPool();
        private GateObserver observer = GateObserver.none();

        private Builder(URI uri) {
            this.uri = requireHttpUri("jwksUri", uri);
        }

        /**
         * Reads {@code tokengate.jwks.connect-timeout}, {@code read-timeout}, {@code refetch-interval} and
         * {@code stale-window}; a key that is not set leaves this builder's value. A refused value fails with a
         * {@link ConfigurationException} naming the key and the layer it came from.
         *
         * @param source the gate's configuration; not null
         * @return this builder
         */
        public Builder config(ConfigSource source) {
            source.read(ConfigKeys.JWKS_CONNECT_TIMEOUT, ConfigSource::duration, this::connectTimeout);
            source.read(ConfigKeys.JWKS_READ_TIMEOUT, ConfigSource::duration, this::readTimeout);
            source.read(ConfigKeys.JWKS_REFETCH_INTERVAL, ConfigSource::duration, this::refetchInterval);
            source.read(ConfigKeys.JWKS_STALE_WINDOW, ConfigSource::duration, this::staleWindow);
            return this;
        }

        /**
         * The HTTP client to fetch with; default a JDK client with {@code connectTimeout} that follows no redirect
         * (see {@link #followRedirects(boolean)}).
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
         * Whether the default client follows redirects (never from https to http); default {@code false}: a 3xx
         * answer is a failed fetch, so configure the final URI.
         *
         * @param followRedirects {@code true} to follow redirects
         * @return this builder
         */
        public Builder followRedirects(boolean followRedirects) {
            this.followRedirects = followRedirects;
            return this;
        }

        /**
         * How long one fetch may take, from request to last byte of the body; default 5 s.
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
         * The largest JWKS body accepted; a larger one is a failed fetch, never read past the limit. Default 512 KiB.
         *
         * @param maxResponseBytes positive, in bytes
         * @return this builder
         * @throws ConfigurationException naming {@code maxResponseBytes} for zero or less
         */
        public Builder maxResponseBytes(long maxResponseBytes) {
            this.maxResponseBytes = Settings.positive("maxResponseBytes", maxResponseBytes);
            if (maxResponseBytes > Integer.MAX_VALUE - 8) {
                throw new ConfigurationException("maxResponseBytes", "must be below 2 GiB, was " + maxResponseBytes);
            }
            return this;
        }

        /**
         * How long a set is fresh when the response has no {@code Cache-Control: max-age}; default 5 min.
         *
         * @param defaultCacheTtl positive, between the minimum and the maximum lifetime
         * @return this builder
         * @throws ConfigurationException naming {@code defaultCacheTtl} for zero or less
         */
        public Builder defaultCacheTtl(Duration defaultCacheTtl) {
            this.defaultCacheTtl = Settings.positive("defaultCacheTtl", defaultCacheTtl);
            return this;
        }

        /**
         * The shortest freshness lifetime, whatever {@code Cache-Control} says, and the wait before a failing
         * endpoint is retried in the background; default 1 min.
         *
         * @param minCacheTtl positive, at most the maximum lifetime
         * @return this builder
         * @throws ConfigurationException naming {@code minCacheTtl} for zero or less
         */
        public Builder minCacheTtl(Duration minCacheTtl) {
            this.minCacheTtl = Settings.positive("minCacheTtl", minCacheTtl);
            return this;
        }

        /**
         * The longest freshness lifetime, whatever {@code Cache-Control} says; default 24 h.
         *
         * @param maxCacheTtl positive
         * @return this builder
         * @throws ConfigurationException naming {@code maxCacheTtl} for zero or less
         */
        public Builder maxCacheTtl(Duration maxCacheTtl) {
            this.maxCacheTtl = Settings.positive("maxCacheTtl", maxCacheTtl);
            return this;
        }

        /**
         * The least time between two fetches caused by an unknown key id; default 30 s.
         *
         * @param refetchInterval zero or more
         * @return this builder
         * @throws ConfigurationException naming {@code refetchInterval} for a negative interval
         */
        public Builder refetchInterval(Duration refetchInterval) {
            this.refetchInterval = Settings.notNegative("refetchInterval", refetchInterval);
            return this;
        }

        /**
         * How long known keys keep being served after the endpoint starts failing; default 24 h.
         *
         * @param staleWindow zero or more
         * @return this builder
         * @throws ConfigurationException naming {@code staleWindow} for a negative window
         */
        public Builder staleWindow(Duration staleWindow) {
            this.staleWindow = Settings.notNegative("staleWindow", staleWindow);
            return this;
        }

        /**
         * The time source of the cache and rate limit; for tests. Default {@link Ticker#systemTicker()}.
         *
         * @param ticker the time source; not null
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Settings.required("ticker", ticker);
            return this;
        }

        /**
         * Where background refreshes run; default {@link ForkJoinPool#commonPool()}. Tests pass
         * {@code Runnable::run} to refresh synchronously.
         *
         * @param executor runs background refreshes; not null
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Settings.required("executor", executor);
            return this;
        }

        /**
         * Reports each fetch to this observer ({@code tokengate.jwks.fetch}); default {@link GateObserver#none()}. A
         * gate sets its own on the key sources it builds from keys; give a source built in code the gate's observer.
         *
         * @param observer the observer
         * @return this builder
         */
        public Builder observer(GateObserver observer) {
            this.observer = Settings.required("observer", observer);
            return this;
        }

        /**
         * Checks the combination and builds the source; nothing is fetched yet.
         *
         * @return the source
         * @throws ConfigurationException when the minimum lifetime exceeds the maximum, or the default lies outside
         *                                them
         */
        public JwksKeySource build() {
            if (minCacheTtl.compareTo(maxCacheTtl) > 0) {
                throw new ConfigurationException("minCacheTtl",
                        "must not exceed maxCacheTtl (" + minCacheTtl + " > " + maxCacheTtl + ")");
            }
            if (defaultCacheTtl.compareTo(minCacheTtl) < 0 || defaultCacheTtl.compareTo(maxCacheTtl) > 0) {
                throw new ConfigurationException("defaultCacheTtl", "must lie between minCacheTtl and maxCacheTtl ("
                        + minCacheTtl + " .. " + maxCacheTtl + "), was " + defaultCacheTtl);
            }
            return new JwksKeySource(this);
        }
    }

    static URI requireHttpUri(String setting, URI uri) {
        Settings.required(setting, uri);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
            throw new ConfigurationException(setting, "must be an absolute http(s) URI, was '" + uri + "'");
        }
        return uri;
    }
}
