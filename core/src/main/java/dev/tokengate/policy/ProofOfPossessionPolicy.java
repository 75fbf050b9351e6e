package dev.tokengate.policy;

import dev.tokengate.BearerError;
import dev.tokengate.VerifiedToken;

/**
 * The built-in policy that refuses a token bound to a key without its proof of possession; see
 * {@link TokenPolicies#proofOfPossession()}. When DPoP (RFC 9449) or mutual-TLS (RFC 8705) proofs are verified, this
 * is the step that verifies them instead.
 */
final class ProofOfPossessionPolicy implements TokenPolicy {

    static final ProofOfPossessionPolicy INSTANCE = new ProofOfPossessionPolicy();

    /** The confirmation claim (RFC 7800) of a token bound to a key: {@code x5t#S256} (mTLS), {@code jkt} (DPoP), …. */
    static final String CONFIRMATION = "cnf";

    private ProofOfPossessionPolicy() {
    }

    @Override
    public PolicyDecision check(VerifiedToken token, RequestFacts request) {
        if (token.claims().get(CONFIRMATION) == null) {
            return PolicyDecision.allow();
        }
        // No proof of possession is verified yet, whatever the scheme: a bound token is never a bearer token.
        return PolicyDecision.deny(BearerError.invalidToken("This token is bound to a key (cnf) and needs a proof of"
                        + " possession, which this API does not accept; it cannot be used as a bearer token."),
                "the token is bound to a key (cnf) and was sent with the " + request.scheme()
                        + " scheme, without a verified proof of possession");
    }

    @Override
    public String toString() {
        return "proof of possession";
    }
}
