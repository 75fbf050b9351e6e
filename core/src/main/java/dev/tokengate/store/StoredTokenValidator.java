package dev.tokengate.store;

import dev.tokengate.InvalidTokenException;
import dev.tokengate.TokenValidator;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.VerifiedToken;
import dev.tokengate.log.Fingerprints;
import dev.tokengate.observe.GateObserver;
import dev.tokengate.observe.Observation;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link TokenValidator} for secrets issued by a {@link TokenAdmin}: checks the format and checksum without the
 * database, then looks the SHA-256 up in a {@link TokenStore} and refuses unknown, revoked and expired secrets.
 *
 * <p>One validator accepts one {@link TokenKind}: an API key is never accepted as an access token, nor the other
 * way round. The result is a {@link VerifiedToken.Kind#STORED} token: subject = owner, client id, scopes,
 * {@code issuedAt} = created, {@code expiresAt}, allowed addresses, {@code tokenId} = the row id and a
 * {@code name} claim.
 *
 * <p><b>Rotated tokens.</b> A token {@linkplain TokenAdmin#rotate rotated} out is accepted until the end of its grace
 * period, with its {@code expiresAt} brought forward to that end (so no cache keeps it longer) and a
 * {@value #REPLACED_BY_CLAIM} claim naming its replacement; from then on it is refused with a description that says
 * it was rotated and the new one must be used.
 *
 * <p><b>Revocation bound.</b> This validator caches nothing: a token revoked in the store is refused on its next
 * lookup. A {@link dev.tokengate.validate.CachingTokenValidator} in front of it keeps a successful validation for at most
 * its {@code maxTimeToLive} (5 minutes by default, {@code tokengate.cache.max-ttl}), so a revoked token is refused
 * at the latest that long after revocation.
 *
 * <p>Each successful validation notes a use (time only) with {@link TokenStore#recordUse}; the pipeline adds the
 * client address, and counts cache hits, by calling {@link #recordUse(VerifiedToken, String)}. Thread-safe.
 */
public final class StoredTokenValidator implements TokenValidator {

    /** The claim holding the token's {@link StoredToken#name()}. */
    public static final String NAME_CLAIM = "name";
    /**
     * The claim of a rotated token in its grace period: the id of the token that replaced it
     * ({@link StoredToken#replacedBy()}). The gate marks such requests {@code rotated} in the call log.
     */
    public static final String REPLACED_BY_CLAIM = "replaced_by";

    private final TokenStore store;
    private final TokenKind kind;
    private final TokenFormat format;
    private final Clock clock;
    private final GateObserver observer;
    /** What the observer is told is looked up: the table, never a token. */
    private final String target;

    private StoredTokenValidator(Builder b) {
        this.store = b.store;
        this.kind = b.kind;
        this.format = TokenFormat.of(b.kind);
        this.clock = b.clock;
        this.observer = b.observer;
        this.target = store instanceof JdbcTokenStore jdbc ? jdbc.table() : store.getClass().getSimpleName();
    }

    /**
     * A validator of access tokens ({@code tgat_…}) in this store.
     *
     * @param store where tokens are looked up by hash; not null
     * @return the validator
     */
    public static StoredTokenValidator create(TokenStore store) {
        return builder(store).build();
    }

    /**
     * A builder over this store.
     *
     * @param store where tokens are looked up by hash; not null
     * @return a new builder
     */
    public static Builder builder(TokenStore store) {
        return new Builder(store);
    }

    /**
     * The kind of secret this validator accepts.
     *
     * @return {@link TokenKind#ACCESS_TOKEN} or {@link TokenKind#API_KEY}
     */
    public TokenKind kind() {
        return kind;
    }

    /**
     * Validates a secret of this validator's kind.
     *
     * @throws InvalidTokenException when it is malformed, of the other kind, unknown, revoked or expired; a
     *                               malformed one is refused without a database query
     * @throws UpstreamUnavailableException when the store cannot be queried (503, never {@code invalid_token})
     */
    @Override
    public VerifiedToken validate(String token) {
        Objects.requireNonNull(token, "token");
        if (!format.checksumValid(token)) {
            throw new InvalidTokenException(malformed(token));
        }
        StoredToken stored = find(Fingerprints.sha256(token)).orElseThrow(
                () -> new InvalidTokenException("The " + noun() + " is not known."));
        if (stored.kind() != kind) {
            throw new InvalidTokenException("The " + noun() + " is not known.");
        }
        Instant now = clock.instant();
        if (stored.graceOverAt(now)) {
            throw new InvalidTokenException("The " + noun() + " was rotated at " + stored.rotatedAt().orElseThrow()
                    + " and has been replaced; use the new " + noun() + ".");
        }
        if (stored.revoked()) {
            throw new InvalidTokenException("The " + noun() + " has been revoked.");
        }
        if (stored.expiredAt(now)) {
            throw new InvalidTokenException("The " + noun() + " expired at " + stored.expiresAt().orElseThrow() + ".", "exp");
        }
        store.recordUse(stored.id(), now, Optional.empty());
        // A replaced token in its grace period lives until the end of it: no cache keeps it longer.
        Optional<Instant> until = stored.graceUntil().isPresent() && stored.expiresAt()
                .filter(exp -> exp.isBefore(stored.graceUntil().get())).isEmpty()
                ? stored.graceUntil() : stored.expiresAt();
        return VerifiedToken.builder(VerifiedToken.Kind.STORED)
                .subject(stored.owner())
                .clientId(stored.clientId().orElse(null))
                .scopes(stored.scopes())
                .issuedAt(stored.createdAt())
                .expiresAt(until.orElse(null))
                .allowedAddresses(stored.allowedRanges())
                .tokenId(stored.id())
                .claims(stored.replacedBy().isEmpty() ? Map.of(NAME_CLAIM, stored.name())
                        : Map.of(NAME_CLAIM, stored.name(), REPLACED_BY_CLAIM, stored.replacedBy().get()))
                .build();
    }

    /** One lookup, reported to the observer: a hash that names no token is an answer too. */
    private Optional<StoredToken> find(byte[] sha256) {
        Observation observation = observer.calling(GateObserver.Upstream.STORE, target);
        try {
            Optional<StoredToken> found = store.find(sha256);
            observation.end(Observation.Result.OK);
            return found;
        } catch (RuntimeException e) {
            observation.end(Observation.Result.ERROR);
            throw e;
        }
    }

    /**
     * Notes that a request was accepted with this token from this client address, for the store's last-used
     * columns. Cheap (an in-memory update, written in the store's next batch); call it per accepted request,
     * cache hits included. Tokens this validator did not produce are ignored.
     *
     * @param token a token this validator accepted; not null
     * @param clientAddress the request's client address; not null
     */
    public void recordUse(VerifiedToken token, String clientAddress) {
        Objects.requireNonNull(token, "token");
        if (token.kind() == VerifiedToken.Kind.STORED && token.tokenId().isPresent()) {
            store.recordUse(token.tokenId().get(), clock.instant(), Optional.ofNullable(clientAddress));
        }
    }

    private String malformed(String token) {
        Optional<TokenKind> other = TokenKind.ofPrefix(token).filter(k -> k != kind);
        if (other.isPresent()) {
            return other.get() == TokenKind.API_KEY
                    ? "An API key cannot be used as an access token."
                    : "An access token cannot be used as an API key.";
        }
        return "The " + noun() + " is malformed: it must be " + kind.prefix() + " followed by "
                + (TokenFormat.LENGTH - kind.prefix().length()) + " letters and digits with a valid checksum.";
    }

    private String noun() {
        return kind == TokenKind.API_KEY ? "API key" : "token";
    }

    @Override
    public String toString() {
        return "StoredTokenValidator[kind=" + kind + ", store=" + store + "]";
    }

    /** Builds a {@link StoredTokenValidator}. */
    public static final class Builder {
        private final TokenStore store;
        private TokenKind kind = TokenKind.ACCESS_TOKEN;
        private Clock clock = Clock.systemUTC();
        private GateObserver observer = GateObserver.none();

        private Builder(TokenStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /**
         * The kind of secret accepted; default {@link TokenKind#ACCESS_TOKEN}.
         *
         * @param kind access tokens or API keys; not null
         * @return this builder
         */
        public Builder kind(TokenKind kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
            return this;
        }

        /**
         * The clock expiry is checked against and uses are stamped with; default {@link Clock#systemUTC()}.
         *
         * @param clock the time source; not null
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Reports each lookup ({@code tokengate.store.lookup}) to this observer; default {@link GateObserver#none()}.
         *
         * @param observer the observer
         * @return this builder
         */
        public Builder observer(GateObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /**
         * Builds the validator over the builder's store.
         *
         * @return the validator
         */
        public StoredTokenValidator build() {
            return new StoredTokenValidator(this);
        }
    }
}
