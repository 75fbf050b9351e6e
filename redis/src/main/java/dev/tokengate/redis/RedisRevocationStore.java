package dev.tokengate.redis;

import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.control.Revocation;
import dev.tokengate.control.RevocationStore;
import dev.tokengate.internal.WarningEpisode;
import dev.tokengate.log.Loggers;
import io.lettuce.core.MapScanCursor;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.RedisPubSubListener;
import org.slf4j.Logger;

import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The revocation list kept in Redis and announced by pub/sub: each node holds a mirror in memory ({@code Revocations})
 * and is told of the others' changes, so checking a token costs no round trip.
 *
 * <p><b>Keys</b> (one hash slot, so the scripts also run on a Redis Cluster; {@code P} is the key prefix):
 * <ul>
 *   <li>{@code P{Prevocations}:entries}, a hash: field {@code <target>:<value>} (a single token by its SHA-256 in hex,
 *       never its text), value {@code <revoked at>|<expires at or empty>|<reason>}; and, for a lifted entry, a
 *       tombstone {@code -<target>:<value>} whose value is when it was lifted (epoch ms), kept a day;</li>
 *   <li>{@code P{Prevocations}:expiry}, a sorted set of the same fields by when they run out (epoch ms): every write
 *       first deletes up to 1,000 that have run out by the gate's clock, so entries expire with their tokens;</li>
 *   <li>{@code P{Prevocations}:epoch}, an id written by the first node that finds none: a node that finds another
 *       (or none) than the one it read last knows Redis lost its data (restart without persistence, failover to an
 *       empty replica) and writes back the entries it holds, but those lifted since ({@code HSETNX}, tombstones);</li>
 *   <li>channel {@code Prevocations}: one message per save or removal, published by the same Lua script as the
 *       write: {@code S|R}, the writing node's id (16 hex digits), the field's length, {@code :}, the field, the
 *       value.</li>
 * </ul>
 *
 * <p><b>Threads.</b> Writes, the messages received and each resynchronisation run in order on one thread of the
 * store's own (never on Lettuce's event loop), so a change is always applied after the read it follows. A node's own
 * messages are ignored; its own writes are applied to its mirror once written instead.
 *
 * <p><b>Redis unreachable.</b> A save or removal is queued (the latest per entry, in order), logged once per outage,
 * and written and published once Redis answers again, before the resynchronisation. When the pub/sub connection
 * drops, the mirror may miss changes: it is resynchronised (subscribe, write what is queued, read everything) when the
 * connection is back; until then {@link #trusted()} is false in {@code fail-closed} (the revocation check answers
 * 503), true in {@code fail-open}.
 *
 * <p>Thread-safe.
 */
final class RedisRevocationStore implements RevocationStore {

    private static final Logger LOG = Loggers.logger(RedisRevocationStore.class);

    /** How long a lifted entry's tombstone is kept: longer than any recovery it orders. */
    static final Duration TOMBSTONE_LIFETIME = Duration.ofDays(1);
    private static final int PRUNE_BATCH = 1000;
    private static final int SCAN_BATCH = 1000;
    private static final int WRITE_BACK_BATCH = 500;
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LAST_RETRY = Duration.ofSeconds(30);
    private static final char SAVED = 'S';
    private static final char REMOVED = 'R';
    private static final char TOMBSTONE = '-';

    private static final String PRUNE = """
            local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, %d)
            if #gone > 0 then
              redis.call('HDEL', KEYS[1], unpack(gone))
              redis.call('ZREM', KEYS[2], unpack(gone))
            end
            """.formatted(PRUNE_BATCH);

    /** KEYS entries, expiry, epoch; ARGV field, value, expiry ms or '', now ms, channel, message. */
    private static final String SAVE_SCRIPT = "local now = tonumber(ARGV[4])\n" + PRUNE + """
            local exp = ARGV[3]
            if exp ~= '' and tonumber(exp) <= now then return 0 end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('HDEL', KEYS[1], '-' .. ARGV[1])
            redis.call('ZREM', KEYS[2], '-' .. ARGV[1])
            if exp == '' then redis.call('ZREM', KEYS[2], ARGV[1]) else redis.call('ZADD', KEYS[2], exp, ARGV[1]) end
            redis.call('PUBLISH', ARGV[5], ARGV[6])
            return 1
            """;

