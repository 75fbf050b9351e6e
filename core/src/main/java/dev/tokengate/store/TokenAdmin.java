package dev.tokengate.store;

import dev.tokengate.IpRange;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The issuing side of a token database: create a token (its secret is returned once and never stored), list
 * an owner's tokens, revoke and rotate them. {@link JdbcTokenStore} implements it.
 *
 * <p>A revoked token is refused by {@link StoredTokenValidator} on its next lookup; a
 * {@link dev.tokengate.validate.CachingTokenValidator} in front may keep accepting it for at most its
 * {@code maxTimeToLive} (5 minutes by default). Failures of the database are
 * {@link dev.tokengate.UpstreamUnavailableException}s.
 */
public interface TokenAdmin {

    /**
     * Issues a new secret and stores its hash and metadata.
     *
     * @param kind          access token or API key
     * @param name          a label for people, 1–200 characters
     * @param owner         the subject it speaks for, 1–200 characters
     * @param clientId      the client application it belongs to, or {@code null}
     * @param scopes        the scopes granted (RFC 6749 scope tokens: printable ASCII, no space, quote or backslash)
     * @param allowedRanges the client addresses it may be used from; empty for anywhere
     * @param expiresAt     when it stops being valid, or {@code null} for never
     * @return the secret (shown this once) and its metadata
     * @throws IllegalArgumentException when a value is out of bounds; the message names it
     */
    IssuedToken create(TokenKind kind, String name, String owner, String clientId, Collection<String> scopes,
                       Collection<IpRange> allowedRanges, Instant expiresAt);

    /**
     * An owner's tokens, revoked and expired ones included, oldest first; metadata only, never a secret or hash.
     *
     * @param owner the subject whose tokens to list; not null
     * @return the tokens' metadata, possibly empty
     */
    List<StoredToken> list(String owner);

    /**
     * One token's metadata by id.
     *
     * @param id the token's id
     * @return the metadata, empty when there is no such token
     */
    Optional<StoredToken> get(String id);

    /**
     * Revokes a token.
     *
     * @param id the token's id
     * @return true when it was revoked now; false when there is no such token or it was already revoked
     */
    boolean revoke(String id);

    /**
     * Replaces a token's secret with its store's grace period for the old one ({@code tokengate.store.rotation-grace},
     * 24 hours by default): see {@link #rotate(String, Duration)}.
     *
     * @param id the token's id
     * @return the new secret (shown this once) and its metadata, under a new id
     * @throws java.util.NoSuchElementException when there is no such token
     * @throws IllegalStateException when it is already revoked, expired or rotated
     */
    IssuedToken rotate(String id);

    /**
     * Replaces a token's secret: in one transaction a new token is issued with the same kind, name, owner, client,
     * scopes, allowed ranges and expiry, and the old one is marked as replaced by it. The old secret keeps working
     * for the grace period, so that its clients can be moved to the new one; requests made with it are marked
     * {@code rotated} in the call log. From the end of the grace period on it is refused ("rotated; use the new
     * token"), also from the caches. A zero grace period revokes the old one at once.
     *
     * @param grace how long the old secret keeps working, 0 to 90 days (else {@link IllegalArgumentException})
     * @param id the token's id
     * @return the new secret (shown this once) and its metadata, under a new id
     * @throws java.util.NoSuchElementException when there is no such token
     * @throws IllegalStateException when it is already revoked, expired or rotated: issue a new token, or rotate its
     *                               replacement
     */
    IssuedToken rotate(String id, Duration grace);
}
