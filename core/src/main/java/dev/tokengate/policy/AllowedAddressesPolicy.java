package dev.tokengate.policy;

import dev.tokengate.BearerError;
import dev.tokengate.VerifiedToken;

/** The built-in policy that keeps an address-restricted token to its networks; see {@link TokenPolicies#allowedAddresses()}. */
final class AllowedAddressesPolicy implements TokenPolicy {

    /** The mark of a request refused for its address (counted by the anomaly rule on denials). */
    static final String MARK = "address";

    static final AllowedAddressesPolicy INSTANCE = new AllowedAddressesPolicy();

    private AllowedAddressesPolicy() {
    }

    @Override
    public PolicyDecision check(VerifiedToken token, RequestFacts request) {
        if (TokenPolicies.isAllowedFrom(token, request.clientAddress())) {
            return PolicyDecision.allow();
        }
        return new PolicyDecision.Deny(BearerError.invalidToken("This token may not be used from this address."),
                "the token is restricted to " + token.allowedAddresses() + "; the client is " + request.clientAddress(),
                java.util.List.of(MARK));
    }

    @Override
    public String toString() {
        return "allowed addresses";
    }
}
