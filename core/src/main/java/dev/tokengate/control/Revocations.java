package dev.tokengate.control;

import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.VerifiedToken;
import dev.tokengate.internal.WarningEpisode;
import dev.tokengate.log.Fingerprints;
import dev.tokengate.log.Loggers;
import dev.tokengate.policy.RequestFacts;
import dev.tokengate.policy.TokenPolicy;
import org.slf4j.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The revocation list of one gate ({@code TokenGate.revocations()}): tokens, token ids, subjects, clients and API
 * keys that are refused whatever their validity, each with a reason and an expiry. Every request with a valid token
 * is checked against it after the verified-token and store caches, so a revocation takes effect on the next
 * request of this node, whatever those caches' lifetimes; revoking also evicts the matching tokens from those
 * caches.
 *
 * <p>Answered from memory: a lookup is at most five hash-map reads, and none while the list is empty. With a
 * {@link RevocationStore} (the token database, when one is configured) entries are written through and read
 * back at start, so they outlive restarts; if the store cannot be read, the list serves what it holds, logs one
 * WARN per outage and reads again at most every 10 seconds.
 *
 * <p>Thread-safe.
 */
public final class Revocations implements AutoCloseable {

    private static final Logger LOG = Loggers.logger(Revocations.class);
    private static final Duration RELOAD_INTERVAL = Duration.ofSeconds(10);

    private final Clock clock;
    private final RevocationStore store;
    private final Map<Revocation.Target, Map<String, Revocation>> entries = new EnumMap<>(Revocation.Target.class);
    private final List<Consumer<Revocation>> listeners = new CopyOnWriteArrayList<>();
    private final WarningEpisode storeFailures;
    /** How many entries the maps hold: 0 lets a lookup return at once. */
    private volatile int size;
    private volatile boolean loaded;
    private volatile Instant nextLoad = Instant.MIN;
    /**
     * The one thread that talks to the store, so that no request thread ever waits on it or holds one of its
     * connections: a read that is due is handed to it and the request goes on with what is held (a server's pool that
     * tracks the connections a request opened kept an undeployed application's classes on WildFly); a revocation
     * waits for its write. {@code null} without a store.
     */
    private final ExecutorService storeThread;
    private final AtomicBoolean loading = new AtomicBoolean();
    /**
     * Held while the store is read and what it returned merged, and while a shared store's change is applied: a
     * change another node makes while the store is being read is applied after the read's result, never before it
     * (a lift applied first would be undone by the older read).
     */
    private final Object mirrorLock = new Object();

