package dev.tokengate;

import dev.tokengate.observe.GateObserver;
import dev.tokengate.observe.OpenTelemetryObserver;

/**
 * Whether the OpenTelemetry API is on tokengate's class path, and the span observer when it is. Kept apart from
 * {@link TokenGate} so that nothing there links an OpenTelemetry type: without the API, this class is never used.
 */
final class Tracing {

    private static final boolean AVAILABLE = present("io.opentelemetry.api.GlobalOpenTelemetry")
            && present("io.opentelemetry.context.Context");

    private Tracing() {
    }

    static boolean available() {
        return AVAILABLE;
    }

    /** Spans through {@code GlobalOpenTelemetry}; call only when {@link #available()}. */
    static GateObserver observer() {
        return OpenTelemetryObserver.create();
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, Tracing.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
