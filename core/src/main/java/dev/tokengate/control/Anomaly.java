package dev.tokengate.control;

import dev.tokengate.internal.Settings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One anomaly an {@link AnomalyRules anomaly rule} detected on one token: which rule, the token (by fingerprint,
 * never its text), whom it belongs to, what was seen, and the action taken. What an {@link AnomalyListener} is told.
 *
 * @param rule             the rule that fired
 * @param time             when, by the gate's clock (the triggering request's arrival)
 * @param requestId        the triggering request's id (the call log's {@code request_id})
 * @param tokenFingerprint the token's fingerprint (first 12 hex digits of its SHA-256)
 * @param subject          the token's subject, if it has one
 * @param clientId         the token's client id, if it has one
 * @param clientAddress    the triggering request's client address (trusted-proxy aware)
 * @param seen             what the rule saw: the networks ({@code 203.0.113.0/24}, {@code 2001:db8:1::/48}) in the
 *                         window, or the countries (ISO 3166 codes, the new one last); empty for {@code denials}
 * @param count            how many: networks in the window, countries seen, or denials in the window
 * @param description      what happened, in one sentence, for operators
 * @param action           what the gate did
 */
public record Anomaly(Rule rule, Instant time, String requestId, String tokenFingerprint, Optional<String> subject,
                      Optional<String> clientId, String clientAddress, List<String> seen, int count,
                      String description, Action action) {

    /** The anomaly rules. */
    public enum Rule {
        /** One token used from more than N networks (/24 IPv4, /48 IPv6) within a window. */
        NETWORKS("networks"),
        /** One token used from a country it was not used from before. */
        COUNTRIES("countries"),
        /** More than N {@code insufficient_scope} or IP-range denials for one token within a window. */
        DENIALS("denials");

        private final String value;

        Rule(String value) {
            this.value = value;
        }

        /**
         * The rule's name: {@code networks}, {@code countries}, {@code denials}.
         *
         * @return {@code networks}, {@code countries} or {@code denials}
         */
        public String value() {
            return value;
        }

        /**
         * The call-log mark of a request this rule flagged: {@code anomaly:networks}, ….
         *
         * @return {@code anomaly:} followed by the rule's name
         */
        public String mark() {
            return "anomaly:" + value;
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /** What the gate does when a rule fires ({@code tokengate.anomaly.action}). */
    public enum Action {
        /** A WARN line, the call-log mark and the listeners; the request goes on (the default). */
        LOG("log"),
        /** The token is revoked with the rule as its reason and the triggering request is refused. */
        REVOKE("revoke");

        private final String value;

        Action(String value) {
            this.value = value;
        }

        /**
         * {@code log} or {@code revoke}.
         *
         * @return {@code log} or {@code revoke}
         */
        public String value() {
            return value;
        }

        /**
         * Reads {@code log} or {@code revoke} (any case).
         *
         * @param text the configured value; not null
         * @return the action
         * @throws IllegalArgumentException for anything else
         */
        public static Action parse(String text) {
            Objects.requireNonNull(text, "text");
            return Settings.named(values(), Action::value, text).orElseThrow(() -> new IllegalArgumentException(
                    "'" + text + "' is not an anomaly action; write log or revoke"));
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /**
     * Checks that every component is present and copies {@code seen}.
     *
     * @param rule the rule that fired
     * @param time when, by the gate's clock
     * @param requestId the triggering request's id
     * @param tokenFingerprint the token's fingerprint, never the token
     * @param subject the token's subject, if it has one
     * @param clientId the token's client id, if it has one
     * @param clientAddress the triggering request's client address
     * @param seen what the rule saw (networks or countries); empty for {@code denials}
     * @param count how many networks, countries or denials
     * @param description what happened, in one sentence, for operators
     * @param action what the gate did
     * @throws NullPointerException naming the component that is null
     */
    public Anomaly {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(tokenFingerprint, "tokenFingerprint");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientAddress, "clientAddress");
        seen = List.copyOf(seen);
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(action, "action");
    }

    /** {@code N/duration} as configured: at most {@code max} within {@code window}. */
    record Limit(int max, Duration window) {

        /**
         * Reads {@code N/duration}, e.g. {@code 3/10m}: N from 1 to {@code ceiling}, a positive duration.
         *
         * @throws IllegalArgumentException saying what is wrong
         */
        static Limit parse(String text, int ceiling) {
            String t = Objects.requireNonNull(text, "text").strip();
            int slash = t.indexOf('/');
            if (slash <= 0 || slash == t.length() - 1) {
                throw new IllegalArgumentException("'" + text + "' is not N/duration; write e.g. 3/10m");
            }
            int max;
            try {
                max = Integer.parseInt(t.substring(0, slash).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "': N must be a whole number; write e.g. 3/10m", e);
            }
            return of(max, dev.tokengate.config.ConfigSource.duration(t.substring(slash + 1)), ceiling);
        }

        static Limit of(int max, Duration window, int ceiling) {
            if (max < 1 || max > ceiling) {
                throw new IllegalArgumentException("the limit must be from 1 to " + ceiling + ", not " + max);
            }
            if (window == null || window.isNegative() || window.isZero() || window.compareTo(Duration.ofDays(7)) > 0) {
                throw new IllegalArgumentException("the window must be positive and at most 7 days, not " + window);
            }
            return new Limit(max, window);
        }

        @Override
        public String toString() {
            return max + "/" + text(window);
        }

        /** A window as an operator writes it: {@code 10m}, {@code 1h}, {@code 90s}, {@code 1500ms}. */
        static String text(Duration d) {
            long ms = d.toMillis();
            if (ms % 86_400_000L == 0) {
                return ms / 86_400_000L + "d";
            } else if (ms % 3_600_000L == 0) {
                return ms / 3_600_000L + "h";
            } else if (ms % 60_000L == 0) {
                return ms / 60_000L + "m";
            } else if (ms % 1000L == 0) {
                return ms / 1000L + "s";
            }
            return ms + "ms";
        }
    }
}
