package dev.tokengate.micrometer;

import dev.tokengate.observe.GateObserver;
import dev.tokengate.observe.GateObserverProvider;
import io.micrometer.core.instrument.Metrics;

/**
 * Gives a gate built from {@code tokengate.*} keys a {@link MicrometerObserver} on Micrometer's global registry
 * ({@link Metrics#globalRegistry}) when {@code tokengate.metrics=auto}, the default: add a registry to it
 * ({@code Metrics.addRegistry(prometheusRegistry)}) and the gate's meters appear there. Found by
 * {@link java.util.ServiceLoader}; not for direct use.
 */
public final class MicrometerObserverProvider implements GateObserverProvider {

    /** Made by {@link java.util.ServiceLoader}. */
    public MicrometerObserverProvider() {
    }

    @Override
    public GateObserver create() {
        return MicrometerObserver.create(Metrics.globalRegistry);
    }
}
