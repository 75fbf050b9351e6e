package dev.tokengate;

/**
 * Turns a raw token into a {@link VerifiedToken}, or says why it cannot.
 *
 * <p>Implementations: JWT (signature and claims), introspection, token store; decorators: routing by issuer,
 * caching. An implementation must be thread-safe and must never log or put the raw token into an exception.
 */
@FunctionalInterface
public interface TokenValidator {

    /**
     * Validates a token.
     *
     * @param token the raw token, as extracted (b64token syntax already checked)
     * @return the verified token
     * @throws InvalidTokenException when the token is not valid (the client's fault, 401)
     * @throws UpstreamUnavailableException when validity could not be decided (the server's fault, 503)
     */
    VerifiedToken validate(String token);
}