    private Revocations(Clock clock, RevocationStore store) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.store = store;
        for (Revocation.Target target : Revocation.Target.values()) {
            entries.put(target, new ConcurrentHashMap<>());
        }
        this.storeFailures = new WarningEpisode(LOG, "tokengate cannot read its revocation list from " + store
                + "; it answers from the entries it holds", clock, WarningEpisode.SUMMARY_INTERVAL);
        this.loaded = store == null;
        this.storeThread = store == null ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tokengate-revocation-store");
            t.setDaemon(true);
            return t;
        });
        if (store != null) {
            store.subscribe(new Mirror());
            onStoreThread(() -> {
                load();
                return null;
            }); // the list is read before the gate serves its first request
        }
    }

    /**
     * A list in memory only: it starts empty with each process.
     *
     * @param clock the gate's clock, against which entries run out; not null
     * @return an empty list
     */
    public static Revocations inMemory(Clock clock) {
        return new Revocations(clock, null);
    }

    /**
     * A list kept in this store, read now (or, if the store cannot be read now, on a later lookup).
     *
     * @param clock the gate's clock, against which entries run out; not null
     * @param store where entries are kept; not null
     * @return the list
     */
    public static Revocations stored(Clock clock, RevocationStore store) {
        return new Revocations(clock, Objects.requireNonNull(store, "store"));
    }

    /**
     * Revokes something: from the next request on, a token it matches is refused with 401 {@code invalid_token}.
     *
     * @param target    what kind of thing
     * @param value     its name (for {@link Revocation.Target#TOKEN}, the token's SHA-256 in hex: prefer
     *                  {@link #revokeToken})
     * @param reason    why, shown in the console and the call log
     * @param expiresAt when the entry may be forgotten, or {@code null} to keep it until it is lifted
     * @return the entry
     * @throws dev.tokengate.UpstreamUnavailableException when the store cannot record it; the entry is then held in
     *                                                    this process's memory only, and refused here all the same (a
     *                                                    shared store queues it instead, and writes it once it can)
     */
    public Revocation revoke(Revocation.Target target, String value, String reason, Instant expiresAt) {
        Revocation r = new Revocation(target, value, reason, clock.instant(), Optional.ofNullable(expiresAt));
        put(r);
        try {
            if (store != null) {
                onStoreThread(() -> {
                    store.save(r);
                    return null;
                });
            }
        } finally {
            LOG.info("tokengate revoked {} {} until {}: {}", target, r.displayValue(),
                    r.expiresAt().map(Instant::toString).orElse("lifted"), r.reason());
            for (Consumer<Revocation> listener : listeners) {
                listener.accept(r);
            }
        }
        return r;
    }

    /**
     * Revokes one token whatever its kind, until it expires: by its id when it has one (a JWT's {@code jti}, a stored
     * token's id), else by the SHA-256 of its text.
     *
     * @param token     the verified token
     * @param tokenHash the SHA-256 of its text in hex (a {@code RequestFacts.tokenHash()}), used when it has no id
     * @param reason why, for the console and the call log (1 to 500 characters; never a secret)
     * @return the entry made
     */
    public Revocation revokeToken(VerifiedToken token, String tokenHash, String reason) {
        Instant until = token.expiresAt().orElse(null);
        if (token.tokenId().isPresent()) {
            return revoke(Revocation.Target.TOKEN_ID, token.tokenId().get(), reason, until);
        }
        return revoke(Revocation.Target.TOKEN, Objects.requireNonNull(tokenHash, "tokenHash"), reason, until);
    }

    /**
     * Revokes one token by its text, which is hashed and never kept; until {@code expiresAt} ({@code null}: lifted).
     *
     * @param token the token's text; not null
     * @param reason why, for the console and the call log (1 to 500 characters; never a secret)
     * @param expiresAt when the entry may be forgotten; null to keep it until lifted
     * @return the entry made, which holds the token's hash only
     */
    public Revocation revokeTokenText(String token, String reason, Instant expiresAt) {
        return revoke(Revocation.Target.TOKEN, Fingerprints.hex(Fingerprints.sha256(token)), reason, expiresAt);
    }

    /**
     * Lifts a revocation.
     *
     * @param target what kind of thing was revoked
     * @param value its name, as in {@link Revocation#value()}
     * @return whether there was one
     */
    public boolean lift(Revocation.Target target, String value) {
        boolean held = entries.get(target).remove(value) != null;
        recount();
        boolean stored = store != null && onStoreThread(() -> store.remove(target, value));
        return held || stored;
    }

    /**
     * The entries in force, newest first.
     *
     * @return the entries, unmodifiable
     */
    public List<Revocation> list() {
        loadIfDue();
        Instant now = clock.instant();
        List<Revocation> all = new ArrayList<>();
        for (Map<String, Revocation> byValue : entries.values()) {
            for (Revocation r : byValue.values()) {
                if (!r.expiredAt(now)) {
                    all.add(r);
                }
            }
        }
        all.sort(Comparator.comparing(Revocation::revokedAt).reversed());
        return all;
    }

    /**
     * The entry that refuses this token, if any: its hash, its id, its subject, its client, or the calling
     * application's API key (by id) when the request carries one.
     *
     * @param token   the request's verified token
     * @param request the request: the token's hash (made only when the list holds single tokens) and the verified
     *                API key, if any
     * @return the entry, or empty when nothing this list holds refuses the token
     */
    public Optional<Revocation> find(VerifiedToken token, RequestFacts request) {
        if (!loaded) {
            loadIfDue();
        }
        if (size == 0) {
            return Optional.empty();
        }
        Instant now = null;
        Revocation r = null;
        if (!entries.get(Revocation.Target.TOKEN).isEmpty()) {
            r = request.tokenHash().map(entries.get(Revocation.Target.TOKEN)::get).orElse(null);
        }
        if (r == null) {
            r = lookup(Revocation.Target.TOKEN_ID, token.tokenId());
        }
        if (r == null) {
            r = lookup(Revocation.Target.SUBJECT, token.subject());
        }
        if (r == null) {
            r = lookup(Revocation.Target.CLIENT, token.clientId());
        }
        if (r == null) {
            Optional<VerifiedToken> apiKey = request.apiKey();
            if (apiKey.isPresent()) {
                r = lookup(Revocation.Target.API_KEY, apiKey.get().tokenId());
                if (r == null) {
                    r = lookup(Revocation.Target.TOKEN_ID, apiKey.get().tokenId());
                }
            }
        }
        if (r == null) {
            return Optional.empty();
        }
        now = clock.instant();
        if (r.expiredAt(now)) {
            Revocation expired = r; // removed by identity: a record's equals is not called on the request path
            entries.get(r.target()).computeIfPresent(r.value(), (k, v) -> v == expired ? null : v);
            recount();
            return Optional.empty();
        }
        return Optional.of(r);
    }

    /**
     * Whether the entries held may be trusted: always, but for a shared store that fails closed and has lost its
     * connection (or not yet resynchronised since); the revocation check then answers 503.
     *
     * @return {@code true} when the list may decide requests
     */
    public boolean trusted() {
        return store == null || store.trusted();
    }

    /**
     * The policy that refuses what this list holds: 401 {@code invalid_token}, the call-log reason naming the entry
     * and its reason, the mark {@code revoked}. Every gate runs it after the built-in API-key policy.
     *
     * @return the policy
     */
    public TokenPolicy policy() {
        return new RevocationPolicy(this);
    }

    /**
     * Called after each revocation, on the revoking thread, and after each revocation another node made (on the
     * shared store's thread): how the gate evicts its caches.
     *
     * @param listener told of each revocation; not null
     */
    public void onRevoke(Consumer<Revocation> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Closes the store. */
    @Override
    public void close() {
        if (store != null) {
            storeThread.shutdown(); // a write under way finishes
            try {
                if (!storeThread.awaitTermination(10, TimeUnit.SECONDS)) {
                    storeThread.shutdownNow();
                }
            } catch (InterruptedException e) {
                storeThread.shutdownNow();
                Thread.currentThread().interrupt();
            }
            store.close();
        }
    }

    @Override
    public String toString() {
        return "revocation list (" + size + " entries, " + (store == null ? "in memory" : "kept in " + store) + ")";
    }

    private Revocation lookup(Revocation.Target target, Optional<String> value) {
        if (value.isEmpty()) {
            return null;
        }
        Map<String, Revocation> byValue = entries.get(target);
        return byValue.isEmpty() ? null : byValue.get(value.get());
    }

    private void put(Revocation r) {
        entries.get(r.target()).put(r.value(), r);
        purgeExpired();
    }

    /** Forgets the entries that have run out; run on each revocation, so the list is bounded by what is in force. */
    private void purgeExpired() {
        Instant now = clock.instant();
        for (Map<String, Revocation> byValue : entries.values()) {
            byValue.values().removeIf(r -> r.expiredAt(now));
        }
        recount();
    }

    private void recount() {
        int n = 0;
        for (Map<String, Revocation> byValue : entries.values()) {
            n += byValue.size();
        }
        size = n;
    }

    /** Hands a due read of the store to the store's thread, unless one is under way; never waits for it. */
    private void loadIfDue() {
        if (loaded || store == null || clock.instant().isBefore(nextLoad) || !loading.compareAndSet(false, true)) {
            return;
        }
        try {
            storeThread.execute(() -> {
                try {
                    load();
                } finally {
                    loading.set(false);
                }
            });
        } catch (RejectedExecutionException closed) {
            loading.set(false);
        }
    }

    /** Reads the store (on the store's thread); a failure is logged once per outage and retried 10 s later. */
    private void load() {
        Instant now = clock.instant();
        nextLoad = now.plus(RELOAD_INTERVAL);
        try {
            List<Revocation> stored;
            synchronized (mirrorLock) {
                stored = store.load(now);
                for (Revocation r : stored) {
                    entries.get(r.target()).merge(r.value(), r,
                            (mine, theirs) -> mine.revokedAt().isAfter(theirs.revokedAt()) ? mine : theirs);
                }
                purgeExpired();
                loaded = true;
            }
            storeFailures.recovered();
            LOG.info("tokengate read {} revocations from {}", stored.size(), store);
        } catch (RuntimeException e) {
            storeFailures.failure(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** The list's side of a shared store: other nodes' changes applied to the entries held, caches evicted. */
    private final class Mirror implements RevocationStore.Listener {
        @Override
        public void saved(Revocation r) {
            synchronized (mirrorLock) {
                Revocation held = entries.get(r.target()).get(r.value());
                if (held != null && !held.revokedAt().isBefore(r.revokedAt())) {
                    return; // already held (this node's own write, or a repeat)
                }
                put(r);
            }
            tell(r);
        }

        @Override
        public void removed(Revocation.Target target, String value) {
            synchronized (mirrorLock) {
                entries.get(target).remove(value);
                recount();
            }
        }

        @Override
        public List<Revocation> held() {
            synchronized (mirrorLock) {
                Instant now = clock.instant();
                List<Revocation> all = new ArrayList<>(size);
                for (Map<String, Revocation> byValue : entries.values()) {
                    for (Revocation r : byValue.values()) {
                        if (!r.expiredAt(now)) {
                            all.add(r);
                        }
                    }
                }
                return all;
            }
        }

        @Override
        public void resynchronised(List<Revocation> all) {
            List<Revocation> added;
            synchronized (mirrorLock) {
                added = replaceAll(all);
            }
            LOG.info("tokengate resynchronised its revocation list from {}: {} entries, {} new", store, size,
                    added.size());
            added.forEach(this::tell);
        }

        /** Holds exactly these entries; returns those that were not held. */
        private List<Revocation> replaceAll(List<Revocation> all) {
            Map<Revocation.Target, Map<String, Revocation>> fresh = new EnumMap<>(Revocation.Target.class);
            for (Revocation.Target target : Revocation.Target.values()) {
                fresh.put(target, new java.util.HashMap<>());
            }
            for (Revocation r : all) {
                fresh.get(r.target()).put(r.value(), r);
            }
            List<Revocation> added = new ArrayList<>();
            for (Revocation.Target target : Revocation.Target.values()) {
                Map<String, Revocation> held = entries.get(target);
                held.keySet().retainAll(fresh.get(target).keySet());
                for (Revocation r : fresh.get(target).values()) {
                    if (held.put(r.value(), r) == null) {
                        added.add(r);
                    }
                }
            }
            purgeExpired();
            loaded = true;
            return added;
        }

        private void tell(Revocation r) {
            for (Consumer<Revocation> listener : listeners) {
                try {
                    listener.accept(r);
                } catch (RuntimeException e) {
                    LOG.error("tokengate could not evict the tokens of revocation {} {}", r.target(), r.displayValue(), e);
                }
            }
        }
    }

    /** Waits until the store's thread has done what was handed to it, a read under way included. For tests. */
    void settle() {
        if (storeThread != null) {
            onStoreThread(() -> null);
        }
    }

    /** Runs a step on the store's thread and waits for it; its failure is the caller's. */
    private <T> T onStoreThread(Callable<T> step) {
        Future<T> result = storeThread.submit(step);
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("the revocation store failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamUnavailableException("interrupted while waiting for the revocation store", null, e);
        }
    }
}
