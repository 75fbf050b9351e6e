package dev.tokengate;

import java.util.Optional;

/**
 * A token that the client must not send again: bad signature, expired, wrong issuer or audience, inactive,
 * malformed. Always the client's fault; adapters answer 401 {@code invalid_token}.
 *
 * <p>The message is safe to show to the client (it never contains the token); {@link #claim()} names the
 * claim or header that failed, where there is one.
 */
public class InvalidTokenException extends TokenGateException {
    private static final long serialVersionUID = 1L;

    /**
     * The claim or header parameter that failed the check; null when none did.
     */
    private final String claim;

    /**
     * A refused token without a particular claim at fault (e.g. malformed).
     *
     * @param message why the token is refused, safe to show to the client (never the token itself)
     */
    public InvalidTokenException(String message) {
        this(message, null, null);
    }

    /**
     * A refused token whose claim or header parameter failed a check.
     *
     * @param message why the token is refused, safe to show to the client (never the token itself)
     * @param claim the claim or header parameter at fault, e.g. {@code exp}; may be null
     */
    public InvalidTokenException(String message, String claim) {
        this(message, claim, null);
    }

    /**
     * A refused token whose check failed with another exception (e.g. a signature library's).
     *
     * @param message why the token is refused, safe to show to the client (never the token itself)
     * @param claim the claim or header parameter at fault, e.g. {@code alg}; may be null
     * @param cause the underlying failure; may be null
     */
    public InvalidTokenException(String message, String claim, Throwable cause) {
        super(message, cause);
        this.claim = claim;
    }

    /**
     * The claim or header parameter that failed the check ({@code exp}, {@code aud}, {@code alg}, …), if one did.
     *
     * @return the claim's name, empty when the failure is not about one claim
     */
    public Optional<String> claim() {
        return Optional.ofNullable(claim);
    }
}
