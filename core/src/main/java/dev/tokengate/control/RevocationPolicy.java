package dev.tokengate.control;

import dev.tokengate.BearerError;
import dev.tokengate.VerifiedToken;
import dev.tokengate.policy.PolicyDecision;
import dev.tokengate.policy.RequestFacts;
import dev.tokengate.policy.TokenPolicy;

import java.util.Optional;

/** The built-in policy that refuses what the gate's {@link Revocations} list holds; see {@link Revocations#policy()}. */
final class RevocationPolicy implements TokenPolicy {

    /** The call-log mark of a request refused because of a revocation. */
    static final String MARK = "revoked";
    /** The call-log mark of a request refused because a shared store that fails closed could not be reached. */
    static final String UNAVAILABLE_MARK = "shared_state_unavailable";
    private static final java.time.Duration RETRY = java.time.Duration.ofSeconds(5);

    private final Revocations revocations;

    RevocationPolicy(Revocations revocations) {
        this.revocations = revocations;
    }

    @Override
    public PolicyDecision check(VerifiedToken token, RequestFacts request) {
        if (!revocations.trusted()) {
            return new PolicyDecision.Deny(BearerError.unavailable("The revocation list cannot be checked right now; "
                    + "try again shortly.", RETRY), "revocation list unavailable (shared store unreachable, "
                    + "fail-closed)", java.util.List.of(UNAVAILABLE_MARK));
        }
        Optional<Revocation> found = revocations.find(token, request);
        if (found.isEmpty()) {
            return PolicyDecision.allow();
        }
        Revocation r = found.get();
        String description = r.target() == Revocation.Target.API_KEY
                || (r.target() == Revocation.Target.TOKEN_ID && request.apiKey().flatMap(VerifiedToken::tokenId)
                .filter(r.value()::equals).isPresent() && !token.tokenId().filter(r.value()::equals).isPresent())
                ? "The calling application's API key has been revoked; its owner must issue a new one."
                : "This token has been revoked; sign in again or ask its issuer for a new one.";
        return new PolicyDecision.Deny(BearerError.invalidToken(description),
                "revoked " + r.target() + " " + r.displayValue() + ": " + r.reason(), java.util.List.of(MARK));
    }

    @Override
    public String toString() {
        return "revocation list";
    }
}
