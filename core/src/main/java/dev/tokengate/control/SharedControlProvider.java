package dev.tokengate.control;

import dev.tokengate.config.ConfigSource;

import java.time.Clock;

/**
 * Makes the {@link SharedControl} that {@value dev.tokengate.config.ConfigKeys#REDIS_URI} names: the service that
 * {@code tokengate-redis} registers ({@code META-INF/services/dev.tokengate.control.SharedControlProvider}). The gate
 * looks for it only when that key is set, and fails start-up with a hint when no module provides it.
 */
public interface SharedControlProvider {

    /**
     * The shared state the {@code tokengate.redis.*} keys of the source describe, connected.
     *
     * @param source the gate's configuration
     * @param clock  the gate's clock
     * @return the shared state, connected; the gate closes it
     * @throws dev.tokengate.ConfigurationException naming the key for a malformed value
     */
    SharedControl create(ConfigSource source, Clock clock);
}
