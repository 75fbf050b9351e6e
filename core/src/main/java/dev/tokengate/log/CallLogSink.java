package dev.tokengate.log;

/**
 * Receives the one call-log event of each request. Implementations must be thread-safe and fast (they run on
 * the request thread) and must not throw; a sink that throws is logged and ignored.
 */
@FunctionalInterface
public interface CallLogSink {

    /** Takes one finished request's event. */
    void accept(CallEvent event);
}
