package dev.tokengate.control;

import dev.tokengate.internal.Settings;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One entry of the revocation list: what is revoked ({@link Target} and its value), why, when, and until when.
 * An entry never holds a raw token: a single token is named by the SHA-256 of its text.
 *
 * @param target    what kind of thing is revoked
 * @param value     its name: the token's SHA-256 in lower-case hex ({@link Target#TOKEN}), a token id (a JWT's
 *                  {@code jti}, a stored token's id), a subject, a client id, or an API key's id
 * @param reason    why, for the console and the call log (1 to 500 characters; never a secret)
 * @param revokedAt when it was revoked
 * @param expiresAt when the entry may be forgotten: a revoked token's own expiry (it is refused by then anyway);
 *                  empty for an entry that lasts until it is {@linkplain Revocations#lift lifted}
 */
public record Revocation(Target target, String value, String reason, Instant revokedAt, Optional<Instant> expiresAt) {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    /** What an entry revokes. */
    public enum Target {
        /** One token, by the SHA-256 of its text (works for every kind of token, opaque ones too). */
        TOKEN("token"),
        /** One token by its id: a JWT's {@code jti}, an introspected token's {@code jti}, a stored token's id. */
        TOKEN_ID("token_id"),
        /** Every token of a subject (a user, or a service account). */
        SUBJECT("subject"),
        /** Every token issued to a client application ({@code client_id} / {@code azp}). */
        CLIENT("client"),
        /** One calling application's API key, by its id (on routes that require an API key). */
        API_KEY("api_key");

        private final String value;

        Target(String value) {
            this.value = value;
        }

        /**
         * The name used in configuration, stores and the console: {@code token}, {@code token_id}, ….
         *
         * @return the target's name, e.g. {@code token_id}
         */
        public String value() {
            return value;
        }

        /**
         * Reads a target by its {@linkplain #value() name} (any case; {@code jti} for {@link #TOKEN_ID},
         * {@code client_id} for {@link #CLIENT}).
         *
         * @param text the name; not null
         * @return the target
         * @throws IllegalArgumentException naming the targets for any other text
         */
        public static Target parse(String text) {
            Optional<Target> named = Settings.named(values(), Target::value, Objects.requireNonNull(text, "text"));
            if (named.isPresent()) {
                return named.get();
            }
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "jti" -> TOKEN_ID;
                case "client_id" -> CLIENT;
                default -> throw new IllegalArgumentException("'" + text + "' is not a revocation target; write token, "
                        + "token_id (jti), subject, client or api_key");
            };
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /**
     * Checks every component and strips the reason.
     *
     * @param target what kind of thing is revoked
     * @param value its name: a token's SHA-256 in lower-case hex, a token id, a subject, a client id or an API key's
     *              id
     * @param reason why, 1 to 500 characters after stripping; never a secret
     * @param revokedAt when it was revoked
     * @param expiresAt when the entry may be forgotten; empty for never
     * @throws IllegalArgumentException for an empty or over-long value or reason, or a token not given as its hash
     */
    public Revocation {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(revokedAt, "revokedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (value.isEmpty() || value.length() > 500) {
            throw new IllegalArgumentException("the revoked " + target + " must be 1 to 500 characters");
        }
        if (target == Target.TOKEN && !SHA256_HEX.matcher(value).matches()) {
            throw new IllegalArgumentException("a token is revoked by its SHA-256 in lower-case hex (64 digits), "
                    + "never by its text; Revocations.revokeToken hashes it");
        }
        reason = reason.strip();
        if (reason.isEmpty() || reason.length() > 500) {
            throw new IllegalArgumentException("a revocation needs a reason of 1 to 500 characters");
        }
    }

    /**
     * Whether the entry has run out at this instant (it may then be forgotten).
     *
     * @param now the instant to check at
     * @return {@code true} once its expiry is reached; never for an entry without one
     */
    public boolean expiredAt(Instant now) {
        return expiresAt.map(exp -> !now.isBefore(exp)).orElse(false);
    }

    /**
     * How the console and logs name it: the value, or the token's 12-digit fingerprint for a single token.
     *
     * @return the text to show, never the token
     */
    public String displayValue() {
        return target == Target.TOKEN ? value.substring(0, 12) : value;
    }

    @Override
    public String toString() {
        return "revoked " + target + " " + displayValue() + " (" + reason + ")";
    }
}
