package dev.tokengate.control;

import dev.tokengate.VerifiedToken;
import dev.tokengate.policy.PolicyDecision;
import dev.tokengate.policy.RequestFacts;
import dev.tokengate.policy.TokenPolicy;

/** The built-in policy that marks calls made with a rotated token in its grace period; see {@link Rotations#policy()}. */
final class RotationPolicy implements TokenPolicy {

    static final RotationPolicy INSTANCE = new RotationPolicy();

    /** {@code StoredTokenValidator.REPLACED_BY_CLAIM}, named here so that this package does not depend on the store's. */
    static final String REPLACED_BY_CLAIM = "replaced_by";

    private RotationPolicy() {
    }

    @Override
    public PolicyDecision check(VerifiedToken token, RequestFacts request) {
        if (replaced(token) || request.apiKey().filter(RotationPolicy::replaced).isPresent()) {
            return PolicyDecision.allowMarked(Rotations.MARK);
        }
        return PolicyDecision.allow();
    }

    private static boolean replaced(VerifiedToken token) {
        return token.kind() == VerifiedToken.Kind.STORED && token.claims().containsKey(REPLACED_BY_CLAIM);
    }

    @Override
    public String toString() {
        return "rotated tokens";
    }
}
