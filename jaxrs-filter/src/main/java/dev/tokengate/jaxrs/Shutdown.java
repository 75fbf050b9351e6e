package dev.tokengate.jaxrs;

import jakarta.ws.rs.core.FeatureContext;

import java.lang.ref.Cleaner;

/**
 * How a gate that {@link TokenGateFeature} built gets closed when its application stops. Jakarta REST defines no
 * shutdown callback for providers, so the runtime's own is used where it has one:
 * <ul>
 *   <li><b>Jersey</b>: a {@code ContainerLifecycleListener} registered with the application, looked up by name in
 *       Jersey's own class loader; Jersey calls it when its servlet is destroyed or the application reloaded
 *       ({@link JerseyShutdown}).</li>
 *   <li><b>Any other runtime</b> (RESTEasy outside CDI calls nothing on providers when its deployment stops): the
 *       gate is closed once the runtime has let go of the application, when the garbage collector finds the
 *       feature's binding unreachable ({@link Cleaner}). Where the runtime manages the feature's life (CDI), its
 *       {@code @PreDestroy} closes the gate first; an application can always call {@link TokenGateFeature#close()}.</li>
 * </ul>
 */
final class Shutdown {

    private Shutdown() {
    }

    /**
     * Arranges for {@code close} to run when the application that {@code context} configures stops.
     *
     * @param application an object that the runtime holds exactly as long as the application: the feature's binding
     * @param close       closes the gate; it must not refer to {@code application}
     * @return how the gate will be closed, for the log
     */
    static String closeWhenStopped(FeatureContext context, Object application, Runnable close) {
        if (context.getClass().getName().startsWith("org.glassfish.jersey.")) {
            try {
                context.register(JerseyShutdown.listener(context.getClass().getClassLoader(), close));
                return "when Jersey shuts the application down";
            } catch (ClassNotFoundException | LinkageError | IllegalArgumentException e) {
                // a Jersey without the listener interface, or one this module cannot reach: the fallback below
            }
        }
        Unreachable.CLEANER.register(application, close);
        return "when the runtime destroys the feature (@PreDestroy), when the application calls "
                + "TokenGateFeature.close(), or at the latest once the stopped application has been garbage collected";
    }

    /**
     * The cleaner, created on first use only: its thread is the JDK's innocuous kind (system class loader, no
     * inherited access-control context), so it holds nothing of the application but the pending close actions, and
     * it ends once this class is unloaded.
     */
    private static final class Unreachable {
        static final Cleaner CLEANER = Cleaner.create();
    }
}
