package dev.tokengate.store;

import java.util.Objects;

/**
 * A newly issued secret together with its metadata: the only time the secret itself is available, since the
 * database keeps only its SHA-256. Hand {@link #token()} to its owner once and drop it.
 *
 * <p>{@link #toString()} leaves the secret out, so logging this object cannot leak it.
 *
 * @param token    the secret, e.g. {@code tgat_…}
 * @param metadata what the database stored about it
 */
public record IssuedToken(String token, StoredToken metadata) {

    /**
     * Checks that both parts are present.
     *
     * @param token the secret; not null
     * @param metadata what the database stored about it; not null
     */
    public IssuedToken {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(metadata, "metadata");
    }

    @Override
    public String toString() {
        return "IssuedToken[token=<" + token.length() + " characters, not shown>, metadata=" + metadata + "]";
    }
}
