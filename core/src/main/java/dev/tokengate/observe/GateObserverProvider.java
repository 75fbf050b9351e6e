package dev.tokengate.observe;

/**
 * Makes the observer a gate built from {@code tokengate.*} keys records its metrics with, when
 * {@code tokengate.metrics=auto} (the default): {@code tokengate-micrometer} provides one that registers its meters
 * in Micrometer's global registry. Found with {@link java.util.ServiceLoader} on tokengate's class path, else the
 * thread's context class loader (a web application's).
 */
@FunctionalInterface
public interface GateObserverProvider {

    /**
     * The observer for one gate; called once per gate built from keys.
     *
     * @return the observer
     */
    GateObserver create();
}
