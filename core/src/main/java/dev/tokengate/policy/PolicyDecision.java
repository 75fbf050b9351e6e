package dev.tokengate.policy;

import dev.tokengate.BearerError;
import dev.tokengate.VerifiedToken;

import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link TokenPolicy} answers for one request: {@linkplain #allow() allow} (the next policy decides, then
 * the route's scopes), or {@linkplain #deny deny} with the {@link BearerError} to send and a reason for operators.
 */
public sealed interface PolicyDecision permits PolicyDecision.Allow, PolicyDecision.Deny {

    /** Allows the request as far as this policy is concerned. */
    static PolicyDecision allow() {
        return Allow.PLAIN;
    }

    /**
     * Allows the request and hands on the calling application's API key that this policy verified: the policies
     * after it see it in {@link RequestFacts#apiKey()}, the call log names its application and
     * {@code TokenGate.Call#apiKey()} returns it. The built-in API-key policy answers this way.
     */
    static PolicyDecision allowWithApiKey(VerifiedToken apiKey) {
        return new Allow(Optional.of(Objects.requireNonNull(apiKey, "apiKey")));
    }

    /**
     * Refuses the request.
     *
     * @param error  what the client gets: status, code, description, challenge, headers
     * @param reason what the call log's {@code reason} says, for operators (never a raw token or key)
     */
    static PolicyDecision deny(BearerError error, String reason) {
        return new Deny(error, reason);
    }

    /**
     * The request may go on.
     *
     * @param apiKey the calling application's API key, when this policy verified one
     */
    record Allow(Optional<VerifiedToken> apiKey) implements PolicyDecision {
        private static final Allow PLAIN = new Allow(Optional.empty());

        public Allow {
            Objects.requireNonNull(apiKey, "apiKey");
        }
    }

    /**
     * The request is refused.
     *
     * @param error  the answer to send
     * @param reason the call log's {@code reason}
     */
    record Deny(BearerError error, String reason) implements PolicyDecision {
        public Deny {
            Objects.requireNonNull(error, "error");
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("a denial needs a reason for the call log");
            }
        }
    }
}
