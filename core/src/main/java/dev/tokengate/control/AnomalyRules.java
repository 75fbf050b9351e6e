package dev.tokengate.control;

import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.policy.TokenPolicy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The anomaly rules of a gate, each off until configured: <b>networks</b> (one token used from more than N
 * networks, /24 for IPv4 and /48 for IPv6, within a window: {@value ConfigKeys#ANOMALY_MAX_NETWORKS}),
 * <b>countries</b> (one token used from a country it was not used from before, by a MaxMind-format country
 * database: {@value ConfigKeys#ANOMALY_GEOIP_DATABASE}) and <b>denials</b> (more than N {@code insufficient_scope}
 * or IP-range denials for one token within a window: {@value ConfigKeys#ANOMALY_MAX_DENIALS}), and what is done
 * when one fires ({@value ConfigKeys#ANOMALY_ACTION}: {@code log} or {@code revoke}).
 *
 * <pre>{@code
 * TokenGate gate = TokenGate.builder().issuer(...)
 *         .anomalyRules(AnomalyRules.builder().maxNetworks(3, Duration.ofMinutes(10)).action(Anomaly.Action.REVOKE))
 *         .anomalyListener(anomaly -> alerts.send(anomaly))
 *         .build();
 * }</pre>
 *
 * <p>The client address is the trusted-proxy-aware one ({@code tokengate.trusted-proxies}). State is kept per token
 * (by the SHA-256 of its text) in a bounded map of small fixed-size sketches: at most N + 1 networks, N + 1 denial
 * times and {@value #MAX_COUNTRIES} countries per token, and {@value #DEFAULT_MAX_TOKENS} tokens by default (the least
 * recently used forgotten first). Immutable.
 */
public final class AnomalyRules {

    /** The default number of tokens whose state is kept. */
    public static final int DEFAULT_MAX_TOKENS = 100_000;
    /** The default action: {@code log}. */
    public static final Anomaly.Action DEFAULT_ACTION = Anomaly.Action.LOG;
    /** The highest N of {@code max-networks} and {@code max-denials}: it bounds each token's sketch. */
    public static final int MAX_LIMIT = 100;
    /** How many countries are remembered per token (the most recently seen). */
    static final int MAX_COUNTRIES = 8;
    /** With shared state: how long after a token's last use from a new country the nodes remember its countries. */
    static final Duration COUNTRY_MEMORY = Duration.ofDays(7);

    private final Optional<Anomaly.Limit> maxNetworks;
    private final Optional<Anomaly.Limit> maxDenials;
    private final Optional<GeoIpCountries> countries;
    private final Anomaly.Action action;
    private final int maxTokens;

    private AnomalyRules(Builder b) {
        this.maxNetworks = Optional.ofNullable(b.maxNetworks);
        this.maxDenials = Optional.ofNullable(b.maxDenials);
        this.countries = Optional.ofNullable(b.countries);
        this.action = b.action;
        this.maxTokens = b.maxTokens;
    }

    /**
     * A builder with every rule off and the action {@code log}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder with the {@code tokengate.anomaly.*} keys of the source: what {@code TokenGate.Builder#config} reads.
     *
     * @param source the gate's configuration; not null
     * @return a builder with the rules the keys turn on
     * @throws dev.tokengate.ConfigurationException naming the key and its layer for a malformed value or a country
     *                                              database that cannot be read
     */
    public static Builder config(ConfigSource source) {
        Builder b = builder();
        source.read(ConfigKeys.ANOMALY_MAX_NETWORKS, v -> Anomaly.Limit.parse(v, MAX_LIMIT), b::maxNetworks);
        source.read(ConfigKeys.ANOMALY_MAX_DENIALS, v -> Anomaly.Limit.parse(v, MAX_LIMIT), b::maxDenials);
        source.read(ConfigKeys.ANOMALY_GEOIP_DATABASE, Path::of, b::geoipDatabase);
        source.read(ConfigKeys.ANOMALY_ACTION, Anomaly.Action::parse, b::action);
        return b;
    }

    /**
     * The action taken when a rule fires.
     *
     * @return {@code log} (the default) or {@code revoke}
     */
    public Anomaly.Action action() {
        return action;
    }

    /**
     * Whether any rule is on.
     *
     * @return {@code true} when at least one rule is configured
     */
    public boolean enabled() {
        return maxNetworks.isPresent() || maxDenials.isPresent() || countries.isPresent();
    }

    /**
     * The policy that applies these rules, for the gate's chain (right after the revocation list), or empty when
     * every rule is off (then nothing is added to any request's path).
     *
     * @param revocations where {@code revoke} revokes tokens
     * @param listeners   told of each anomaly
     * @param enforce     false in report-only mode: {@code revoke} then revokes nothing and is only logged
     * @return the policy, or empty when every rule is off
     */
    public Optional<TokenPolicy> policy(Revocations revocations, List<AnomalyListener> listeners, boolean enforce) {
        if (!enabled()) {
            return Optional.empty();
        }
        return Optional.of(new AnomalyPolicy(maxNetworks, maxDenials, countries, action, maxTokens,
                Objects.requireNonNull(revocations, "revocations"), List.copyOf(listeners), enforce));
    }

    /**
     * The policy that applies these rules counting what every node of a cluster saw, or empty when every rule is off:
     * the rules record into the shared state's {@linkplain SharedControl#anomalyState() anomaly state}, asking it only
     * for what is new to this node (a repeat call from a known network or country costs no round trip). While the
     * shared state cannot be reached, each node decides on what it saw itself, or, when
     * {@linkplain SharedControl#failClosed() it fails closed}, a request from a network or country new for its token
     * is refused with 503.
     *
     * @param revocations where {@code revoke} revokes tokens (the shared list: a revocation reaches every node)
     * @param listeners   told of each anomaly, on the node that detected it
     * @param enforce     false in report-only mode: {@code revoke} then revokes nothing and is only logged
     * @param clock       the gate's clock, for the warnings while the shared state cannot be reached
     * @param shared      the state shared with the other nodes
     * @return the policy, or empty when every rule is off
     */
    public Optional<TokenPolicy> policy(Revocations revocations, List<AnomalyListener> listeners, boolean enforce,
                                        Clock clock, SharedControl shared) {
        if (!enabled()) {
            return Optional.empty();
        }
        return Optional.of(new AnomalyPolicy(maxNetworks, maxDenials, countries, action, maxTokens,
                Objects.requireNonNull(revocations, "revocations"), List.copyOf(listeners), enforce,
                Objects.requireNonNull(shared.anomalyState(), "anomalyState"), shared.failClosed(),
                Objects.requireNonNull(clock, "clock")));
    }

    /**
     * The network the networks rule counts an address in: its /24 for IPv4, its /48 for IPv6, so that a console can
     * show a token's networks as the rule sees them.
     *
     * @param address a client address literal, e.g. {@code 203.0.113.9}
     * @return the network, e.g. {@code 203.0.113.0/24}; empty for what is not an address literal
     */
    public static Optional<String> network(String address) {
        OptionalLong key = Addresses.network(Objects.requireNonNull(address, "address"));
        return key.isPresent() ? Optional.of(Addresses.networkText(key.getAsLong())) : Optional.empty();
    }

    @Override
    public String toString() {
        return "anomaly rules (networks " + maxNetworks.map(Object::toString).orElse("off") + ", countries "
                + countries.map(Object::toString).orElse("off") + ", denials "
                + maxDenials.map(Object::toString).orElse("off") + ", action " + action + ")";
    }

    /** Builds {@link AnomalyRules}; each setter refuses a bad value at once, naming the setting. */
    public static final class Builder {
        private Anomaly.Limit maxNetworks;
        private Anomaly.Limit maxDenials;
        private GeoIpCountries countries;
        private Anomaly.Action action = DEFAULT_ACTION;
        private int maxTokens = DEFAULT_MAX_TOKENS;

        private Builder() {
        }

        /**
         * The networks rule: more than {@code max} networks (1 to {@value #MAX_LIMIT}) within {@code window}.
         *
         * @param max the most networks a token may be used from within the window, 1 to {@value #MAX_LIMIT}
         * @param window how far back requests count; positive
         * @return this builder
         * @throws IllegalArgumentException for a limit or window out of range, naming {@code maxNetworks}
         */
        public Builder maxNetworks(int max, Duration window) {
            return maxNetworks(limit("maxNetworks", max, window));
        }

        /**
         * The denials rule: more than {@code max} {@code insufficient_scope} or IP-range denials (1 to
         * {@value #MAX_LIMIT}) within {@code window}.
         *
         * @param max the most such denials a token may get within the window, 1 to {@value #MAX_LIMIT}
         * @param window how far back denials count; positive
         * @return this builder
         * @throws IllegalArgumentException for a limit or window out of range, naming {@code maxDenials}
         */
        public Builder maxDenials(int max, Duration window) {
            return maxDenials(limit("maxDenials", max, window));
        }

        /**
         * The countries rule, with this MaxMind-format country database ({@code .mmdb}: GeoLite2-Country, DB-IP
         * Lite), read into memory now.
         *
         * @param mmdb the database file; not null
         * @return this builder
         * @throws IllegalArgumentException when it cannot be read as one
         */
        public Builder geoipDatabase(Path mmdb) {
            this.countries = GeoIpCountries.open(Objects.requireNonNull(mmdb, "geoipDatabase"));
            return this;
        }

        /**
         * What is done when a rule fires; default {@code log}.
         *
         * @param action {@code log} or {@code revoke}; not null
         * @return this builder
         */
        public Builder action(Anomaly.Action action) {
            this.action = Objects.requireNonNull(action, "action");
            return this;
        }

        /**
         * How many tokens' state is kept (the least recently used is forgotten first); default 100,000.
         *
         * @param maxTokens the most tokens tracked at once, at least 1
         * @return this builder
         * @throws IllegalArgumentException for less than 1
         */
        public Builder maxTrackedTokens(int maxTokens) {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("maxTrackedTokens must be at least 1, not " + maxTokens);
            }
            this.maxTokens = maxTokens;
            return this;
        }

        /**
         * Builds the rules; a builder with no rule on builds rules that add nothing to any request's path.
         *
         * @return the rules
         */
        public AnomalyRules build() {
            return new AnomalyRules(this);
        }

        private Builder maxNetworks(Anomaly.Limit limit) {
            this.maxNetworks = limit;
            return this;
        }

        private Builder maxDenials(Anomaly.Limit limit) {
            this.maxDenials = limit;
            return this;
        }

        private static Anomaly.Limit limit(String setting, int max, Duration window) {
            try {
                return Anomaly.Limit.of(max, window, MAX_LIMIT);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(setting + ": " + e.getMessage(), e);
            }
        }
    }
}
