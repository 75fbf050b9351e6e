package dev.tokengate.redis;

import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.internal.Settings;
import io.lettuce.core.RedisURI;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the {@code tokengate.redis.*} keys say: where Redis is (one server, a Sentinel-watched one, or the seed nodes
 * of a Redis Cluster), the key prefix, the rate limits' mode, what happens while Redis is down, and the command
 * timeout. Immutable.
 *
 * @param uris       one URI ({@code redis://}, {@code rediss://}, {@code redis-sentinel://}), or two or more seed
 *                   URIs of a Redis Cluster
 * @param keyPrefix  the prefix of every key tokengate writes
 * @param rateLimit  how the rate limits use Redis
 * @param onFailure  what the checks that need Redis do while it cannot be reached
 * @param timeout    how long a command may take before it counts as a failure
 */
public record RedisSettings(List<RedisURI> uris, String keyPrefix, RateLimitMode rateLimit, OnFailure onFailure,
                            Duration timeout) {

    /** The default key prefix. */
    public static final String DEFAULT_KEY_PREFIX = "tokengate:";
    /** The default command timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    /** Between the URIs of a cluster's seeds (a Sentinel URI has commas of its own, between its hosts). */
    private static final Pattern URI_SEPARATOR = Pattern.compile("\\s*,\\s*(?=[A-Za-z][A-Za-z0-9+.-]*://)");
    private static final Pattern KEY_PREFIX = Pattern.compile("[A-Za-z0-9_.:\\-]{0,64}");

    /** How the rate limits use Redis ({@value ConfigKeys#REDIS_RATE_LIMIT}). */
    public enum RateLimitMode {
        /** Every limited request asks Redis: exact across nodes. */
        SHARED("shared"),
        /** Each node counts locally and syncs in batches: fewer round trips, a bounded over-admission. */
        LOCAL_FIRST("local-first");

        private final String value;

        RateLimitMode(String value) {
            this.value = value;
        }

        static RateLimitMode parse(String text) {
            return Settings.named(values(), m -> m.value, text).orElseThrow(() -> new IllegalArgumentException(
                    "'" + text + "' is not a rate-limit mode; write shared or local-first"));
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /** What the checks that need Redis do while it cannot be reached ({@value ConfigKeys#REDIS_ON_FAILURE}). */
    public enum OnFailure {
        /**
         * Go on with this node's own state; revocations made meanwhile are queued and published on recovery. An
         * opt-in, warned about at start-up: a token revoked on another node meanwhile is accepted here.
         */
        FAIL_OPEN("fail-open"),
        /**
         * Answer 503 for the checks that need Redis until it is back and the revocation list is resynchronised; the
         * default.
         */
        FAIL_CLOSED("fail-closed");

        private final String value;

        OnFailure(String value) {
            this.value = value;
        }

        static OnFailure parse(String text) {
            return Settings.named(values(), m -> m.value, text).orElseThrow(() -> new IllegalArgumentException(
                    "'" + text + "' is not what to do while Redis is down; write fail-open or fail-closed"));
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /**
     * Copies the URIs and checks every component.
     *
     * @param uris one URI, or two or more seed URIs of a Redis Cluster
     * @param keyPrefix the prefix of every key tokengate writes; not null
     * @param rateLimit how the rate limits use Redis; not null
     * @param onFailure what the checks that need Redis do while it cannot be reached; not null
     * @param timeout how long a command may take; positive
     * @throws IllegalArgumentException for no URI
     * @throws dev.tokengate.ConfigurationException naming {@code timeout} for a timeout that is not positive
     */
    public RedisSettings {
        uris = List.copyOf(uris);
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("at least one Redis URI is needed");
        }
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(rateLimit, "rateLimit");
        Objects.requireNonNull(onFailure, "onFailure");
        Settings.positive("timeout", timeout);
    }

    /**
     * One Redis at this URI, with every other setting at its default.
     *
     * @param uri a {@code redis://}, {@code rediss://} or {@code redis-sentinel://} URI, or comma-separated cluster
     *            seeds
     * @return the settings
     * @throws IllegalArgumentException for text that is no such URI
     */
    public static RedisSettings of(String uri) {
        return new RedisSettings(uris(uri), DEFAULT_KEY_PREFIX, RateLimitMode.SHARED, OnFailure.FAIL_CLOSED,
                DEFAULT_TIMEOUT);
    }

    /**
     * The settings the {@code tokengate.redis.*} keys of the source give.
     *
     * @param source the gate's configuration; not null
     * @return the settings
     * @throws dev.tokengate.ConfigurationException naming the key and its layer for a malformed value, or for
     *                                              {@value ConfigKeys#REDIS_URI} unset
     */
    public static RedisSettings config(ConfigSource source) {
        List<RedisURI> uris = source.get(ConfigKeys.REDIS_URI, RedisSettings::uris).orElseThrow(() ->
                new dev.tokengate.ConfigurationException(ConfigKeys.REDIS_URI, "is not set; write the Redis URI, "
                        + "e.g. redis://127.0.0.1:6379"));
        String prefix = source.get(ConfigKeys.REDIS_KEY_PREFIX, RedisSettings::keyPrefix).orElse(DEFAULT_KEY_PREFIX);
        RateLimitMode mode = source.get(ConfigKeys.REDIS_RATE_LIMIT, RateLimitMode::parse).orElse(RateLimitMode.SHARED);
        OnFailure onFailure = source.get(ConfigKeys.REDIS_ON_FAILURE, OnFailure::parse).orElse(OnFailure.FAIL_CLOSED);
        Duration timeout = source.get(ConfigKeys.REDIS_TIMEOUT, v -> Settings.positive(ConfigKeys.REDIS_TIMEOUT,
                ConfigSource.duration(v))).orElse(DEFAULT_TIMEOUT);
        return new RedisSettings(uris, prefix, mode, onFailure, timeout);
    }

    /**
     * Whether the URIs name the seed nodes of a Redis Cluster (two or more).
     *
     * @return {@code true} for a Redis Cluster
     */
    public boolean cluster() {
        return uris.size() > 1;
    }

    /**
     * These settings with another key prefix.
     *
     * @param prefix up to 64 letters, digits and {@code _ . : -}
     * @return new settings; these are unchanged
     * @throws IllegalArgumentException for a prefix of another form
     */
    public RedisSettings withKeyPrefix(String prefix) {
        return new RedisSettings(uris, keyPrefix(prefix), rateLimit, onFailure, timeout);
    }

    /**
     * These settings with another rate-limit mode.
     *
     * @param mode {@code shared} or {@code local-first}
     * @return new settings; these are unchanged
     */
    public RedisSettings withRateLimit(RateLimitMode mode) {
        return new RedisSettings(uris, keyPrefix, mode, onFailure, timeout);
    }

    /**
     * These settings with another failure mode.
     *
     * @param mode {@code fail-open} or {@code fail-closed}
     * @return new settings; these are unchanged
     */
    public RedisSettings withOnFailure(OnFailure mode) {
        return new RedisSettings(uris, keyPrefix, rateLimit, mode, timeout);
    }

    /**
     * These settings with another command timeout.
     *
     * @param value positive
     * @return new settings; these are unchanged
     * @throws dev.tokengate.ConfigurationException naming {@code timeout} for a timeout that is not positive
     */
    public RedisSettings withTimeout(Duration value) {
        return new RedisSettings(uris, keyPrefix, rateLimit, onFailure, value);
    }

    /** The URIs with their passwords masked, for logs. */
    @Override
    public String toString() {
        List<String> shown = new ArrayList<>();
        for (RedisURI uri : uris) {
            shown.add((uri.isSsl() ? "rediss://" : "redis://") + (uri.getSentinels().isEmpty()
                    ? uri.getHost() + ':' + uri.getPort()
                    : "sentinel " + uri.getSentinelMasterId() + " via " + uri.getSentinels().size() + " sentinels"));
        }
        return "Redis " + String.join(", ", shown) + (cluster() ? " (cluster)" : "") + ", key prefix '" + keyPrefix
                + "', rate limits " + rateLimit + ", " + onFailure + ", timeout " + timeout.toMillis() + " ms";
    }

    static List<RedisURI> uris(String value) {
        List<RedisURI> uris = new ArrayList<>();
        for (String part : URI_SEPARATOR.split(value.strip())) {
            if (!part.matches("(?i)(rediss?|redis-sentinel|rediss-sentinel)://.+")) {
                throw new IllegalArgumentException("'" + mask(part) + "' is not a Redis URI; write redis://host:6379, "
                        + "rediss://host:6379 (TLS), redis-sentinel://host:26379/0#master, or several redis:// seeds "
                        + "of a cluster, comma-separated");
            }
            try {
                uris.add(RedisURI.create(part));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'" + mask(part) + "' is not a Redis URI: " + e.getMessage(), e);
            }
        }
        if (uris.size() > 1 && uris.stream().anyMatch(u -> !u.getSentinels().isEmpty())) {
            throw new IllegalArgumentException("a Sentinel URI names its sentinels itself "
                    + "(redis-sentinel://h1:26379,h2:26379/0#master); only cluster seeds are listed as several URIs");
        }
        return uris;
    }

    private static String keyPrefix(String value) {
        if (!KEY_PREFIX.matcher(value).matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a key prefix: up to 64 letters, digits and "
                    + "_ . : -");
        }
        return value;
    }

    /** A URI with any password replaced, for messages. */
    private static String mask(String uri) {
        return uri.replaceAll("://[^@/]*@", "://***@");
    }
}
