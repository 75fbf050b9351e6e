package dev.tokengate.control;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tokengate.BearerError;
import dev.tokengate.VerifiedToken;
import dev.tokengate.policy.PolicyDecision;
import dev.tokengate.policy.RequestFacts;
import dev.tokengate.policy.TokenPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The policy of {@link AnomalyRules}: checks the networks and countries rules on each request, counts denials as
 * requests end, and logs, marks, revokes and tells the listeners. Thread-safe: one small sketch per token, each
 * updated under its own lock.
 */
final class AnomalyPolicy implements TokenPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(AnomalyRules.class);
    /** The marks of the denials the denials rule counts: the route's scopes, a token's or client's IP ranges. */
    static final List<String> COUNTED_DENIALS = List.of("scope", "address");

    private final Optional<Anomaly.Limit> maxNetworks;
    private final Optional<Anomaly.Limit> maxDenials;
    private final Optional<GeoIpCountries> countries;
    private final Anomaly.Action action;
    private final Revocations revocations;
    private final List<AnomalyListener> listeners;
    private final boolean enforce;
    /** Per token, by the SHA-256 of its text in hex: bounded, the least recently used forgotten first. */
    private final Cache<String, Sketch> sketches;

    AnomalyPolicy(Optional<Anomaly.Limit> maxNetworks, Optional<Anomaly.Limit> maxDenials,
                  Optional<GeoIpCountries> countries, Anomaly.Action action, int maxTokens, Revocations revocations,
                  List<AnomalyListener> listeners, boolean enforce) {
        this.maxNetworks = maxNetworks;
        this.maxDenials = maxDenials;
        this.countries = countries;
        this.action = action;
        this.revocations = revocations;
        this.listeners = listeners;
        this.enforce = enforce;
        this.sketches = Caffeine.newBuilder().maximumSize(maxTokens).build();
    }

    @Override
    public PolicyDecision check(VerifiedToken token, RequestFacts request) {
        Optional<String> hash = key(request);
        if (hash.isEmpty()) {
            return PolicyDecision.allow();
        }
        Sketch sketch = sketch(hash.get());
        long now = request.time().toEpochMilli();
        String firstMark = null; // at most two marks: no list on the request path
        String secondMark = null;
        if (maxNetworks.isPresent()) {
            OptionalLong network = Addresses.network(request.clientAddress());
            if (network.isPresent()) {
                Sketch.Seen seen = sketch.network(network.getAsLong(), now, maxNetworks.get());
                if (seen != null) {
                    PolicyDecision.Deny deny = fire(Anomaly.Rule.NETWORKS, token, request, hash.get(), seen.items(),
                            seen.count(), seen.crossed(), "used from " + seen.count() + " networks within "
                                    + Anomaly.Limit.text(maxNetworks.get().window()) + " (at most "
                                    + maxNetworks.get().max() + " allowed)");
                    if (deny != null) {
                        return deny;
                    }
                    firstMark = Anomaly.Rule.NETWORKS.mark();
                }
            }
        }
        if (countries.isPresent()) {
            Optional<String> country = countries.get().country(request.clientAddress());
            if (country.isPresent()) {
                List<String> known = sketch.country(country.get());
                if (known != null) {
                    PolicyDecision.Deny deny = fire(Anomaly.Rule.COUNTRIES, token, request, hash.get(), known,
                            known.size(), true, "used from " + country.get() + " after only "
                                    + String.join(", ", known.subList(0, known.size() - 1)));
                    if (deny != null) {
                        return deny;
                    }
                    if (firstMark == null) {
                        firstMark = Anomaly.Rule.COUNTRIES.mark();
                    } else {
                        secondMark = Anomaly.Rule.COUNTRIES.mark();
                    }
                }
            }
        }
        if (maxDenials.isPresent() && sketch.denialsOver(now, maxDenials.get())) {
            if (firstMark == null) {
                firstMark = Anomaly.Rule.DENIALS.mark();
            } else if (secondMark == null) {
                secondMark = Anomaly.Rule.DENIALS.mark();
            }
        }
        if (firstMark == null) {
            return PolicyDecision.allow();
        }
        PolicyDecision.Allow allow = (PolicyDecision.Allow) PolicyDecision.allowMarked(firstMark);
        return secondMark == null ? allow : allow.withMark(secondMark);
    }

    /**
     * What a token's sketch is kept under: its fingerprint (the call log's, made for every request anyway), else the
     * first 12 digits of its hash. 48 bits: two tokens share a sketch once in some 10^10 pairs, and choosing a valid
     * token with a given fingerprint would take 2^48 tokens from the issuer.
     */
    private static Optional<String> key(RequestFacts request) {
        Optional<String> fingerprint = request.tokenFingerprint();
        return fingerprint.isPresent() ? fingerprint : request.tokenHash().map(h -> h.substring(0, 12));
    }

    /** The token's sketch; a lookup without a lambda on the usual path (the token was seen before). */
    private Sketch sketch(String hash) {
        Sketch sketch = sketches.getIfPresent(hash);
        return sketch != null ? sketch : sketches.get(hash, k -> new Sketch(maxNetworks, maxDenials));
    }

    @Override
    public void observe(VerifiedToken token, RequestFacts request, Optional<PolicyDecision.Deny> denial) {
        if (maxDenials.isEmpty() || denial.isEmpty() || COUNTED_DENIALS.stream().noneMatch(denial.get()::hasMark)
                || denial.get().hasMark(RevocationPolicy.MARK)) {
            return;
        }
        Optional<String> hash = key(request);
        if (hash.isEmpty()) {
            return;
        }
        Anomaly.Limit limit = maxDenials.get();
        Sketch sketch = sketch(hash.get());
        int count = sketch.denial(request.time().toEpochMilli(), limit);
        if (count > 0) {
            // the request was refused already: revoking keeps the token out from the next request on
            fire(Anomaly.Rule.DENIALS, token, request, hash.get(), List.of(), count, true, "refused " + count
                    + " times (insufficient scope or IP range) within " + Anomaly.Limit.text(limit.window())
                    + " (at most " + limit.max() + " allowed)");
        }
    }

    /**
     * Acts on a rule that fired: when this request crossed the limit, logs, revokes (action {@code revoke}, unless
     * in report-only mode) and tells the listeners. Returns the denial of the triggering request (action
     * {@code revoke}, on crossing), or {@code null} to mark it.
     */
    private PolicyDecision.Deny fire(Anomaly.Rule rule, VerifiedToken token, RequestFacts request, String hash,
                                     List<String> seen, int count, boolean crossed, String what) {
        if (!crossed) {
            // still over the limit: reported (and revoked) when it crossed; the request is marked only, so a token
            // whose revocation an operator lifted is not refused again until it crosses the limit again
            return null;
        }
        String fingerprint = hash;
        String reason = "anomaly " + rule + ": " + what;
        if (action == Anomaly.Action.LOG) {
            report(new Anomaly(rule, request.time(), request.requestId(), fingerprint, token.subject(),
                    token.clientId(), request.clientAddress(), seen, count, reason, Anomaly.Action.LOG));
            return null;
        }
        Anomaly.Action taken = Anomaly.Action.LOG;
        if (enforce) {
            try {
                revocations.revokeToken(token, request.tokenHash().orElse(null), reason);
                taken = Anomaly.Action.REVOKE;
            } catch (RuntimeException e) {
                // held in memory all the same (Revocations.revoke): refused on this node
                LOG.error("tokengate could not store the revocation of token {} ({}); it is refused on this node",
                        fingerprint, reason, e);
                taken = Anomaly.Action.REVOKE;
            }
        }
        report(new Anomaly(rule, request.time(), request.requestId(), fingerprint, token.subject(),
                token.clientId(), request.clientAddress(), seen, count, reason
                + (enforce ? "" : " (report-only: not revoked)"), taken));
        return new PolicyDecision.Deny(BearerError.invalidToken("This token has been revoked because it was used "
                + "in an unusual way; sign in again or ask its issuer for a new one."),
                reason + (enforce ? "; token revoked" : "; would be revoked"),
                List.of(rule.mark(), RevocationPolicy.MARK));
    }

    private void report(Anomaly anomaly) {
        LOG.warn("tokengate anomaly {}: token {} (subject {}, client {}) from {}: {}; seen {}; action {}",
                anomaly.rule(), anomaly.tokenFingerprint(), anomaly.subject().orElse("-"),
                anomaly.clientId().orElse("-"), anomaly.clientAddress(), anomaly.description(), anomaly.seen(),
                anomaly.action());
        for (AnomalyListener listener : listeners) {
            try {
                listener.detected(anomaly);
            } catch (RuntimeException e) {
                LOG.error("anomaly listener {} failed on {}", listener.getClass().getName(), anomaly.rule(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "anomaly rules";
    }

    /**
     * What is known of one token: the networks it was used from (at most N + 1, with when each was last seen), the
     * countries (at most {@value AnomalyRules#MAX_COUNTRIES}, most recent last) and the times of its last N + 1
     * counted denials. Fixed size whatever the traffic.
     */
    static final class Sketch {
        /** What the networks rule saw over its limit: the networks, their count, whether this request crossed it. */
        record Seen(List<String> items, int count, boolean crossed) {
        }

        private final long[] networks;
        private final long[] networkSeen;
        private int networkCount;
        private boolean networksOver;
        private final String[] countries = new String[AnomalyRules.MAX_COUNTRIES];
        private int countryCount;
        private final long[] denials;
        private int denialCount;
        private int denialNext;
        private boolean denialsOver;

        Sketch(Optional<Anomaly.Limit> maxNetworks, Optional<Anomaly.Limit> maxDenials) {
            int n = maxNetworks.map(l -> l.max() + 1).orElse(0);
            this.networks = new long[n];
            this.networkSeen = new long[n];
            this.denials = new long[maxDenials.map(l -> l.max() + 1).orElse(0)];
        }

        /** Records a use from this network; the networks in the window when they are over the limit, else null. */
        synchronized Seen network(long network, long now, Anomaly.Limit limit) {
            long since = now - limit.window().toMillis();
            int kept = 0;
            int found = -1;
            for (int i = 0; i < networkCount; i++) {
                if (networkSeen[i] > since) {
                    networks[kept] = networks[i];
                    networkSeen[kept] = networkSeen[i];
                    if (networks[kept] == network) {
                        found = kept;
                    }
                    kept++;
                }
            }
            networkCount = kept;
            if (found >= 0) {
                networkSeen[found] = Math.max(networkSeen[found], now);
            } else {
                int slot = networkCount;
                if (slot == networks.length) { // full: the least recently seen makes room
                    slot = 0;
                    for (int i = 1; i < networkCount; i++) {
                        if (networkSeen[i] < networkSeen[slot]) {
                            slot = i;
                        }
                    }
                } else {
                    networkCount++;
                }
                networks[slot] = network;
                networkSeen[slot] = now;
            }
            if (networkCount <= limit.max()) {
                networksOver = false;
                return null;
            }
            boolean crossed = !networksOver;
            networksOver = true;
            List<String> items = new ArrayList<>(networkCount);
            for (int i = 0; i < networkCount; i++) {
                items.add(Addresses.networkText(networks[i]));
            }
            return new Seen(items, networkCount, crossed);
        }

        /**
         * Records a use from this country: the countries known before it, then it, when it is new (and not the
         * first), else null.
         */
        synchronized List<String> country(String country) {
            for (int i = 0; i < countryCount; i++) {
                if (countries[i].equals(country)) {
                    System.arraycopy(countries, i + 1, countries, i, countryCount - i - 1);
                    countries[countryCount - 1] = country;
                    return null;
                }
            }
            boolean first = countryCount == 0;
            if (countryCount == countries.length) {
                System.arraycopy(countries, 1, countries, 0, countryCount - 1);
                countryCount--;
            }
            countries[countryCount++] = country;
            return first ? null : List.of(java.util.Arrays.copyOf(countries, countryCount));
        }

        /** Records a denial: the denials in the window if this one took them over the limit, else 0. */
        synchronized int denial(long now, Anomaly.Limit limit) {
            denials[denialNext] = now;
            denialNext = (denialNext + 1) % denials.length;
            denialCount = Math.min(denialCount + 1, denials.length);
            int inWindow = inWindow(now, limit);
            if (inWindow <= limit.max()) {
                denialsOver = false;
                return 0;
            }
            boolean crossed = !denialsOver;
            denialsOver = true;
            return crossed ? inWindow : 0;
        }

        /** Whether the denials in the window are over the limit now. */
        synchronized boolean denialsOver(long now, Anomaly.Limit limit) {
            if (denialCount == 0) {
                return false;
            }
            boolean over = inWindow(now, limit) > limit.max();
            if (!over) {
                denialsOver = false;
            }
            return over;
        }

        private int inWindow(long now, Anomaly.Limit limit) {
            long since = now - limit.window().toMillis();
            int n = 0;
            for (int i = 0; i < denialCount; i++) {
                if (denials[i] > since) {
                    n++;
                }
            }
            return n;
        }
    }
}
