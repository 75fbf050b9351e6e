package dev.tokengate;

/**
 * What the pipeline decided about one request: authenticated (a verified token), anonymous (no token, and the
 * route allows that), or rejected (a {@link BearerError} to send).
 */
public sealed interface Outcome permits Outcome.Authenticated, Outcome.Anonymous, Outcome.Rejected {

    /**
     * A valid token that, if authorization ran, met the route's requirement.
     *
     * @param token the verified token
     */
    record Authenticated(VerifiedToken token) implements Outcome {
        /**
         * Checks that the token is there.
         *
         * @param token the verified token; not null
         */
        public Authenticated {
            java.util.Objects.requireNonNull(token, "token");
        }
    }

    /** The request carried no token (or the route was not checked at all). */
    record Anonymous() implements Outcome {
    }

    /**
     * The request must be refused with this error.
     *
     * @param error the error to send
     */
    record Rejected(BearerError error) implements Outcome {
        /**
         * Checks that the error is there.
         *
         * @param error the error to send; not null
         */
        public Rejected {
            java.util.Objects.requireNonNull(error, "error");
        }
    }
}
