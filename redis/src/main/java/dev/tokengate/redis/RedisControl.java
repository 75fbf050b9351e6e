package dev.tokengate.redis;

import dev.tokengate.config.ConfigKeys;
import dev.tokengate.control.RevocationStore;
import dev.tokengate.control.SharedAnomalyState;
import dev.tokengate.control.SharedBuckets;
import dev.tokengate.control.SharedControl;
import dev.tokengate.health.HealthCheck;
import dev.tokengate.health.UpstreamHealth;
import dev.tokengate.jwt.ReplayCache;
import dev.tokengate.log.Loggers;
import io.lettuce.core.RedisException;
import org.slf4j.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Token control shared through Redis: the revocation list (written to Redis, announced by pub/sub, mirrored in each
 * node's memory), the rate limits' Bucket4j buckets, the anomaly rules' state and the DPoP proofs' replay cache. What {@value
 * dev.tokengate.config.ConfigKeys#REDIS_URI} switches on; or, in code:
 *
 * <pre>{@code
 * TokenGate gate = TokenGate.builder().issuer(...)
 *         .sharedControl(RedisControl.connect(RedisSettings.of("redis://redis:6379"), Clock.systemUTC()))
 *         .build();
 * }</pre>
 *
 * <p>The gate closes it and lists it in its health report: required in {@code fail-closed} mode only. Thread-safe.
 */
public final class RedisControl implements SharedControl, HealthCheck {

    private static final Logger LOG = Loggers.logger(RedisControl.class);

    private final RedisConnections redis;
    private final RedisRevocationStore revocations;
    private final RedisBuckets buckets;
    private final RedisAnomalyState anomalies;
    private final RedisReplayCache replays;
    private final Clock clock;
    /** When a health check last had an answer. */
    private volatile Instant lastAnswer;

    private RedisControl(RedisConnections redis, Clock clock) {
        this.redis = redis;
        this.revocations = new RedisRevocationStore(redis, clock);
        this.buckets = new RedisBuckets(redis, clock);
        this.anomalies = new RedisAnomalyState(redis);
        this.replays = new RedisReplayCache(redis, clock);
        this.clock = clock;
        LOG.info("tokengate shares its token control through {}", redis.settings());
        if (redis.settings().onFailure() == RedisSettings.OnFailure.FAIL_OPEN) {
            LOG.warn("{}=fail-open: while Redis cannot be reached each node goes on with its own state, so a token "
                    + "revoked on another node meanwhile is accepted here, the rate limits count per node, and a DPoP "
                    + "proof first used on another node is accepted once more; set fail-closed to answer 503 instead",
                    ConfigKeys.REDIS_ON_FAILURE);
        }
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

    /** The DPoP proofs' replay cache: one key per accepted proof, until the proof is too old. */
    @Override
    public Optional<ReplayCache> replayCache() {
        return Optional.of(replays);
    }

    @Override
    public boolean failClosed() {
        return redis.settings().onFailure() == RedisSettings.OnFailure.FAIL_CLOSED;
    }

    /** Whether the command connections are open now: after an outage, once Lettuce has reconnected. */
    boolean connected() {
        return redis.connected();
    }

    /**
     * Sends {@code PING}, bounded by {@value dev.tokengate.config.ConfigKeys#REDIS_TIMEOUT} (refused at once while
     * disconnected): {@code up}, or {@code down} with the error. In {@code fail-open} mode the gate goes on with
     * each node's own state while Redis is down, and the gate lists it as not required.
     */
    @Override
    public UpstreamHealth health() {
        String problem = null;
        try {
            redis.sync().ping();
            lastAnswer = clock.instant();
        } catch (RedisException e) {
            problem = "Redis did not answer PING: " + e.getMessage();
        }
        Instant last = lastAnswer;
        Optional<Duration> since = last == null ? Optional.empty() : Optional.of(Duration.between(last, clock.instant()));
        String mode = failClosed() ? "fail-closed: the checks that need Redis answer 503 while it is down"
                : "fail-open: each node goes on with its own state while Redis is down";
        return problem == null
                ? new UpstreamHealth("redis", redis.settings().toString(), UpstreamHealth.Status.UP, Optional.empty(),
                        since, mode)
                : new UpstreamHealth("redis", redis.settings().toString(), UpstreamHealth.Status.DOWN,
                        Optional.of(UpstreamHealth.Problem.outage(problem)), since, mode);
    }

    /** The same as {@link #health()}, which already sends a command. */
    @Override
    public UpstreamHealth probe() {
        return health();
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
