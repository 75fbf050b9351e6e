package dev.tokengate.validate;

import dev.tokengate.TokenValidator;
import dev.tokengate.VerifiedToken;
import dev.tokengate.jwt.IssuerRouter;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.observe.GateObserver;
import dev.tokengate.store.StoredTokenValidator;
import dev.tokengate.store.TokenKind;
import dev.tokengate.store.TokenStore;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The validators of one gate, assembled in a fixed order from parts already built. Not API.
 * <pre>
 * TokenRouter ─┬─ JWT:    CachingTokenValidator (JWT results only) → [JwtRouting: parse once; iss listed for
 *              │          introspection → IntrospectionValidator] → IssuerRouter → JwtValidator per issuer → KeySource
 *              ├─ tgat_:  CachingTokenValidator (store TTL) → StoredTokenValidator(ACCESS_TOKEN) → TokenStore
 *              └─ other:  IntrospectionValidator (its own single-flight cache) → endpoint
 * API keys:               CachingTokenValidator (store TTL) → StoredTokenValidator(API_KEY) → TokenStore
 * </pre>
 *
 * @param tokens  the bearer-token validator
 * @param apiKeys the API-key validator, when a token store is configured
 * @param usage   records the use of stored tokens and keys (time and client address), batched by the store
 * @param caches  the verified-token and store caches, which a revocation evicts from
 */
