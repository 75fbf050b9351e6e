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

    private final String claim;

    public InvalidTokenException(String message) {
        this(message, null, null);
    }

    public InvalidTokenException(String message, String claim) {
        this(message, claim, null);
    }

    public InvalidTokenException(String message, String claim, Throwable cause) {
        super(message, cause);
        this.claim = claim;
    }

    /** The claim or header parameter that failed the check ({@code exp}, {@code aud}, {@code alg}, …), if one did. */
    public Optional<String> claim() {
        return Optional.ofNullable(claim);
    }
}
