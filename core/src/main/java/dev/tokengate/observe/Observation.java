package dev.tokengate.observe;

/**
 * One observed piece of work (a validation, an upstream call), started by a {@link GateObserver} and ended once, on
 * the thread that started it, with its {@link Result}. A tracing observer keeps a span current in between, so that
 * the work started inside it (a JWKS fetch inside a validation) nests under it.
 */
@FunctionalInterface
public interface Observation {

    /** The scope that records nothing. */
    Observation NONE = result -> { };

    /**
     * Ends the work; a second call does nothing.
     *
     * @param result how it ended
     */
    void end(Result result);

    /** How observed work ended. */
    enum Result {
        /** It succeeded: a valid token, an upstream answer (a token database that knows no such token included). */
        OK("ok"),
        /** The token was refused: the client's fault ({@code invalid_token}). */
        INVALID("invalid"),
        /** It failed: an upstream unreachable or answering nonsense, or a fault of tokengate (503). */
        ERROR("error");

        private final String value;

        Result(String value) {
            this.value = value;
        }

        /**
         * The result as a metric tag or span attribute writes it.
         *
         * @return {@code ok}, {@code invalid} or {@code error}
         */
        public String value() {
            return value;
        }
    }
}
