package dev.tokengate.redis.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Assumptions;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The machine's Redis ({@code redis://127.0.0.1:6379}, or {@code TOKENGATE_TEST_REDIS_URI}) for the ordinary tests:
 * each test class takes a {@linkplain #newPrefix() key prefix of its own} and {@linkplain #deleteKeys deletes its
 * keys} afterwards. When it cannot be reached, {@link #require()} skips the test with the reason printed (a failure
 * when {@code REQUIRE_TEST_SERVICES=true}, as in CI).
 */
public final class SharedRedis {

    public static final String URI = Optional.ofNullable(System.getenv("TOKENGATE_TEST_REDIS_URI"))
            .filter(v -> !v.isBlank()).orElse("redis://127.0.0.1:6379");

    private SharedRedis() {
    }

    /** Checks that the shared Redis answers PING; skips or fails the calling test otherwise. */
    public static void require() {
        RedisURI uri = RedisURI.create(URI);
        uri.setTimeout(Duration.ofSeconds(5));
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().ping();
        } catch (RuntimeException e) {
            String reason = "Redis is not reachable at " + URI + " (" + e.getMessage() + ")";
            if ("true".equals(System.getenv("REQUIRE_TEST_SERVICES"))) {
                throw new AssertionError(reason + "; REQUIRE_TEST_SERVICES=true, so this fails instead of skipping. "
                        + "Start it, e.g. redis-server --daemonize yes --port 6379", e);
            }
            System.out.println("SKIPPED: " + reason);
            Assumptions.abort(reason);
        } finally {
            client.shutdown();
        }
    }

    /** A key prefix no other test run uses: {@code tokengate-test-<random>:}. */
    public static String newPrefix() {
        return "tokengate-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    /** Deletes every key of the shared Redis that starts with this prefix. */
    public static void deleteKeys(String prefix) {
        RedisClient client = RedisClient.create(RedisURI.create(URI));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            RedisCommands<String, String> redis = c.sync();
            List<String> keys = redis.keys(prefix + "*");
            if (!keys.isEmpty()) {
                redis.del(keys.toArray(String[]::new));
            }
        } finally {
            client.shutdown();
        }
    }
}