public record ValidatorStack(TokenValidator tokens, Optional<TokenValidator> apiKeys, Optional<StoredTokenValidator> usage,
                             List<CachingTokenValidator> caches) {

    /**
     * Copies the caches.
     *
     * @param tokens the bearer-token validator
     * @param apiKeys the API-key validator, when a token store is configured
     * @param usage records the use of stored tokens and keys
     * @param caches the caches a revocation evicts from
     */
    public ValidatorStack {
        caches = List.copyOf(caches);
    }

    /**
     * Forgets cached tokens that match, in every cache of the stack.
     *
     * @param which true for the tokens to forget; not null
     */
    public void evictIf(Predicate<VerifiedToken> which) {
        caches.forEach(c -> c.evictIf(which));
    }

    /**
     * Forgets the cached answer for the token whose SHA-256 this is, in every cache of the stack.
     *
     * @param sha256 the token's SHA-256, 32 bytes
     */
    public void evict(byte[] sha256) {
        caches.forEach(c -> c.evict(sha256));
    }


    /** The default longest time a stored token stays cached ({@code tokengate.store.cache-ttl}). */
    public static final Duration DEFAULT_STORE_CACHE_TTL = Duration.ofSeconds(30);

    private static final Pattern CACHE_OFF = Pattern.compile("(^|.*,)\\s*maximumSize\\s*=\\s*0\\s*(,.*|$)");

    /**
     * A builder for the stack.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The application's own bearer-token validator, its validations reported to the observer as
     * {@link GateObserver.ValidationKind#CUSTOM}; the validator itself when the observer is none.
     *
     * @param custom   the application's validator
     * @param observer the gate's observer
     * @return the validator to call
     */
    public static TokenValidator observed(TokenValidator custom, GateObserver observer) {
        if (observer == GateObserver.none()) {
            return custom;
        }
        return token -> TokenRouter.observed(observer, GateObserver.ValidationKind.CUSTOM, custom, token);
    }

    /**
     * Records that a stored token or key was used from this address (no-op for other tokens).
     *
     * @param token a token the stack accepted; not null
     * @param clientAddress gives the request's client address, asked only for a stored token; not null
     */
    public void recordUse(VerifiedToken token, Supplier<String> clientAddress) {
        if (token.kind() == VerifiedToken.Kind.STORED && usage.isPresent()) {
            usage.get().recordUse(token, clientAddress.get());
        }
    }

    /**
     * Whether a verified-token cache spec turns the cache off ({@code maximumSize=0}): then the JWT validators are
     * called directly, without hashing every token for nothing.
     *
     * @param cacheSpec a Caffeine spec; not null
     * @return {@code true} when it sets {@code maximumSize=0}
     */
    public static boolean turnsCacheOff(String cacheSpec) {
        return CACHE_OFF.matcher(cacheSpec).matches();
    }

    /** Assembles a {@link ValidatorStack} from built parts; every part is optional. */
    public static final class Builder {
        private final List<JwtValidator> issuers = new ArrayList<>();
        private String cacheSpec;
        private Duration cacheMaxTtl;
        private TokenStore store;
        private Duration storeCacheTtl = DEFAULT_STORE_CACHE_TTL;
        private TokenValidator introspection;
        private Set<String> introspectJwtIssuers = Set.of();
        private Clock clock = Clock.systemUTC();
        private GateObserver observer = GateObserver.none();
        private final List<CachingTokenValidator> caches = new ArrayList<>();

        private Builder() {
        }

        /**
         * Trusted JWT issuers, one validator each, routed by {@code iss}.
         *
         * @param validators one validator per issuer, added to those given before
         * @return this builder
         */
        public Builder issuers(List<JwtValidator> validators) {
            this.issuers.addAll(validators);
            return this;
        }

        /**
         * The verified-token cache in front of the JWT validators: a Caffeine spec (size only; {@code null} for
         * {@link CachingTokenValidator}'s default size) and the longest life of an entry ({@code null} for its
         * default).
         *
         * @param spec a Caffeine spec of the size, or null for the default
         * @param maxTimeToLive the longest life of an entry, or null for the default
         * @return this builder
         */
        public Builder verifiedTokenCache(String spec, Duration maxTimeToLive) {
            this.cacheSpec = spec;
            this.cacheMaxTtl = maxTimeToLive;
            return this;
        }

        /**
         * The token database, and how long a stored token it confirmed stays cached.
         *
         * @param store the token database; not null
         * @param cacheTtl how long a confirmed stored token stays cached
         * @return this builder
         */
        public Builder tokenStore(TokenStore store, Duration cacheTtl) {
            this.store = Objects.requireNonNull(store, "store");
            this.storeCacheTtl = Objects.requireNonNull(cacheTtl, "cacheTtl");
            return this;
        }

        /**
         * The introspection validator for opaque tokens, and the issuers whose JWTs it checks too.
         *
         * @param introspection the introspection validator; not null
         * @param jwtIssuers the issuers whose JWTs are introspected instead of checked locally
         * @return this builder
         */
        public Builder introspection(TokenValidator introspection, Set<String> jwtIssuers) {
            this.introspection = Objects.requireNonNull(introspection, "introspection");
            this.introspectJwtIssuers = Set.copyOf(jwtIssuers);
            return this;
        }

        /**
         * The clock of token expiry for the stored-token validators and the caches; default the system UTC clock.
         *
         * @param clock the time source; not null
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Reports validations, store lookups and the caches' statistics to this observer; default none.
         *
         * @param observer the gate's observer
         * @return this builder
         */
        public Builder observer(GateObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /**
         * Assembles the stack in its fixed order.
         *
         * @return the stack
         */
        public ValidatorStack build() {
            Optional<TokenValidator> jwt = issuers.isEmpty() ? Optional.empty() : Optional.of(jwt());
            Optional<TokenStore> s = Optional.ofNullable(store);
            Optional<StoredTokenValidator> stored = s.map(st -> StoredTokenValidator.builder(st)
                    .kind(TokenKind.ACCESS_TOKEN).clock(clock).observer(observer).build());
            Optional<TokenValidator> apiKeys = s.map(st -> cached(StoredTokenValidator.builder(st)
                    .kind(TokenKind.API_KEY).clock(clock).observer(observer).build(), storeCacheTtl, "api-keys"));
            TokenValidator tokens = new TokenRouter(jwt,
                    stored.map(v -> cached(v, storeCacheTtl, "stored-tokens")),
                    Optional.ofNullable(introspection), observer);
            return new ValidatorStack(tokens, apiKeys, stored, caches);
        }

        private TokenValidator cached(TokenValidator validator, Duration ttl, String name) {
            CachingTokenValidator cache = CachingTokenValidator.builder(validator).maxTimeToLive(ttl).clock(clock)
                    .observer(observer, name).build();
            caches.add(cache);
            return cache;
        }

        private TokenValidator jwt() {
            IssuerRouter byIssuer = IssuerRouter.create(issuers);
            TokenValidator router = introspection == null ? byIssuer
                    : byIssuer.introspecting(introspection, introspectJwtIssuers);
            if (cacheSpec != null && turnsCacheOff(cacheSpec)) {
                return router;
            }
            CachingTokenValidator.Builder cache = CachingTokenValidator.builder(router)
                    .onlyKind(VerifiedToken.Kind.JWT) // an introspected JWT is remembered by introspection's own cache
                    .clock(clock)
                    .observer(observer, "verified-tokens");
            if (cacheSpec != null) {
                cache.spec(cacheSpec);
            }
            if (cacheMaxTtl != null) {
                cache.maxTimeToLive(cacheMaxTtl);
            }
            CachingTokenValidator built = cache.build();
            caches.add(built);
            return built;
        }
    }
}
