package dev.tokengate.redis;

import dev.tokengate.control.RevocationStore;
import dev.tokengate.control.SharedAnomalyState;
import dev.tokengate.control.SharedBuckets;
import dev.tokengate.control.SharedControl;
import dev.tokengate.log.Loggers;
import org.slf4j.Logger;

import java.time.Clock;
import java.util.Objects;

/**
 * Token control shared through Redis: the revocation list (written to Redis, announced by pub/sub, mirrored in each
 * node's memory), the rate limits' Bucket4j buckets and the anomaly rules' state. What {@value
 * dev.tokengate.config.ConfigKeys#REDIS_URI} switches on; or, in code:
 *
 * <pre>{@code
 * TokenGate gate = TokenGate.builder().issuer(...)
 *         .sharedControl(RedisControl.connect(RedisSettings.of("redis://redis:6379"), Clock.systemUTC()))
 *         .build();
 * }</pre>
 *
 * <p>The gate closes it. Thread-safe.
 */
public final class RedisControl implements SharedControl {

    private static final Logger LOG = Loggers.logger(RedisControl.class);

    private final RedisConnections redis;
    private final RedisRevocationStore revocations;
    private final RedisBuckets buckets;
    private final RedisAnomalyState anomalies;

    private RedisControl(RedisConnections redis, Clock clock) {
        this.redis = redis;
        this.revocations = new RedisRevocationStore(redis, clock);
        this.buckets = new RedisBuckets(redis, clock);
        this.anomalies = new RedisAnomalyState(redis);
        LOG.info("tokengate shares its token control through {}", redis.settings());
    }

    /**
     * Connects to Redis as the settings say.
     *
     * @param settings where Redis is and how to use it; not null
     * @param clock the gate's clock, for the rate limits' buckets and the anomaly rules; not null
     * @return the shared state, connected; close it to disconnect
     * @throws dev.tokengate.ConfigurationException when Redis cannot be reached now
     */
    public static RedisControl connect(RedisSettings settings, Clock clock) {
        return new RedisControl(RedisConnections.connect(Objects.requireNonNull(settings, "settings")),
                Objects.requireNonNull(clock, "clock"));
    }

    @Override
    public RevocationStore revocationStore() {
        return revocations;
    }

    @Override
    public SharedBuckets buckets() {
        return buckets;
    }

    @Override
    public SharedAnomalyState anomalyState() {
        return anomalies;
    }

    @Override
    public boolean failClosed() {
        return redis.settings().onFailure() == RedisSettings.OnFailure.FAIL_CLOSED;
    }

    /** Whether the command connections are open now: after an outage, once Lettuce has reconnected. */
    boolean connected() {
        return redis.connected();
    }

    @Override
    public void close() {
        revocations.shutdown();
        redis.close();
    }

    @Override
    public String toString() {
        return redis.toString();
    }
}
