package dev.tokengate.micrometer;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.tokengate.observe.GateObserver;
import dev.tokengate.observe.Observation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A {@link GateObserver} that records a gate's metrics in a Micrometer {@link MeterRegistry}. Give it to the gate
 * ({@code TokenGate.builder().observer(MicrometerObserver.create(registry))}); a gate built from {@code tokengate.*}
 * keys records in {@code Metrics.globalRegistry} by itself while this module is on the class path
 * ({@code tokengate.metrics=auto}).
 *
 * <table>
 *   <caption>The meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th></tr>
 *   <tr><td>{@value #DECISIONS}</td><td>counter</td><td>{@code outcome} (allow, permit, deny, rate_limited,
 *       would_deny), {@code error} (the error code, {@code none} when allowed)</td></tr>
 *   <tr><td>{@value #VALIDATION}</td><td>timer</td><td>{@code kind} (jwt, introspection, store, custom),
 *       {@code result} (ok, invalid, error)</td></tr>
 *   <tr><td>{@value #JWKS_FETCH}, {@value #DISCOVERY}, {@value #INTROSPECTION}, {@value #STORE_LOOKUP}</td>
 *       <td>timer</td><td>{@code result} (ok, error)</td></tr>
 *   <tr><td>{@value #JWKS_AGE}</td><td>gauge, seconds</td><td>{@code issuer}</td></tr>
 *   <tr><td>{@value #CACHE_GETS}</td><td>function counter</td><td>{@code cache} (verified-tokens, stored-tokens,
 *       api-keys, introspection), {@code result} (hit, miss)</td></tr>
 *   <tr><td>{@value #CACHE_EVICTIONS}</td><td>function counter</td><td>{@code cache}</td></tr>
 *   <tr><td>{@value #RATE_LIMITED}</td><td>counter</td><td>none</td></tr>
 *   <tr><td>{@value #ANOMALIES}</td><td>counter</td><td>{@code rule} (networks, countries, denials)</td></tr>
 * </table>
 *
 * <p>No tag holds a token, a subject or a client id: every tag has a bounded set of values (the issuers are those
 * configured). Thread-safe.
 */
public final class MicrometerObserver implements GateObserver {

    /** Requests decided, by outcome and error code. */
    public static final String DECISIONS = "tokengate.decisions";
    /** Token validations, by validator kind and result. */
    public static final String VALIDATION = "tokengate.validation";
    /** JWKS fetches, by result. */
    public static final String JWKS_FETCH = "tokengate.jwks.fetch";
    /** Discovery document fetches, by result. */
    public static final String DISCOVERY = "tokengate.discovery";
    /** Introspection calls, by result. */
    public static final String INTROSPECTION = "tokengate.introspection";
    /** Token database lookups, by result. */
    public static final String STORE_LOOKUP = "tokengate.store.lookup";
    /** How long ago each issuer's served keys were fetched, in seconds. */
    public static final String JWKS_AGE = "tokengate.jwks.age";
    /** Cache lookups, by cache and hit or miss: the hit ratio is hits / (hits + misses). */
    public static final String CACHE_GETS = "tokengate.cache.gets";
    /** Cache entries evicted (size bound or lifetime), by cache. */
    public static final String CACHE_EVICTIONS = "tokengate.cache.evictions";
    /** Requests refused (or, in report-only mode, that would have been) over a rate limit. */
    public static final String RATE_LIMITED = "tokengate.rate.limited";
    /** Anomalies detected, by rule. */
    public static final String ANOMALIES = "tokengate.anomalies";

    private static final Observation.Result[] RESULTS = Observation.Result.values();

    private final MeterRegistry registry;
    /** Per validation kind, per result. */
    private final Timer[][] validations;
    /** Per upstream, per result. */
    private final Timer[][] upstreams;
    private final Counter rateLimited;
    /**
     * What the gauges and function counters read: held here, as long as the gate holds this observer, because
     * Micrometer holds them weakly.
     */
    private final List<Object> measured = new ArrayList<>();

    private MicrometerObserver(MeterRegistry registry) {
        this.registry = registry;
        this.validations = new Timer[ValidationKind.values().length][RESULTS.length];
        for (ValidationKind kind : ValidationKind.values()) {
            for (Observation.Result result : RESULTS) {
                validations[kind.ordinal()][result.ordinal()] = Timer.builder(VALIDATION)
                        .description("token validations")
                        .tag("kind", kind.value()).tag("result", result.value()).register(registry);
            }
        }
        this.upstreams = new Timer[Upstream.values().length][RESULTS.length];
        for (Upstream upstream : Upstream.values()) {
            for (Observation.Result result : RESULTS) {
                if (result != Observation.Result.INVALID) { // an upstream call succeeds or fails
                    upstreams[upstream.ordinal()][result.ordinal()] = Timer.builder(name(upstream))
                            .description("calls to the " + upstream.value() + " upstream")
                            .tag("result", result.value()).register(registry);
                }
            }
        }
        this.rateLimited = Counter.builder(RATE_LIMITED).description("requests over a rate limit").register(registry);
    }

    /**
     * An observer that records in this registry.
     *
     * @param registry the registry, e.g. a {@code PrometheusMeterRegistry} or {@code Metrics.globalRegistry}
     * @return the observer, to give to {@code TokenGate.Builder#observer}
     */
    public static MicrometerObserver create(MeterRegistry registry) {
        return new MicrometerObserver(Objects.requireNonNull(registry, "registry"));
    }

    /**
     * The meter name of the calls to an upstream.
     *
     * @param upstream the upstream
     * @return {@value #JWKS_FETCH}, {@value #DISCOVERY}, {@value #INTROSPECTION} or {@value #STORE_LOOKUP}
     */
    public static String name(Upstream upstream) {
        return switch (upstream) {
            case JWKS -> JWKS_FETCH;
            case DISCOVERY -> DISCOVERY;
            case INTROSPECTION -> INTROSPECTION;
            case STORE -> STORE_LOOKUP;
        };
    }

    @Override
    public void decided(Decision decision) {
        Counter.builder(DECISIONS).description("requests decided")
                .tag("outcome", decision.outcome()).tag("error", decision.errorCode().orElse("none"))
                .register(registry).increment();
    }

    @Override
    public Observation validating(ValidationKind kind) {
        return timed(validations[kind.ordinal()]);
    }

    @Override
    public Observation calling(Upstream upstream, String target) {
        return timed(upstreams[upstream.ordinal()]);
    }

    private Observation timed(Timer[] byResult) {
        Timer.Sample sample = Timer.start(registry);
        return result -> {
            Timer timer = byResult[result.ordinal()];
            sample.stop(timer != null ? timer : byResult[Observation.Result.ERROR.ordinal()]);
        };
    }

    @Override
    public void keySet(String issuer, Supplier<Optional<Duration>> age) {
        synchronized (measured) {
            measured.add(age);
        }
        Gauge.builder(JWKS_AGE, age, a -> a.get().map(d -> d.toNanos() / 1e9).orElse(Double.NaN))
                .description("how long ago the issuer's served keys were fetched").baseUnit("seconds")
                .tag("issuer", issuer).register(registry);
    }

    @Override
    public void cache(String cache, Supplier<CacheStats> stats) {
        synchronized (measured) {
            measured.add(stats);
        }
        FunctionCounter.builder(CACHE_GETS, stats, s -> s.get().hitCount()).description("cache lookups")
                .tag("cache", cache).tag("result", "hit").register(registry);
        FunctionCounter.builder(CACHE_GETS, stats, s -> s.get().missCount()).description("cache lookups")
                .tag("cache", cache).tag("result", "miss").register(registry);
        FunctionCounter.builder(CACHE_EVICTIONS, stats, s -> s.get().evictionCount()).description("cache evictions")
                .tag("cache", cache).register(registry);
    }

    @Override
    public void rateLimited() {
        rateLimited.increment();
    }

    @Override
    public void anomaly(String rule) {
        Counter.builder(ANOMALIES).description("anomalies detected").tag("rule", rule).register(registry).increment();
    }

    @Override
    public String toString() {
        return "MicrometerObserver[" + registry.getClass().getSimpleName() + "]";
    }
}
