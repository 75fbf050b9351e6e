package dev.tokengate.benchmarks;

import dev.tokengate.Outcome;
import dev.tokengate.TokenGate;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Rate;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.control.RateLimits;
import dev.tokengate.testing.TestRequest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redis memory per rate-limit bucket: one gate on the machine's Redis ({@code redis://127.0.0.1:6379}, or the first
 * argument) with a per-token limit of 100/1m makes one bucket for each of N tokens (second argument, default
 * 100,000; one call each), then prints {@code used_memory} before and after, the keys made and the bytes per bucket.
 * The keys are deleted afterwards. Not a test: the figure for docs/benchmarks.md.
 */
public final class RedisBucketMemory {

    private RedisBucketMemory() {
    }

    public static void main(String[] args) {
        String uri = args.length > 0 ? args[0] : "redis://127.0.0.1:6379";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        String prefix = "tokengate-memory-" + UUID.randomUUID().toString().substring(0, 8) + ":";
        RedisClient client = RedisClient.create(RedisURI.create(uri));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            RedisCommands<String, String> redis = c.sync();
            long before = usedMemory(redis);
            VerifiedToken verified = VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("bot").clientId("bot")
                    .expiresAt(Instant.now().plus(Duration.ofDays(1))).build();
            try (TokenGate gate = TokenGate.builder()
                    .config(ConfigSource.of(Map.of("tokengate.redis.uri", uri, "tokengate.redis.key-prefix", prefix),
                            Map.of(), new Properties())) // first: config replaces what the calls below set
                    .validator(t -> verified).callLogSink(e -> { })
                    .rateLimits(RateLimits.builder().perToken(Rate.parse("100/1m")).build())
                    .build()) {
                for (int i = 0; i < n; i++) {
                    TokenGate.Call call = gate.begin(TestRequest.get("/api/orders").bearer("token-" + i));
                    boolean ok = call.authorize(Requirement.authenticated()) instanceof Outcome.Authenticated;
                    call.finish(ok ? 200 : 429);
                    if (!ok) {
                        throw new IllegalStateException("call " + i + " was refused");
                    }
                }
            }
            List<String> keys = redis.keys(prefix + "rl:*");
            long after = usedMemory(redis);
            System.out.printf("redis bucket memory: %d buckets, %d keys, used_memory %+d bytes, %.0f B per bucket%n",
                    n, keys.size(), after - before, (after - before) / (double) keys.size());
            for (int i = 0; i < keys.size(); i += 1000) {
                redis.del(keys.subList(i, Math.min(keys.size(), i + 1000)).toArray(String[]::new));
            }
        } finally {
            client.shutdown();
        }
    }

    private static long usedMemory(RedisCommands<String, String> redis) {
        Matcher m = Pattern.compile("used_memory:(\\d+)").matcher(redis.info("memory"));
        if (!m.find()) {
            throw new IllegalStateException("INFO memory has no used_memory");
        }
        return Long.parseLong(m.group(1));
    }
}