    /** KEYS entries, expiry, epoch; ARGV field, now ms, tombstone until ms, channel, message. */
    private static final String REMOVE_SCRIPT = "local now = tonumber(ARGV[2])\n" + PRUNE + """
            local removed = redis.call('HDEL', KEYS[1], ARGV[1])
            redis.call('ZREM', KEYS[2], ARGV[1])
            redis.call('HSET', KEYS[1], '-' .. ARGV[1], ARGV[2])
            redis.call('ZADD', KEYS[2], ARGV[3], '-' .. ARGV[1])
            redis.call('PUBLISH', ARGV[4], ARGV[5])
            return removed
            """;

    /** KEYS entries, expiry, epoch; ARGV now ms. Returns how many were deleted (at most PRUNE_BATCH). */
    private static final String PRUNE_SCRIPT = "local now = tonumber(ARGV[1])\n" + PRUNE + "return #gone\n";

    /** KEYS entries, expiry, epoch; ARGV the epoch this node read last or '', a new one. Returns {epoch, changed}. */
    private static final String EPOCH_SCRIPT = """
            local current = redis.call('GET', KEYS[3])
            if current and current == ARGV[1] then return {current, 0} end
            if not current then
              redis.call('SET', KEYS[3], ARGV[2])
              current = ARGV[2]
            end
            return {current, 1}
            """;

    /**
     * KEYS entries, expiry, epoch; ARGV now ms, then per entry field, value, expiry ms or '', revoked-at ms. Writes an
     * entry that is neither there already nor lifted since it was revoked. Returns how many were written.
     */
    private static final String WRITE_BACK_SCRIPT = """
            local now = tonumber(ARGV[1])
            local written = 0
            for i = 2, #ARGV, 4 do
              local field, exp = ARGV[i], ARGV[i + 2]
              local lifted = redis.call('HGET', KEYS[1], '-' .. field)
              if (exp == '' or tonumber(exp) > now) and (not lifted or tonumber(lifted) < tonumber(ARGV[i + 3])) then
                if redis.call('HSETNX', KEYS[1], field, ARGV[i + 1]) == 1 then
                  written = written + 1
                  if exp ~= '' then redis.call('ZADD', KEYS[2], exp, field) end
                end
              end
            end
            return written
            """;

    private final RedisConnections redis;
    private final Clock clock;
    private final boolean failClosed;
    private final String entriesKey;
    private final String[] keys;
    private final String channel;
    /** This node's id in its messages. */
    private final String node = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    /** The one thread that writes, applies messages and resynchronises. */
    private final ScheduledExecutorService worker;
    /** Writes that failed: WARN once per outage. */
    private final WarningEpisode unwritten;
    /** The pub/sub connection dropped: WARN once until the mirror is resynchronised. */
    private final WarningEpisode unsynchronised;
    /** Changes not written yet, by field, oldest first. The worker's only. */
    private final LinkedHashMap<String, Change> queue = new LinkedHashMap<>();
    /** Counts the drops of the pub/sub connection. */
    private final AtomicLong generation = new AtomicLong();
    /** The {@link #generation} in which the mirror was last read whole (while subscribed); -1 before. */
    private volatile long syncedGeneration = -1;
    private volatile boolean subscribed;
    /** Between {@link #subscribe} and the end of the first {@link #load}: that read is the first synchronisation. */
    private volatile boolean firstLoadDue;
    /** Futures waiting for the mirror to be in sync ({@code true}) or out of it; guarded by itself. */
    private final List<Map.Entry<Boolean, CompletableFuture<Void>>> waiting = new ArrayList<>();
    private volatile Listener listener;
    /** The epoch this node read last; empty before the first read. */
    private volatile String epoch = "";
    private volatile boolean closed;
    /** The worker's only. */
    private ScheduledFuture<?> retry;
    private Duration retryDelay = FIRST_RETRY;

    private final RedisPubSubListener<String, String> messages = new RedisPubSubAdapter<>() {
        @Override
        public void message(String from, String message) {
            if (channel.equals(from)) {
                onWorker(() -> apply(message));
            }
        }

        @Override
        public void subscribed(String to, long count) {
            if (channel.equals(to)) {
                onWorker(RedisRevocationStore.this::recover); // Lettuce resubscribed after a reconnection
            }
        }
    };

