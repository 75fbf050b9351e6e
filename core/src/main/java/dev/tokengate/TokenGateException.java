package dev.tokengate;

/**
 * The root of every exception tokengate throws; unchecked, and each subtype carries the fields a caller
 * needs to act on it.
 */
public class TokenGateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message that says what is wrong and what to do.
     *
     * @param message the message, never containing a token or secret
     */
    public TokenGateException(String message) {
        super(message);
    }

    /**
     * An exception caused by another.
     *
     * @param message the message, never containing a token or secret
     * @param cause the underlying failure; may be null
     */
    public TokenGateException(String message, Throwable cause) {
        super(message, cause);
    }
}
