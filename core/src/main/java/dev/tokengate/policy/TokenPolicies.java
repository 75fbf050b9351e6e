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
     * Checks a token bound to a client certificate ({@code cnf.x5t#S256}, RFC 8705) against the request's
     * mutual-TLS certificate ({@link RequestFacts#clientCertificate()}), and refuses every token bound otherwise
     * ({@code cnf.jkt} included): 401 {@code invalid_token}, so a stolen bound token is worth nothing here. What a
     * gate with {@code tokengate.dpop=off} runs.
     *
     * @return the policy, one instance for every gate
     */
    public static TokenPolicy proofOfPossession() {
        return ProofOfPossessionPolicy.INSTANCE;
    }

    /**
     * Verifies DPoP proofs (RFC 9449) with this verifier: a token sent as {@code Authorization: DPoP} needs a valid
     * proof for this request (401 {@code invalid_dpop_proof} otherwise) signed by the key its {@code cnf.jkt}
     * names (a token without one is 401 {@code invalid_token}); a DPoP-bound token sent as {@code Bearer} is 401
     * {@code invalid_token}; with mode {@code required} every token not sent with DPoP is. A route's own mode
     * ({@link dev.tokengate.authorize.Requirement#dpop()}, {@link RequestFacts#requirement()}) overrides the
     * verifier's: {@code off} refuses the {@code DPoP} scheme. A proof without the server's current nonce (when
     * nonces are required) is 401 {@code use_dpop_nonce}. Certificate-bound tokens
     * are checked as by {@link #proofOfPossession()}, and tokens bound by any other method are refused. Denials and
     * verified proofs are marked {@code dpop} (certificate checks {@code mtls}) in the call log.
     *
     * @param dpop the proof verifier, with its mode, algorithms, lifetime and replay cache; not null
     * @return the policy
     */
    public static TokenPolicy proofOfPossession(dev.tokengate.jwt.DpopVerifier dpop) {
        return new ProofOfPossessionPolicy(Objects.requireNonNull(dpop, "dpop"));
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
