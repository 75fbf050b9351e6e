package dev.tokengate.control;

import dev.tokengate.ConfigurationException;
import dev.tokengate.TokenGate;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** tokengate.redis.uri without the module that provides shared control: start-up fails saying what to add. */
class SharedControlConfigTest {

    @Test
    void aRedisUriWithoutTheRedisModuleFailsStartUpNamingTheDependency() {
        ConfigSource source = ConfigSource.of(Map.of(ConfigKeys.JWT_ISSUER, "https://issuer.example",
                ConfigKeys.JWT_AUDIENCE, "api", ConfigKeys.JWT_JWKS_URI, "https://issuer.example/jwks",
                ConfigKeys.REDIS_URI, "redis://127.0.0.1:6379"));
        assertThatThrownBy(() -> TokenGate.create(source))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(ConfigKeys.REDIS_URI)
                .hasMessageContaining("add the dependency dev.tokengate:tokengate-redis");
    }
}
