package dev.tokengate.validate;

import dev.tokengate.TokenValidator;
import dev.tokengate.VerifiedToken;
import dev.tokengate.config.IssuerConfig;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.internal.HttpFetcher;
import dev.tokengate.jwks.KeySource;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.IssuerRouter;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.store.StoredTokenValidator;
import dev.tokengate.store.TokenKind;
import dev.tokengate.store.TokenStore;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The validators a {@link TokenGateConfig} describes, assembled in a fixed order. Not API.
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
 */
public record ValidatorStack(TokenValidator tokens, Optional<TokenValidator> apiKeys, Optional<StoredTokenValidator> usage) {

    private static final Pattern CACHE_OFF = Pattern.compile("(^|.*,)\\s*maximumSize\\s*=\\s*0\\s*(,.*|$)");

    public static ValidatorStack create(TokenGateConfig config, Clock clock) {
        Optional<TokenValidator> jwt = config.issuers().isEmpty() ? Optional.empty() : Optional.of(jwt(config, clock));
        Optional<TokenStore> store = config.tokenStore();
        Optional<StoredTokenValidator> stored = store.map(s -> StoredTokenValidator.builder(s)
                .kind(TokenKind.ACCESS_TOKEN).clock(clock).build());
        Optional<TokenValidator> apiKeys = store.map(s -> cached(StoredTokenValidator.builder(s)
                .kind(TokenKind.API_KEY).clock(clock).build(), config.storeCacheTtl(), clock));
        TokenValidator tokens = new TokenRouter(jwt,
                stored.map(v -> cached(v, config.storeCacheTtl(), clock)),
                config.introspection().map(v -> v));
        return new ValidatorStack(tokens, apiKeys, stored);
    }

    /** Records that a stored token or key was used from this address (no-op for other tokens). */
    public void recordUse(VerifiedToken token, String clientAddress) {
        if (token.kind() == VerifiedToken.Kind.STORED) {
            usage.ifPresent(u -> u.recordUse(token, clientAddress));
        }
    }

    private static TokenValidator cached(TokenValidator validator, java.time.Duration ttl, Clock clock) {
        return CachingTokenValidator.builder(validator).maxTimeToLive(ttl).clock(clock).build();
    }

    private static TokenValidator jwt(TokenGateConfig config, Clock clock) {
        HttpClient http = HttpFetcher.client(config.jwksConnectTimeout(), false);
        List<JwtValidator> validators = new ArrayList<>();
        for (IssuerConfig issuer : config.issuers()) {
            validators.add(jwtValidator(issuer, keySource(issuer, config, http), clock));
        }
        IssuerRouter issuers = IssuerRouter.create(validators);
        TokenValidator router = config.introspection().isPresent() && !config.introspectJwtIssuers().isEmpty()
                ? new JwtRouting(issuers, config.introspection().get(), config.introspectJwtIssuers())
                : issuers;
        if (CACHE_OFF.matcher(config.cacheSpec()).matches()) {
            return router;
        }
        return CachingTokenValidator.builder(router)
                .spec(config.cacheSpec())
                .maxTimeToLive(config.cacheMaxTtl())
                .onlyKind(VerifiedToken.Kind.JWT) // an introspected JWT is remembered by introspection's own cache
                .clock(clock)
                .build();
    }

    private static JwtValidator jwtValidator(IssuerConfig issuer, KeySource keys, Clock clock) {
        JwtValidator.Builder b = JwtValidator.builder()
                .issuer(issuer.issuer())
                .algorithms(issuer.algorithms().toArray(String[]::new))
                .leeway(issuer.clockSkew())
                .clock(clock);
        if (issuer.allowAnyAudience()) {
            b.allowAnyAudience();
        } else {
            b.audiences(issuer.audiences());
        }
        if (keys != null) {
            b.keySource(keys);
        } else {
            b.hmacSecretFromEnv(issuer.hmacSecretEnv().orElseThrow());
        }
        issuer.type().ifPresent(b::type);
        issuer.scopeClaim().ifPresent(b::scopeClaim);
        if (!issuer.requiredClaims().isEmpty()) {
            b.requiredClaims(issuer.requiredClaims().toArray(String[]::new));
        }
        return b.build();
    }

    /** The issuer's key source; {@code null} for an HMAC issuer, which has none. */
    private static KeySource keySource(IssuerConfig issuer, TokenGateConfig config, HttpClient http) {
        return switch (issuer.keysFrom()) {
            case JWKS_URI -> KeySources.jwks(issuer.jwksUri().orElseThrow())
                    .httpClient(http)
                    .readTimeout(config.jwksReadTimeout())
                    .refetchInterval(config.jwksRefetchInterval())
                    .staleWindow(config.jwksStaleWindow())
                    .build();
            case DISCOVERY -> KeySources.discover(URI.create(issuer.issuer()))
                    .httpClient(http)
                    .readTimeout(config.jwksReadTimeout())
                    .jwks(j -> j.readTimeout(config.jwksReadTimeout())
                            .refetchInterval(config.jwksRefetchInterval())
                            .staleWindow(config.jwksStaleWindow()))
                    .build();
            case PUBLIC_KEY_FILE -> KeySources.pem(issuer.keyFile().orElseThrow());
            case JWKS_FILE -> KeySources.jwksFile(issuer.keyFile().orElseThrow());
            case CUSTOM -> issuer.keySource().orElseThrow();
            case HMAC_SECRET_ENV -> null;
        };
    }
}
