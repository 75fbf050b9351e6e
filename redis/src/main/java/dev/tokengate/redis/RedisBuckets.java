package dev.tokengate.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tokengate.control.RateLimits;
import dev.tokengate.control.SharedBuckets;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.optimization.DelayParameters;
import io.github.bucket4j.distributed.proxy.optimization.NopeOptimizationListener;
import io.github.bucket4j.distributed.proxy.optimization.Optimization;
import io.github.bucket4j.distributed.proxy.optimization.delay.DelayOptimization;
import io.github.bucket4j.redis.consts.LuaScripts;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.RedisApi;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The rate limits' buckets in Redis, through Bucket4j's Lettuce backend: one key per bucket
 * ({@code <prefix>rl:<limit>:<what it counts>}, so in a Redis Cluster each bucket lives in one slot), expiring 10 s
 * after the bucket would be full again, on the gate's clock (Bucket4j's client clock: Redis's own is not read).
 *
 * <p><b>Round trips ({@code shared}, the default).</b> Bucket4j's compare-and-swap proxy reads a bucket's state
 * ({@code GET}) and then swaps it (a Lua script): two round trips. Here the read is answered from the state this node
 * last wrote or found for the key, and the swap script answers a mismatch with the state it found, which Bucket4j's
 * retry then starts from. For each limit it counts in, a request costs:
 * <ul>
 *   <li><b>1 round trip</b> when no other node changed the bucket since this node last did (one node, or a client
 *       that sticks to one node);</li>
 *   <li><b>2</b> when another node did (the swap fails answering the current state, the retry succeeds), and one
 *       more for each further node whose swap came between (contention on one bucket);</li>
 *   <li>2 the first time a node meets a bucket, or after it forgot its copy (it keeps
 *       {@value RateLimits#DEFAULT_MAX_BUCKETS} copies at most, each for 10 minutes after its last use): a read, then
 *       the swap;</li>
 *   <li>none for a refusal that does not change the node's copy (an exhausted bucket, before its window ends).</li>
 * </ul>
 * A request under several gate-wide limits (per token and per client, say) counts in each in turn: one round trip
 * per limit. A stale copy never admits too much (a swap only succeeds against the state Redis holds); it can refuse
 * early until the bucket's window ends, when Redis holds more than the copy: the key was lost (a Redis restarted
 * empty) or another node gave a call back (a request refused by a later limit).
 *
 * <p><b>{@code local-first}</b> ({@code tokengate.redis.rate-limit}): Bucket4j's delaying optimization, on the gate's
 * clock. Each node admits and refuses on its own copy of a bucket, and syncs it (the calls it admitted since, then
 * the request at hand, one round trip) when the request would take it beyond {@code max(1, N / 20)} calls since its
 * last sync (5 % of a limit of N), or comes more than {@value #LOCAL_FIRST_SYNC_SECONDS} s after it. Round trips:
 * one per {@code max(1, N / 20) + 1} calls a node admits (refusals are answered from the copy), and one a second per
 * bucket in use at most besides.
 * <b>Over-admission</b>: between two syncs a node admits at most {@code max(1, N / 20)} calls Redis has not counted,
 * so within one window each node admits at most that many beyond what was left, and the cluster at most
 * {@code N + nodes × max(1, N / 20)} (100/1m on 3 nodes: 115; 10/1m on 3 nodes: 13). The surplus is counted in Redis
 * at the next sync all the same (the bucket goes below zero), and the next window admits that much less: over
 * several windows the cluster averages N per window. The bound holds while the gate keeps its copy of the bucket (it
 * forgets a bucket unused for a window, or beyond its {@code maxBuckets}; the calls not yet synced are then never
 * counted in Redis).
 *
 * <p>Thread-safe.
 */
final class RedisBuckets implements SharedBuckets {

    /** How long a node in {@code local-first} mode goes without syncing a bucket it uses, at most. */
    static final long LOCAL_FIRST_SYNC_SECONDS = 1;
    /** The share of a limit a node may consume locally between two syncs, in {@code local-first} mode: 1/20. */
    static final long LOCAL_FIRST_SHARE = 20;

    private final RedisConnections redis;
    private final LettuceBasedProxyManager<Object> proxies;
    private final boolean localFirst;
    private final TimeMeter time;

    RedisBuckets(RedisConnections redis, Clock clock) {
        this.redis = redis;
        this.localFirst = redis.settings().rateLimit() == RedisSettings.RateLimitMode.LOCAL_FIRST;
        this.time = RateLimits.timeMeter(clock);
        this.proxies = new Bucket4jLettuce.LettuceBasedProxyManagerBuilder<>(new LastKnownStates(redis.asyncBytes()))
                .clientClock(time)
                .requestTimeout(redis.settings().timeout())
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                        Duration.ofSeconds(10)))
                .build();
    }

    @Override
    public Bucket bucket(String id, BucketConfiguration configuration) {
        byte[] key = redis.key("rl:" + id).getBytes(StandardCharsets.UTF_8);
        if (!localFirst) {
            return proxies.builder().build(key, () -> configuration);
        }
        return proxies.builder().withOptimization(localFirst(configuration)).build(key, () -> configuration);
    }

    /**
     * Bucket4j's delaying optimization on the gate's clock ({@code Optimizations.delaying} would read the system's:
     * a moved test clock would then neither refill a node's copy nor bring its next sync closer).
     */
    private Optimization localFirst(BucketConfiguration configuration) {
        return new DelayOptimization(new DelayParameters(unsynced(configuration),
                Duration.ofSeconds(LOCAL_FIRST_SYNC_SECONDS)), NopeOptimizationListener.INSTANCE, time);
    }

    /** How many calls a node may admit on its own copy of this bucket between two syncs: {@code max(1, N / 20)}. */
    static long unsynced(BucketConfiguration configuration) {
        return Math.max(1, configuration.getBandwidths()[0].getCapacity() / LOCAL_FIRST_SHARE);
    }

    @Override
    public String toString() {
        return "rate-limit buckets in " + redis + (localFirst ? " (local-first)" : "");
    }

    /**
     * Bucket4j's Redis calls, with a bucket's read answered from the state this node last wrote or found (no round
     * trip) and a failed swap answered with the state Redis holds, so that Bucket4j's retry needs no read either.
     * Bounded like the gate's own buckets; a forgotten copy costs one read. Keyed by {@code Object} (each key a
     * {@code byte[]}): Bucket4j hands the keys of a script over as an {@code Object[]}.
     */
    static final class LastKnownStates implements RedisApi<Object> {

        /** A swap that returns, on a mismatch, what it found ({@code {0, state}}, or {@code {0}} for none). */
        static final String SWAP_PX = """
                local current = redis.call('get', KEYS[1])
                if current == ARGV[1] then
                  redis.call('psetex', KEYS[1], ARGV[3], ARGV[2])
                  return {1}
                end
                if current then return {0, current} end
                return {0}""";
        /** A first write that returns, when another node wrote first, what it wrote. */
        static final String SET_NX_PX = """
                if redis.call('set', KEYS[1], ARGV[1], 'nx', 'px', ARGV[2]) then return {1} end
                local current = redis.call('get', KEYS[1])
                if current then return {0, current} end
                return {0}""";
        private static final byte[] NONE = new byte[0];

        private final RedisClusterAsyncCommands<byte[], byte[]> redis;
        /** The last state known per key; {@link #NONE} for a key known not to exist. */
        private final Cache<ByteBuffer, byte[]> states = Caffeine.newBuilder()
                .maximumSize(RateLimits.DEFAULT_MAX_BUCKETS)
                .expireAfterAccess(Duration.ofMinutes(10))
                .executor(Runnable::run) // as the gate's other maps on the request path: no pool thread woken per write
                .build();

        LastKnownStates(RedisClusterAsyncCommands<byte[], byte[]> redis) {
            this.redis = redis;
        }

        @Override
        public RedisFuture<byte[]> get(Object name) {
            byte[] key = (byte[]) name;
            byte[] known = states.getIfPresent(ByteBuffer.wrap(key));
            if (known != null) {
                return Answer.of(known == NONE ? null : known);
            }
            Answer<byte[]> answer = new Answer<>();
            redis.get(key).whenComplete((state, failure) -> {
                if (failure != null) {
                    answer.completeExceptionally(failure);
                } else {
                    states.put(ByteBuffer.wrap(key.clone()), state == null ? NONE : state);
                    answer.complete(state);
                }
            });
            return answer;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <V> RedisFuture<V> eval(String script, ScriptOutputType type, Object[] names, byte[][] params) {
            byte[][] keys = new byte[names.length][];
            for (int i = 0; i < names.length; i++) {
                keys[i] = (byte[]) names[i];
            }
            ByteBuffer key = ByteBuffer.wrap(keys[0].clone());
            byte[] written;
            String ours;
            byte[][] args;
            if (LuaScripts.SCRIPT_COMPARE_AND_SWAP_PX.equals(script)) {
                ours = SWAP_PX;
                written = params[1];
                args = params;
            } else if (LuaScripts.SCRIPT_SET_NX_PX.equals(script)) {
                ours = SET_NX_PX;
                written = params[0];
                args = params;
            } else {
                // a script this class does not know (no expiry is configured here, so none is expected): as is,
                // forgetting the key's copy
                states.invalidate(key);
                return redis.eval(script, type, keys, params);
            }
            Answer<Boolean> answer = new Answer<>();
            RedisFuture<List<Object>> swap = redis.eval(ours, ScriptOutputType.MULTI, keys, args);
            swap.whenComplete((result, failure) -> {
                if (failure != null) {
                    states.invalidate(key);
                    answer.completeExceptionally(failure);
                    return;
                }
                boolean swapped = ((Long) result.get(0)) == 1L;
                if (swapped) {
                    states.put(key, written);
                } else {
                    states.put(key, result.size() > 1 ? (byte[]) result.get(1) : NONE);
                }
                answer.complete(swapped);
            });
            return (RedisFuture<V>) answer;
        }

        @Override
        public RedisFuture<?> delete(Object name) {
            byte[] key = (byte[]) name;
            states.invalidate(ByteBuffer.wrap(key));
            return redis.del(key);
        }
    }

    /** A Lettuce future completed by this class: a known state, or a script's answer translated for Bucket4j. */
    static final class Answer<V> extends CompletableFuture<V> implements RedisFuture<V> {

        static <V> Answer<V> of(V value) {
            Answer<V> a = new Answer<>();
            a.complete(value);
            return a;
        }

        @Override
        public String getError() {
            if (!isCompletedExceptionally()) {
                return null;
            }
            try {
                join();
                return null;
            } catch (RuntimeException e) {
                return String.valueOf(e.getCause() == null ? e : e.getCause());
            }
        }

        @Override
        public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
            try {
                get(timeout, unit);
                return true;
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            } catch (java.util.concurrent.ExecutionException e) {
                return true;
            }
        }
    }
}
