package dev.tokengate.sample;

import dev.tokengate.control.Anomaly;
import dev.tokengate.control.AnomalyListener;
import dev.tokengate.control.AnomalyRules;
import dev.tokengate.log.CallEvent;
import dev.tokengate.log.CallLogSink;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What each token did, aggregated for the console's charts: a {@link CallLogSink} (after {@link RecentCalls}) and an
 * {@link AnomalyListener}. Per token it keeps calls per minute for the last hour and per 5 minutes for the last 24
 * hours, each counted by {@link Decision}; the networks it was used from (as the networks rule counts them: /24 for
 * IPv4, /48 for IPv6) and, with a country database, the countries, each with its first and last time seen; and the
 * last automatic revocation (rule, reason, networks or countries, moment). No raw event is kept.
 *
 * <p>Bounded: fixed ring buffers per token, at most {@value #MAX_NETWORKS} networks and {@value #MAX_COUNTRIES}
 * countries per token (the least recently seen forgotten first) and at most {@code maxTokens} tokens (the least
 * recently used forgotten first). {@code docs/sample-app.md} computes the bytes. Time is the injected clock's (a
 * call counts in the minute of its arrival). Thread-safe: one lock, held for a few array writes per call.
 */
final class TokenActivity implements CallLogSink, AnomalyListener {

    /** How many tokens are tracked at once by default. */
    static final int DEFAULT_MAX_TOKENS = 1_000;
    /** The hour's chart: one slot per minute. */
    static final int HOUR_SLOTS = 60;
    /** The day's timeline: one slot per 5 minutes. */
    static final int DAY_SLOTS = 288;
    static final int DAY_SLOT_MINUTES = 5;
    static final int MAX_NETWORKS = 16;
    static final int MAX_COUNTRIES = 8;

    /** How a call is counted. */
    enum Decision {
        /** Let through ({@code allow}, {@code permit}). */
        ALLOWED("allowed"),
        /** Refused for a missing scope ({@code insufficient_scope}). */
        DENIED_SCOPE("denied_scope"),
        /** Refused by a rate limit (429). */
        RATE_LIMITED("rate_limited"),
        /** Refused otherwise: revoked, expired, replaced, from an address not allowed, … */
        REFUSED("refused");

        final String value;

        Decision(String value) {
            this.value = value;
        }

        static Decision of(CallEvent e) {
            return switch (e.decision()) {
                case "allow", "permit" -> ALLOWED;
                case "rate_limited" -> RATE_LIMITED;
                default -> e.errorCode().filter("insufficient_scope"::equals).isPresent() ? DENIED_SCOPE : REFUSED;
            };
        }
    }

    /** Counts per slot by decision: one row per slot in a fixed ring, each stamped with its slot number. */
    static final class Series {
        private static final int D = Decision.values().length;
        private final int slotMinutes;
        private final int[] stamps;
        private final int[] counts;

        Series(int slots, int slotMinutes) {
            this.slotMinutes = slotMinutes;
            this.stamps = new int[slots];
            this.counts = new int[slots * D];
            java.util.Arrays.fill(stamps, -1);
        }

        void add(long epochMinute, Decision d) {
            int slot = (int) (epochMinute / slotMinutes);
            int i = Math.floorMod(slot, stamps.length);
            if (stamps[i] > slot) {
                return; // older than the ring: forgotten already
            }
            if (stamps[i] != slot) {
                stamps[i] = slot;
                java.util.Arrays.fill(counts, i * D, i * D + D, 0);
            }
            counts[i * D + d.ordinal()]++;
        }

        /** The ring oldest first, ending with the slot of {@code nowMinute}: counts[slot][decision]. */
        int[][] read(long nowMinute) {
            int now = (int) (nowMinute / slotMinutes);
            int[][] out = new int[stamps.length][D];
            for (int k = 0; k < stamps.length; k++) {
                int slot = now - stamps.length + 1 + k;
                int i = Math.floorMod(slot, stamps.length);
                if (stamps[i] == slot) {
                    System.arraycopy(counts, i * D, out[k], 0, D);
                }
            }
            return out;
        }
    }

    /** A network or country: when first and last seen, and how many calls. */
    record Seen(String value, Instant first, Instant last, long calls) {
    }

    /** An automatic revocation by an anomaly rule. */
    record AutoRevocation(String rule, String reason, List<String> seen, Instant time) {
    }

    /** A token's aggregates, as read. */
    record View(String key, Optional<String> tokenId, Optional<String> name, String fingerprint,
                Optional<String> account, int[][] hour, int[][] day, List<Seen> networks, List<Seen> countries,
                Optional<AutoRevocation> autoRevocation) {
    }

    private static final class State {
        final Series hour = new Series(HOUR_SLOTS, 1);
        final Series day = new Series(DAY_SLOTS, DAY_SLOT_MINUTES);
        final Map<String, Seen> networks = recent(MAX_NETWORKS);
        final Map<String, Seen> countries = recent(MAX_COUNTRIES);
        Optional<String> tokenId = Optional.empty();
        Optional<String> name = Optional.empty();
        String fingerprint;
        Optional<String> account = Optional.empty();
        AutoRevocation autoRevocation;
    }

    private final Clock clock;
    private final CallLabels labels;
    private final Function<String, Optional<String>> countryOf;
    private final CallLogSink next;
    private final Map<String, State> tokens;

