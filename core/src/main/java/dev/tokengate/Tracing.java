package dev.tokengate;

import dev.tokengate.observe.GateObserver;
import dev.tokengate.observe.OpenTelemetryObserver;

/**
 * Whether the OpenTelemetry API is on tokengate's class path, and the span observer when it is. Kept apart from
 * {@link TokenGate} so that nothing there links an OpenTelemetry type: without the API, this class is never used.
 */
final class Tracing {

    /** The API, recent enough to ask whether a global instance is set without setting the no-op one ({@code isSet}). */
    private static final boolean AVAILABLE = present("io.opentelemetry.context.Context")
            && hasMethod("io.opentelemetry.api.GlobalOpenTelemetry", "isSet");

    private Tracing() {
    }

    static boolean available() {
        return AVAILABLE;
    }

    /** Spans through {@code GlobalOpenTelemetry}; call only when {@link #available()}. */
    static GateObserver observer() {
        return OpenTelemetryObserver.create();
    }

    private static boolean hasMethod(String className, String method) {
        try {
            Class.forName(className, false, Tracing.class.getClassLoader()).getMethod(method);
            return true;
        } catch (ClassNotFoundException | NoSuchMethodException | LinkageError | SecurityException e) {
            return false;
        }
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
