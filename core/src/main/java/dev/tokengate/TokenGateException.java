package dev.tokengate;

/**
 * The root of every exception tokengate throws; unchecked, and each subtype carries the fields a caller
 * needs to act on it.
 */
public class TokenGateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TokenGateException(String message) {
        super(message);
    }

    public TokenGateException(String message, Throwable cause) {
        super(message, cause);
    }
}
