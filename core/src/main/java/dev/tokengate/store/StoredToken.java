package dev.tokengate.store;

import dev.tokengate.IpRange;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a token database knows about one issued secret, without the secret and without its hash: who it belongs
 * to, what it may do, where from, and when it was created, expires, was revoked, was last rotated and was last used.
 *
 * <p><b>Rotation.</b> {@link TokenAdmin#rotate} issues a replacement under a new id; the old token keeps working
 * until the end of its grace period ({@link #graceUntil()}) and is refused from then on. Both carry the time of the
 * rotation in {@link #rotatedAt()}; only the old one has {@link #replacedBy()} and {@link #graceUntil()}.
 *
 * @param id              the row id, stable across the token's life; {@code VerifiedToken.tokenId()}
 * @param kind            access token or API key
 * @param name            what its owner calls it ("CI deploy key")
 * @param owner           the subject the token speaks for; {@code VerifiedToken.subject()}
 * @param clientId        the client application it was issued to, if any
 * @param scopes          the granted scopes, in order, without duplicates
 * @param allowedRanges   the client addresses it may be used from; empty when unrestricted
 * @param createdAt       when it was issued
 * @param expiresAt       when it stops being valid; empty when it does not expire
 * @param revokedAt       when it was revoked (or rotated); empty while it is not
 * @param lastUsedAt      when it was last accepted, as of the last flush of usage; empty when never
 * @param lastUsedAddress the client address of that use, when known
 * @param rotatedAt       when it was last rotated: for a replaced token when it was replaced, for a replacement when
 *                        it was issued in the old one's place; empty when it was never rotated
 * @param replacedBy      the id of the token that replaced it; empty unless it was rotated out
 * @param graceUntil      when a replaced token stops being accepted; empty unless it was rotated out
 */
public record StoredToken(String id, TokenKind kind, String name, String owner, Optional<String> clientId,
                          List<String> scopes, List<IpRange> allowedRanges, Instant createdAt,
                          Optional<Instant> expiresAt, Optional<Instant> revokedAt, Optional<Instant> lastUsedAt,
                          Optional<String> lastUsedAddress, Optional<Instant> rotatedAt,
                          Optional<String> replacedBy, Optional<Instant> graceUntil) {

    /**
     * Checks that every component is present, copies the lists, and that a replaced token has an end of grace.
     *
     * @param id the row id
     * @param kind access token or API key
     * @param name what its owner calls it
     * @param owner the subject the token speaks for
     * @param clientId the client application it was issued to, if any
     * @param scopes the granted scopes, in order; copied
     * @param allowedRanges the client addresses it may be used from, empty when unrestricted; copied
     * @param createdAt when it was issued
     * @param expiresAt when it stops being valid, if it does
     * @param revokedAt when it was revoked, if it was
     * @param lastUsedAt when it was last accepted, if ever
     * @param lastUsedAddress the client address of that use, when known
     * @param rotatedAt when it was last rotated, if it was
     * @param replacedBy the id of its replacement, if it was rotated out
     * @param graceUntil when a replaced token stops being accepted; present exactly when {@code replacedBy} is
     * @throws IllegalArgumentException when only one of {@code replacedBy} and {@code graceUntil} is present
     */
    public StoredToken {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(clientId, "clientId");
        scopes = List.copyOf(scopes);
        allowedRanges = List.copyOf(allowedRanges);
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(revokedAt, "revokedAt");
        Objects.requireNonNull(lastUsedAt, "lastUsedAt");
        Objects.requireNonNull(lastUsedAddress, "lastUsedAddress");
        Objects.requireNonNull(rotatedAt, "rotatedAt");
        Objects.requireNonNull(replacedBy, "replacedBy");
        Objects.requireNonNull(graceUntil, "graceUntil");
        if (replacedBy.isPresent() != graceUntil.isPresent()) {
            throw new IllegalArgumentException("a replaced token has both replacedBy and graceUntil, or neither");
        }
    }

    /**
     * A token that was never rotated, with this metadata.
     *
     * @param id the row id
     * @param kind access token or API key
     * @param name what its owner calls it
     * @param owner the subject the token speaks for
     * @param clientId the client application it was issued to, if any
     * @param scopes the granted scopes, in order; copied
     * @param allowedRanges the client addresses it may be used from, empty when unrestricted; copied
     * @param createdAt when it was issued
     * @param expiresAt when it stops being valid, if it does
     * @param revokedAt when it was revoked, if it was
     * @param lastUsedAt when it was last accepted, if ever
     * @param lastUsedAddress the client address of that use, when known
     */
    public StoredToken(String id, TokenKind kind, String name, String owner, Optional<String> clientId,
                       List<String> scopes, List<IpRange> allowedRanges, Instant createdAt,
                       Optional<Instant> expiresAt, Optional<Instant> revokedAt, Optional<Instant> lastUsedAt,
                       Optional<String> lastUsedAddress) {
        this(id, kind, name, owner, clientId, scopes, allowedRanges, createdAt, expiresAt, revokedAt, lastUsedAt,
                lastUsedAddress, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * Whether it was rotated out: a replacement was issued, and it works at most until {@link #graceUntil()}.
     *
     * @return {@code true} for a token rotated out
     */
    public boolean replaced() {
        return replacedBy.isPresent();
    }

    /**
     * Whether it was rotated out and its grace period is over at this instant (its end itself is over).
     *
     * @param now the instant to check at
     * @return {@code true} when its grace period has ended; never for a token not rotated out
     */
    public boolean graceOverAt(Instant now) {
        return graceUntil.map(end -> !now.isBefore(end)).orElse(false);
    }

    /**
     * Whether it has been revoked.
     *
     * @return {@code true} once revoked (a token rotated out with a zero grace period included)
     */
    public boolean revoked() {
        return revokedAt.isPresent();
    }

    /**
     * Whether it has expired at this instant (an expiry instant itself is already expired).
     *
     * @param now the instant to check at
     * @return {@code true} when its expiry is reached; never for a token that does not expire
     */
    public boolean expiredAt(Instant now) {
        return expiresAt.map(exp -> !now.isBefore(exp)).orElse(false);
    }
}
