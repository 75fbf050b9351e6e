package dev.tokengate.jaxrs;

import org.glassfish.jersey.server.spi.Container;
import org.glassfish.jersey.server.spi.ContainerLifecycleListener;

/**
 * The Jersey listener that closes a gate when Jersey shuts its application down (the servlet container destroys
 * Jersey's servlet, or a reload replaces the application). Loaded only when Jersey runs the application; the only
 * class of this module that sees a Jersey type.
 */
final class JerseyShutdown implements ContainerLifecycleListener {

    private final Runnable close;

    private JerseyShutdown(Runnable close) {
        this.close = close;
    }

    /** The listener to register; typed {@code Object} so that callers never link against Jersey. */
    static Object listener(Runnable close) {
        return new JerseyShutdown(close);
    }

    @Override
    public void onStartup(Container container) {
        // nothing to start: the gate was built when the feature was configured
    }

    @Override
    public void onReload(Container container) {
        // the application replaced has already been shut down (onShutdown), which closed its gate
    }

    @Override
    public void onShutdown(Container container) {
        close.run();
    }
}
