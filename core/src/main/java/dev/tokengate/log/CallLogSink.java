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
