package dev.tokengate.policy;

import dev.tokengate.BearerError;
import dev.tokengate.VerifiedToken;

import java.util.List;
import java.util.Optional;

/**
 * The built-in policy that keeps a token to its networks: those it carries (a stored token issued for one network)
 * and those configured for its client id; see {@link TokenPolicies#allowedAddresses(AddressRanges)}.
 */
final class AllowedAddressesPolicy implements TokenPolicy {

    /** The call-log mark of a request refused for its address (counted by the anomaly rule on denials). */
    static final String MARK = "address";

    static final AllowedAddressesPolicy INSTANCE = new AllowedAddressesPolicy(AddressRanges.none());

    private final AddressRanges ranges;

    AllowedAddressesPolicy(AddressRanges ranges) {
        this.ranges = ranges;
    }

    @Override
    public PolicyDecision check(VerifiedToken token, RequestFacts request) {
        if (ranges.isEmpty() && token.allowedAddresses().isEmpty()) {
            return PolicyDecision.allow(); // nothing restricts it: the client's address need not be resolved
        }
        Optional<String> refusal = ranges.refusal(token, request.clientAddress(), false);
        if (refusal.isEmpty()) {
            return PolicyDecision.allow();
        }
        return new PolicyDecision.Deny(BearerError.invalidToken("This token may not be used from this address."),
                refusal.get(), List.of(MARK));
    }

    @Override
    public String toString() {
        return ranges.isEmpty() ? "allowed addresses" : "allowed addresses (" + ranges + ")";
    }
}
