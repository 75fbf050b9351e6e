package dev.tokengate.redis.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.util.HashMap;
import java.util.Map;

/**
 * A plain Lettuce connection of the test's own, to look at what the gates wrote ({@link #commands()}) and how many
 * commands Redis ran ({@link #commandCalls()}).
 */
public record RedisInspector(RedisClient client, StatefulRedisConnection<String, String> connection,
                             RedisCommands<String, String> commands) implements AutoCloseable {

    /** Connects to the Redis at this URI. */
    public static RedisInspector of(String uri) {
        RedisClient client = RedisClient.create(RedisURI.create(uri));
        StatefulRedisConnection<String, String> c = client.connect();
        return new RedisInspector(client, c, c.sync());
    }

    /** {@code INFO commandstats}: calls per command, {@code evalsha=3} (commands a script ran included). */
    public Map<String, Long> commandCalls() {
        Map<String, Long> calls = new HashMap<>();
        for (String line : commands.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                int colon = line.indexOf(':');
                int comma = line.indexOf(',', colon);
                calls.put(line.substring("cmdstat_".length(), colon),
                        Long.parseLong(line.substring(line.indexOf("calls=", colon) + 6, comma)));
            }
        }
        return calls;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
