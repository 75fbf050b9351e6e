package dev.tokengate.store;

import java.time.Instant;
import java.util.Optional;

/**
 * The read side of a token database, as the request path uses it: find a token by the SHA-256 of the secret,
 * and note that it was used. {@link JdbcTokenStore} is the implementation; the issuing side is {@link TokenAdmin}.
 *
 * <p>Kept apart from {@link TokenAdmin} so that request-handling code holds no power to issue tokens, and a
 * deployment may give its request path a database user that can only read the table and update its usage
 * columns. Implementations must be thread-safe.
 */
public interface TokenStore extends AutoCloseable {

    /**
     * Finds a token by the SHA-256 of its secret, revoked and expired ones included (the caller decides).
     *
     * @param sha256 the 32-byte SHA-256 of the secret's ASCII bytes
     * @return the token's metadata, or empty when no token has this hash
     * @throws dev.tokengate.UpstreamUnavailableException when the database cannot be queried
     */
    Optional<StoredToken> find(byte[] sha256);

    /**
     * Notes a use of a token. Must not write through: implementations keep the latest use per token in memory
     * and write them in batches, so that a request never costs a database write.
     *
     * @param tokenId the token's {@link StoredToken#id()}
     * @param at      when it was used
     * @param address the client address, when known; a use without one keeps the address last recorded
     */
    void recordUse(String tokenId, Instant at, Optional<String> address);

    /** Writes pending usage and releases what the store holds (not a {@code DataSource} it was given). */
    @Override
    void close();
}
