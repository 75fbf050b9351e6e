package dev.tokengate.policy;

import dev.tokengate.TokenValidator;
import dev.tokengate.VerifiedToken;

import java.util.Objects;
import java.util.Optional;

/**
 * The built-in {@link TokenPolicy policies}, which every {@code TokenGate} runs first, in this order:
 * {@link #proofOfPossession()}, {@link #allowedAddresses()}, then {@link #apiKey}; token control
 * ({@code dev.tokengate.control}: revocations, anomaly rules, rate limits) follows them.
 */
public final class TokenPolicies {

    private TokenPolicies() {
    }

    /**
     * Refuses a token bound to a key, one whose claims (JWT or introspection answer) carry a confirmation
     * {@code cnf} (RFC 7800): {@code x5t#S256} for a mutual-TLS certificate (RFC 8705 §3), {@code jkt} for a DPoP
     * key (RFC 9449 §7.2), or any other method. Such a token is only valid with a proof that the client holds the
     * key, which tokengate does not verify yet: presented as a bearer token it is 401 {@code invalid_token}, so a
     * stolen bound token is worth nothing here. The request's {@linkplain RequestFacts#scheme() scheme} is where the
     * proof's verification will start.
     *
     * @return the policy, one instance for every gate
     */
    public static TokenPolicy proofOfPossession() {
        return ProofOfPossessionPolicy.INSTANCE;
    }

    /**
     * Refuses a token restricted to some client addresses ({@link VerifiedToken#allowedAddresses()}, e.g. a stored
     * token issued for one network) when the client is elsewhere: 401 {@code invalid_token}, marked {@code address}.
     *
     * @return the policy, one instance for every gate
     */
    public static TokenPolicy allowedAddresses() {
        return AllowedAddressesPolicy.INSTANCE;
    }

    /**
     * Refuses a token when the client is outside its own ranges ({@link #allowedAddresses()}) or outside the ranges
     * configured for its client id ({@link AddressRanges#client}): 401 {@code invalid_token} "This token may not be
     * used from this address.", marked {@code address}, the reason naming the ranges and the key that set them.
     *
     * @param ranges the ranges configured per client id; not null
     * @return the policy
     */
    public static TokenPolicy allowedAddresses(AddressRanges ranges) {
        Objects.requireNonNull(ranges, "ranges");
        return ranges.isEmpty() ? AllowedAddressesPolicy.INSTANCE : new AllowedAddressesPolicy(ranges);
    }

    /**
     * On routes whose requirement {@linkplain dev.tokengate.authorize.Requirement#requiresApiKey() requires an API
     * key} (the hybrid: the calling application's key and a user's token), requires exactly one key in the header,
     * valid and allowed from the client's address (marked {@code address} when it is not), and hands it on ({@link PolicyDecision#allowWithApiKey}).
     * A missing or repeated header is 400 {@code invalid_request}, an invalid key 401 {@code invalid_token}, a
     * key store that cannot be reached (or none configured) 503.
     *
     * @param header the header carrying the key ({@code tokengate.api-key.header})
     * @param keys   the API-key validator, when a token store is configured to look keys up in
     * @return the policy
     */
    public static TokenPolicy apiKey(String header, Optional<TokenValidator> keys) {
        return apiKey(header, keys, AddressRanges.none());
    }

    /**
     * {@link #apiKey(String, Optional)}, with the key kept to the ranges configured for its id and its client id too
     * ({@link AddressRanges}): outside them 401 {@code invalid_token} "This API key may not be used from this
     * address.", marked {@code address}.
     *
     * @param header the header carrying the key ({@code tokengate.api-key.header}); not null
     * @param keys the API-key validator, when a token store is configured to look keys up in; not null
     * @param ranges the ranges configured per API key id and client id; not null
     * @return the policy
     */
    public static TokenPolicy apiKey(String header, Optional<TokenValidator> keys, AddressRanges ranges) {
        return new ApiKeyPolicy(Objects.requireNonNull(header, "header"), Objects.requireNonNull(keys, "keys"),
                Objects.requireNonNull(ranges, "ranges"));
    }

}
