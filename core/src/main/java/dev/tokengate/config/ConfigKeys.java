package dev.tokengate.config;

import java.util.Set;

/**
 * Every configuration key of the core pipeline; each maps to exactly one {@link TokenGateConfig.Builder} or
 * {@link IssuerConfig.Builder} call. Read from system properties, environment variables
 * ({@code TOKENGATE_JWT_ISSUER}) and adapter parameters, in that order (see {@link ConfigSource}).
 *
 * <p>Durations are written {@code 500ms}, {@code 60s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601
 * ({@code PT1M}); lists are comma-separated.
 */
public final class ConfigKeys {

    private ConfigKeys() {
    }

    /**
     * {@code enforce} (default): refusals are sent; {@code report-only}: every decision is computed and logged
     * ({@code "decision":"would_deny"}), none is enforced (logged WARN at start-up). See
     * {@link dev.tokengate.TokenGate.Mode}.
     */
    public static final String MODE = "tokengate.mode";

    /** The realm of the challenge. Default {@code api}. */
    public static final String REALM = "tokengate.realm";
    /** A page that explains errors, sent as {@code error_uri}. Default none. */
    public static final String ERROR_URI = "tokengate.error-uri";
    /** Whether an {@code insufficient_scope} challenge names the required scopes. Default {@code true}. */
    public static final String CHALLENGE_INCLUDE_SCOPE = "tokengate.challenge.include-scope";

    /**
     * Proxies (CIDR ranges) whose {@code Forwarded} / {@code X-Forwarded-For} headers are believed for the client
     * address. Default none: the socket's peer is the client.
     */
    public static final String TRUSTED_PROXIES = "tokengate.trusted-proxies";

    /** Accept {@code access_token} in the query string (logged WARN at start-up). Default {@code false}. */
    public static final String TOKEN_QUERY_PARAMETER = "tokengate.token.query-parameter";
    /** Accept {@code access_token} in a urlencoded form body. Default {@code false}. */
    public static final String TOKEN_FORM_BODY = "tokengate.token.form-body";
    /** A cookie that carries the raw token. Default none. */
    public static final String TOKEN_COOKIE = "tokengate.token.cookie";
    /** A custom header that carries the raw token, without scheme. Default none. */
    public static final String TOKEN_HEADER = "tokengate.token.header";

    /** Trusted issuers, comma-separated; each gets the {@code tokengate.jwt.*} settings below. Required. */
    public static final String JWT_ISSUER = "tokengate.jwt.issuer";
    /** The JWKS URI; only with a single issuer. Default: found by OIDC / RFC 8414 discovery from the issuer. */
    public static final String JWT_JWKS_URI = "tokengate.jwt.jwks-uri";
    /** A PEM public key file instead of a JWKS. */
    public static final String JWT_PUBLIC_KEY = "tokengate.jwt.public-key";
    /** A JWKS file instead of a JWKS URI. */
    public static final String JWT_JWKS_FILE = "tokengate.jwt.jwks-file";
    /** The name of the environment variable holding an HMAC secret; enables HS* only (logged WARN). */
    public static final String JWT_HMAC_SECRET_ENV = "tokengate.jwt.hmac-secret-env";
    /** Accepted audiences, any-of. Required unless {@link #JWT_ALLOW_ANY_AUDIENCE}. */
    public static final String JWT_AUDIENCE = "tokengate.jwt.audience";
    /** Accept tokens for any audience (logged WARN at start-up). Default {@code false}. */
    public static final String JWT_ALLOW_ANY_AUDIENCE = "tokengate.jwt.allow-any-audience";
    /** The algorithm allow-list. Default {@code RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512}. */
    public static final String JWT_ALGORITHMS = "tokengate.jwt.algorithms";
    /** The required {@code typ} header, e.g. {@code at+jwt}. Default none (not checked). */
    public static final String JWT_TYPE = "tokengate.jwt.type";
    /** The leeway for {@code exp}, {@code nbf}, {@code iat}. Default {@code 60s}. */
    public static final String JWT_CLOCK_SKEW = "tokengate.jwt.clock-skew";
    /** The claim holding scopes. Default {@code scope}, then {@code scp}. */
    public static final String JWT_SCOPE_CLAIM = "tokengate.jwt.scope-claim";
    /** Claims every token must have. Default none beyond {@code exp}. */
    public static final String JWT_REQUIRED_CLAIMS = "tokengate.jwt.required-claims";

    /** JWKS connect timeout. Default {@code 2s}. */
    public static final String JWKS_CONNECT_TIMEOUT = "tokengate.jwks.connect-timeout";
    /** JWKS read timeout. Default {@code 5s}. */
    public static final String JWKS_READ_TIMEOUT = "tokengate.jwks.read-timeout";
    /** Least time between two refetches for an unknown {@code kid}. Default {@code 30s}. */
    public static final String JWKS_REFETCH_INTERVAL = "tokengate.jwks.refetch-interval";
    /** How long known keys are served while the JWKS endpoint fails. Default {@code 24h}. */
    public static final String JWKS_STALE_WINDOW = "tokengate.jwks.stale-window";

