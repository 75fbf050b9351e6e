package dev.tokengate.redis;

import dev.tokengate.ConfigurationException;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisSettingsTest {

    private static RedisSettings settings(Map<String, String> keys) {
        return RedisSettings.config(ConfigSource.of(keys));
    }

    @Test
    void oneUriIsOneServerWithTheDefaults() {
        RedisSettings s = settings(Map.of(ConfigKeys.REDIS_URI, "redis://127.0.0.1:6380/2"));
        assertThat(s.cluster()).isFalse();
        assertThat(s.uris()).singleElement().satisfies(u -> {
            assertThat(u.getPort()).isEqualTo(6380);
            assertThat(u.getDatabase()).isEqualTo(2);
        });
        assertThat(s.keyPrefix()).isEqualTo("tokengate:");
        assertThat(s.rateLimit()).isEqualTo(RedisSettings.RateLimitMode.SHARED);
        assertThat(s.onFailure()).isEqualTo(RedisSettings.OnFailure.FAIL_CLOSED); // fail closed unless told otherwise
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void severalSeedUrisAreACluster() {
        RedisSettings s = settings(Map.of(ConfigKeys.REDIS_URI, "redis://a:7000, redis://b:7001,rediss://c:7002"));
        assertThat(s.cluster()).isTrue();
        assertThat(s.uris()).extracting(u -> u.getHost() + ":" + u.getPort() + ":" + u.isSsl())
                .containsExactly("a:7000:false", "b:7001:false", "c:7002:true");
    }

    @Test
    void aSentinelUriKeepsItsOwnHostList() {
        RedisSettings s = settings(Map.of(ConfigKeys.REDIS_URI, "redis-sentinel://s1:26379,s2:26380/0#mymaster"));
        assertThat(s.cluster()).isFalse();
        assertThat(s.uris()).singleElement().satisfies(u -> {
            assertThat(u.getSentinelMasterId()).isEqualTo("mymaster");
            assertThat(u.getSentinels()).hasSize(2);
        });
        assertThat(s.toString()).contains("sentinel mymaster via 2 sentinels");
    }

    @Test
    void theOtherKeysAreRead() {
        RedisSettings s = settings(Map.of(ConfigKeys.REDIS_URI, "redis://h", ConfigKeys.REDIS_KEY_PREFIX, "orders-api:",
                ConfigKeys.REDIS_RATE_LIMIT, "Local-First", ConfigKeys.REDIS_ON_FAILURE, "fail-open",
                ConfigKeys.REDIS_TIMEOUT, "250ms"));
        assertThat(s.keyPrefix()).isEqualTo("orders-api:");
        assertThat(s.rateLimit()).isEqualTo(RedisSettings.RateLimitMode.LOCAL_FIRST);
        assertThat(s.onFailure()).isEqualTo(RedisSettings.OnFailure.FAIL_OPEN);
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void badValuesNameTheKeyAndSayWhatToWrite() {
        assertThatThrownBy(() -> settings(Map.of(ConfigKeys.REDIS_URI, "http://redis:6379")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(ConfigKeys.REDIS_URI).hasMessageContaining("write redis://host:6379");
        assertThatThrownBy(() -> settings(Map.of(ConfigKeys.REDIS_URI, "redis://:s3cret@h:6379,ftp://x")))
                .hasMessageContaining("'ftp://x' is not a Redis URI").hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> settings(Map.of(ConfigKeys.REDIS_URI, "redis://h", ConfigKeys.REDIS_KEY_PREFIX,
                "{api}"))).hasMessageContaining(ConfigKeys.REDIS_KEY_PREFIX).hasMessageContaining("not a key prefix");
        assertThatThrownBy(() -> settings(Map.of(ConfigKeys.REDIS_URI, "redis://h", ConfigKeys.REDIS_RATE_LIMIT,
                "exact"))).hasMessageContaining("write shared or local-first");
        assertThatThrownBy(() -> settings(Map.of(ConfigKeys.REDIS_URI, "redis://h", ConfigKeys.REDIS_ON_FAILURE,
                "ignore"))).hasMessageContaining("write fail-open or fail-closed");
        assertThatThrownBy(() -> settings(Map.of(ConfigKeys.REDIS_URI, "redis://h", ConfigKeys.REDIS_TIMEOUT,
                "0s"))).hasMessageContaining(ConfigKeys.REDIS_TIMEOUT);
    }

    @Test
    void aPasswordIsNeverShown() {
        RedisSettings s = settings(Map.of(ConfigKeys.REDIS_URI, "redis://user:s3cret@h:6379"));
        assertThat(s.toString()).doesNotContain("s3cret").contains("redis://h:6379");
    }

    @Test
    void anUnreachableRedisFailsStartUpNamingTheKey() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        RedisSettings s = RedisSettings.of("redis://127.0.0.1:" + port);
        assertThatThrownBy(() -> RedisControl.connect(s, java.time.Clock.systemUTC()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(ConfigKeys.REDIS_URI)
                .hasMessageContaining("cannot connect to Redis redis://127.0.0.1:" + port)
                .hasMessageContaining("start Redis");
    }

    /** The registry (and so the README's key table) states the defaults the settings use. */
    @Test
    void everyRedisKeysRegisteredDefaultIsTheDefaultTheSettingsUse() {
        java.util.Map<String, Object> used = Map.of(
                ConfigKeys.REDIS_KEY_PREFIX, RedisSettings.DEFAULT_KEY_PREFIX,
                ConfigKeys.REDIS_RATE_LIMIT, RedisSettings.RateLimitMode.SHARED,
                ConfigKeys.REDIS_ON_FAILURE, RedisSettings.OnFailure.FAIL_CLOSED,
                ConfigKeys.REDIS_TIMEOUT, RedisSettings.DEFAULT_TIMEOUT);
        RedisSettings defaults = settings(Map.of(ConfigKeys.REDIS_URI, "redis://h"));
        assertThat(java.util.List.<Object>of(defaults.keyPrefix(), defaults.rateLimit(), defaults.onFailure(), defaults.timeout()))
                .containsExactly(used.get(ConfigKeys.REDIS_KEY_PREFIX), used.get(ConfigKeys.REDIS_RATE_LIMIT),
                        used.get(ConfigKeys.REDIS_ON_FAILURE), used.get(ConfigKeys.REDIS_TIMEOUT));
        for (dev.tokengate.config.ConfigKey key : ConfigKeys.registry()) {
            if (!key.name().startsWith("tokengate.redis.") || key.name().equals(ConfigKeys.REDIS_URI)) {
                continue;
            }
            assertThat(used).as(key.name()).containsKey(key.name());
            RedisSettings registered = settings(Map.of(ConfigKeys.REDIS_URI, "redis://h", key.name(),
                    key.defaultValue().orElseThrow()));
            assertThat(registered).as(key.name()).isEqualTo(defaults);
        }
        assertThat(ConfigKeys.find(ConfigKeys.REDIS_URI)).hasValueSatisfying(k -> assertThat(k.defaultValue()).isEmpty());
    }
}
