package dev.tokengate.policy;

import dev.tokengate.BearerError;
import dev.tokengate.VerifiedToken;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link TokenPolicy} answers for one request: {@linkplain #allow() allow} (the next policy decides, then
 * the route's scopes), or {@linkplain #deny deny} with the {@link BearerError} to send and a reason for operators.
 */
public sealed interface PolicyDecision permits PolicyDecision.Allow, PolicyDecision.Deny {

    /**
     * Allows the request as far as this policy is concerned.
     *
     * @return the decision, one instance for every such answer
     */
    static PolicyDecision allow() {
        return Allow.PLAIN;
    }

    /**
     * Allows the request and hands on the calling application's API key that this policy verified: the policies
     * after it see it in {@link RequestFacts#apiKey()}, the call log names its application and
     * {@code TokenGate.Call#apiKey()} returns it. The built-in API-key policy answers this way.
     *
     * @param apiKey the verified API key; not null
     * @return the decision
     */
    static PolicyDecision allowWithApiKey(VerifiedToken apiKey) {
        return new Allow(Optional.of(Objects.requireNonNull(apiKey, "apiKey")), List.of());
    }

    /**
     * Allows the request and marks its call-log event (the event's {@code marks}): a fact owners should see, such as
     * {@code rotated} (a rotated token in its grace period) or {@code anomaly:networks} (an anomaly rule in log
     * mode).
     *
     * @param mark a short lower-case word, {@code [a-z0-9_:.-]}, never a secret
     * @return the decision
     * @throws IllegalArgumentException for a mark of another form
     */
    static PolicyDecision allowMarked(String mark) {
        return new Allow(Optional.empty(), List.of(checkMark(mark)));
    }

    /**
     * Refuses the request.
     *
     * @param error  what the client gets: status, code, description, challenge, headers
     * @param reason what the call log's {@code reason} says, for operators (never a raw token or key)
     * @return the decision
     * @throws IllegalArgumentException for a blank reason
     */
    static PolicyDecision deny(BearerError error, String reason) {
        return new Deny(error, reason, List.of());
    }

    /** A mark is a short word for the call log and dashboards; never a token, never free text. */
    private static String checkMark(String mark) {
        Objects.requireNonNull(mark, "mark");
        if (!mark.matches("[a-z0-9_:.\\-]{1,64}")) {
            throw new IllegalArgumentException("a mark is 1 to 64 of a-z 0-9 _ : . -, not '" + mark + "'");
        }
        return mark;
    }

    private static List<String> plus(List<String> marks, String mark) {
        List<String> more = new ArrayList<>(marks);
        if (!more.contains(checkMark(mark))) {
            more.add(mark);
        }
        return List.copyOf(more);
    }

    /**
     * The request may go on.
     *
     * @param apiKey the calling application's API key, when this policy verified one
     * @param marks  marks for the request's call-log event, if any
     */
    record Allow(Optional<VerifiedToken> apiKey, List<String> marks) implements PolicyDecision {
        private static final Allow PLAIN = new Allow(Optional.empty(), List.of());

        /**
         * Checks the API key's presence and copies the marks.
         *
         * @param apiKey the calling application's API key, when this policy verified one; not null
         * @param marks marks for the request's call-log event; not null
         */
        public Allow {
            Objects.requireNonNull(apiKey, "apiKey");
            marks = List.copyOf(marks);
        }

        /**
         * This decision with one more mark for the call log.
         *
         * @param mark a short lower-case word, {@code [a-z0-9_:.-]}, never a secret
         * @return a decision with the mark added (once)
         * @throws IllegalArgumentException for a mark of another form
         */
        public Allow withMark(String mark) {
            return new Allow(apiKey, plus(marks, mark));
        }
    }

    /**
     * The request is refused.
     *
     * @param error  the answer to send
     * @param reason the call log's {@code reason}
     * @param marks  what kind of denial this is, for the call log's {@code marks} and the policies'
     *               {@link TokenPolicy#observe observers}: {@code revoked}, {@code address}, {@code scope},
     *               {@code rate_limited}, {@code anomaly:networks}, …
     */
    record Deny(BearerError error, String reason, List<String> marks) implements PolicyDecision {
        /**
         * Checks the error and reason and copies the marks.
         *
         * @param error the answer to send; not null
         * @param reason the call log's {@code reason}, not blank
         * @param marks what kind of denial this is; not null
         * @throws IllegalArgumentException for a blank reason
         */
        public Deny {
            Objects.requireNonNull(error, "error");
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("a denial needs a reason for the call log");
            }
            marks = List.copyOf(marks);
        }

        /**
         * A denial without marks.
         *
         * @param error the answer to send; not null
         * @param reason the call log's {@code reason}, not blank
         * @throws IllegalArgumentException for a blank reason
         */
        public Deny(BearerError error, String reason) {
            this(error, reason, List.of());
        }

        /**
         * This denial with one more mark.
         *
         * @param mark a short lower-case word, {@code [a-z0-9_:.-]}, never a secret
         * @return a denial with the mark added (once)
         * @throws IllegalArgumentException for a mark of another form
         */
        public Deny withMark(String mark) {
            return new Deny(error, reason, plus(marks, mark));
        }

        /**
         * Whether it carries this mark.
         *
         * @param mark the mark to look for
         * @return {@code true} when the denial carries it
         */
        public boolean hasMark(String mark) {
            return marks.contains(mark);
        }
    }
}
