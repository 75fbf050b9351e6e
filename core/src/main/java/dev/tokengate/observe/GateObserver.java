package dev.tokengate.observe;

import com.github.benmanes.caffeine.cache.stats.CacheStats;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * What a gate tells metrics and tracing: each request's decision, each token validation and each call to an upstream
 * (JWKS, discovery, introspection, the token database), as scopes that are started and then ended with their result,
 * the age of each issuer's key set and the statistics of the caches, and the rate-limit and anomaly events.
 *
 * <p>Every method has a default that does nothing, so an implementation overrides what it records. Implementations are
 * called on request threads (and, for a background key refresh, on the key source's executor); they must be quick,
 * thread-safe and must not throw. Nothing reported names a token, a subject or a client id: results, kinds, issuers
 * and endpoints only, so every metric tag has a bounded set of values.
 *
 * <p>A gate has one observer ({@code TokenGate.Builder#observer}; several are combined with {@link #of(List)}); the
 * default is {@link #none()}. {@code tokengate-micrometer} records meters, {@link OpenTelemetryObserver} spans.
 */
public interface GateObserver {

    /**
     * The observer that records nothing: the default.
     *
     * @return the no-op observer
     */
    static GateObserver none() {
        return Observers.NONE;
    }

    /**
     * One observer that tells each of these, in order; {@link #none()} for an empty list, the observer itself for one.
     *
     * @param observers the observers to tell
     * @return the combined observer
     */
    static GateObserver of(List<GateObserver> observers) {
        return Observers.composite(Objects.requireNonNull(observers, "observers"));
    }

    /**
     * A request was decided: reported once per request, when its call ends.
     *
     * @param decision the decision, its error code and how long the gate took to reach it
     */
    default void decided(Decision decision) {
    }

    /**
     * A token validation starts on this thread: end the returned scope with its result, on the same thread.
     *
     * @param kind which validator checks the token
     * @return the scope of the validation
     */
    default Observation validating(ValidationKind kind) {
        return Observation.NONE;
    }

    /**
     * A call to an upstream starts on this thread: end the returned scope with its result, on the same thread.
     *
     * @param upstream what is called
     * @param target   the endpoint (a URI) or, for the token database, its table: never a token
     * @return the scope of the call
     */
    default Observation calling(Upstream upstream, String target) {
        return Observation.NONE;
    }

    /**
     * The executor a component hands background work to (a key refresh), wrapped so that what runs there is seen as
     * part of the work that submitted it (the trace context travels with the task). Default: the executor itself.
     *
     * @param executor the component's executor
     * @return the executor to submit to
     */
    default Executor propagating(Executor executor) {
        return executor;
    }

    /**
     * An issuer's key set is kept fresh by a key source: how old the keys it serves are can be read at any time.
     *
     * @param issuer the issuer, as configured
     * @param age    how long ago the served keys were fetched; empty before the first fetch
     */
    default void keySet(String issuer, Supplier<Optional<Duration>> age) {
    }

    /**
     * A cache of the gate records its statistics (reported only to an observer other than {@link #none()}).
     *
     * @param cache its name: {@code verified-tokens}, {@code stored-tokens}, {@code api-keys} or {@code introspection}
     * @param stats its statistics so far (hits, misses, evictions)
     */
    default void cache(String cache, Supplier<CacheStats> stats) {
    }

    /** A request was refused (or, in report-only mode, would have been) because it was over a rate limit. */
    default void rateLimited() {
    }

    /**
     * An anomaly rule fired.
     *
     * @param rule the rule: {@code networks}, {@code countries} or {@code denials}
     */
    default void anomaly(String rule) {
    }

    /**
     * One request's decision.
     *
     * @param outcome   {@code allow}, {@code permit} (an open route), {@code deny}, {@code rate_limited} or, in
     *                  report-only mode, {@code would_deny}: the call log's decision
     * @param errorCode the error code of a refusal ({@code invalid_token}, {@code missing_token}, …)
     * @param duration  the time the gate spent deciding (extraction, validation, policies, scopes)
     */
    record Decision(String outcome, Optional<String> errorCode, Duration duration) {
        /**
         * Checks the parts.
         *
         * @param outcome   the call log's decision
         * @param errorCode the error code of a refusal
         * @param duration  the time the gate spent deciding
         * @throws NullPointerException when a part is null
         */
        public Decision {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(errorCode, "errorCode");
            Objects.requireNonNull(duration, "duration");
        }
    }

    /** Which validator checks a token. */
    enum ValidationKind {
        /** A JWT, checked locally against its issuer's keys. */
        JWT("jwt"),
        /** An opaque token (or a JWT of a listed issuer), checked by RFC 7662 introspection. */
        INTROSPECTION("introspection"),
        /** A token this API issued, looked up in the token database. */
        STORE("store"),
        /** A token the application's own validator checks. */
        CUSTOM("custom");

        private final String value;

        ValidationKind(String value) {
            this.value = value;
        }

        /**
         * The kind as a metric tag or span attribute writes it.
         *
         * @return {@code jwt}, {@code introspection}, {@code store} or {@code custom}
         */
        public String value() {
            return value;
        }
    }

    /** What a gate calls over the network. */
    enum Upstream {
        /** An issuer's JWK set. */
        JWKS("jwks"),
        /** An issuer's discovery document (OpenID Connect, else RFC 8414). */
        DISCOVERY("discovery"),
        /** The RFC 7662 introspection endpoint. */
        INTROSPECTION("introspection"),
        /** A lookup in the token database. */
        STORE("store");

        private final String value;

        Upstream(String value) {
            this.value = value;
        }

        /**
         * The upstream as a metric tag or span name writes it.
         *
         * @return {@code jwks}, {@code discovery}, {@code introspection} or {@code store}
         */
        public String value() {
            return value;
        }
    }
}
