package dev.tokengate.redis;

import dev.tokengate.config.ConfigSource;
import dev.tokengate.control.SharedControl;
import dev.tokengate.control.SharedControlProvider;

import java.time.Clock;

/** Registered as a service: makes a {@link RedisControl} from the {@code tokengate.redis.*} keys. */
public final class RedisControlProvider implements SharedControlProvider {

    /** Made by {@link java.util.ServiceLoader}, which finds the provider through {@code META-INF/services}. */
    public RedisControlProvider() {
    }

    @Override
    public SharedControl create(ConfigSource source, Clock clock) {
        return RedisControl.connect(RedisSettings.config(source), clock);
    }
}
