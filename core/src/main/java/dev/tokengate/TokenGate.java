package dev.tokengate;

import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.control.AnomalyListener;
import dev.tokengate.control.AnomalyRules;
import dev.tokengate.control.RateLimitUsage;
import dev.tokengate.control.RateLimits;
import dev.tokengate.control.Revocation;
import dev.tokengate.control.RevocationStore;
import dev.tokengate.control.Revocations;
import dev.tokengate.control.SharedControl;
import dev.tokengate.control.SharedControlProvider;
import dev.tokengate.control.Rotations;
import dev.tokengate.extract.BearerTokenExtractor;
import dev.tokengate.extract.Extraction;
import dev.tokengate.extract.TokenExtractor;
import dev.tokengate.health.HealthReport;
import dev.tokengate.health.StartupCheck;
import dev.tokengate.internal.Json;
import dev.tokengate.internal.Settings;
import dev.tokengate.internal.TraceParent;
import dev.tokengate.internal.WarningEpisode;
import dev.tokengate.introspection.IntrospectionValidator;
import dev.tokengate.jwt.DpopVerifier;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.jwt.ReplayCache;
import dev.tokengate.log.CallEvent;
import dev.tokengate.log.CallLogSink;
import dev.tokengate.log.Fingerprints;
import dev.tokengate.log.Loggers;
import dev.tokengate.log.Slf4jCallLogSink;
import dev.tokengate.observe.GateObserver;
import dev.tokengate.observe.GateObserverProvider;
import dev.tokengate.policy.AddressRanges;
import dev.tokengate.policy.PolicyDecision;
import dev.tokengate.policy.RequestFacts;
import dev.tokengate.policy.TokenPolicies;
import dev.tokengate.policy.TokenPolicy;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.TokenStore;
import dev.tokengate.validate.ValidatorStack;
import com.github.benmanes.caffeine.cache.Ticker;
import org.slf4j.Logger;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One protection pipeline: extract → validate → check policy → authorize → call log. Every adapter owns one instance, built
 * from {@code tokengate.*} keys ({@link #create(ConfigSource)}) or in code ({@link #builder()}), and runs each
 * request through a {@link Call}. The gate builds the validators it is given as builders or keys, and
 * {@link #close()} releases them.
 *
 * <pre>{@code
 * TokenGate gate = TokenGate.create(ConfigSource.of(initParams));
 * TokenGate.Call call = gate.begin(requestView);
 * int status = 200;
 * try {
 *     Outcome outcome = call.authorize(Requirement.allOf("read"));
 *     if (outcome instanceof Outcome.Rejected r) {
 *         ErrorResponse response = call.errorResponse(r.error());
 *         status = response.status();
 *         write(response);
 *     } else {
 *         status = proceed();
 *     }
 * } finally {
 *     call.finish(status);
 * }
 * }</pre>
 *
 * <p>The policy step is a chain of {@link TokenPolicy} steps: the built-in ones ({@link TokenPolicies}: proof of
 * possession for a key-bound token, a token's allowed addresses, the API key of routes that require one), token
 * control ({@link #revocations()}, the anomaly rules, the rate limits), then those added with {@link Builder#policy}. In
 * {@link Mode#REPORT_ONLY report-only} mode ({@value ConfigKeys#MODE}{@code =report-only}) every decision is
 * computed and logged but none is enforced: see {@link Mode}.
 *
 * <p>Thread-safe; a {@link Call} belongs to one request thread.
 */
public final class TokenGate implements AutoCloseable {

    /** MDC key of the request id, set from {@link #begin} to {@link Call#finish}. */
    public static final String MDC_REQUEST_ID = "tokengate.request_id";
    /**
     * MDC key of the W3C trace id of the request's {@code traceparent} header, set from {@link #begin} to
     * {@link Call#finish} when the header is well-formed.
     */
    public static final String MDC_TRACE_ID = "tokengate.trace_id";
    /**
     * The header that carries the request id: read from the request (a value of 1 to 64 letters, digits and
     * {@code . _ : -} is kept, anything else replaced by a new id) and sent back on every response of the call, the
     * allowed and the refused, by each adapter.
     */
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    /** MDC key of the authenticated subject (or client id). */
    public static final String MDC_SUBJECT = "tokengate.subject";
    /** MDC key of the authenticated client id. */
    public static final String MDC_CLIENT_ID = "tokengate.client_id";
    /**
     * The request attribute (or JAX-RS property) under which an adapter leaves the request's {@link Call}, so that a
     * second adapter in the same application (JAX-RS behind the servlet filter) joins it instead of validating and
     * logging the request again.
     */
    public static final String CALL_ATTRIBUTE = "dev.tokengate.TokenGate.Call";

    private static final Logger LOG = Loggers.logger(TokenGate.class);
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:\\-]{1,64}");
    /** 9 random bytes make 12 characters; {@code withoutPadding()} makes a new encoder on every call, so one is kept. */
    private static final java.util.Base64.Encoder REQUEST_ID_ENCODER = java.util.Base64.getUrlEncoder().withoutPadding();
    /** Whether the revocation list is kept in the token database when there is one ({@value ConfigKeys#REVOCATIONS_STORE}). */
    static final boolean DEFAULT_REVOCATIONS_IN_DATABASE = true;
    /** Whether a gate built from keys records metrics and spans when their libraries are there ({@value ConfigKeys#METRICS}, {@value ConfigKeys#TRACING}). */
    static final boolean DEFAULT_AUTO_OBSERVING = true;

    /** What the gate checks at start-up unless told ({@value ConfigKeys#STARTUP_CHECK}): nothing. */
    static final StartupCheck DEFAULT_STARTUP_CHECK = StartupCheck.OFF;

    /** The mark of a request whose token lacked the route's scopes. */
    static final String SCOPE_MARK = "scope";
    /** The mark of a request whose token lacked the route's authentication context or freshness (RFC 9470). */
    static final String STEP_UP_MARK = "step_up";

    private final TokenGateConfig config;
    private final TokenExtractor extractor;
    private final ValidatorStack stack;
    private final TokenValidator validator;
    private final List<TokenPolicy> policies;
    private final Mode mode;
    private final CallLogSink sink;
    private final Clock clock;
    private final List<AutoCloseable> resources;
    private final Revocations revocations;
    private final RateLimitUsage rateLimitUsage;
    /** The token-control state shared with the other nodes (tokengate-redis), or {@code null}. */
    private final SharedControl shared;
    /** Tokens that could not be checked (an upstream down): one WARN per episode, then a summary per minute. */
    private final WarningEpisode upstreamFailures;
    /** Metrics and tracing: told of each decision, validation and upstream call. */
    private final GateObserver observer;
    /** What the gate reaches out to, for {@link #health()}. */
    private final Upstreams upstreams;
    /** DPoP (RFC 9449): the mode, the proofs' algorithms and the replay cache. */
    private final DpopVerifier dpop;
    /** The header a trusted proxy forwards the mutual-TLS client certificate in, or {@code null}. */
    private final String certificateHeader;
    /** The RFC 9728 metadata the adapters serve and every 401 points to. */
    private final ResourceMetadata resourceMetadata;

    private TokenGate(Builder b) {
        this.config = b.config;
        this.clock = b.clock;
        this.upstreamFailures = new WarningEpisode(LOG, "tokengate cannot check tokens (answering 503)", clock,
                WarningEpisode.SUMMARY_INTERVAL);
        this.certificateHeader = b.certificateHeader;
        if (certificateHeader != null) {
            LOG.warn("{}={}: a client certificate forwarded by a trusted proxy in this header is taken as the TLS "
                    + "client certificate of certificate-bound tokens; make sure those proxies overwrite it",
                    ConfigKeys.MTLS_CERTIFICATE_HEADER, certificateHeader);
            if (config.trustedProxies().isEmpty()) {
                LOG.warn("{} is set but {} is not: the header is never read", ConfigKeys.MTLS_CERTIFICATE_HEADER,
                        ConfigKeys.TRUSTED_PROXIES);
            }
        }
        this.observer = observer(b);
        Validators.Built built = b.validators.build(clock, b.ticker, b.validator != null, observer);
        this.stack = built.stack();
        this.resources = built.resources();
        this.validator = b.validator != null ? ValidatorStack.observed(b.validator, observer) : stack.tokens();
        if (observer != GateObserver.none()) {
            for (JwtValidator issuer : built.issuers()) {
                issuer.keySource().ifPresent(keys -> observer.keySet(issuer.issuer(), keys::age));
            }
        }
        SharedControl opened = b.sharedControl != null ? b.sharedControl
                : b.sharedSource != null ? sharedControl(b.sharedSource, clock) : null;
        this.shared = opened;
        try {
            // the proofs' replay cache is shared when the shared control offers one
            Optional<ReplayCache> sharedReplays = Optional.ofNullable(shared).flatMap(SharedControl::replayCache);
            sharedReplays.ifPresent(cache -> b.dpop.sharedReplayCache(cache, shared.failClosed()));
            this.dpop = b.dpop.clock(clock).build();
            if (dpop.mode() != DpopVerifier.Mode.OFF && dpop.proofLifetime().compareTo(DpopVerifier.DEFAULT_PROOF_LIFETIME) > 0) {
                LOG.warn("{}={}: DPoP proofs are accepted up to that age (default {}); a proof captured before its use "
                        + "stays usable that long{}", ConfigKeys.DPOP_PROOF_LIFETIME, dpop.proofLifetime(),
                        DpopVerifier.DEFAULT_PROOF_LIFETIME, sharedReplays.isPresent() ? ""
                                : ", and a used one can be replayed to another node (the nodes share no replay cache)");
            }
            if (dpop.nodeLocalNonces()) {
                LOG.warn("{}=required without {}: DPoP nonces are made with a random secret of this node, so a client "
                        + "whose next request reaches another node is asked for a new nonce (401 use_dpop_nonce); set the "
                        + "same secret on every node", ConfigKeys.DPOP_NONCE, ConfigKeys.DPOP_NONCE_SECRET);
            }
            BearerTokenExtractor rfc6750 = BearerTokenExtractor.create(config.allowFormBody(),
                    config.allowQueryParameter(), config.tokenCookie(), config.tokenHeader());
            this.extractor = b.extractor != null ? b.extractor
                    : dpop.mode() == DpopVerifier.Mode.OFF ? rfc6750 : rfc6750.withDpop();
            Optional<RevocationStore> revocationStore = Optional.ofNullable(shared).map(SharedControl::revocationStore)
                    .or(() -> Optional.ofNullable(b.revocationStore))
                    .or(() -> b.revocationsInDatabase ? built.revocationStore() : Optional.empty());
            this.revocations = revocationStore.map(store -> Revocations.stored(clock, store))
                    .orElseGet(() -> Revocations.inMemory(clock));
            revocations.onRevoke(this::evict);
            List<TokenPolicy> chain = new ArrayList<>();
            chain.add(TokenPolicies.proofOfPossession(dpop));
            chain.add(TokenPolicies.allowedAddresses(b.addressRanges));
            chain.add(TokenPolicies.apiKey(config.apiKeyHeader(), stack.apiKeys(), b.addressRanges));
            chain.add(revocations.policy());
            chain.add(Rotations.policy()); // marks calls with a rotated token in its grace period
            AnomalyRules anomalyRules = b.anomalies.build();
            List<AnomalyListener> anomalyListeners = new ArrayList<>(b.anomalyListeners);
            if (observer != GateObserver.none()) {
                anomalyListeners.add(anomaly -> observer.anomaly(anomaly.rule().value()));
            }
            (shared == null ? anomalyRules.policy(revocations, anomalyListeners, b.mode == Mode.ENFORCE)
                    : anomalyRules.policy(revocations, anomalyListeners, b.mode == Mode.ENFORCE, clock, shared))
                    .ifPresent(chain::add);
            TokenPolicy rateLimitPolicy = shared == null ? b.rateLimits.policy(clock) : b.rateLimits.policy(clock, shared);
            chain.add(rateLimitPolicy);
            this.rateLimitUsage = rateLimitPolicy instanceof RateLimitUsage usage ? usage : token -> Optional.empty();
            chain.addAll(b.policies);
            this.policies = List.copyOf(chain);
            this.mode = b.mode;
            this.sink = CallLogLimiter.wrap(b.sink, config.logOpenRoutes(), config.denialsPerAddress(),
                    config.denialWindow(), clock);
            // DPoP: dpop_signing_alg_values_supported lists the proof algorithms when proofs are verified (DPoP on)
            this.resourceMetadata = new ResourceMetadata(config, built.issuers().stream().map(JwtValidator::issuer).toList(),
                    dpop.mode() == DpopVerifier.Mode.OFF ? List.of() : dpop.algorithms(),
                    dpop.mode() == DpopVerifier.Mode.REQUIRED);
            warnAboutLooserSettings(config, built.issuers());
            resourceMetadata.warnIfInsecure(LOG);
            if (mode == Mode.REPORT_ONLY) {
                LOG.warn("{}=report-only: tokengate enforces nothing; every request reaches the application and each "
                        + "refusal is only logged (decision would_deny). Use it to roll the gate out, then switch to enforce",
                        ConfigKeys.MODE);
            }
            this.upstreams = Upstreams.of(built, shared, clock);
        } catch (RuntimeException | Error e) {
            // a refused setting after the shared store was connected: no connection or pool outlives the failed start
            closeAfterFailedStart(opened, built.resources(), e);
            throw e;
        }
        if (b.startupCheck != StartupCheck.OFF) {
            try {
                b.startupCheck.apply(checkUpstreams());
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
    }

    /** Closes what a start that failed had opened; a failure to close is added to the start's failure. */
    private static void closeAfterFailedStart(SharedControl shared, List<AutoCloseable> resources, Throwable failure) {
        try {
            if (shared != null) {
                shared.close();
            }
        } catch (Exception | Error e) {
            failure.addSuppressed(e);
        }
        try {
            Validators.close(resources);
        } catch (RuntimeException | Error e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * The pipeline the {@code tokengate.*} keys of {@code source} describe, with the default call log: what an
     * adapter configured by init-params, properties and environment builds.
     *
     * @param source the layered {@code tokengate.*} keys (init-params, system properties, environment); not null
     * @return a running gate that owns its caches, refreshers and pools; close it when the application stops
     * @throws ConfigurationException naming the key (and the layer it came from) of an unknown key, a malformed
     *                                value or a refused combination
     */
    public static TokenGate create(ConfigSource source) {
        return builder().config(source).build();
    }

    /**
     * A builder with nothing configured: give it a way to check tokens (an {@link Builder#issuer issuer},
     * {@link Builder#introspection introspection}, a {@link Builder#tokenStore token store}, a custom
     * {@link Builder#validator validator}, or {@link Builder#config keys} that describe them), and
     * optionally policies, another extractor, call-log sink or clock.
     *
     * @return a new, empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The request-facing settings: realm, where tokens may be sent, trusted proxies, API-key header.
     *
     * @return the settings in force, never null
     */
    public TokenGateConfig config() {
        return config;
    }

    /**
     * Whether this gate enforces its decisions or only reports them.
     *
     * @return {@link Mode#ENFORCE} (the default) or {@link Mode#REPORT_ONLY}
     */
    public Mode mode() {
        return mode;
    }

    /**
     * The API's OAuth 2.0 protected-resource metadata (RFC 9728), which each adapter serves at its well-known URL.
     *
     * @return the metadata, never null
     */
    public ResourceMetadata resourceMetadata() {
        return resourceMetadata;
    }

    /**
     * The revocation list: revoke any token (by its text or hash, its {@code jti} or stored id), a subject, a client
     * or an API key, with a reason. A revoked token is refused from the next request on, whatever the caches
     * hold; the list is kept in the token database when one is configured, in memory otherwise.
     *
     * @return this gate's revocation list, never null
     */
    public Revocations revocations() {
        return revocations;
    }

    /**
     * A read-only view of the per-token rate limit's buckets: how many calls a token has made in its current window
     * against the limit, for a console's headroom gauge. Reading creates no bucket and takes nothing from one.
     *
     * @return this gate's view, never null; it answers empty when tokens are not limited
     */
    public RateLimitUsage rateLimitUsage() {
        return rateLimitUsage;
    }

    /**
     * The health of every upstream this gate depends on: each issuer's JWKS or discovery, the introspection endpoint,
     * the token database, the shared state (Redis). Read from the state each one keeps: never waits on an identity
     * provider (a key set due a refresh is refreshed in the background, as a request would); the database and Redis
     * answer one bounded call each ({@code isValid}, {@code PING}). For a readiness endpoint: {@link HealthReport#ready()}
     * is false while a required upstream is down, and {@link HealthReport#toJson()} says which and why.
     *
     * @return the report, stamped with the gate's clock
     */
    public HealthReport health() {
        return upstreams.health();
    }

    /**
     * Contacts every upstream now, each within its own timeouts: fetches each issuer's discovery document and keys
     * (unless cached), asks the introspection endpoint about a made-up token, opens a database connection, pings
     * Redis. What {@value ConfigKeys#STARTUP_CHECK} runs when the gate is built; an application whose issuer only
     * starts with it can run it later and {@link StartupCheck#apply apply} its mode.
     *
     * @return the report after the attempts
     */
    public HealthReport checkUpstreams() {
        return upstreams.probe();
    }

    /** A revocation evicts the tokens it names from the verified-token and store caches. */
    private void evict(Revocation r) {
        switch (r.target()) {
            case TOKEN -> stack.evict(java.util.HexFormat.of().parseHex(r.value()));
            case TOKEN_ID, API_KEY -> stack.evictIf(t -> t.tokenId().filter(r.value()::equals).isPresent());
            case SUBJECT -> stack.evictIf(t -> t.subject().filter(r.value()::equals).isPresent());
            case CLIENT -> stack.evictIf(t -> t.clientId().filter(r.value()::equals).isPresent());
        }
    }

    /**
     * Checks, when an adapter binds its routes, that this gate can enforce a route's DPoP mode
     * ({@link Requirement#dpop()}): a route may not say {@code + dpop allowed} or {@code + dpop required} when
     * {@value ConfigKeys#DPOP} is {@code off} (no proof could be verified). A route that loosens a gate-wide
     * {@code required} ({@code + dpop allowed}, {@code + dpop off}) is accepted and logged WARN.
     *
     * @param requirement the route's requirement, named with {@link Requirement#forRoute} for the messages; not null
     * @return why the gate cannot enforce it, for the adapter's start-up error; empty when it can
     */
    public Optional<String> checkRoute(Requirement requirement) {
        Optional<DpopVerifier.Mode> route = requirement.dpop();
        if (route.isEmpty() || route.get() == dpop.mode()) {
            return Optional.empty();
        }
        String name = requirement.route().orElse("'" + requirement + "'");
        if (dpop.mode() == DpopVerifier.Mode.OFF) {
            return Optional.of(name + " requires '+ dpop " + route.get().value() + "', but " + ConfigKeys.DPOP
                    + "=off: set " + ConfigKeys.DPOP + " to allowed (routes then choose) or required, or drop the "
                    + "route's dpop suffix");
        }
        if (dpop.mode() == DpopVerifier.Mode.REQUIRED) {
            LOG.warn("{} says '+ dpop {}' although {}=required: it accepts tokens without a proof of possession",
                    name, route.get().value(), ConfigKeys.DPOP);
        }
        return Optional.empty();
    }

    /**
     * Whether routes may require an API key: a token store is configured to look keys up in.
     *
     * @return {@code true} when a token store is configured, {@code false} when an API-key route can never be
     *         satisfied
     */
    public boolean supportsApiKeys() {
        return stack.apiKeys().isPresent();
    }

    /**
     * Releases what the pipeline holds: what the gate built (the token store read from keys, with its flush
     * thread, and any validator or key source that holds resources) and the token store it was given.
     */
    @Override
    public void close() {
        if (sink instanceof CallLogLimiter limiter) {
            limiter.flush(); // what was left out of the call log is summarised, not lost
        }
        revocations.close();
        if (shared != null) {
            shared.close();
        }
        Validators.close(resources);
    }

    /**
     * The shared state {@value ConfigKeys#REDIS_URI} names, made by the provider on the class path (that of tokengate,
     * else the thread's context class loader: a web application's).
     *
     * @throws ConfigurationException naming the key, with the module to add, when no provider is on the class path
     */
    static SharedControl sharedControl(ConfigSource source, Clock clock) {
        for (ClassLoader loader : new ClassLoader[]{TokenGate.class.getClassLoader(),
                Thread.currentThread().getContextClassLoader()}) {
            if (loader == null) {
                continue;
            }
            java.util.Iterator<SharedControlProvider> found =
                    java.util.ServiceLoader.load(SharedControlProvider.class, loader).iterator();
            if (found.hasNext()) {
                return found.next().create(source, clock);
            }
        }
        throw new ConfigurationException(ConfigKeys.REDIS_URI, "is set, but no module that shares token control "
                + "through Redis is on the class path; add the dependency dev.tokengate:tokengate-redis (or unset "
                + ConfigKeys.REDIS_URI + ")");
    }

    /**
     * The gate's observer: those given in code, then (for a gate built from keys) the metrics observer that
     * {@code tokengate-micrometer} provides ({@value ConfigKeys#METRICS}{@code =auto}) and OpenTelemetry spans when
     * the API is on the class path ({@value ConfigKeys#TRACING}{@code =auto}).
     */
    private static GateObserver observer(Builder b) {
        List<GateObserver> all = new ArrayList<>(b.observers);
        if (b.autoMetrics) {
            metricsObserver().ifPresentOrElse(all::add, () -> LOG.debug("{}=auto: no metrics module on the class path "
                    + "(add dev.tokengate:tokengate-micrometer to record meters)", ConfigKeys.METRICS));
        }
        if (b.autoTracing && Tracing.available()) {
            all.add(Tracing.observer());
        }
        return GateObserver.of(all);
    }

    /** The observer of the metrics module on the class path (that of tokengate, else the context class loader's). */
    private static Optional<GateObserver> metricsObserver() {
        for (ClassLoader loader : new ClassLoader[]{TokenGate.class.getClassLoader(),
                Thread.currentThread().getContextClassLoader()}) {
            if (loader == null) {
                continue;
            }
            java.util.Iterator<GateObserverProvider> found =
                    java.util.ServiceLoader.load(GateObserverProvider.class, loader).iterator();
            if (found.hasNext()) {
                return Optional.of(found.next().create());
            }
        }
        return Optional.empty();
    }

    /**
     * Reads {@value ConfigKeys#METRICS} or {@value ConfigKeys#TRACING}: {@code auto} (true) or {@code off} (false),
     * any case.
     *
     * @throws ConfigurationException naming the key for any other value
     */
    static boolean autoObserving(String key, String value) {
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> true;
            case "off" -> false;
            default -> throw new ConfigurationException(key, "'" + value + "' is not a choice here; write auto or off");
        };
    }

    /**
     * Reads {@value ConfigKeys#REVOCATIONS_STORE}: {@code database} (true) or {@code memory} (false), any case.
     *
     * @throws ConfigurationException naming the key for any other value
     */
    static boolean revocationsInDatabase(String value) {
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "database" -> true;
            case "memory" -> false;
            default -> throw new ConfigurationException(ConfigKeys.REVOCATIONS_STORE, "'" + value
                    + "' is not where revocations can be kept; write database or memory");
        };
    }

    /**
     * Starts one request: assigns its id (from a sane {@value #REQUEST_ID_HEADER}, else a new one), reads its trace id
     * from a well-formed {@code traceparent}, puts both in the MDC and starts the clock.
     *
     * @param request the adapter's view of the request
     * @return the request's call, to decide and then {@linkplain Call#finish finish} it
     */
    public Call begin(RequestView request) {
        return new Call(request);
    }

    private String newRequestId(RequestView request) {
        for (String v : request.headers(REQUEST_ID_HEADER)) {
            if (REQUEST_ID.matcher(v).matches()) {
                return v;
            }
        }
        // A correlation id, not a secret: ThreadLocalRandom, because SecureRandom's default (NativePRNG) serialises
        // every request of the JVM on one lock and reads /dev/urandom, which showed in the end-to-end benchmark.
        byte[] b = new byte[9];
        ThreadLocalRandom.current().nextBytes(b);
        return REQUEST_ID_ENCODER.encodeToString(b);
    }

    private static void warnAboutLooserSettings(TokenGateConfig config, List<JwtValidator> issuers) {
        if (config.allowQueryParameter()) {
            LOG.warn("{}=true: tokens are accepted in the URL query, where proxies, servers and browsers log them "
                    + "(RFC 6750 §2.3 advises against it)", ConfigKeys.TOKEN_QUERY_PARAMETER);
        }
        for (JwtValidator issuer : issuers) {
            if (issuer.acceptsAnyAudience()) {
                LOG.warn("{}=true for issuer {}: tokens issued for any API of this issuer are accepted here",
                        ConfigKeys.JWT_ALLOW_ANY_AUDIENCE, issuer.issuer());
            }
            if (issuer.algorithms().stream().anyMatch(a -> a.startsWith("HS"))) {
                LOG.warn("issuer {} uses a shared HMAC secret ({}): anyone holding the secret can mint tokens",
                        issuer.issuer(), new TreeSet<>(issuer.algorithms()));
            }
        }
    }

    /**
     * Builds a {@link TokenGate}: its request-facing settings, the validators it builds (and closes), or a
     * validator of your own, the call-log sink and the clock. Every part can be given in code or read from
     * {@code tokengate.*} keys by {@link #config(ConfigSource)}; a later call replaces what an earlier one set.
     */
    public static final class Builder {
        private TokenGateConfig config = TokenGateConfig.defaults();
        private final Validators validators = new Validators();
        private TokenExtractor extractor;
        private TokenValidator validator;
        private CallLogSink sink = new Slf4jCallLogSink();
        private Clock clock = Clock.systemUTC();
        private final List<TokenPolicy> policies = new ArrayList<>();
        private Mode mode = Mode.ENFORCE;
        private RevocationStore revocationStore;
        private boolean revocationsInDatabase = DEFAULT_REVOCATIONS_IN_DATABASE;
        private AnomalyRules.Builder anomalies = AnomalyRules.builder();
        private DpopVerifier.Builder dpop = DpopVerifier.builder();
        private String certificateHeader;
        private final List<AnomalyListener> anomalyListeners = new ArrayList<>();
        private RateLimits rateLimits = RateLimits.none();
        private SharedControl sharedControl;
        private ConfigSource sharedSource;
        private AddressRanges addressRanges = AddressRanges.none();
        private final List<GateObserver> observers = new ArrayList<>();
        private boolean autoMetrics;
        private boolean autoTracing;
        private StartupCheck startupCheck = DEFAULT_STARTUP_CHECK;
        private Ticker ticker = Ticker.systemTicker();

        private Builder() {
        }

        /**
         * Reads every core {@code tokengate.*} key of the source: the mode ({@value ConfigKeys#MODE}), the
         * request-facing settings ({@link TokenGateConfig#from}) and the validators, each by its own builder's {@code config} method
         * ({@link JwtValidator.Builder#config}, the key sources', {@link IntrospectionValidator.Builder#config},
         * {@link JdbcTokenStore.Builder#config}). Nothing is built or started until {@link #build()}.
         *
         * @param source the layered {@code tokengate.*} keys; not null
         * @return this builder
         * @throws ConfigurationException for an unknown {@code tokengate.*} key (with a "did you mean" for a near
         *                                miss), a malformed value or a refused combination, naming the key and
         *                                the layer its value came from
         */
        public Builder config(ConfigSource source) {
            source.checkKeys();
            source.read(ConfigKeys.MODE, Mode::parse, this::mode);
            source.read(ConfigKeys.STARTUP_CHECK, StartupCheck::parse, this::startupCheck);
            this.config = TokenGateConfig.from(source);
            this.anomalies = AnomalyRules.config(source);
            source.read(ConfigKeys.REVOCATIONS_STORE, TokenGate::revocationsInDatabase,
                    b -> this.revocationsInDatabase = b);
            validators.config(source);
            this.rateLimits = RateLimits.config(source);
            this.dpop = DpopVerifier.builder().config(source);
            source.read(ConfigKeys.MTLS_CERTIFICATE_HEADER, this::mtlsCertificateHeader);
            this.addressRanges = AddressRanges.config(source);
            this.sharedSource = source.get(ConfigKeys.REDIS_URI).isPresent() ? source : null;
            this.autoMetrics = source.get(ConfigKeys.METRICS, v -> autoObserving(ConfigKeys.METRICS, v))
                    .orElse(DEFAULT_AUTO_OBSERVING);
            this.autoTracing = source.get(ConfigKeys.TRACING, v -> autoObserving(ConfigKeys.TRACING, v))
                    .orElse(DEFAULT_AUTO_OBSERVING);
            return this;
        }

        /**
         * The request-facing settings (realm, error URI, where tokens may be sent, trusted proxies, API-key header).
         *
         * @param config the settings, usually {@link TokenGateConfig#from}; not null
         * @return this builder
         */
        public Builder settings(TokenGateConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Adds a trusted JWT issuer: a validator builder with its issuer, audiences and key source (or HMAC
         * secret). The gate sets its clock and builds it; issuers must be distinct.
         *
         * @param issuer the issuer's validator builder, not yet built; not null
         * @return this builder
         */
        public Builder issuer(JwtValidator.Builder issuer) {
            validators.issuer(issuer);
            return this;
        }

        /**
         * The verified-token cache in front of JWT validation, as a Caffeine spec of its size, e.g.
         * {@code maximumSize=50000}; {@code maximumSize=0} turns it off. Default {@code maximumSize=10000}.
         *
         * @param spec a Caffeine specification string such as {@code maximumSize=50000}; not null
         * @return this builder
         */
        public Builder cacheSpec(String spec) {
            validators.cacheSpec(Objects.requireNonNull(spec, "cacheSpec"));
            return this;
        }

        /**
         * The longest life of a cached verified token, never beyond its {@code exp}; default 5 minutes.
         *
         * @param maxTtl the longest time a verified token stays cached; positive
         * @return this builder
         */
        public Builder cacheMaxTtl(Duration maxTtl) {
            validators.cacheMaxTtl(maxTtl);
            return this;
        }

        /**
         * Checks opaque tokens (and JWTs of {@link #introspectJwtsFrom listed issuers}) by RFC 7662 introspection.
         * The gate builds the validator and closes it.
         *
         * @param introspection the introspection validator's builder, not yet built; not null
         * @return this builder
         */
        public Builder introspection(IntrospectionValidator.Builder introspection) {
            validators.introspection(introspection);
            return this;
        }

        /**
         * JWTs from these issuers are introspected instead of checked locally (needs {@link #introspection}).
         *
         * @param issuers the {@code iss} values whose JWTs are introspected; not null, may be empty
         * @return this builder
         */
        public Builder introspectJwtsFrom(Collection<String> issuers) {
            validators.introspectJwtsFrom(issuers);
            return this;
        }

        /**
         * Accepts the access tokens ({@code tgat_…}) and API keys ({@code tgak_…}) this API issued itself, looked
         * up by hash in this store. Closing the {@link TokenGate} closes the store.
         *
         * @param store where issued tokens and API keys are looked up by hash; not null
         * @return this builder
         */
        public Builder tokenStore(TokenStore store) {
            validators.tokenStore(store);
            return this;
        }

        /**
         * Longest time a stored token is cached (the bound on how long a revoked token keeps working); default 30 s.
         *
         * @param ttl how long a looked-up stored token is cached; positive
         * @return this builder
         */
        public Builder storeCacheTtl(Duration ttl) {
            validators.storeCacheTtl(ttl);
            return this;
        }

        /**
         * Finds tokens with this instead of the RFC 6750 extractor the settings describe (their
         * {@code tokengate.token.*} settings then do not apply).
         *
         * @param extractor finds the token of each request; not null
         * @return this builder
         */
        public Builder extractor(TokenExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /**
         * Validates bearer tokens with this instead of the validators described; those are still built (a token
         * store still checks API keys), and none is then required.
         *
         * @param validator decides whether a bearer token is valid; not null
         * @return this builder
         */
        public Builder validator(TokenValidator validator) {
            this.validator = Objects.requireNonNull(validator, "validator");
            return this;
        }

        /**
         * Sends call-log events here instead of the {@code tokengate.calls} logger.
         *
         * @param sink receives one event per finished request; not null
         * @return this builder
         */
        public Builder callLogSink(CallLogSink sink) {
            this.sink = Objects.requireNonNull(sink, "callLogSink");
            return this;
        }

        /**
         * The clock of token expiry, caches, rate limits, revocations and the call log's timestamps; default the
         * system UTC clock. Tests pass a fixed or stepped clock instead of waiting.
         *
         * @param clock the time source; not null
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The time source of the key caches the gate builds from keys ({@value ConfigKeys#JWT_JWKS_URI}, discovery):
         * their lifetimes, refetch limit and stale window. Default {@link Ticker#systemTicker()}; for tests that let
         * a key set age without waiting.
         *
         * @param ticker the ticker
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * What the gate checks when it is built ({@value ConfigKeys#STARTUP_CHECK}): nothing (the default), or it
         * {@link TokenGate#checkUpstreams() contacts every upstream} and logs what fails, or refuses to build when a
         * required one fails. Read from {@value ConfigKeys#STARTUP_CHECK} by {@link #config}; a later call replaces
         * an earlier one.
         *
         * @param check the mode
         * @return this builder
         */
        public Builder startupCheck(StartupCheck check) {
            this.startupCheck = Objects.requireNonNull(check, "startupCheck");
            return this;
        }

        /**
         * DPoP (RFC 9449): whether the {@code DPoP} scheme is off, allowed (the default) or required, the algorithms
         * of proofs, their lifetime and the replay cache's bound; read from the {@value ConfigKeys#DPOP} keys by
         * {@link #config}. The gate sets the verifier's clock to its own.
         *
         * @param dpop the verifier's builder, not yet built; not null
         * @return this builder
         */
        public Builder dpop(DpopVerifier.Builder dpop) {
            this.dpop = Objects.requireNonNull(dpop, "dpop");
            return this;
        }

        /**
         * The header in which a trusted proxy that terminates mutual TLS forwards the client certificate (RFC 9440
         * {@code :base64-DER:} or a URL-encoded PEM), for certificate-bound tokens (RFC 8705); read only when the
         * peer is a trusted proxy. Read from {@value ConfigKeys#MTLS_CERTIFICATE_HEADER} by {@link #config}; logged
         * WARN at start-up.
         *
         * @param header the header's name
         * @return this builder
         * @throws ConfigurationException naming {@value ConfigKeys#MTLS_CERTIFICATE_HEADER} for a blank name or
         *                                {@code Authorization}
         */
        public Builder mtlsCertificateHeader(String header) {
            String h = dev.tokengate.internal.Settings.nonBlank(ConfigKeys.MTLS_CERTIFICATE_HEADER, header).strip();
            if (h.equalsIgnoreCase("Authorization") || h.equalsIgnoreCase("DPoP")) {
                throw new ConfigurationException(ConfigKeys.MTLS_CERTIFICATE_HEADER, "cannot be " + h
                        + ", which carries the token or its proof; name the proxy's certificate header, e.g. Client-Cert");
            }
            this.certificateHeader = h;
            return this;
        }

        /**
         * Adds a policy to the chain, after the built-in ones and those added before: it decides each request with
         * a valid token, before the route's scopes are compared (see {@link TokenPolicy}).
         *
         * @param policy the policy to add last; not null
         * @return this builder
         */
        public Builder policy(TokenPolicy policy) {
            this.policies.add(Objects.requireNonNull(policy, "policy"));
            return this;
        }

        /**
         * Keeps each client id and API key to the networks given here, whatever issued the token (JWTs from an
         * external issuer included), on top of the ranges a token carries itself; read from
         * {@value ConfigKeys#IP_RANGES_CLIENTS} and {@value ConfigKeys#IP_RANGES_API_KEYS} by {@link #config}.
         *
         * @param ranges the allowed networks per client id and per API key; not null
         * @return this builder
         */
        public Builder addressRanges(AddressRanges ranges) {
            this.addressRanges = Objects.requireNonNull(ranges, "addressRanges");
            return this;
        }

        /**
         * Keeps the revocation list in this store (the gate closes it); by default it is kept in the token database
         * when the gate has a {@link JdbcTokenStore}, in memory otherwise.
         *
         * @param store where revocations are kept; not null
         * @return this builder
         */
        public Builder revocationStore(RevocationStore store) {
            this.revocationStore = Objects.requireNonNull(store, "revocationStore");
            return this;
        }

        /**
         * Shares the revocation list, the rate limits' buckets and the anomaly rules' state with the other nodes
         * through this store (the gate closes it); replaces what {@link #config} read from
         * {@value ConfigKeys#REDIS_URI}. The revocation list is then kept there, whatever
         * {@link #revocationStore} says.
         *
         * @param shared the store shared between nodes, such as tokengate-redis; not null
         * @return this builder
         */
        public Builder sharedControl(SharedControl shared) {
            this.sharedControl = Objects.requireNonNull(shared, "sharedControl");
            return this;
        }

        /**
         * The anomaly rules (networks, countries, denials) and their action; replaces what {@link #config} read from
         * the {@code tokengate.anomaly.*} keys. Every rule is off by default.
         *
         * @param rules the anomaly rules' builder, not yet built; not null
         * @return this builder
         */
        public Builder anomalyRules(AnomalyRules.Builder rules) {
            this.anomalies = Objects.requireNonNull(rules, "anomalyRules");
            return this;
        }

        /**
         * Tells this listener of each anomaly the rules detect (see {@link AnomalyListener}); several may be added.
         *
         * @param listener told of each anomaly, on the request's thread; not null
         * @return this builder
         */
        public Builder anomalyListener(AnomalyListener listener) {
            this.anomalyListeners.add(Objects.requireNonNull(listener, "anomalyListener"));
            return this;
        }

        /**
         * The gate-wide rate limits (per token, client, subject, API key; read from the
         * {@code tokengate.rate-limit.*} keys by {@link #config}); the routes' own limits
         * ({@link Requirement#withRateLimit}) apply whatever this says. Default: none.
         *
         * @param rateLimits the gate-wide limits; not null ({@code RateLimits.none()} for none)
         * @return this builder
         */
        public Builder rateLimits(RateLimits rateLimits) {
            this.rateLimits = Objects.requireNonNull(rateLimits, "rateLimits");
            return this;
        }

        /**
         * Enforces decisions ({@link Mode#ENFORCE}, the default) or only reports them; read from
         * {@value ConfigKeys#MODE} by {@link #config}, and a later call replaces an earlier one.
         *
         * @param mode enforce or report only; not null
         * @return this builder
         */
        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Reports decisions, validations, upstream calls, key-set ages, cache statistics, rate-limit and anomaly events
         * to this observer (metrics, tracing); several may be added, and each is told in the order added. A gate built
         * from keys adds, after these, the metrics and tracing observers that {@value ConfigKeys#METRICS} and
         * {@value ConfigKeys#TRACING} describe. Key sources the gate builds report to the gate's observers; give a key
         * source built in code the same observer ({@code JwksKeySource.Builder#observer}).
         *
         * @param observer the observer, e.g. {@code TokenGateMetrics.observer(registry)} of tokengate-micrometer
         * @return this builder
         */
        public Builder observer(GateObserver observer) {
            this.observers.add(Objects.requireNonNull(observer, "observer"));
            return this;
        }

        /**
         * Builds and starts the gate: builds each validator, opens the token store's pool and starts key refreshes.
         * The configured objects are owned by the gate from here on and closed with it.
         *
         * @return the gate, ready for requests
         * @throws ConfigurationException when nothing can check tokens or a combination is refused, naming the
         *                                setting
         */
        public TokenGate build() {
            return new TokenGate(this);
        }
    }

    /**
     * Whether a gate enforces its decisions ({@value ConfigKeys#MODE}).
     *
     * <p>In {@link #REPORT_ONLY} mode every decision is still computed and logged, and none is enforced: a request
     * that would be refused (malformed, invalid token, policy denial, insufficient scope, missing token on a
     * protected route, 503 because an upstream is unreachable, and a {@code deny} rule too: no route is closed)
     * reaches the application, and its call-log event has the decision {@code would_deny} with the error code and
     * reason it would have had. A valid token is still the request's principal, even when a policy or the route's
     * scopes would have refused it; an invalid one is not (the request goes on anonymous). A {@code deny} route
     * does not look at tokens in either mode. Start-up logs a warning that the gate enforces nothing.
     */
    public enum Mode {
        /** Refusals are sent (the default). */
        ENFORCE("enforce"),
        /** Every decision is computed and logged ({@code would_deny}), none is enforced. */
        REPORT_ONLY("report-only");

        private final String value;

        Mode(String value) {
            this.value = value;
        }

        /**
         * The mode as configured: {@code enforce} or {@code report-only}.
         *
         * @return {@code enforce} or {@code report-only}
         */
        public String value() {
            return value;
        }

        /**
         * Reads {@code enforce} or {@code report-only} (any case).
         *
         * @param text the configured value; not null
         * @return the matching mode
         * @throws ConfigurationException naming {@value ConfigKeys#MODE} for any other value
         */
        public static Mode parse(String text) {
            Objects.requireNonNull(text, "text");
            return Settings.named(values(), Mode::value, text).orElseThrow(() -> new ConfigurationException(
                    ConfigKeys.MODE, "'" + text + "' is not a mode; write enforce or report-only"));
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /**
     * One request going through the pipeline. Call {@link #authenticate(Requirement)} and/or {@link #authorize},
     * then {@link #finish(int)} exactly once with the status sent, which emits the call-log event.
     *
     * <p><b>Where the policy chain runs.</b> The chain needs a verified token and the route's requirement, so it
     * runs inside {@link #authenticate(Requirement)} (which {@link #authorize} calls first): after the token is
     * validated, before the scopes are compared. An adapter that splits the two steps (JAX-RS: authentication
     * filter, then scope filter) passes the requirement to both, so a denied token (revoked, rate-limited, from the
     * wrong network) is refused at authentication, before the application's own filters see a principal. The chain
     * runs once per request and requirement: its decision is kept, and only a different requirement (a second
     * adapter's rule for the same request) runs it again.
     */
    public final class Call {
        private final RequestView request;
        private final Instant time;
        private final long startNanos;
        private final String requestId;
        /** The W3C trace id of the request's {@code traceparent}, or {@code null}. */
        private final String traceId;
        /** Resolved on first use ({@link #clientAddress()}): a policy, the call log or the application asks for it. */
        private String clientAddress;
        private Outcome validation;
        private String validationReason;
        private Requirement checkedFor;
        /** The requirement last decided, whose DPoP mode shapes the challenge. */
        private Requirement decidedFor;
        private PolicyDecision.Deny policyDenial;
        /** The route's scopes refused the token: for the call log's marks and the policies' observers. */
        private PolicyDecision.Deny scopeDenial;
        /** The facts the policy chain last saw, for its observers. */
        private RequestFacts facts;
        /** Marks the policies that allowed the request added, for the call log. */
        private List<String> marks = List.of();
        private boolean useRecorded;
        private Outcome outcome;
        private String fingerprint;
        private byte[] tokenHash;
        private String scheme;
        private VerifiedToken apiKey;
        private String reason;
        private boolean permitted;
        private boolean finished;
        /** The time spent in the decision steps, for the observer. */
        private long decidingNanos;

        private Call(RequestView request) {
            this.request = Objects.requireNonNull(request, "request");
            this.time = clock.instant();
            this.startNanos = System.nanoTime();
            this.requestId = newRequestId(request);
            this.traceId = TraceParent.traceId(request.headers(TraceParent.HEADER)).orElse(null);
            detach(); // a call on this thread that never finished must not lend its identity to this one
            MDC.put(MDC_REQUEST_ID, requestId);
            if (traceId != null) {
                MDC.put(MDC_TRACE_ID, traceId);
            }
        }

        /**
         * The request's id: the client's {@value #REQUEST_ID_HEADER} when it is 1 to 64 letters, digits and
         * {@code . _ : -}, else a new random one. Adapters send it back in the {@value #REQUEST_ID_HEADER} response
         * header; the call log, the MDC and the problem body of a refusal carry it.
         *
         * @return the request id
         */
        public String requestId() {
            return requestId;
        }

        /**
         * The trace id (32 lower-case hex digits) of the request's W3C {@code traceparent} header, when it has one
         * well-formed header of version {@code 00}; any other header is ignored.
         *
         * @return the trace id, or empty
         */
        public Optional<String> traceId() {
            return Optional.ofNullable(traceId);
        }

        /**
         * The client's address: the socket's peer, or what a trusted proxy forwarded.
         *
         * @return the address as text (IPv4 or IPv6), never null
         */
        public String clientAddress() {
            if (clientAddress == null) {
                clientAddress = ClientAddress.resolve(request, config.trustedProxies(), config.forwardedHeader());
            }
            return clientAddress;
        }

        /**
         * {@link #authenticate(Requirement)} for a route that needs any valid token.
         *
         * @return authenticated, anonymous (no token) or rejected
         */
        public Outcome authenticate() {
            return authenticate(Requirement.authenticated());
        }

        /**
         * Extracts and validates the request's token (once per request), then runs the policy chain for this
         * route's requirement: authenticated, anonymous (no token), or rejected ({@code invalid_request},
         * {@code invalid_token}, a policy's denial, or 503 when validity cannot be decided). The scopes are not
         * compared: {@link #authorize} does that. In report-only mode a rejection is logged and the request goes
         * on: authenticated if its token is valid, anonymous otherwise.
         *
         * @param requirement the route's requirement; not null
         * @return authenticated, anonymous (no token) or rejected, with the error to answer
         */
        public Outcome authenticate(Requirement requirement) {
            return settle(Objects.requireNonNull(requirement, "requirement"), this::admit);
        }

        /**
         * Decides the request against a route's requirement: {@code permit} skips every check; {@code deny}
         * refuses everyone (403 {@code access_denied}); otherwise the token is authenticated
         * ({@link #authenticate(Requirement)}: validation, then the policy chain) and its scopes compared. A
         * missing token is 401 with a bare challenge, a missing scope 403 {@code insufficient_scope}. A later call
         * (a second adapter's stricter rule) decides again; the call log records the last decision. In report-only
         * mode a rejection is logged and the request goes on: authenticated if its token is valid, anonymous
         * otherwise.
         *
         * @param requirement the route's requirement; not null
         * @return authenticated, anonymous (no token, on a route that allows it) or rejected, with the error to
         *         answer
         */
        public Outcome authorize(Requirement requirement) {
            return settle(Objects.requireNonNull(requirement, "requirement"), this::decide);
        }

        /** Runs one decision step; a fault of tokengate itself is a logged 503, never a stack trace to the client. */
        private Outcome settle(Requirement requirement, Function<Requirement, Outcome> step) {
            long started = System.nanoTime();
            try {
                return settleNow(requirement, step);
            } finally {
                decidingNanos += System.nanoTime() - started;
            }
        }

        private Outcome settleNow(Requirement requirement, Function<Requirement, Outcome> step) {
            permitted = false;
            decidedFor = requirement;
            if (passesAsCorsPreflight()) {
                permitted = true;
                reason = "CORS preflight, passed to the application unchecked (" + ConfigKeys.CORS_PREFLIGHT + "=pass)";
                outcome = new Outcome.Anonymous();
                return outcome;
            }
            try {
                outcome = step.apply(requirement);
            } catch (RuntimeException e) {
                outcome = failed(e);
            }
            return enforced(outcome);
        }

        private Outcome decide(Requirement requirement) {
            switch (requirement.mode()) {
                case PERMIT -> {
                    permitted = true;
                    reason = null;
                    return admitted() ? validation : new Outcome.Anonymous();
                }
                case DENY -> {
                    if (requirement.isNoMatchingRule()) {
                        reason = "no URL rule matches this request and unmatched requests are denied: add a "
                                + ConfigKeys.RULES + " line for its path and method, or set " + ConfigKeys.UNMATCHED
                                + " to authenticated or permit";
                        return new Outcome.Rejected(BearerError.accessDenied("This request matches no access rule "
                                + "of this API, so it is refused to every client; its operator can add a rule for it."));
                    }
                    reason = "the route is closed to every caller (deny rule)";
                    return new Outcome.Rejected(BearerError.accessDenied("This resource is not available to any client."));
                }
                default -> {
                }
            }
            Outcome authn = admit(requirement);
            if (authn instanceof Outcome.Rejected) {
                return authn;
            }
            if (authn instanceof Outcome.Anonymous) {
                reason = "no bearer token";
                return new Outcome.Rejected(BearerError.missingToken());
            }
            VerifiedToken token = ((Outcome.Authenticated) authn).token();
            scopeDenial = null;
            if (requirement.isSatisfiedBy(token.scopes())) {
                return stepUp(token, requirement).orElse(authn);
            }
            String needed = requirement.mode() == Requirement.Mode.ANY_OF
                    ? "one of the scopes " + String.join(", ", requirement.scopes())
                    : "the scope(s) " + String.join(", ", requirement.scopes());
            reason = "token scopes " + token.scopes() + " do not meet '" + requirement + "'";
            BearerError error = BearerError.insufficientScope(
                    "This resource requires " + needed + "; ask for a token that has them.", requirement.scopes());
            scopeDenial = new PolicyDecision.Deny(error, reason, List.of(SCOPE_MARK));
            return new Outcome.Rejected(error);
        }

        /**
         * RFC 9470: the refusal of a token whose user authentication is not the route's ({@code acr} not among its
         * values, {@code auth_time} missing or older than its max age, by the gate's clock), if it is not.
         */
        private Optional<Outcome> stepUp(VerifiedToken token, Requirement requirement) {
            Set<String> acrValues = requirement.acrValues();
            Optional<Duration> maxAge = requirement.maxAge();
            if (acrValues.isEmpty() && maxAge.isEmpty()) {
                return Optional.empty();
            }
            Object acr = token.claims().get("acr");
            String problem = null;
            String advice = null;
            if (!acrValues.isEmpty() && !(acr instanceof String a && acrValues.contains(a))) {
                problem = acr == null ? "the token has no acr claim" : "the token's acr " + acr + " is not one of " + acrValues;
                advice = "This resource requires a stronger authentication (acr " + String.join(" or ", acrValues)
                        + "); sign in again with it and use the new token.";
            } else if (maxAge.isPresent()) {
                Object authTime = token.claims().get("auth_time");
                if (!(authTime instanceof Number n)) {
                    problem = "the token has no numeric auth_time claim and the route has max-age " + maxAge.get().getSeconds();
                } else if (Duration.between(Instant.ofEpochSecond(n.longValue()), time).compareTo(maxAge.get()) > 0) {
                    problem = "the user authenticated at " + Instant.ofEpochSecond(n.longValue()) + ", more than "
                            + maxAge.get().getSeconds() + " s before " + time;
                }
                advice = "This resource requires an authentication within the last " + maxAge.get().getSeconds()
                        + " seconds; sign in again and use the new token.";
            }
            if (problem == null) {
                return Optional.empty();
            }
            reason = problem + " ('" + requirement + "')";
            BearerError error = BearerError.insufficientUserAuthentication(advice, acrValues,
                    maxAge.map(Duration::getSeconds));
            scopeDenial = new PolicyDecision.Deny(error, reason, List.of(STEP_UP_MARK));
            return Optional.of(new Outcome.Rejected(error));
        }

        /**
         * Whether this is a CORS preflight (an {@code OPTIONS} request with {@code Origin} and
         * {@code Access-Control-Request-Method}) and the gate passes those to the application.
         */
        private boolean passesAsCorsPreflight() {
            return config.corsPreflight() == TokenGateConfig.CorsPreflight.PASS
                    && "OPTIONS".equals(request.method())
                    && request.headers("Origin").stream().anyMatch(v -> !v.isBlank())
                    && request.headers("Access-Control-Request-Method").stream().anyMatch(v -> !v.isBlank());
        }

        /** Validation, then the policy chain for this requirement. */
        private Outcome admit(Requirement requirement) {
            Outcome validated = validate();
            if (!(validated instanceof Outcome.Authenticated authenticated)) {
                reason = validationReason;
                return validated;
            }
            PolicyDecision.Deny denial = check(authenticated.token(), requirement);
            if (denial != null) {
                reason = denial.reason();
                return new Outcome.Rejected(denial.error());
            }
            reason = null;
            return authenticated;
        }

        /** Whether the token is valid and the policy chain, as last run, let it through. */
        private boolean admitted() {
            return validation instanceof Outcome.Authenticated && checkedFor != null && policyDenial == null;
        }

        /** In enforce mode the decision; in report-only mode never a rejection (the valid token, or anonymous). */
        private Outcome enforced(Outcome decided) {
            if (mode == Mode.ENFORCE || !(decided instanceof Outcome.Rejected)) {
                return decided;
            }
            return validation instanceof Outcome.Authenticated valid ? valid : new Outcome.Anonymous();
        }

        /** A fault of tokengate itself: logged with its stack, answered 503 without it. */
        private Outcome failed(RuntimeException e) {
            LOG.error("tokengate could not decide request {} ({} {})", requestId, request.method(), request.path(), e);
            reason = "internal error: " + e.getClass().getName();
            return new Outcome.Rejected(BearerError.unavailable("The server could not check the request; try again shortly."));
        }

        private Outcome validate() {
            if (validation == null) {
                validation = doValidate();
            }
            return validation;
        }

        private Outcome doValidate() {
            Extraction extraction = extractor.extract(request);
            if (extraction instanceof Extraction.Absent) {
                return new Outcome.Anonymous();
            }
            if (extraction instanceof Extraction.Malformed m) {
                validationReason = m.error().description();
                return new Outcome.Rejected(m.error());
            }
            String token = ((Extraction.Found) extraction).token();
            scheme = ((Extraction.Found) extraction).scheme();
            tokenHash = Fingerprints.remember(token); // the cache below finds it: one digest per token
            fingerprint = Fingerprints.fingerprint(tokenHash);
            try {
                VerifiedToken verified = validator.validate(token);
                upstreamFailures.recovered();
                MDC.put(MDC_SUBJECT, verified.getName());
                verified.clientId().ifPresent(c -> MDC.put(MDC_CLIENT_ID, c));
                return new Outcome.Authenticated(verified);
            } catch (InvalidTokenException e) {
                validationReason = e.getMessage();
                return new Outcome.Rejected(BearerError.invalidToken(e.getMessage()));
            } catch (UpstreamUnavailableException e) {
                validationReason = e.getMessage();
                upstreamFailures.failure("token " + fingerprint + " could not be checked: " + e.getMessage());
                String description = "The server cannot check tokens right now (a service it depends on is "
                        + "unreachable); try again shortly.";
                // Retry-After: when the failing source will actually try again, if it waits; else the default
                return new Outcome.Rejected(e.nextAttemptIn().map(wait -> BearerError.unavailable(description, wait))
                        .orElseGet(() -> BearerError.unavailable(description)));
            } catch (RuntimeException e) {
                validationReason = "internal error: " + e.getClass().getName();
                LOG.error("token {} could not be checked: the validator failed unexpectedly", fingerprint, e);
                return new Outcome.Rejected(BearerError.unavailable("The server could not check the token; try again shortly."));
            }
        }

        /** The policy chain's denial for this requirement, or {@code null}: run once per requirement. */
        private PolicyDecision.Deny check(VerifiedToken token, Requirement requirement) {
            if (!requirement.equals(checkedFor)) {
                policyDenial = runPolicies(token, requirement);
                checkedFor = requirement;
                if (policyDenial == null && !useRecorded) {
                    useRecorded = true;
                    stack.recordUse(token, this::clientAddress);
                }
            }
            return policyDenial;
        }

        private PolicyDecision.Deny runPolicies(VerifiedToken token, Requirement requirement) {
            facts = RequestFacts.builder().requestId(requestId).method(request.method())
                    .path(request.path()).clientAddress(this::clientAddress).time(time).requirement(requirement)
                    .tokenFingerprint(fingerprint).tokenHash(tokenHash).scheme(scheme).apiKey(apiKey)
                    .headers(request::headers).rechecked(checkedFor != null)
                    .url(() -> RequestUrl.resolve(request, config.trustedProxies(), config.forwardedHeader()).orElse(null))
                    .clientCertificate(() -> ClientCertificate.resolve(request, config.trustedProxies(),
                            Optional.ofNullable(certificateHeader)).orElse(null))
                    .build();
            marks = List.of();
            for (TokenPolicy policy : policies) {
                PolicyDecision decision;
                try {
                    decision = policy.check(token, facts);
                } catch (RuntimeException e) {
                    LOG.error("policy {} failed on request {} ({} {}); the request is refused with 503",
                            policy.getClass().getName(), requestId, request.method(), request.path(), e);
                    return policyFault("policy " + policy.getClass().getName() + " threw " + e.getClass().getName());
                }
                if (decision instanceof PolicyDecision.Deny deny) {
                    return deny;
                }
                if (!(decision instanceof PolicyDecision.Allow allow)) {
                    LOG.error("policy {} answered null on request {} ({} {}); the request is refused with 503",
                            policy.getClass().getName(), requestId, request.method(), request.path());
                    return policyFault("policy " + policy.getClass().getName() + " answered null");
                }
                if (allow.apiKey().isPresent() && apiKey == null) {
                    apiKey = allow.apiKey().get();
                    facts = facts.withApiKey(apiKey);
                    stack.recordUse(apiKey, this::clientAddress);
                }
                if (!allow.marks().isEmpty()) {
                    List<String> more = new ArrayList<>(marks);
                    more.addAll(allow.marks());
                    marks = more;
                }
            }
            return null;
        }

        private PolicyDecision.Deny policyFault(String what) {
            return new PolicyDecision.Deny(BearerError.unavailable("The server could not check the request; try again shortly."),
                    "internal error: " + what);
        }

        /**
         * The calling application's API key, once a route required and accepted it.
         *
         * @return the API key's verified token, empty when no route asked for one
         */
        public Optional<VerifiedToken> apiKey() {
            return Optional.ofNullable(apiKey);
        }

        /**
         * The verified token, once validated (even if a policy or the route's scopes then refused it).
         *
         * @return the verified token, empty when the request had none or it was not valid
         */
        public Optional<VerifiedToken> token() {
            return validation instanceof Outcome.Authenticated a ? Optional.of(a.token()) : Optional.empty();
        }

        /**
         * The response for an error: status, {@code WWW-Authenticate} (when it is a challenge),
         * {@code Cache-Control: no-store}, the error's own headers ({@code Retry-After}, …) and a problem body. With
         * {@value ConfigKeys#CHALLENGE_INCLUDE_SCOPE}{@code =false} the required scopes appear nowhere: not in the
         * challenge's {@code scope}, its {@code error_description}, nor the problem body. Every 401 challenge names the
         * API's RFC 9728 metadata as {@code resource_metadata} (when its URL is known: {@value ConfigKeys#RESOURCE}
         * or the request's URI).
         *
         * @param refusal the error of a rejected outcome; not null
         * @return the status, headers and body to send
         */
        public ErrorResponse errorResponse(BearerError refusal) {
            BearerError error = config.includeScopeInChallenge() ? refusal : refusal.withoutRequiredScopes();
            BearerError bare = BearerError.missingToken();
            if (error.status() == 401) {
                Optional<String> metadata = resourceMetadata.metadataUrl(request);
                if (metadata.isPresent()) {
                    error = error.withGateParameter("resource_metadata", metadata.get()); // RFC 9728 §5.1
                    bare = bare.withGateParameter("resource_metadata", metadata.get());
                }
            }
            Map<String, String> headers = new LinkedHashMap<>();
            challenge(error, bare).ifPresent(v -> headers.put("WWW-Authenticate", v));
            headers.put("Cache-Control", "no-store");
            headers.putAll(error.headers());
            dpopNonce().ifPresent(nonce -> headers.put(DpopVerifier.NONCE_HEADER, nonce));
            return new ErrorResponse(error.status(), headers, "application/problem+json", problem(error));
        }

        /**
         * The headers every answer of this call carries, the application's and a refusal alike, for the adapter that
         * began the call to set once the request is decided: {@value TokenGate#REQUEST_ID_HEADER}, and, when DPoP
         * server nonces are required ({@value ConfigKeys#DPOP_NONCE}), the current nonce in
         * {@value DpopVerifier#NONCE_HEADER} for a request sent with the {@code DPoP} scheme or to a route that
         * requires it (so a client learns the next nonce before the one it uses expires). A refusal's
         * {@link #errorResponse} carries the nonce too.
         *
         * @return header name to value, unmodifiable
         */
        public Map<String, String> responseHeaders() {
            Optional<String> nonce = dpopNonce();
            return nonce.isEmpty() ? Map.of(REQUEST_ID_HEADER, requestId)
                    : Map.of(REQUEST_ID_HEADER, requestId, DpopVerifier.NONCE_HEADER, nonce.get());
        }

        /** The current DPoP nonce, when nonces are required and the request uses DPoP or its route requires it. */
        private Optional<String> dpopNonce() {
            DpopVerifier.Mode route = dpopMode();
            if (route == DpopVerifier.Mode.OFF || !(Extraction.DPOP.equals(scheme) || route == DpopVerifier.Mode.REQUIRED)) {
                return Optional.empty();
            }
            return dpop.nonce();
        }

        /** The DPoP mode of the route last decided: its own ({@code + dpop …}), else the gate's. */
        private DpopVerifier.Mode dpopMode() {
            return decidedFor == null ? dpop.mode() : decidedFor.dpop().orElse(dpop.mode());
        }

        /**
         * The {@code Bearer} challenge; with DPoP on for the route, a 401 also carries the {@code DPoP} challenge (only
         * it when the route requires DPoP), which carries the error when it is a DPoP error or the request used the
         * {@code DPoP} scheme. {@code bare} is the no-error challenge for the other scheme (with the gate's parameters).
         */
        private Optional<String> challenge(BearerError error, BearerError bare) {
            Optional<String> bearer = WwwAuthenticate.format(config.realm(), error, config.errorUri(),
                    config.includeScopeInChallenge());
            DpopVerifier.Mode route = dpopMode();
            if (bearer.isEmpty() || route == DpopVerifier.Mode.OFF) {
                return bearer;
            }
            String code = error.code().map(BearerError.Code::value).orElse("");
            boolean dpopError = code.equals(BearerError.Code.INVALID_DPOP_PROOF.value())
                    || code.equals(BearerError.Code.USE_DPOP_NONCE.value())
                    || Extraction.DPOP.equals(scheme) || route == DpopVerifier.Mode.REQUIRED;
            if (error.status() != 401 && !dpopError) {
                return bearer; // a 400 or 403 to a bearer request: RFC 9449 §7.1 challenges a 401
            }
            String dpopChallenge = WwwAuthenticate.formatDpop(config.realm(), dpopError ? error : bare,
                    config.errorUri(), config.includeScopeInChallenge(), dpop.algorithms()).orElseThrow();
            if (route == DpopVerifier.Mode.REQUIRED) {
                return Optional.of(dpopChallenge);
            }
            String bearerChallenge = dpopError ? WwwAuthenticate.format(config.realm(), bare,
                    config.errorUri(), false).orElseThrow() : bearer.get();
            return Optional.of(bearerChallenge + ", " + dpopChallenge);
        }

        private String problem(BearerError error) {
            Json.ObjectWriter n = Json.object();
            n.put("type", "about:blank");
            n.put("title", title(error.status()));
            n.put("status", error.status());
            n.put("detail", error.description());
            n.put("error", error.code().map(BearerError.Code::value).orElse("missing_token"));
            if (!error.requiredScopes().isEmpty()) {
                n.put("required_scope", String.join(" ", error.requiredScopes()));
            }
            n.put("request_id", requestId);
            return n.toJson();
        }

        /**
         * Ends the request: emits its call-log event with the status sent and clears the MDC. Later calls do
         * nothing. The decision is {@code allow}, {@code permit} (an open route), {@code deny}, or, in report-only
         * mode, {@code would_deny} for a request that was let through but would have been refused.
         *
         * @param status the HTTP status code the response was sent with
         */
        public void finish(int status) {
            if (finished) {
                return;
            }
            finished = true;
            try {
                Optional<VerifiedToken> token = token();
                String decision;
                Optional<String> errorCode = Optional.empty();
                Optional<PolicyDecision.Deny> denial = Optional.empty();
                if (outcome instanceof Outcome.Rejected r) {
                    // compared by value, not with the record's equals: on JDK 17 the first call of a record's generated
                    // equals in a web app kept its class loader reachable after undeploy (UndeployTest)
                    boolean limited = r.error().code().map(BearerError.Code::value)
                            .filter(BearerError.Code.RATE_LIMITED.value()::equals).isPresent();
                    decision = mode == Mode.REPORT_ONLY ? "would_deny" : limited ? "rate_limited" : "deny";
                    errorCode = Optional.of(r.error().code().map(BearerError.Code::value).orElse("missing_token"));
                    denial = Optional.ofNullable(policyDenial != null ? policyDenial : scopeDenial);
                } else if (permitted) {
                    decision = "permit";
                } else {
                    decision = "allow";
                }
                Duration latency = Duration.ofNanos(System.nanoTime() - startNanos);
                if (token.isPresent() && facts != null && !permitted) {
                    observe(token.get(), denial);
                }
                report(decision, errorCode);
                try {
                    if (sink.enabled()) {
                        sink.accept(new CallEvent(time, requestId, traceId(), request.method(), request.path(), status,
                                latency, clientAddress(), token.flatMap(VerifiedToken::subject),
                                token.flatMap(VerifiedToken::clientId), Optional.ofNullable(fingerprint),
                                token.map(t -> List.copyOf(t.scopes())).orElse(List.of()),
                                apiKey().flatMap(VerifiedToken::subject), apiKey().flatMap(VerifiedToken::tokenId),
                                decision, errorCode, Optional.ofNullable(reason), eventMarks(denial)));
                    }
                } catch (RuntimeException e) {
                    LOG.error("call-log sink {} failed; event for request {} lost", sink.getClass().getName(), requestId, e);
                }
            } finally {
                detach();
            }
        }

        /** Tells the gate's observer how the request was decided; an observer that throws is logged. */
        private void report(String decision, Optional<String> errorCode) {
            try {
                observer.decided(new GateObserver.Decision(decision, errorCode, Duration.ofNanos(decidingNanos)));
                if (errorCode.filter(BearerError.Code.RATE_LIMITED.value()::equals).isPresent()) {
                    observer.rateLimited();
                }
            } catch (RuntimeException e) {
                LOG.error("observer {} failed on request {}", observer, requestId, e);
            }
        }

        private List<String> eventMarks(Optional<PolicyDecision.Deny> denial) {
            if (denial.isEmpty() || denial.get().marks().isEmpty()) {
                return marks;
            }
            List<String> all = new ArrayList<>(marks);
            all.addAll(denial.get().marks());
            return all;
        }

        /** Tells each policy how the request ended; an observer that throws is logged and the others still told. */
        private void observe(VerifiedToken token, Optional<PolicyDecision.Deny> denial) {
            for (TokenPolicy policy : policies) {
                try {
                    policy.observe(token, facts, denial);
                } catch (RuntimeException e) {
                    LOG.error("policy {} failed to observe request {}", policy.getClass().getName(), requestId, e);
                }
            }
        }

        /**
         * Clears this call's MDC entries from the current thread without finishing it: for async requests, whose
         * {@link #finish} runs on another thread while this one goes back to its pool.
         */
        public void detach() {
            Fingerprints.forget();
            MDC.remove(MDC_REQUEST_ID);
            MDC.remove(MDC_TRACE_ID);
            MDC.remove(MDC_SUBJECT);
            MDC.remove(MDC_CLIENT_ID);
        }
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 429 -> "Too Many Requests";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }
}
