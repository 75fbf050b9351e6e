package dev.tokengate.policy;

import dev.tokengate.BearerError;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.TokenValidator;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.VerifiedToken;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.log.Loggers;
import org.slf4j.Logger;

import java.util.List;
import java.util.Optional;

/** The built-in policy for the hybrid's second credential, the calling application's API key; see {@link TokenPolicies#apiKey}. */
final class ApiKeyPolicy implements TokenPolicy {

    private static final Logger LOG = Loggers.logger(ApiKeyPolicy.class);

    private final String header;
    private final Optional<TokenValidator> keys;
    private final AddressRanges ranges;

    ApiKeyPolicy(String header, Optional<TokenValidator> keys, AddressRanges ranges) {
        this.header = header;
        this.keys = keys;
        this.ranges = ranges;
    }

    @Override
    public PolicyDecision check(VerifiedToken token, RequestFacts request) {
        if (!request.requirement().requiresApiKey() || request.apiKey().isPresent()) {
            return PolicyDecision.allow();
        }
        if (keys.isEmpty()) {
            LOG.error("a route requires an API key, but no token store ({}) is configured to look keys up in",
                    ConfigKeys.STORE_JDBC_URL);
            return PolicyDecision.deny(BearerError.unavailable("The server cannot check API keys right now."),
                    "the route requires an API key but no token store is configured");
        }
        List<String> values = request.headers(header);
        if (values.isEmpty()) {
            return PolicyDecision.deny(BearerError.invalidRequest("This resource also requires the calling application's "
                    + "API key in the " + header + " header."), "no API key");
        }
        if (values.size() > 1) {
            return PolicyDecision.deny(BearerError.invalidRequest("The request has more than one " + header
                    + " header; send exactly one API key."), "more than one API key");
        }
        VerifiedToken key;
        try {
            key = keys.get().validate(values.get(0).strip());
        } catch (InvalidTokenException e) {
            return PolicyDecision.deny(BearerError.invalidToken("The API key in the " + header + " header is not valid: "
                    + e.getMessage()), "API key: " + e.getMessage());
        } catch (UpstreamUnavailableException e) {
            return PolicyDecision.deny(BearerError.unavailable("The server cannot check API keys right now; try again shortly."),
                    "API key: " + e.getMessage());
        }
        Optional<String> refusal = ranges.refusal(key, request.clientAddress(), true);
        if (refusal.isPresent()) {
            return new PolicyDecision.Deny(BearerError.invalidToken("This API key may not be used from this address."),
                    refusal.get(), List.of(AllowedAddressesPolicy.MARK));
        }
        return PolicyDecision.allowWithApiKey(key);
    }

    @Override
    public String toString() {
        return "API key (" + header + ")";
    }
}
