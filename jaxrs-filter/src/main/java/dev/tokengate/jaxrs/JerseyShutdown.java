package dev.tokengate.jaxrs;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Jersey's shutdown callback without a Jersey type in this module: a proxy implementing Jersey's
 * {@code org.glassfish.jersey.server.spi.ContainerLifecycleListener}, which Jersey calls when it shuts its application
 * down (the servlet container destroys Jersey's servlet, or a reload replaces the application). Made only when that
 * interface is visible, so the module needs Jersey neither to compile nor to run elsewhere.
 */
final class JerseyShutdown implements InvocationHandler {

    static final String LISTENER = "org.glassfish.jersey.server.spi.ContainerLifecycleListener";

    private final Runnable close;

    private JerseyShutdown(Runnable close) {
        this.close = close;
    }

    /**
     * The listener to register with Jersey.
     *
     * @throws ClassNotFoundException when Jersey's listener interface is not visible from {@code loader}
     */
    static Object listener(ClassLoader loader, Runnable close) throws ClassNotFoundException {
        Class<?> listener = Class.forName(LISTENER, false, loader);
        return Proxy.newProxyInstance(loader, new Class<?>[] {listener}, new JerseyShutdown(close));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "tokengate shutdown listener";
            };
        }
        if (method.getName().equals("onShutdown")) { // onStartup, onReload: nothing to do
            close.run();
        }
        return null;
    }
}