    /**
     * @param maxTokens how many tokens are tracked at once, the least recently used forgotten first
     * @param labels    names the console's tokens: their calls are counted by token id, across rotations
     * @param countryOf the country of an address (the anomaly rules' country database), or always empty
     * @param clock     the gate's clock
     * @param next      the sink every event is passed on to
     */
    TokenActivity(int maxTokens, CallLabels labels, Function<String, Optional<String>> countryOf, Clock clock,
                  CallLogSink next) {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be positive, was " + maxTokens);
        }
        this.labels = Objects.requireNonNull(labels, "labels");
        this.countryOf = Objects.requireNonNull(countryOf, "countryOf");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.next = Objects.requireNonNull(next, "next");
        this.tokens = new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
                return size() > maxTokens;
            }
        };
    }

    @Override
    public void accept(CallEvent event) {
        try {
            if (event.tokenFingerprint().isPresent() && !event.path().startsWith("/console/")) {
                record(event);
            }
        } finally {
            next.accept(event);
        }
    }

    private void record(CallEvent e) {
        String fingerprint = e.tokenFingerprint().get();
        Optional<CallLabels.Label> label = labels.find(fingerprint);
        Decision decision = Decision.of(e);
        long minute = Math.floorDiv(e.time().getEpochSecond(), 60);
        Optional<String> network = AnomalyRules.network(e.clientAddress());
        Optional<String> country = countryOf.apply(e.clientAddress());
        synchronized (tokens) {
            State s = state(fingerprint, label);
            e.subject().ifPresent(subject -> s.account = Optional.of(subject));
            s.hour.add(minute, decision);
            s.day.add(minute, decision);
            network.ifPresent(n -> seen(s.networks, n, e.time()));
            country.ifPresent(c -> seen(s.countries, c, e.time()));
        }
    }

    @Override
    public void detected(Anomaly anomaly) {
        if (anomaly.action() != Anomaly.Action.REVOKE) {
            return;
        }
        Optional<CallLabels.Label> label = labels.find(anomaly.tokenFingerprint());
        List<String> seen = List.copyOf(anomaly.seen().subList(0, Math.min(anomaly.seen().size(), MAX_NETWORKS)));
        synchronized (tokens) {
            State s = state(anomaly.tokenFingerprint(), label);
            anomaly.subject().ifPresent(subject -> s.account = Optional.of(subject));
            s.autoRevocation = new AutoRevocation(anomaly.rule().value(), anomaly.description(), seen, anomaly.time());
        }
    }

    private State state(String fingerprint, Optional<CallLabels.Label> label) {
        String key = label.flatMap(CallLabels.Label::tokenId).map(id -> "id:" + id).orElse("fp:" + fingerprint);
        State s = tokens.computeIfAbsent(key, k -> new State());
        s.fingerprint = fingerprint; // the latest secret's: a rotated token's rate limit counts the new one
        s.tokenId = label.flatMap(CallLabels.Label::tokenId);
        s.name = label.map(CallLabels.Label::name);
        return s;
    }

    private static void seen(Map<String, Seen> map, String value, Instant at) {
        Seen old = map.get(value);
        map.put(value, old == null ? new Seen(value, at, at, 1)
                : new Seen(value, old.first(), at.isAfter(old.last()) ? at : old.last(), old.calls() + 1));
    }

    /** A map in access order that forgets the least recently seen entry beyond {@code max}. */
    private static Map<String, Seen> recent(int max) {
        return new LinkedHashMap<>(max * 2, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
                return size() > max;
            }
        };
    }

    /** The aggregates of one of the console's tokens, by its id. */
    Optional<View> token(String tokenId) {
        synchronized (tokens) {
            State s = tokens.get("id:" + tokenId);
            return s == null ? Optional.empty() : Optional.of(view("id:" + tokenId, s));
        }
    }

    /** The aggregates of every token tracked whose calls were made for {@code account}, most recently used last. */
    List<View> account(String account) {
        List<View> out = new ArrayList<>();
        synchronized (tokens) {
            for (Map.Entry<String, State> e : tokens.entrySet()) {
                if (e.getValue().account.filter(account::equals).isPresent()) {
                    out.add(view(e.getKey(), e.getValue()));
                }
            }
        }
        return out;
    }

    /** How many tokens are tracked. */
    int size() {
        synchronized (tokens) {
            return tokens.size();
        }
    }

    /** The current minute, by the clock. */
    long nowMinute() {
        return Math.floorDiv(clock.instant().getEpochSecond(), 60);
    }

    /** The start of the slot of {@code k} (0 = oldest) in a ring of {@code slots} ending with the current minute's. */
    static Instant slotStart(long nowMinute, int slots, int slotMinutes, int k) {
        long nowSlot = Math.floorDiv(nowMinute, slotMinutes);
        return Instant.ofEpochSecond((nowSlot - slots + 1 + k) * slotMinutes * 60L);
    }

    private View view(String key, State s) {
        long now = nowMinute();
        return new View(key, s.tokenId, s.name, s.fingerprint, s.account, s.hour.read(now), s.day.read(now),
                List.copyOf(s.networks.values()), List.copyOf(s.countries.values()),
                Optional.ofNullable(s.autoRevocation));
    }
}
