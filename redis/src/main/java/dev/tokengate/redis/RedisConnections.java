package dev.tokengate.redis;

import dev.tokengate.ConfigurationException;
import dev.tokengate.config.ConfigKeys;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import java.util.concurrent.TimeUnit;

/**
 * The Lettuce client and connections of one gate: commands as strings, commands as bytes (Bucket4j's bucket states)
 * and one pub/sub connection, to a single Redis (direct or through Sentinel) or to a Redis Cluster. Commands fail
 * at once while disconnected (they are not buffered, so a check never waits for a reconnection) and after the
 * settings' timeout; Lettuce reconnects by itself and resubscribes the pub/sub connection. Thread-safe.
 */
final class RedisConnections implements AutoCloseable {

    private final RedisSettings settings;
    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> strings;
    private final StatefulConnection<byte[], byte[]> bytes;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final RedisClusterCommands<String, String> sync;
    private final RedisClusterAsyncCommands<String, String> async;
    private final RedisClusterAsyncCommands<byte[], byte[]> asyncBytes;

    private RedisConnections(RedisSettings settings) {
        this.settings = settings;
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        TimeoutOptions timeouts = TimeoutOptions.enabled(settings.timeout());
        try {
            if (settings.cluster()) {
                RedisClusterClient cluster = RedisClusterClient.create(resources, settings.uris());
                cluster.setOptions(ClusterClientOptions.builder()
                        .timeoutOptions(timeouts)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                                .enableAllAdaptiveRefreshTriggers().build())
                        .build());
                this.client = cluster;
                StatefulRedisClusterConnection<String, String> s = cluster.connect(StringCodec.UTF8);
                StatefulRedisClusterConnection<byte[], byte[]> b = cluster.connect(ByteArrayCodec.INSTANCE);
                // Lettuce connects to each master on its first command, and REJECT_COMMANDS refuses the commands
                // sent while that connection is being made: the first read of the revocation list failed so.
                for (RedisClusterNode node : s.getPartitions()) {
                    if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                        s.getConnection(node.getUri().getHost(), node.getUri().getPort());
                        b.getConnection(node.getUri().getHost(), node.getUri().getPort());
                    }
                }
                this.strings = s;
                this.bytes = b;
                this.sync = s.sync();
                this.async = s.async();
                this.asyncBytes = b.async();
                this.pubSub = cluster.connectPubSub(StringCodec.UTF8);
            } else {
                RedisClient single = RedisClient.create(resources, settings.uris().get(0));
                single.setOptions(ClientOptions.builder()
                        .timeoutOptions(timeouts)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .build());
                this.client = single;
                StatefulRedisConnection<String, String> s = single.connect(StringCodec.UTF8);
                StatefulRedisConnection<byte[], byte[]> b = single.connect(ByteArrayCodec.INSTANCE);
                this.strings = s;
                this.bytes = b;
                this.sync = s.sync();
                this.async = s.async();
                this.asyncBytes = b.async();
                this.pubSub = single.connectPubSub(StringCodec.UTF8);
            }
        } catch (RedisException e) {
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            throw new ConfigurationException(ConfigKeys.REDIS_URI, "tokengate cannot connect to " + settings
                    + ": " + e.getMessage() + "; start Redis (or correct the URI) before the application", e);
        }
    }

    /**
     * Connects as the settings say.
     *
     * @throws ConfigurationException naming {@value ConfigKeys#REDIS_URI} when Redis cannot be reached now: a gate
     *                                does not start without its shared state
     */
    static RedisConnections connect(RedisSettings settings) {
        return new RedisConnections(settings);
    }

    RedisSettings settings() {
        return settings;
    }

    /** A key with the settings' prefix. */
    String key(String name) {
        return settings.keyPrefix() + name;
    }

    /** Blocking string commands (each bounded by the timeout). */
    RedisClusterCommands<String, String> sync() {
        return sync;
    }

    /** Asynchronous string commands. */
    RedisClusterAsyncCommands<String, String> async() {
        return async;
    }

    /** Asynchronous byte commands: Bucket4j's bucket states. */
    RedisClusterAsyncCommands<byte[], byte[]> asyncBytes() {
        return asyncBytes;
    }

    /** The one pub/sub connection (Lettuce resubscribes it after a reconnection). */
    StatefulRedisPubSubConnection<String, String> pubSub() {
        return pubSub;
    }

    /** Whether the command connection is open now. */
    boolean connected() {
        return strings.isOpen() && bytes.isOpen();
    }

    /** Told when any of the connections drops or comes back. */
    void addListener(RedisConnectionStateListener listener) {
        client.addListener(listener);
    }

    @Override
    public void close() {
        pubSub.closeAsync();
        strings.closeAsync();
        bytes.closeAsync();
        client.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return settings.toString();
    }
}