    private final RedisConnectionStateListener connection = new RedisConnectionStateListener() {
        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
            onWorker(RedisRevocationStore.this::recover);
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
            if (handler == redis.pubSub() && !closed) {
                generation.incrementAndGet();
                signal();
                unsynchronised.failure(failClosed
                        ? "its revocation check answers 503 until Redis is back and the list is read again (fail-closed)"
                        : "this node goes on with the entries it holds until Redis is back (fail-open)");
            }
        }
    };

    RedisRevocationStore(RedisConnections redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
        this.failClosed = redis.settings().onFailure() == RedisSettings.OnFailure.FAIL_CLOSED;
        String prefix = redis.settings().keyPrefix();
        String slot = "{" + prefix + "revocations}";
        this.entriesKey = prefix + slot + ":entries";
        this.keys = new String[]{entriesKey, prefix + slot + ":expiry", prefix + slot + ":epoch"};
        this.channel = prefix + "revocations";
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tokengate-redis-revocations");
            t.setDaemon(true);
            return t;
        });
        this.unwritten = new WarningEpisode(LOG, "tokengate cannot write revocations to " + redis
                + "; each is refused on this node at once and queued until Redis answers", clock,
                WarningEpisode.SUMMARY_INTERVAL);
        this.unsynchronised = new WarningEpisode(LOG, "tokengate lost its subscription to the revocations of the "
                + "other nodes (" + redis + ")", clock, WarningEpisode.SUMMARY_INTERVAL);
    }

    // ---- RevocationStore

    /** Subscribes to the channel now, so that no change made after the first {@link #load} is missed. */
    @Override
    public void subscribe(Listener listener) {
        this.listener = listener;
        this.firstLoadDue = true;
        redis.pubSub().addListener(messages);
        redis.addListener(connection);
        try {
            subscribeNow();
        } catch (RedisException | UpstreamUnavailableException e) {
            unsynchronised.failure("cannot subscribe to " + channel + ": " + describe(e));
            onWorker(this::recover);
        }
    }

    /** Reads every entry in force (after writing back what this node holds if Redis lost its data). */
    @Override
    public List<Revocation> load(Instant now) {
        long seen = generation.get();
        try {
            List<Revocation> all = read(now);
            if (subscribed && generation.get() == seen) {
                synchronised(seen);
            }
            return all;
        } catch (RedisException e) {
            throw new UpstreamUnavailableException("tokengate cannot read its revocation list from " + redis + ": "
                    + describe(e), null, e);
        } finally {
            firstLoadDue = false;
            if (syncedGeneration != generation.get()) {
                onWorker(this::recover);
            }
        }
    }

    /** Writes and announces the entry; queues it if Redis cannot be reached. */
    @Override
    public void save(Revocation revocation) {
        call(() -> write(new Change(revocation.target(), revocation.value(), revocation)));
    }

    /**
     * Deletes and announces the entry (a tombstone orders it before a write-back); queues it if Redis cannot be
     * reached.
     *
     * @return whether Redis held it; {@code false} when the removal was queued
     */
    @Override
    public boolean remove(Revocation.Target target, String value) {
        return call(() -> write(new Change(target, value, null)));
    }

    /** True but in {@code fail-closed} between a drop of the pub/sub connection and the resynchronisation after it. */
    @Override
    public boolean trusted() {
        return !failClosed || syncedGeneration == generation.get();
    }

    /** Stops the thread (a write under way finishes); says how many changes never reached Redis. */
    void shutdown() {
        closed = true;
        redis.pubSub().removeListener(messages);
        worker.shutdown();
        try {
            if (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (!queue.isEmpty()) {
            LOG.warn("tokengate is closing with {} revocation change(s) that never reached {}: they held on this node "
                    + "only", queue.size(), redis);
        }
    }

    @Override
    public String toString() {
        return redis.toString();
    }

    // ---- on the worker

    /** Writes a change, or queues it behind the ones already queued; returns whether Redis held the entry. */
    private boolean write(Change change) {
        if (queue.isEmpty()) {
            try {
                return execute(change);
            } catch (RedisException e) {
                queue.put(change.field(), change);
                unwritten.failure(describe(e));
                scheduleRetry();
                return false;
            }
        }
        queue.remove(change.field()); // the latest change per entry, in the order of the latest
        queue.put(change.field(), change);
        unwritten.failure(queue.size() + " change(s) queued");
        try {
            flush();
        } catch (RedisException e) {
            scheduleRetry();
        }
        return false;
    }

    /** Writes what is queued, oldest first; stops at the first failure, which is thrown. */
    private void flush() {
        for (Iterator<Change> it = queue.values().iterator(); it.hasNext(); ) {
            execute(it.next());
            it.remove();
        }
        unwritten.recovered();
    }

    /** Runs the change's script, then applies it to this node's own mirror (its own message is ignored). */
    private boolean execute(Change change) {
        long now = clock.millis();
        Listener mirror = listener;
        if (change.saved() != null) {
            Revocation r = change.saved();
            Long written = redis.sync().eval(SAVE_SCRIPT, ScriptOutputType.INTEGER, keys, change.field(), encode(r),
                    r.expiresAt().map(e -> Long.toString(e.toEpochMilli())).orElse(""), Long.toString(now), channel,
                    message(SAVED, change.field(), encode(r)));
            if (mirror != null && written == 1) {
                mirror.saved(r); // held already, unless a resynchronisation read before this write dropped it
            }
            return written == 1;
        }
        Long removed = redis.sync().eval(REMOVE_SCRIPT, ScriptOutputType.INTEGER, keys, change.field(),
                Long.toString(now), Long.toString(now + TOMBSTONE_LIFETIME.toMillis()), channel,
                message(REMOVED, change.field(), ""));
        if (mirror != null) {
            mirror.removed(change.target(), change.value());
        }
        return removed == 1;
    }

    /** Another node's change, from the channel. */
    private void apply(String message) {
        Listener mirror = listener;
        if (mirror == null || message.length() < 18 || message.startsWith(node, 1)) {
            return; // this node's own: applied when written
        }
        try {
            int colon = message.indexOf(':', 17);
            int length = Integer.parseInt(message.substring(17, colon));
            String field = message.substring(colon + 1, colon + 1 + length);
            String value = message.substring(colon + 1 + length);
            switch (message.charAt(0)) {
                case SAVED -> mirror.saved(decode(field, value));
                case REMOVED -> mirror.removed(target(field), field.substring(field.indexOf(':') + 1));
                default -> throw new IllegalArgumentException("unknown operation");
            }
        } catch (RuntimeException e) {
            LOG.warn("tokengate ignored a message on {} it cannot read ({} characters): {}", channel, message.length(),
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    /**
     * After a (re)connection, or to retry: resynchronises the mirror if the pub/sub connection dropped since it was
     * last read (subscribe, write what is queued, read everything, hand it over), or writes what is queued.
     */
    private void recover() {
        if (closed) {
            return;
        }
        long seen = generation.get();
        boolean resync = syncedGeneration != seen && !firstLoadDue;
        if (!resync && queue.isEmpty()) {
            return;
        }
        try {
            if (resync) {
                subscribeNow();
            }
            flush();
            if (resync) {
                List<Revocation> all = read(clock.instant());
                Listener mirror = listener;
                if (mirror != null) {
                    mirror.resynchronised(all);
                }
                if (generation.get() == seen) {
                    synchronised(seen);
                }
            }
            retryDelay = FIRST_RETRY;
        } catch (RedisException | UpstreamUnavailableException e) {
            LOG.debug("tokengate could not resynchronise its revocation list yet: {}", describe(e));
            scheduleRetry();
        }
    }

    private void synchronised(long seen) {
        syncedGeneration = seen;
        unsynchronised.recovered();
        signal();
    }

    /**
     * Completes once the mirror is in sync with Redis ({@code true}: read whole since the pub/sub connection last
     * dropped) or out of it ({@code false}), at once if it is now. For tests, which wait on it instead of sleeping.
     */
    CompletableFuture<Void> whenInSync(boolean inSync) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        synchronized (waiting) {
            waiting.add(Map.entry(inSync, future));
        }
        signal();
        return future;
    }

    private void signal() {
        boolean inSync = syncedGeneration == generation.get();
        synchronized (waiting) {
            waiting.removeIf(w -> w.getKey() == inSync && w.getValue().complete(null));
        }
    }

    private void scheduleRetry() {
        if (closed || (retry != null && !retry.isDone())) {
            return;
        }
        try {
            retry = worker.schedule(this::recover, retryDelay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            return;
        }
        retryDelay = retryDelay.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retryDelay.multipliedBy(2);
    }

    // ---- Redis

    /** Subscribes (again: a no-op when Lettuce has resubscribed already) and waits for Redis to confirm it. */
    private void subscribeNow() {
        Duration timeout = redis.settings().timeout();
        try {
            redis.pubSub().async().subscribe(channel).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            subscribed = true;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RedisException r ? r : new RedisException(e.getCause());
        } catch (TimeoutException e) {
            throw new RedisException("no answer to SUBSCRIBE within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamUnavailableException("interrupted while subscribing to " + channel, null, e);
        }
    }

    /** Writes back what this node holds if Redis lost its data, deletes what has run out, and reads the rest. */
    private List<Revocation> read(Instant now) {
        restoreIfLost(now);
        long millis = now.toEpochMilli();
        while (redis.sync().<Long>eval(PRUNE_SCRIPT, ScriptOutputType.INTEGER, keys, Long.toString(millis))
                == PRUNE_BATCH) {
            // up to PRUNE_BATCH at a time, so that Redis never blocks long on one script
        }
        List<Revocation> all = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            MapScanCursor<String, String> page = redis.sync().hscan(entriesKey, cursor, ScanArgs.Builder.limit(SCAN_BATCH));
            for (Map.Entry<String, String> e : page.getMap().entrySet()) {
                if (e.getKey().charAt(0) == TOMBSTONE) {
                    continue;
                }
                try {
                    Revocation r = decode(e.getKey(), e.getValue());
                    if (!r.expiredAt(now)) {
                        all.add(r);
                    }
                } catch (RuntimeException unreadable) {
                    LOG.warn("tokengate ignored an entry of {} it cannot read ({} characters): {}", entriesKey,
                            e.getKey().length(), unreadable.getMessage());
                }
            }
            cursor = page;
        } while (!cursor.isFinished());
        return all;
    }

    private void restoreIfLost(Instant now) {
        List<Object> answer = redis.sync().eval(EPOCH_SCRIPT, ScriptOutputType.MULTI, keys, epoch,
                UUID.randomUUID().toString());
        String current = (String) answer.get(0);
        boolean changed = ((Long) answer.get(1)) == 1;
        Listener mirror = listener;
        if (changed && mirror != null) {
            List<Revocation> held = mirror.held();
            long written = 0;
            for (int from = 0; from < held.size(); from += WRITE_BACK_BATCH) {
                List<String> args = new ArrayList<>();
                args.add(Long.toString(now.toEpochMilli()));
                for (Revocation r : held.subList(from, Math.min(held.size(), from + WRITE_BACK_BATCH))) {
                    args.add(field(r.target(), r.value()));
                    args.add(encode(r));
                    args.add(r.expiresAt().map(e -> Long.toString(e.toEpochMilli())).orElse(""));
                    args.add(Long.toString(r.revokedAt().toEpochMilli()));
                }
                written += redis.sync().<Long>eval(WRITE_BACK_SCRIPT, ScriptOutputType.INTEGER, keys,
                        args.toArray(String[]::new));
            }
            if (!epoch.isEmpty() || written > 0) {
                LOG.warn("tokengate found the revocation list in {} lost (Redis restarted without persistence or "
                        + "failed over): it wrote back {} of the {} entries this node holds", redis, written,
                        held.size());
            }
        }
        epoch = current;
    }

    // ---- encoding

    /** A change to write: the entry saved, or {@code null} for a removal. */
    private record Change(Revocation.Target target, String value, Revocation saved) {
        String field() {
            return RedisRevocationStore.field(target, value);
        }
    }

    static String field(Revocation.Target target, String value) {
        return target.value() + ':' + value;
    }

    private static Revocation.Target target(String field) {
        int colon = field.indexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("no target");
        }
        return Revocation.Target.parse(field.substring(0, colon));
    }

    static String encode(Revocation r) {
        return r.revokedAt() + "|" + r.expiresAt().map(Instant::toString).orElse("") + "|" + r.reason();
    }

    static Revocation decode(String field, String value) {
        int first = value.indexOf('|');
        int second = value.indexOf('|', first + 1);
        if (first < 0 || second < 0) {
            throw new IllegalArgumentException("not revoked-at|expires-at|reason");
        }
        try {
            String expires = value.substring(first + 1, second);
            return new Revocation(target(field), field.substring(field.indexOf(':') + 1), value.substring(second + 1),
                    Instant.parse(value.substring(0, first)),
                    expires.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(expires)));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("a time that is not an instant", e);
        }
    }

    private String message(char operation, String field, String value) {
        return operation + node + field.length() + ':' + field + value;
    }

    // ---- threads

    /** Runs a step on the worker and waits for it; a store that is closed refuses. */
    private <T> T call(Callable<T> step) {
        try {
            return worker.submit(step).get();
        } catch (RejectedExecutionException e) {
            throw new UpstreamUnavailableException("the Redis revocation store is closed", null, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("the Redis revocation store failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamUnavailableException("interrupted while writing to the Redis revocation store", null, e);
        }
    }

    /** Hands a step to the worker (from Lettuce's threads, which must never wait); dropped once closed. */
    private void onWorker(Runnable step) {
        if (closed) {
            return;
        }
        try {
            worker.execute(() -> {
                try {
                    step.run();
                } catch (RuntimeException e) {
                    LOG.error("tokengate's Redis revocation thread failed", e);
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            // closed meanwhile
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
