package dev.tokengate.health;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How one upstream is doing, as its component sees it: a status, what it is and where, the last error while it is
 * not up, and how long ago it last answered.
 *
 * @param kind             what it is: {@code jwks}, {@code discovery}, {@code introspection}, {@code database},
 *                         {@code redis}
 * @param target           where it is: a URL or a description of the database, never a credential
 * @param status           how it is doing
 * @param problem          what went wrong, while the status is not {@link Status#UP}
 * @param sinceLastSuccess how long ago it last answered, if it ever did
 * @param detail           one line for operators: what is served, until when
 */
public record UpstreamHealth(String kind, String target, Status status, Optional<Problem> problem,
                             Optional<Duration> sinceLastSuccess, String detail) {

    /**
     * The health of one upstream; a problem given with {@link Status#UP} is dropped, a negative duration is zero.
     *
     * @param kind             what it is
     * @param target           where it is
     * @param status           how it is doing
     * @param problem          what went wrong; required unless the status is {@link Status#UP}
     * @param sinceLastSuccess how long ago it last answered
     * @param detail           one line for operators
     * @throws NullPointerException when a part is missing
     */
    public UpstreamHealth {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(sinceLastSuccess, "sinceLastSuccess");
        Objects.requireNonNull(detail, "detail");
        problem = status == Status.UP ? Optional.empty() : Objects.requireNonNull(problem, "problem");
        sinceLastSuccess = sinceLastSuccess.map(d -> d.isNegative() ? Duration.ZERO : d);
    }

    /** How an upstream, or the gate as a whole, is doing. */
    public enum Status {
        /** Answering. */
        UP,
        /**
         * Failing, but the gate still works from what it holds (keys served within their stale window, shared
         * state the gate can go on without): tokens are still checked.
         */
        DEGRADED,
        /** Failing, and the tokens that need it cannot be checked (answered 503). */
        DOWN,
        /** Not contacted yet: the component is lazy and nothing has needed it (a first contact has been started). */
        UNKNOWN;

        /**
         * The status in lower case, as the JSON report writes it.
         *
         * @return {@code up}, {@code degraded}, {@code down} or {@code unknown}
         */
        public String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * What went wrong.
     *
     * @param cause   whether the upstream is out ({@link Cause#OUTAGE}) or tokengate is pointed at the wrong place
     *                ({@link Cause#CONFIGURATION})
     * @param message what happened and what to do, on one line (control and format characters become spaces), at
     *                most {@value #MAX_MESSAGE} characters; never a token nor a secret
     */
    public record Problem(Cause cause, String message) {

        /** The longest message kept; the rest is cut and replaced by {@code …}. */
        public static final int MAX_MESSAGE = 1000;

        /**
         * A problem; the message is put on one line and cut after {@value #MAX_MESSAGE} characters.
         *
         * @param cause   outage or configuration error
         * @param message what happened and what to do
         * @throws NullPointerException when a part is missing
         */
        public Problem {
            Objects.requireNonNull(cause, "cause");
            StringBuilder line = new StringBuilder();
            Objects.requireNonNull(message, "message").codePoints().forEach(c -> line.appendCodePoint(switch (
                    Character.getType(c)) {
                case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                        Character.SURROGATE, Character.UNASSIGNED -> ' ';
                default -> c;
            }));
            message = line.length() > MAX_MESSAGE ? line.substring(0, MAX_MESSAGE) + "…" : line.toString();
        }

        /**
         * An outage: the upstream does not answer, or answers wrongly.
         *
         * @param message what happened
         * @return the problem
         */
        public static Problem outage(String message) {
            return new Problem(Cause.OUTAGE, message);
        }

        /**
         * A configuration error: waiting will not help, a setting must change.
         *
         * @param message what is wrong and which setting to change
         * @return the problem
         */
        public static Problem configuration(String message) {
            return new Problem(Cause.CONFIGURATION, message);
        }
    }

    /** Whether a problem is an outage or a configuration error. */
    public enum Cause {
        /** The upstream is out or answers wrongly: it may come back by itself. */
        OUTAGE,
        /** tokengate is pointed at the wrong place or holds the wrong credentials: a setting must change. */
        CONFIGURATION;

        /**
         * The cause in lower case, as the JSON report writes it.
         *
         * @return {@code outage} or {@code configuration}
         */
        public String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
