package dev.tokengate.log;

/**
 * Receives the one call-log event of each request. Implementations must be thread-safe and fast (they run on
 * the request thread) and must not throw; a sink that throws is logged and ignored.
 */
@FunctionalInterface
public interface CallLogSink {

    /**
     * Takes one finished request's event.
     *
     * @param event the event; holds no raw token
     */
    void accept(CallEvent event);

    /**
     * Whether this sink takes events now; asked once per request, before the event is built, and when it answers
     * {@code false} the request's event is neither built nor handed over. Default {@code true}; the SLF4J sink answers
     * whether its logger is enabled for INFO, so turning the logger off spares each request the event.
     *
     * @return {@code true} to be handed the request's event
     */
    default boolean enabled() {
        return true;
    }

    /**
     * Takes the summary of the unauthenticated denials from one address that were left out of the call log (see
     * {@code tokengate.call-log.denials-per-address}). Default: one JSON line on the {@value
     * Slf4jCallLogSink#LOGGER_NAME} logger, as {@link Slf4jCallLogSink} writes it, so that a custom sink loses none.
     *
     * @param summary the window's summary for one client address
     */
    default void summary(DenialSummary summary) {
        Slf4jCallLogSink.DEFAULT.summary(summary);
    }
}