    /** Caffeine spec of the verified-token cache; {@code maximumSize=0} disables it. Default {@code maximumSize=10000}. */
    public static final String CACHE_SPEC = "tokengate.cache.spec";
    /** Longest life of a cached verified token (never beyond its {@code exp}). Default {@code 5m}. */
    public static final String CACHE_MAX_TTL = "tokengate.cache.max-ttl";

    /** The RFC 7662 introspection endpoint; enables opaque tokens checked by introspection. Default none. */
    public static final String INTROSPECTION_URI = "tokengate.introspection.uri";
    /** This API's client id at the introspection endpoint. Required with {@link #INTROSPECTION_URI}. */
    public static final String INTROSPECTION_CLIENT_ID = "tokengate.introspection.client-id";
    /** Its client secret; best set as the environment variable {@code TOKENGATE_INTROSPECTION_CLIENT_SECRET}. */
    public static final String INTROSPECTION_CLIENT_SECRET = "tokengate.introspection.client-secret";
    /** {@code client_secret_basic} (default) or {@code client_secret_post}. */
    public static final String INTROSPECTION_AUTH_METHOD = "tokengate.introspection.auth-method";
    /** Longest life of a cached introspection answer (never beyond the token's {@code exp}); {@code 0s} disables. Default {@code 5m}. */
    public static final String INTROSPECTION_CACHE_TTL = "tokengate.introspection.cache-ttl";
    /** How long an {@code active:false} answer is remembered. Default {@code 0s} (not cached). */
    public static final String INTROSPECTION_NEGATIVE_CACHE_TTL = "tokengate.introspection.negative-cache-ttl";
    /** Deadline of one introspection call, connect to last byte. Default {@code 5s}. */
    public static final String INTROSPECTION_TIMEOUT = "tokengate.introspection.timeout";
    /** Issuers whose JWTs are introspected instead of checked locally (e.g. to see revocation at once). Default none. */
    public static final String INTROSPECTION_JWT_ISSUERS = "tokengate.introspection.jwt-issuers";

    /** JDBC URL of the token database (tokens this API issues itself, {@code tgat_…}). Default none. */
    public static final String STORE_JDBC_URL = "tokengate.store.jdbc-url";
    /** Database user. */
    public static final String STORE_USERNAME = "tokengate.store.username";
    /** Database password; best set as the environment variable {@code TOKENGATE_STORE_PASSWORD}. */
    public static final String STORE_PASSWORD = "tokengate.store.password";
    /** Table of the token database. Default {@code tokengate_token}. */
    public static final String STORE_TABLE = "tokengate.store.table";
    /** Longest time a stored token stays cached, so the bound on how long a revoked token keeps working. Default {@code 30s}. */
    public static final String STORE_CACHE_TTL = "tokengate.store.cache-ttl";

    /** The header carrying the calling application's API key, for routes that require one. Default {@code X-API-Key}. */
    public static final String API_KEY_HEADER = "tokengate.api-key.header";

    /**
     * URL rules, one per line or {@code ;}-separated: {@code [METHODS] PATTERN = REQUIREMENT} (see
     * {@link dev.tokengate.authorize.UrlRules}). Read by the servlet filter. Default none.
     */
    public static final String RULES = "tokengate.rules";
    /** What a request no URL rule matches needs: {@code deny} (default), {@code authenticated} or {@code permit}. */
    public static final String UNMATCHED = "tokengate.unmatched";

    /** All core keys. */
    public static final Set<String> ALL = Set.of(MODE, REALM, ERROR_URI, CHALLENGE_INCLUDE_SCOPE, TRUSTED_PROXIES,
            TOKEN_QUERY_PARAMETER, TOKEN_FORM_BODY, TOKEN_COOKIE, TOKEN_HEADER,
            JWT_ISSUER, JWT_JWKS_URI, JWT_PUBLIC_KEY, JWT_JWKS_FILE, JWT_HMAC_SECRET_ENV, JWT_AUDIENCE,
            JWT_ALLOW_ANY_AUDIENCE, JWT_ALGORITHMS, JWT_TYPE, JWT_CLOCK_SKEW, JWT_SCOPE_CLAIM, JWT_REQUIRED_CLAIMS,
            JWKS_CONNECT_TIMEOUT, JWKS_READ_TIMEOUT, JWKS_REFETCH_INTERVAL, JWKS_STALE_WINDOW,
            CACHE_SPEC, CACHE_MAX_TTL,
            INTROSPECTION_URI, INTROSPECTION_CLIENT_ID, INTROSPECTION_CLIENT_SECRET, INTROSPECTION_AUTH_METHOD,
            INTROSPECTION_CACHE_TTL, INTROSPECTION_NEGATIVE_CACHE_TTL, INTROSPECTION_TIMEOUT, INTROSPECTION_JWT_ISSUERS,
            STORE_JDBC_URL, STORE_USERNAME, STORE_PASSWORD, STORE_TABLE, STORE_CACHE_TTL, API_KEY_HEADER);
}
