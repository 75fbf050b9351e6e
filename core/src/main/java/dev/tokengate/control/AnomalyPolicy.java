package dev.tokengate.control;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tokengate.BearerError;
import dev.tokengate.VerifiedToken;
import dev.tokengate.internal.WarningEpisode;
import dev.tokengate.log.Loggers;
import dev.tokengate.policy.PolicyDecision;
import dev.tokengate.policy.RequestFacts;
import dev.tokengate.policy.TokenPolicy;
import org.slf4j.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The policy of {@link AnomalyRules}: checks the networks and countries rules on each request, counts denials as
 * requests end, and logs, marks, revokes and tells the listeners. Thread-safe: one small sketch per token, each
 * updated under its own lock (never held while the shared state is asked).
 *
 * <p>With {@link SharedAnomalyState shared state} the networks and denials rules count what every node saw, and the
 * node whose record takes the shared count over the limit fires the rule. The shared state is asked only when the
 * node's own sketch sees a network new for the token within the window, or one it has not reported for half the
 * window (so that a network in steady use on one node keeps counting on the others), and on each counted denial;
 * any network of the token that is as due goes with it. A repeat call from a known network is answered from the
 * sketch, which holds what the shared state last answered: no Redis round trip. The countries rule asks it when a
 * country is new to the node's sketch, and fires on the node whose record added a country to those the token was
 * used from on any node (remembered for {@link AnomalyRules#COUNTRY_MEMORY a week} after the last new one). When the
 * shared state cannot be reached, the sketch decides alone ({@code fail-open}, one WARN per episode; the networks
 * not reported are reported on the next ask, a country seen meanwhile is not), or a request that needed it is
 * refused with 503 ({@code fail-closed}; a counted denial, whose request is refused already, is then counted on this
 * node).
 */
final class AnomalyPolicy implements TokenPolicy {

    private static final Logger LOG = Loggers.logger(AnomalyRules.class);
    /** The marks of the denials the denials rule counts: the route's scopes, a token's or client's IP ranges. */
    static final List<String> COUNTED_DENIALS = List.of("scope", "address");
    private static final Duration SHARED_RETRY = Duration.ofSeconds(5);

    private final Optional<Anomaly.Limit> maxNetworks;
    private final Optional<Anomaly.Limit> maxDenials;
    private final Optional<GeoIpCountries> countries;
    private final Anomaly.Action action;
    private final Revocations revocations;
    private final List<AnomalyListener> listeners;
    private final boolean enforce;
    /** Per token, by the SHA-256 of its text in hex: bounded, the least recently used forgotten first. */
    private final Cache<String, Sketch> sketches;
    /** The state every node records into, or {@code null} for this node's sketches only. */
    private final SharedAnomalyState shared;
    /** With shared state: whether a request that needs it is refused (503) while it cannot be reached. */
    private final boolean failClosed;
    private final WarningEpisode sharedFailures;
    /** With shared state: how long a network's report holds before a use from it is reported again (half the window). */
    private final long refresh;
    /** Names this node's denials in the shared state, with {@link #denialIds}. */
    private final String node;
    private final AtomicLong denialIds = new AtomicLong();

    AnomalyPolicy(Optional<Anomaly.Limit> maxNetworks, Optional<Anomaly.Limit> maxDenials,
                  Optional<GeoIpCountries> countries, Anomaly.Action action, int maxTokens, Revocations revocations,
                  List<AnomalyListener> listeners, boolean enforce) {
        this(maxNetworks, maxDenials, countries, action, maxTokens, revocations, listeners, enforce, null, false,
                Clock.systemUTC());
    }

    AnomalyPolicy(Optional<Anomaly.Limit> maxNetworks, Optional<Anomaly.Limit> maxDenials,
                  Optional<GeoIpCountries> countries, Anomaly.Action action, int maxTokens, Revocations revocations,
                  List<AnomalyListener> listeners, boolean enforce, SharedAnomalyState shared, boolean failClosed,
                  Clock clock) {
        this.maxNetworks = maxNetworks;
        this.maxDenials = maxDenials;
        this.countries = countries;
        this.action = action;
        this.revocations = revocations;
        this.listeners = listeners;
        this.enforce = enforce;
        // maintenance on the calling thread, as the other bounded maps on the request path: a fresh token is a write,
        // and the common pool's thread woken for each one cost more than the maintenance itself
        this.sketches = Caffeine.newBuilder().maximumSize(maxTokens).executor(Runnable::run).build();
        this.shared = shared;
        this.failClosed = failClosed;
        this.sharedFailures = shared == null ? null : new WarningEpisode(LOG, "tokengate cannot reach the shared "
                + "anomaly state; " + (failClosed ? "a request from a network or country new for its token is refused with 503"
                : "each node applies the anomaly rules to what it sees itself"), clock,
                WarningEpisode.SUMMARY_INTERVAL);
        this.refresh = maxNetworks.map(l -> Math.max(1, l.window().toMillis() / 2)).orElse(1L);
        this.node = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
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
                Anomaly.Limit limit = maxNetworks.get();
                Sketch.Seen seen;
                if (shared == null) {
                    seen = sketch.network(network.getAsLong(), now, limit);
                } else {
                    Sketch.Report report = sketch.recordNetwork(network.getAsLong(), now, limit, refresh);
                    if (report == null) {
                        seen = sketch.networks(now, limit, false);
                    } else {
                        try {
                            SharedAnomalyState.Recorded answer = shared.record(Anomaly.Rule.NETWORKS, hash.get(),
                                    report.seen(), request.time(), limit.window(), limit.max());
                            sharedFailures.recovered();
                            seen = sketch.merge(answer, report, now, limit);
                        } catch (RuntimeException e) {
                            sketch.unreport(report);
                            sharedFailures.failure(describe(e));
                            if (failClosed) {
                                return unavailable(e);
                            }
                            seen = sketch.networks(now, limit, true);
                        }
                    }
                }
                if (seen != null) {
                    PolicyDecision.Deny deny = fire(Anomaly.Rule.NETWORKS, token, request, hash.get(), seen.items(),
                            seen.count(), seen.crossed(), "used from " + seen.count() + " networks within "
                                    + Anomaly.Limit.text(limit.window()) + " (at most " + limit.max() + " allowed)");
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
                List<String> known;
                if (shared == null) {
                    known = sketch.country(country.get());
                } else {
                    List<String> here = sketch.newCountry(country.get());
                    if (here == null) {
                        known = null; // known on this node: no round trip
                    } else {
                        try {
                            SharedAnomalyState.Recorded answer = shared.record(Anomaly.Rule.COUNTRIES, hash.get(),
                                    List.of(new SharedAnomalyState.Seen(country.get(), now)), request.time(),
                                    AnomalyRules.COUNTRY_MEMORY, AnomalyRules.MAX_COUNTRIES - 1);
                            sharedFailures.recovered();
                            known = sketch.mergeCountries(answer, country.get());
                        } catch (RuntimeException e) {
                            sharedFailures.failure(describe(e));
                            if (failClosed) {
                                return unavailable(e);
                            }
                            known = here.isEmpty() ? null : here;
                        }
                    }
                }
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

    /** The 503 of a request that needed the shared state while it could not be reached ({@code fail-closed}). */
    private static PolicyDecision.Deny unavailable(RuntimeException e) {
        return new PolicyDecision.Deny(BearerError.unavailable("The token's use cannot be checked right now; try "
                + "again shortly.", SHARED_RETRY), "shared anomaly state unreachable (fail-closed): " + describe(e),
                List.of(RevocationPolicy.UNAVAILABLE_MARK));
    }

    private static String describe(RuntimeException e) {
        return e.getMessage() == null ? e.getClass().getName() : e.getMessage();
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
        long now = request.time().toEpochMilli();
        int count;
        if (shared == null) {
            count = sketch.denial(now, limit);
        } else {
            boolean overBefore = sketch.recordSharedDenial(now, limit);
            try {
                SharedAnomalyState.Recorded answer = shared.record(Anomaly.Rule.DENIALS, hash.get(),
                        List.of(new SharedAnomalyState.Seen(node + '-' + denialIds.incrementAndGet(), now)),
                        request.time(), limit.window(), limit.max());
                sharedFailures.recovered();
                count = sketch.mergeDenials(answer, overBefore, now, limit);
            } catch (RuntimeException e) {
                sharedFailures.failure(describe(e));
                count = sketch.denials(now, limit, true); // refused already: counted here, whatever on-failure says
            }
        }
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
     * What is known of one token: the networks it was used from (at most N + 1, with when each was last seen and, with
     * shared state, the time the shared state last held for it), the countries (at most
     * {@value AnomalyRules#MAX_COUNTRIES}, most recent last), the times of its last N + 1 counted denials and, with
     * shared state, of the last N + 1 denials every node counted. Fixed size whatever the traffic.
     */
    static final class Sketch {
        /** What the networks rule saw over its limit: the networks, their count, whether this request crossed it. */
        record Seen(List<String> items, int count, boolean crossed) {
        }

        /**
         * What a request reports to the shared state: the networks sent (with the report times they replaced, to
         * put back if the report fails), and whether the token was over the limit here before this request.
         */
        record Report(long[] networks, long[] previous, long[] sent, List<SharedAnomalyState.Seen> seen,
                      boolean overBefore) {
        }

        private final long[] networks;
        private final long[] networkSeen;
        /** When the shared state was last told of (or told this node of) each network; 0: never. */
        private final long[] networkReported;
        private int networkCount;
        private boolean networksOver;
        private final String[] countries = new String[AnomalyRules.MAX_COUNTRIES];
        private int countryCount;
        private final long[] denials;
        private int denialCount;
        private int denialNext;
        private boolean denialsOver;
        /** The denials of every node, as the shared state's last answer had them. */
        private final long[] sharedDenials;
        private int sharedDenialCount;

        Sketch(Optional<Anomaly.Limit> maxNetworks, Optional<Anomaly.Limit> maxDenials) {
            int n = maxNetworks.map(l -> l.max() + 1).orElse(0);
            this.networks = new long[n];
            this.networkSeen = new long[n];
            this.networkReported = new long[n];
            int d = maxDenials.map(l -> l.max() + 1).orElse(0);
            this.denials = new long[d];
            this.sharedDenials = new long[d];
        }

        /** Records a use from this network; the networks in the window when they are over the limit, else null. */
        synchronized Seen network(long network, long now, Anomaly.Limit limit) {
            put(network, now, now - limit.window().toMillis());
            return networks(limit, true);
        }

        /**
         * Records a use from this network, for a policy with shared state: what to report to it when the network is
         * new here within the window, or the shared state was last told of it {@code refresh} or longer ago (then
         * every network of the token that is as due goes with it, marked reported); null when nothing is due.
         */
        synchronized Report recordNetwork(long network, long now, Anomaly.Limit limit, long refresh) {
            long since = now - limit.window().toMillis();
            trim(since);
            // over before this use, as last decided here (a use refused with 503 while fail-closed was not decided)
            boolean overBefore = networksOver && networkCount > limit.max();
            int slot = put(network, now, since);
            long due = now - refresh;
            if (networkReported[slot] > due) {
                return null;
            }
            int n = 0;
            for (int i = 0; i < networkCount; i++) {
                if (networkReported[i] <= due && networkSeen[i] > networkReported[i]) {
                    n++;
                }
            }
            long[] sent = new long[n];
            long[] previous = new long[n];
            long[] times = new long[n];
            List<SharedAnomalyState.Seen> seen = new ArrayList<>(n);
            int k = 0;
            for (int i = 0; i < networkCount; i++) {
                if (networkReported[i] <= due && networkSeen[i] > networkReported[i]) {
                    sent[k] = networks[i];
                    previous[k] = networkReported[i];
                    times[k] = networkSeen[i];
                    networkReported[i] = networkSeen[i];
                    seen.add(new SharedAnomalyState.Seen(Addresses.networkText(networks[i]), networkSeen[i]));
                    k++;
                }
            }
            return new Report(sent, previous, times, seen, overBefore);
        }

        /** A report that did not reach the shared state: its networks are due again. */
        synchronized void unreport(Report report) {
            for (int k = 0; k < report.networks().length; k++) {
                for (int i = 0; i < networkCount; i++) {
                    if (networks[i] == report.networks()[k] && networkReported[i] == report.sent()[k]) {
                        networkReported[i] = report.previous()[k];
                    }
                }
            }
        }

        /**
         * Takes in the shared state's answer to a report (what every node saw, each network then counting as
         * reported at the time it holds): the networks in the window when they are over the limit, else null; crossed
         * when the token was not over it here already and the shared state says this report crossed it, or holds no
         * more than the limit while this node knows more (a Redis that lost its data).
         */
        synchronized Seen merge(SharedAnomalyState.Recorded answer, Report report, long now, Anomaly.Limit limit) {
            long since = now - limit.window().toMillis();
            for (SharedAnomalyState.Seen entry : answer.entries()) {
                int slash = entry.value().indexOf('/');
                OptionalLong network = Addresses.network(slash < 0 ? entry.value() : entry.value().substring(0, slash));
                if (network.isEmpty() || entry.seenAt() <= since) {
                    continue; // not written by a gate, or out of the window by this node's clock
                }
                int slot = find(network.getAsLong());
                if (slot < 0) {
                    if (networkCount < networks.length) {
                        slot = networkCount++;
                    } else {
                        slot = leastRecent();
                        if (networkSeen[slot] >= entry.seenAt()) {
                            continue; // full of networks seen more recently
                        }
                    }
                    networks[slot] = network.getAsLong();
                    networkSeen[slot] = entry.seenAt();
                    networkReported[slot] = entry.seenAt();
                } else {
                    networkSeen[slot] = Math.max(networkSeen[slot], entry.seenAt());
                    networkReported[slot] = Math.max(networkReported[slot], entry.seenAt());
                }
            }
            trim(since);
            if (networkCount <= limit.max()) {
                networksOver = false;
                return null;
            }
            networksOver = true;
            // over here and not before: the shared state crossed, or it holds too few (it lost what it had: a
            // restarted Redis) and another node reports no crossing either
            boolean crossed = !report.overBefore()
                    && (answer.crossed() || answer.entries().size() <= limit.max());
            return new Seen(networkTexts(), networkCount, crossed);
        }

        /**
         * The networks in the window when they are over the limit, else null; without a report, as the sketch holds
         * them (crossed only when {@code mayCross}: with shared state, only the shared state's answer says a limit was
         * crossed).
         */
        synchronized Seen networks(long now, Anomaly.Limit limit, boolean mayCross) {
            trim(now - limit.window().toMillis());
            return networks(limit, mayCross);
        }

        private Seen networks(Anomaly.Limit limit, boolean mayCross) {
            if (networkCount <= limit.max()) {
                networksOver = false;
                return null;
            }
            boolean crossed = mayCross && !networksOver;
            networksOver = true;
            return new Seen(networkTexts(), networkCount, crossed);
        }

        private List<String> networkTexts() {
            List<String> items = new ArrayList<>(networkCount);
            for (int i = 0; i < networkCount; i++) {
                items.add(Addresses.networkText(networks[i]));
            }
            return items;
        }

        /** Forgets the networks last seen at {@code since} or before, keeping the others in order. */
        private void trim(long since) {
            int kept = 0;
            for (int i = 0; i < networkCount; i++) {
                if (networkSeen[i] > since) {
                    networks[kept] = networks[i];
                    networkSeen[kept] = networkSeen[i];
                    networkReported[kept] = networkReported[i];
                    kept++;
                }
            }
            networkCount = kept;
        }

        private int find(long network) {
            for (int i = 0; i < networkCount; i++) {
                if (networks[i] == network) {
                    return i;
                }
            }
            return -1;
        }

        /** The slot of the least recently seen network (the first kept of equals). */
        private int leastRecent() {
            int slot = 0;
            for (int i = 1; i < networkCount; i++) {
                if (networkSeen[i] < networkSeen[slot]) {
                    slot = i;
                }
            }
            return slot;
        }

        /** Records a use from this network at {@code now}, after the window's start; returns its slot. */
        private int put(long network, long now, long since) {
            trim(since);
            int found = find(network);
            if (found >= 0) {
                networkSeen[found] = Math.max(networkSeen[found], now);
                return found;
            }
            int slot = networkCount < networks.length ? networkCount++ : leastRecent(); // full: it makes room
            networks[slot] = network;
            networkSeen[slot] = now;
            networkReported[slot] = 0;
            return slot;
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

        /**
         * For a policy with shared state: records a use from this country, and returns null when it was known here,
         * else what {@link #country} says (an empty list for the token's first country here).
         */
        synchronized List<String> newCountry(String country) {
            for (int i = 0; i < countryCount; i++) {
                if (countries[i].equals(country)) {
                    country(country); // moves it to the end
                    return null;
                }
            }
            List<String> known = country(country);
            return known == null ? List.of() : known;
        }

        /**
         * Takes in the shared state's answer to a new country (every node's, the last seen first): the countries
         * known before it, then it, when this record added it to the countries of the token that other nodes or this
         * one had seen, else null. The countries the answer names become known here (before this one).
         */
        synchronized List<String> mergeCountries(SharedAnomalyState.Recorded answer, String country) {
            List<String> all = new ArrayList<>(answer.entries().size());
            for (int i = answer.entries().size() - 1; i >= 0; i--) {
                String c = answer.entries().get(i).value();
                if (!c.equals(country)) {
                    all.add(c);
                }
            }
            all.add(country);
            int at = 0; // where this node's own countries end: the others go before this one, kept most recent last
            for (int i = 0; i < countryCount; i++) {
                if (countries[i].equals(country)) {
                    at = i;
                }
            }
            for (String c : all) {
                boolean held = false;
                for (int i = 0; i < countryCount && !held; i++) {
                    held = countries[i].equals(c);
                }
                if (!held) {
                    if (countryCount == countries.length) {
                        System.arraycopy(countries, 1, countries, 0, countryCount - 1);
                        countryCount--;
                        at = Math.max(0, at - 1);
                    }
                    System.arraycopy(countries, at, countries, at + 1, countryCount - at);
                    countries[at++] = c;
                    countryCount++;
                }
            }
            return answer.added() && all.size() > 1 ? List.copyOf(all) : null;
        }

        /** Records a denial: the denials in the window if this one took them over the limit, else 0. */
        synchronized int denial(long now, Anomaly.Limit limit) {
            recordDenial(now);
            return denials(now, limit, true);
        }

        /**
         * Records a denial, for a policy with shared state; returns whether the token was over the limit here before
         * it (then a crossing the shared state reports is not reported again).
         */
        synchronized boolean recordSharedDenial(long now, Anomaly.Limit limit) {
            boolean overBefore = inWindow(now, limit) > limit.max();
            recordDenial(now);
            return overBefore;
        }

        /**
         * Takes in the shared state's answer to a denial: the denials in the window if the shared state says this one
         * crossed the limit and the token was not over it here already, else 0.
         */
        synchronized int mergeDenials(SharedAnomalyState.Recorded answer, boolean overBefore, long now,
                                      Anomaly.Limit limit) {
            sharedDenialCount = 0;
            for (SharedAnomalyState.Seen entry : answer.entries()) {
                if (sharedDenialCount < sharedDenials.length) {
                    sharedDenials[sharedDenialCount++] = entry.seenAt();
                }
            }
            int inWindow = inWindow(now, limit);
            denialsOver = inWindow > limit.max();
            return answer.crossed() && !overBefore ? inWindow : 0;
        }

        /** Without the shared state: the denials in the window if they are over the limit and crossed it now, else 0. */
        synchronized int denials(long now, Anomaly.Limit limit, boolean mayCross) {
            int inWindow = inWindow(now, limit);
            if (inWindow <= limit.max()) {
                denialsOver = false;
                return 0;
            }
            boolean crossed = mayCross && !denialsOver;
            denialsOver = true;
            return crossed ? inWindow : 0;
        }

        private void recordDenial(long now) {
            denials[denialNext] = now;
            denialNext = (denialNext + 1) % denials.length;
            denialCount = Math.min(denialCount + 1, denials.length);
        }

        /** Whether the denials in the window are over the limit now. */
        synchronized boolean denialsOver(long now, Anomaly.Limit limit) {
            if (denialCount == 0 && sharedDenialCount == 0) {
                return false;
            }
            boolean over = inWindow(now, limit) > limit.max();
            if (!over) {
                denialsOver = false;
            }
            return over;
        }

        /** The denials in the window: this node's, or all nodes' as last told when there are more of those. */
        private int inWindow(long now, Anomaly.Limit limit) {
            long since = now - limit.window().toMillis();
            int n = 0;
            for (int i = 0; i < denialCount; i++) {
                if (denials[i] > since) {
                    n++;
                }
            }
            int shared = 0;
            for (int i = 0; i < sharedDenialCount; i++) {
                if (sharedDenials[i] > since) {
                    shared++;
                }
            }
            return Math.max(n, shared);
        }
    }
}
