package dev.tokengate;

import dev.tokengate.internal.Json;

import java.security.Principal;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A token whose validity has been established, reduced to what an application needs: who (subject, client),
 * from whom (issuer), for whom (audiences), for what (scopes) and until when.
 *
 * <p>Immutable and thread-safe. It is the {@link Principal} adapters expose; {@link #getName()} is the subject,
 * or the client id for a client-credentials token that has no subject. It never holds the raw token.
 */
public final class VerifiedToken implements Principal {

    /** How the token was verified. */
    public enum Kind {
        /** A signed JWT checked locally against the issuer's keys. */
        JWT,
        /** An opaque token checked by RFC 7662 introspection. */
        INTROSPECTED,
        /** An opaque token looked up (by hash) in a token database. */
        STORED
    }

    private final Kind kind;
    private final String subject;
    private final String clientId;
    private final String issuer;
    private final List<String> audiences;
    private final Set<String> scopes;
    private final Instant issuedAt;
    private final Instant expiresAt;
    private final String tokenId;
    private final Map<String, Object> claims;
    private final List<IpRange> allowedAddresses;

    private VerifiedToken(Builder b) {
        this.kind = Objects.requireNonNull(b.kind, "kind");
        this.subject = b.subject;
        this.clientId = b.clientId;
        this.issuer = b.issuer;
        this.audiences = b.audiences;
        this.scopes = b.scopes == null ? Set.of()
                : b.scopes instanceof ScopeSet small ? small : Collections.unmodifiableSet(b.scopes);
        this.issuedAt = b.issuedAt;
        this.expiresAt = b.expiresAt;
        this.tokenId = b.tokenId;
        this.claims = b.claims == null ? Map.of()
                : Json.isReadOnlyObject(b.claims) ? b.claims : Collections.unmodifiableMap(b.claims);
        this.allowedAddresses = b.allowedAddresses;
        if (subject == null && clientId == null) {
            throw new IllegalArgumentException("a verified token needs a subject or a client id");
        }
    }

    /**
     * A builder for a token verified in this way; a validator fills it from what it verified.
     *
     * @param kind how the token was verified; not null
     * @return a new builder
     */
    public static Builder builder(Kind kind) {
        return new Builder(kind);
    }

    /**
     * How the token was verified: a local JWT check, introspection, or a lookup in the token database.
     *
     * @return the kind, never null
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The {@code sub} claim: the user or service the token speaks for.
     *
     * @return the subject, empty for a client-credentials token that has none
     */
    public Optional<String> subject() {
        return Optional.ofNullable(subject);
    }

    /**
     * The OAuth client the token was issued to ({@code client_id}, {@code azp} or {@code cid}).
     *
     * @return the client id, empty when the token names none
     */
    public Optional<String> clientId() {
        return Optional.ofNullable(clientId);
    }

    /**
     * The {@code iss} claim (for a stored token, the store's own issuer name).
     *
     * @return the issuer, empty when the token names none
     */
    public Optional<String> issuer() {
        return Optional.ofNullable(issuer);
    }

    /**
     * The {@code aud} claim: the APIs the token is meant for.
     *
     * @return the audiences in the token's order, unmodifiable; empty when the token names none
     */
    public List<String> audiences() {
        return audiences;
    }

    /**
     * The granted scopes, in the order the token lists them.
     *
     * @return the scopes, unmodifiable; empty when the token grants none
     */
    public Set<String> scopes() {
        return scopes;
    }

    /**
     * Whether the token grants this scope (exact, case-sensitive comparison).
     *
     * @param scope the scope to look for
     * @return {@code true} when the token lists it
     */
    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }

    /**
     * The {@code iat} claim: when the token was issued.
     *
     * @return the instant, empty when the token does not say
     */
    public Optional<Instant> issuedAt() {
        return Optional.ofNullable(issuedAt);
    }

    /**
     * When the token stops being valid; every token tokengate accepts has one unless its source has none (stored
     * tokens may not expire).
     *
     * @return the instant, empty for a token that does not expire
     */
    public Optional<Instant> expiresAt() {
        return Optional.ofNullable(expiresAt);
    }

    /**
     * The {@code jti} claim.
     *
     * @return the token id, empty when the token has none
     */
    public Optional<String> tokenId() {
        return Optional.ofNullable(tokenId);
    }

    /**
     * All claims as plain Java values (String, Number, Boolean, List, Map), unmodifiable.
     *
     * @return the claims by name; for an opaque token, those the introspection answer or the store gave
     */
    public Map<String, Object> claims() {
        return claims;
    }

    /**
     * One claim, as a plain Java value (String, Number, Boolean, List, Map).
     *
     * @param name the claim's name, e.g. {@code tenant}
     * @return the value, empty when the token has no such claim
     */
    public Optional<Object> claim(String name) {
        return Optional.ofNullable(claims.get(name));
    }

    /**
     * The client addresses the token may be used from; empty when it is not restricted. A request from any other
     * address is refused with {@code invalid_token}.
     *
     * @return the allowed ranges, unmodifiable; empty when any address may use the token
     */
    public List<IpRange> allowedAddresses() {
        return allowedAddresses;
    }

    @Override
    public String getName() {
        return subject != null ? subject : clientId;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof VerifiedToken other)) {
            return false;
        }
        return kind == other.kind && Objects.equals(subject, other.subject)
                && Objects.equals(clientId, other.clientId) && Objects.equals(issuer, other.issuer)
                && audiences.equals(other.audiences) && scopes.equals(other.scopes)
                && Objects.equals(issuedAt, other.issuedAt) && Objects.equals(expiresAt, other.expiresAt)
                && Objects.equals(tokenId, other.tokenId) && claims.equals(other.claims)
                && allowedAddresses.equals(other.allowedAddresses);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, subject, clientId, issuer, tokenId, expiresAt);
    }

    @Override
    public String toString() {
        return "VerifiedToken[kind=" + kind + ", subject=" + subject + ", clientId=" + clientId
                + ", issuer=" + issuer + ", scopes=" + scopes + ", expiresAt=" + expiresAt + "]";
    }

    /** Builds a {@link VerifiedToken}; used by validators. */
    public static final class Builder {
        private final Kind kind;
        private String subject;
        private String clientId;
        private String issuer;
        /** Immutable copies, made by the setters; the scopes and claims are handed to the token that is built. */
        private List<String> audiences = List.of();
        private Set<String> scopes;
        private Instant issuedAt;
        private Instant expiresAt;
        private String tokenId;
        private Map<String, Object> claims;
        private List<IpRange> allowedAddresses = List.of();

        private Builder(Kind kind) {
            this.kind = kind;
        }

        /**
         * The user or service the token speaks for ({@code sub}).
         *
         * @param subject the subject; null for none
         * @return this builder
         */
        public Builder subject(String subject) {
            this.subject = subject;
            return this;
        }

        /**
         * The OAuth client the token was issued to.
         *
         * @param clientId the client id; null for none
         * @return this builder
         */
        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        /**
         * Who issued the token ({@code iss}).
         *
         * @param issuer the issuer; null for none
         * @return this builder
         */
        public Builder issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        /**
         * The APIs the token is meant for ({@code aud}).
         *
         * @param audiences the audiences in order; replaces any given before; not null
         * @return this builder
         */
        public Builder audiences(Collection<String> audiences) {
            this.audiences = List.copyOf(audiences);
            return this;
        }

        /**
         * The scopes the token grants.
         *
         * @param scopes the scopes in order; replaces any given before; not null
         * @return this builder
         */
        public Builder scopes(Collection<String> scopes) {
            this.scopes = scopes.size() <= ScopeSet.MAX ? ScopeSet.of(scopes) : new LinkedHashSet<>(scopes);
            return this;
        }

        /**
         * When the token was issued ({@code iat}).
         *
         * @param issuedAt the instant; null for unknown
         * @return this builder
         */
        public Builder issuedAt(Instant issuedAt) {
            this.issuedAt = issuedAt;
            return this;
        }

        /**
         * When the token stops being valid ({@code exp}).
         *
         * @param expiresAt the instant; null for a token that does not expire
         * @return this builder
         */
        public Builder expiresAt(Instant expiresAt) {
            this.expiresAt = expiresAt;
            return this;
        }

        /**
         * The token's id ({@code jti}), the key of revocation by id.
         *
         * @param tokenId the id; null for none
         * @return this builder
         */
        public Builder tokenId(String tokenId) {
            this.tokenId = tokenId;
            return this;
        }

        /**
         * Every claim, as plain Java values (String, Number, Boolean, List, Map).
         *
         * @param claims the claims by name; replaces any given before; not null
         * @return this builder
         */
        @SuppressWarnings("unchecked") // read-only: never written through the wider type
        public Builder claims(Map<String, ?> claims) {
            // a JSON object as tokengate's reader made it is unmodifiable already: kept, not copied (a validator's hot path)
            this.claims = Json.isReadOnlyObject(claims) ? (Map<String, Object>) claims : new LinkedHashMap<>(claims);
            return this;
        }

        /**
         * Restricts the token to these client addresses (none: unrestricted).
         *
         * @param ranges the client addresses allowed; replaces any given before; empty for any address; not null
         * @return this builder
         */
        public Builder allowedAddresses(Collection<IpRange> ranges) {
            this.allowedAddresses = List.copyOf(ranges);
            return this;
        }

        /**
         * Builds the token. The scopes and claims collected so far are handed to it, not copied (a validator's hot
         * path); the builder starts afresh for them, so reusing it cannot change a built token.
         *
         * @return the token
         * @throws IllegalArgumentException when neither a subject nor a client id was given
         */
        public VerifiedToken build() {
            VerifiedToken token = new VerifiedToken(this);
            this.scopes = null;
            this.claims = null;
            return token;
        }
    }

    /**
     * A token's few scopes in their order, without duplicates, in one array: a first-seen token's set cost a hash table
     * and an entry per scope (about 300 bytes for three) where an array and a linear {@code contains} do. Larger
     * scope lists keep a {@link LinkedHashSet}.
     */
    static final class ScopeSet extends java.util.AbstractSet<String> {
        /** The most scopes kept in an array. */
        static final int MAX = 16;
        private final String[] scopes;

        private ScopeSet(String[] scopes) {
            this.scopes = scopes;
        }

        static ScopeSet of(Collection<String> given) {
            String[] kept = new String[given.size()];
            int n = 0;
            for (String scope : given) {
                java.util.Objects.requireNonNull(scope, "scope");
                boolean seen = false;
                for (int i = 0; i < n && !seen; i++) {
                    seen = kept[i].equals(scope);
                }
                if (!seen) {
                    kept[n++] = scope;
                }
            }
            return new ScopeSet(n == kept.length ? kept : java.util.Arrays.copyOf(kept, n));
        }

        @Override
        public boolean contains(Object o) {
            for (String scope : scopes) {
                if (scope.equals(o)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public java.util.Iterator<String> iterator() {
            return new java.util.Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    return next < scopes.length;
                }

                @Override
                public String next() {
                    if (next >= scopes.length) {
                        throw new java.util.NoSuchElementException();
                    }
                    return scopes[next++];
                }
            };
        }

        @Override
        public int size() {
            return scopes.length;
        }
    }
}
