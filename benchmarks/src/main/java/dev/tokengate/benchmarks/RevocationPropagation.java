package dev.tokengate.benchmarks;

import dev.tokengate.TokenGate;
import dev.tokengate.control.Revocation;
import dev.tokengate.control.RevocationStore;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.redis.RedisControl;
import dev.tokengate.redis.RedisSettings;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Revocations shared through Redis, on the machine's Redis ({@code redis://127.0.0.1:6379}, or the third argument),
 * each part under a key prefix of its own, deleted afterwards.
 *
 * <ul>
 *   <li><b>Propagation</b>: three gates in one JVM (A, B, C), each with its own Lettuce connections. A revokes a token
 *       id; measured per revocation and per other node, with {@link System#nanoTime()}: the time from {@code revoke}
 *       returning on A to B's (and C's) {@code onRevoke} listener firing, after the gate's own eviction listener.
 *       One revocation at a time (the next once B and C have both been told), 200 of warm-up not counted. A node
 *       told before {@code revoke} returned on A (the announcement can overtake the reply to A) counts 0.</li>
 *   <li><b>Memory</b>: {@code used_memory} (INFO memory) before and after writing N active revocations (token ids,
 *       random UUIDs, expiring in an hour, reason {@code "revoked by the benchmark"}) through the store, and the
 *       {@code MEMORY USAGE} of the store's keys.</li>
 * </ul>
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.tokengate.benchmarks.RevocationPropagation [REVOCATIONS] [ENTRIES]
 * [REDIS_URI]} (defaults 1000, 100000, redis://127.0.0.1:6379).
 */
public final class RevocationPropagation {

    private static final int WARM_UP = 200;

    private RevocationPropagation() {
    }

    public static void main(String[] args) throws Exception {
        int revocations = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int entries = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        String uri = args.length > 2 ? args[2] : "redis://127.0.0.1:6379";
        propagation(uri, revocations);
        memory(uri, entries);
    }

    private static void propagation(String uri, int revocations) throws Exception {
        String prefix = "tokengate-bench-" + UUID.randomUUID().toString().substring(0, 8) + ":";
        List<TokenGate> gates = new ArrayList<>();
        Map<String, long[]> toldAt = new ConcurrentHashMap<>(); // value -> {B, C}
        Map<String, CountDownLatch> told = new ConcurrentHashMap<>();
        try (LoopbackIssuer jwks = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa())).cacheControl("max-age=3600")) {
            for (int i = 0; i < 3; i++) {
                gates.add(TokenGate.builder()
                        .issuer(JwtValidator.builder().issuer(TestTokens.ISSUER).audiences(TestTokens.AUDIENCE)
                                .keySource(KeySources.jwks(jwks.jwksUri()).build()))
                        .sharedControl(RedisControl.connect(RedisSettings.of(uri).withKeyPrefix(prefix),
                                Clock.systemUTC()))
                        .callLogSink(event -> { }).build());
            }
            for (int node = 1; node <= 2; node++) {
                int slot = node - 1;
                gates.get(node).revocations().onRevoke(r -> {
                    long now = System.nanoTime();
                    long[] times = toldAt.get(r.value());
                    if (times != null) {
                        times[slot] = now;
                        told.get(r.value()).countDown();
                    }
                });
            }
            List<Long> micros = new ArrayList<>();
            List<Long> microsFromCall = new ArrayList<>();
            int beforeReturn = 0;
            Instant expiry = Instant.now().plus(Duration.ofHours(1));
            for (int i = -WARM_UP; i < revocations; i++) {
                String jti = "propagation-" + i + "-" + UUID.randomUUID();
                toldAt.put(jti, new long[2]);
                CountDownLatch latch = new CountDownLatch(2);
                told.put(jti, latch);
                long called = System.nanoTime();
                gates.get(0).revocations().revoke(Revocation.Target.TOKEN_ID, jti, "propagation benchmark", expiry);
                long returned = System.nanoTime();
                if (!latch.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("revocation " + i + " did not reach both other nodes in 30 s");
                }
                if (i >= 0) {
                    for (long at : toldAt.get(jti)) {
                        if (at < returned) {
                            beforeReturn++;
                        }
                        micros.add(Math.max(0, at - returned) / 1_000);
                        microsFromCall.add((at - called) / 1_000);
                    }
                }
                toldAt.remove(jti);
                told.remove(jti);
            }
            Collections.sort(micros);
            Collections.sort(microsFromCall);
            System.out.printf(Locale.ROOT, "revocation propagation, %d revocations x 2 nodes: p50 %d µs, p99 %d µs, "
                            + "max %d µs (from revoke returning on A; %d of %d told before it returned); from the call: "
                            + "p50 %d µs, p99 %d µs, max %d µs%n", revocations, percentile(micros, 50),
                    percentile(micros, 99), micros.get(micros.size() - 1), beforeReturn, micros.size(),
                    percentile(microsFromCall, 50), percentile(microsFromCall, 99),
                    microsFromCall.get(microsFromCall.size() - 1));
        } finally {
            for (TokenGate gate : gates) {
                gate.close();
            }
            deleteKeys(uri, prefix);
        }
    }

    private static void memory(String uri, int entries) {
        String prefix = "tokengate-bench-" + UUID.randomUUID().toString().substring(0, 8) + ":";
        RedisClient client = RedisClient.create(RedisURI.create(uri));
        try (StatefulRedisConnection<String, String> c = client.connect();
             RedisControl control = RedisControl.connect(RedisSettings.of(uri).withKeyPrefix(prefix), Clock.systemUTC())) {
            RedisCommands<String, String> redis = c.sync();
            RevocationStore store = control.revocationStore();
            long before = usedMemory(redis);
            Instant now = Instant.now();
            Optional<Instant> expiry = Optional.of(now.plus(Duration.ofHours(1)));
            for (int i = 0; i < entries; i++) {
                store.save(new Revocation(Revocation.Target.TOKEN_ID, UUID.randomUUID().toString(),
                        "revoked by the benchmark", now, expiry));
            }
            long after = usedMemory(redis);
            long keys = 0;
            for (String key : redis.keys(prefix + "*")) {
                keys += Optional.ofNullable(redis.memoryUsage(key)).orElse(0L);
            }
            System.out.printf(Locale.ROOT, "redis memory for %d active revocations: used_memory +%.1f MB (%d B each), "
                            + "MEMORY USAGE of the keys %.1f MB (%d B each)%n", entries, (after - before) / 1e6,
                    (after - before) / entries, keys / 1e6, keys / entries);
        } finally {
            client.shutdown();
            deleteKeys(uri, prefix);
        }
    }

    private static long usedMemory(RedisCommands<String, String> redis) {
        Matcher m = Pattern.compile("(?m)^used_memory:(\\d+)").matcher(redis.info("memory"));
        if (!m.find()) {
            throw new IllegalStateException("INFO memory has no used_memory");
        }
        return Long.parseLong(m.group(1));
    }

    private static void deleteKeys(String uri, String prefix) {
        RedisClient client = RedisClient.create(RedisURI.create(uri));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            List<String> keys = c.sync().keys(prefix + "*");
            if (!keys.isEmpty()) {
                c.sync().del(keys.toArray(String[]::new));
            }
        } finally {
            client.shutdown();
        }
    }

    private static long percentile(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, index));
    }
}
