package dev.tokengate.config;

import dev.tokengate.config.ConfigKey.Component;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every {@code tokengate.*} key of core and of every adapter: a constant per key, and the {@linkplain #registry()
 * registry} that gives each its reader, default and meaning (the reference for defaults as text; the README's
 * table is checked against it).
 * Read from system properties, environment variables ({@code TOKENGATE_JWT_ISSUER}) and adapter parameters, in
 * that order (see {@link ConfigSource}). A {@code tokengate.*} key that is not registered fails start-up; a key of
 * another adapter is ignored.
 *
 * <p>Durations are written {@code 500ms}, {@code 60s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601
 * ({@code PT1M}); lists are comma-separated.
 */
public final class ConfigKeys {

    private ConfigKeys() {
    }

    // Each constant's default, reader and one-line meaning are in the registry at the end of this class.

    /**
     * {@code enforce}: refusals are sent; {@code report-only}: every decision is computed and logged
     * ({@code "decision":"would_deny"}), none is enforced. See
     * {@link dev.tokengate.TokenGate.Mode}.
     */
    public static final String MODE = "tokengate.mode";

    /**
     * What the gate checks when it is built: {@code off} (nothing: every upstream is contacted on first use),
     * {@code warn} (fetch each issuer's discovery and keys, ask introspection about a made-up token, open a
     * database connection, and log what fails) or {@code fail} (the same, and refuse to start when a required one
     * fails). See {@link dev.tokengate.health.StartupCheck}.
     */
    public static final String STARTUP_CHECK = "tokengate.startup.check";

    /**
     * The layers this application's settings are read from: a list of {@code system-properties},
     * {@code environment} and {@code parameters} (default: all three). A WAR on a server it shares with other
     * applications writes {@code parameters} to read its own init-params only, unaffected by the JVM-wide system
     * properties and environment variables. Read from the parameters only. See {@link ConfigSource.Layer}.
     */
    public static final String CONFIG_LAYERS = "tokengate.config.layers";

    /** The realm of the challenge. */
    public static final String REALM = "tokengate.realm";
    /** A page that explains errors, sent as {@code error_uri}. */
    public static final String ERROR_URI = "tokengate.error-uri";
    /**
     * The resource identifier (RFC 9728): the absolute {@code https} URI clients know this API by, named as
     * {@code resource} in its protected-resource metadata and locating that document. Default: the origin the request
     * was sent to.
     */
    public static final String RESOURCE = "tokengate.resource";
    /** A page for developers about this API, named as {@code resource_documentation} in its RFC 9728 metadata. */
    public static final String RESOURCE_DOCUMENTATION = "tokengate.resource.documentation";
    /** Whether an {@code insufficient_scope} answer names the required scopes (challenge, description, problem body). */
    public static final String CHALLENGE_INCLUDE_SCOPE = "tokengate.challenge.include-scope";

    /**
     * Proxies (CIDR ranges) whose {@code Forwarded} / {@code X-Forwarded-For} headers are believed for the client
     * address; without them the socket's peer is the client.
     */
    public static final String TRUSTED_PROXIES = "tokengate.trusted-proxies";
    /**
     * The one forwarding header the trusted proxies set, {@code x-forwarded-for} or {@code forwarded}; required with
     * {@link #TRUSTED_PROXIES}. The other header is ignored: a client can send it.
     */
    public static final String FORWARDED_HEADER = "tokengate.forwarded-header";

    /** Accept {@code access_token} in the query string (logged WARN at start-up). */
    public static final String TOKEN_QUERY_PARAMETER = "tokengate.token.query-parameter";
    /** Accept {@code access_token} in a urlencoded form body. */
    public static final String TOKEN_FORM_BODY = "tokengate.token.form-body";
    /** A cookie that carries the raw token. */
    public static final String TOKEN_COOKIE = "tokengate.token.cookie";
    /** A custom header that carries the raw token, without scheme. */
    public static final String TOKEN_HEADER = "tokengate.token.header";

    /** Trusted issuers, comma-separated; each gets the {@code tokengate.jwt.*} settings below. Required. */
    public static final String JWT_ISSUER = "tokengate.jwt.issuer";
    /** The JWKS URI; only with a single issuer. */
    public static final String JWT_JWKS_URI = "tokengate.jwt.jwks-uri";
    /** A PEM public key file instead of a JWKS. */
    public static final String JWT_PUBLIC_KEY = "tokengate.jwt.public-key";
    /** A JWKS file instead of a JWKS URI. */
    public static final String JWT_JWKS_FILE = "tokengate.jwt.jwks-file";
    /** The name of the environment variable holding an HMAC secret; enables HS* only (logged WARN). */
    public static final String JWT_HMAC_SECRET_ENV = "tokengate.jwt.hmac-secret-env";
    /** Accepted audiences, any-of. Required unless {@link #JWT_ALLOW_ANY_AUDIENCE}. */
    public static final String JWT_AUDIENCE = "tokengate.jwt.audience";
    /** Accept tokens for any audience (logged WARN at start-up). */
    public static final String JWT_ALLOW_ANY_AUDIENCE = "tokengate.jwt.allow-any-audience";
    /** The algorithm allow-list. */
    public static final String JWT_ALGORITHMS = "tokengate.jwt.algorithms";
    /**
     * The required {@code typ} header, e.g. {@code at+jwt}, which also requires the RFC 9068 §2.2 claims. Unset, a
     * token typed as another kind of JWT ({@code dpop+jwt}, {@code logout+jwt}, …) is still refused.
     */
    public static final String JWT_TYPE = "tokengate.jwt.type";
    /** The leeway for {@code exp}, {@code nbf}, {@code iat}. */
    public static final String JWT_CLOCK_SKEW = "tokengate.jwt.clock-skew";
    /** The claim holding scopes. */
    public static final String JWT_SCOPE_CLAIM = "tokengate.jwt.scope-claim";
    /** Claims every token must have. */
    public static final String JWT_REQUIRED_CLAIMS = "tokengate.jwt.required-claims";

    /** JWKS connect timeout. */
    public static final String JWKS_CONNECT_TIMEOUT = "tokengate.jwks.connect-timeout";
    /** JWKS read timeout. */
    public static final String JWKS_READ_TIMEOUT = "tokengate.jwks.read-timeout";
    /** Least time between two refetches for an unknown {@code kid}. */
    public static final String JWKS_REFETCH_INTERVAL = "tokengate.jwks.refetch-interval";
    /** How long known keys are served while the JWKS endpoint fails. */
    public static final String JWKS_STALE_WINDOW = "tokengate.jwks.stale-window";

    /** Caffeine spec of the verified-token cache; {@code maximumSize=0} disables it. */
    public static final String CACHE_SPEC = "tokengate.cache.spec";
    /** Longest life of a cached verified token (never beyond its {@code exp}). */
    public static final String CACHE_MAX_TTL = "tokengate.cache.max-ttl";

    /** The RFC 7662 introspection endpoint; enables opaque tokens checked by introspection. */
    public static final String INTROSPECTION_URI = "tokengate.introspection.uri";
    /** This API's client id at the introspection endpoint. Required with {@link #INTROSPECTION_URI}. */
    public static final String INTROSPECTION_CLIENT_ID = "tokengate.introspection.client-id";
    /** Its client secret; best set as the environment variable {@code TOKENGATE_INTROSPECTION_CLIENT_SECRET}. */
    public static final String INTROSPECTION_CLIENT_SECRET = "tokengate.introspection.client-secret";
    /** {@code client_secret_basic} or {@code client_secret_post}. */
    public static final String INTROSPECTION_AUTH_METHOD = "tokengate.introspection.auth-method";
    /** Longest life of a cached introspection answer (never beyond the token's {@code exp}); {@code 0s} disables. */
    public static final String INTROSPECTION_CACHE_TTL = "tokengate.introspection.cache-ttl";
    /** How long an {@code active:false} answer is remembered. */
    public static final String INTROSPECTION_NEGATIVE_CACHE_TTL = "tokengate.introspection.negative-cache-ttl";
    /** Deadline of one introspection call, connect to last byte. */
    public static final String INTROSPECTION_TIMEOUT = "tokengate.introspection.timeout";
    /** The leeway for the introspection answer's {@code exp}, {@code nbf}, {@code iat}. */
    public static final String INTROSPECTION_CLOCK_SKEW = "tokengate.introspection.clock-skew";
    /** Issuers whose JWTs are introspected instead of checked locally (e.g. to see revocation at once). */
    public static final String INTROSPECTION_JWT_ISSUERS = "tokengate.introspection.jwt-issuers";

    /** JDBC URL of the token database (tokens this API issues itself, {@code tgat_…}). */
    public static final String STORE_JDBC_URL = "tokengate.store.jdbc-url";
    /** Database user. */
    public static final String STORE_USERNAME = "tokengate.store.username";
    /** Database password; best set as the environment variable {@code TOKENGATE_STORE_PASSWORD}. */
    public static final String STORE_PASSWORD = "tokengate.store.password";
    /** Table of the token database. */
    public static final String STORE_TABLE = "tokengate.store.table";
    /** Longest time a stored token stays cached, so the bound on how long a revoked token keeps working. */
    public static final String STORE_CACHE_TTL = "tokengate.store.cache-ttl";
    /**
     * The JNDI name of the application server's {@code DataSource} for the token database
     * ({@code java:comp/env/jdbc/tokens}), instead of {@link #STORE_JDBC_URL}.
     */
    public static final String STORE_DATASOURCE = "tokengate.store.datasource";
    /**
     * The longest a request waits for a token lookup (connection included); beyond it the request is answered
     * 503 with {@code Retry-After}. Also the pool's connection timeout.
     */
    public static final String STORE_TIMEOUT = "tokengate.store.timeout";
    /**
     * How many token lookups may wait on the database at once; a lookup beyond them is answered 503 at once, so a
     * hung database holds at most this many request threads.
     */
    public static final String STORE_MAX_CONCURRENT_LOOKUPS = "tokengate.store.max-concurrent-lookups";
    /**
     * How long the old secret of a rotated stored token keeps working ({@code TokenAdmin.rotate}); {@code 0s} revokes
     * it at once.
     */
    public static final String STORE_ROTATION_GRACE = "tokengate.store.rotation-grace";

    /**
     * What happens to a CORS preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method},
     * which carries no credentials by design): {@code pass} (to the application, unchecked) or {@code rules} (the
     * route's rule decides it). See {@link TokenGateConfig.CorsPreflight}.
     */
    public static final String CORS_PREFLIGHT = "tokengate.cors-preflight";

    /**
     * Whether the {@code DPoP} scheme (RFC 9449) is {@code off}, {@code allowed} (default) or {@code required}; a
     * DPoP-bound token sent as {@code Bearer} is refused in every mode.
     */
    public static final String DPOP = "tokengate.dpop";
    /** The algorithms a DPoP proof may be signed with, asymmetric only. */
    public static final String DPOP_ALGORITHMS = "tokengate.dpop.algorithms";
    /** How old a DPoP proof may be ({@code iat}); proofs are remembered this long to refuse replays. */
    public static final String DPOP_PROOF_LIFETIME = "tokengate.dpop.proof-lifetime";
    /** How many accepted DPoP proofs this node's replay cache holds at most (in front of the shared one, if any). */
    public static final String DPOP_REPLAY_CACHE_SIZE = "tokengate.dpop.replay-cache-size";
    /** Whether DPoP proofs must carry a server nonce (RFC 9449 §8): {@code off} or {@code required}. */
    public static final String DPOP_NONCE = "tokengate.dpop.nonce";
    /** The secret server nonces are made with, the same on every node; unset: random per node (logged WARN). */
    public static final String DPOP_NONCE_SECRET = "tokengate.dpop.nonce-secret";
    /** How long a server nonce is the current one (accepted for up to twice as long). */
    public static final String DPOP_NONCE_LIFETIME = "tokengate.dpop.nonce-lifetime";

    /**
     * The header in which a trusted proxy that terminates mutual TLS forwards the client certificate (RFC 9440
     * {@code Client-Cert}, or a URL-encoded PEM), for certificate-bound tokens (RFC 8705); read only from trusted
     * proxies. Unset: only the container's own TLS client certificate counts.
     */
    public static final String MTLS_CERTIFICATE_HEADER = "tokengate.mtls.certificate-header";

    /** The header carrying the calling application's API key, for routes that require one. */
    public static final String API_KEY_HEADER = "tokengate.api-key.header";

    /**
     * The networks each client id may call from, whatever issued its token: {@code bot=203.0.113.0/24 198.51.100.7;
     * reporting=10.0.0.0/8} (see {@link dev.tokengate.policy.AddressRanges}).
     */
    public static final String IP_RANGES_CLIENTS = "tokengate.ip-ranges.clients";
    /** The networks each API key, by its id, may be used from; written like {@link #IP_RANGES_CLIENTS}. */
    public static final String IP_RANGES_API_KEYS = "tokengate.ip-ranges.api-keys";

    /** Whether requests to open ({@code permit}) routes are in the call log: {@code log} (default) or {@code skip}. */
    public static final String CALL_LOG_OPEN_ROUTES = "tokengate.call-log.open-routes";
    /**
     * How many unauthenticated denials per client address and window are logged as events; the rest are counted
     * into one summary line per address and window. {@code 0}: every one is logged.
     */
    public static final String CALL_LOG_DENIALS_PER_ADDRESS = "tokengate.call-log.denials-per-address";
    /** The window of {@link #CALL_LOG_DENIALS_PER_ADDRESS}. */
    public static final String CALL_LOG_DENIAL_WINDOW = "tokengate.call-log.denial-window";

    /** At most {@code N/duration} requests with one token (counted by its hash); off unless set. */
    public static final String RATE_LIMIT_PER_TOKEN = "tokengate.rate-limit.per-token";
    /** At most {@code N/duration} requests from one client id; off unless set. */
    public static final String RATE_LIMIT_PER_CLIENT = "tokengate.rate-limit.per-client";
    /** At most {@code N/duration} requests for one subject; off unless set. */
    public static final String RATE_LIMIT_PER_SUBJECT = "tokengate.rate-limit.per-subject";
    /** At most {@code N/duration} requests with one API key, on routes that require one; off unless set. */
    public static final String RATE_LIMIT_PER_API_KEY = "tokengate.rate-limit.per-api-key";

    /**
     * The anomaly rule on networks: one token used from more than N networks (/24 IPv4, /48 IPv6) within a window,
     * written {@code N/duration} ({@code 3/10m}). Off when unset. See {@link dev.tokengate.control.AnomalyRules}.
     */
    public static final String ANOMALY_MAX_NETWORKS = "tokengate.anomaly.max-networks";
    /**
     * The anomaly rule on countries: a MaxMind-format country database ({@code .mmdb}: GeoLite2-Country, DB-IP Lite);
     * a token used from a country it was not used from before is an anomaly. Off when unset.
     */
    public static final String ANOMALY_GEOIP_DATABASE = "tokengate.anomaly.geoip-database";
    /**
     * The anomaly rule on denials: more than N {@code insufficient_scope} or IP-range denials for one token within a
     * window, written {@code N/duration} ({@code 5/1m}). Off when unset.
     */
    public static final String ANOMALY_MAX_DENIALS = "tokengate.anomaly.max-denials";
    /** What an anomaly rule does when it fires: {@code log} (WARN and a call-log mark) or {@code revoke}. */
    public static final String ANOMALY_ACTION = "tokengate.anomaly.action";
    /**
     * Where the revocation list is kept: {@code database} (the token database's {@code <table>_revocation}, when a
     * token store is configured) or {@code memory} (this process only).
     */
    public static final String REVOCATIONS_STORE = "tokengate.revocations.store";

    /**
     * The Redis that the nodes of a cluster share their token control through (revocations, rate-limit buckets,
     * anomaly state, the DPoP replay cache): {@code redis://host:6379}, {@code rediss://} for TLS, {@code redis-sentinel://h1,h2/0#master},
     * or several comma-separated {@code redis://} seed URIs of a Redis Cluster. Needs {@code tokengate-redis} on the
     * class path; off when unset.
     */
    public static final String REDIS_URI = "tokengate.redis.uri";
    /**
     * Metrics: {@code auto} (the default) records the gate's meters in Micrometer's global registry
     * ({@code Metrics.globalRegistry}) when {@code tokengate-micrometer} is on the class path, and nothing otherwise;
     * {@code off} records none. An observer given in code ({@code TokenGate.Builder#observer}) is used either way.
     */
    public static final String METRICS = "tokengate.metrics";
    /**
     * Tracing: {@code auto} (the default) records OpenTelemetry spans through {@code GlobalOpenTelemetry} when
     * {@code io.opentelemetry:opentelemetry-api} is on the class path (nothing is recorded until an SDK or the agent
     * registers one); {@code off} records none.
     */
    public static final String TRACING = "tokengate.tracing";
    /** The prefix of every Redis key tokengate writes, so that several APIs can share one Redis. */
    public static final String REDIS_KEY_PREFIX = "tokengate.redis.key-prefix";
    /**
     * How the rate limits use Redis: {@code shared} (every limited request asks Redis: one round trip per limit, two
     * when another node changed the bucket since) or {@code local-first} (each node counts on its own copy and syncs
     * it after {@code max(1, N / 20)} calls or a second; a window admits at most {@code N + nodes × max(1, N / 20)}).
     */
    public static final String REDIS_RATE_LIMIT = "tokengate.redis.rate-limit";
    /**
     * What the checks that need Redis do while it cannot be reached: {@code fail-open} (serve from this node's state,
     * queue revocations and publish them on recovery) or {@code fail-closed} (503).
     */
    public static final String REDIS_ON_FAILURE = "tokengate.redis.on-failure";
    /** How long a Redis command may take before it counts as a failure. */
    public static final String REDIS_TIMEOUT = "tokengate.redis.timeout";

    /**
     * URL rules, one per line or {@code ;}-separated: {@code [METHODS] PATTERN = REQUIREMENT} (see
     * {@link dev.tokengate.authorize.UrlRules}). Read by the servlet filter.
     */
    public static final String RULES = "tokengate.rules";
    /** What a request no URL rule matches needs: {@code deny}, {@code authenticated} or {@code permit}. Read by the servlet filter. */
    public static final String UNMATCHED = "tokengate.unmatched";

    /**
     * What a JAX-RS resource method with no security annotation anywhere needs, in
     * {@link dev.tokengate.authorize.Requirement#parse} form. Read by the JAX-RS feature.
     */
    public static final String JAXRS_UNANNOTATED = "tokengate.jaxrs.unannotated";

    /**
     * Where the Jakarta Security mechanism finds the caller's groups (the roles of {@code @RolesAllowed},
     * {@code isUserInRole}, {@code web.xml} constraints): a claim path such as {@code realm_access.roles}, or unset
     * for the token's scopes. Read by the Jakarta Security mechanism.
     */
    public static final String GROUPS_CLAIM = "tokengate.groups.claim";
    /**
     * {@code true} turns the Jakarta Security mechanism on without the {@code @TokenGateMechanismDefinition}
     * annotation (read from MicroProfile Config and system properties at deployment). Read by the Jakarta Security
     * mechanism.
     */
    public static final String MECHANISM_ENABLED = "tokengate.mechanism.enabled";

    private static final Map<String, ConfigKey> REGISTRY = registryOf(List.of(
            core(MODE, "enforce", "enforce: refusals are sent; report-only: every decision is logged (would_deny), none enforced (logged WARN)"),
            core(STARTUP_CHECK, "off", "at start-up, contact each upstream (discovery and keys, introspection, database): off, warn (log what fails) or fail (refuse to start when a required one fails)"),
            core(CONFIG_LAYERS, "system-properties, environment, parameters",
                    "the layers settings are read from; 'parameters': this application's own only, not the JVM-wide system properties and environment (a parameter itself)"),
            core(REALM, "api", "the realm of the challenge"),
            core(ERROR_URI, null, "a page that explains errors, sent as error_uri"),
            core(RESOURCE, null, "the resource identifier (RFC 9728), an absolute https URI; default: the origin the request was sent to (through trusted proxies) and the context path (http logged WARN)"),
            core(RESOURCE_DOCUMENTATION, null, "a page about this API, named as resource_documentation in its RFC 9728 metadata"),
            core(CHALLENGE_INCLUDE_SCOPE, "true", "whether an insufficient_scope answer names the required scopes (challenge, description, problem body)"),
            core(TRUSTED_PROXIES, null, "proxies (CIDR ranges) whose forwarding header names the client"),
            core(FORWARDED_HEADER, null, "the one header the trusted proxies set: x-forwarded-for or forwarded"),
            core(TOKEN_QUERY_PARAMETER, "false", "accept access_token in the query string (logged WARN at start-up)"),
            core(TOKEN_FORM_BODY, "false", "accept access_token in a urlencoded form body"),
            core(TOKEN_COOKIE, null, "a cookie that carries the raw token"),
            core(TOKEN_HEADER, null, "a custom header that carries the raw token, without scheme"),
            core(JWT_ISSUER, null, "trusted issuers, comma-separated (required unless introspection or a token store)"),
            core(JWT_JWKS_URI, null, "the issuer's JWKS endpoint, single issuer only (default: found by discovery)"),
            core(JWT_PUBLIC_KEY, null, "a PEM public key file instead of a JWKS"),
            core(JWT_JWKS_FILE, null, "a JWKS file instead of a JWKS endpoint"),
            core(JWT_HMAC_SECRET_ENV, null, "the environment variable holding an HMAC secret; enables HS* only (logged WARN)"),
            core(JWT_AUDIENCE, null, "accepted audiences, any-of (required unless allow-any-audience)"),
            core(JWT_ALLOW_ANY_AUDIENCE, "false", "accept tokens for any audience (logged WARN at start-up)"),
            core(JWT_ALGORITHMS, "RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512",
                    "the algorithm allow-list (with an HMAC secret: the HS* algorithms the secret is long enough for)"),
            core(JWT_TYPE, null, "the required typ header, e.g. at+jwt, which also requires the RFC 9068 claims (default: none; other *+jwt types refused)"),
            core(JWT_CLOCK_SKEW, "60s", "the leeway for exp, nbf and iat, 0 to 10 minutes"),
            core(JWT_SCOPE_CLAIM, null, "the claim holding scopes (default: scope, then scp)"),
            core(JWT_REQUIRED_CLAIMS, null, "claims every token must have, beyond exp"),
            core(JWKS_CONNECT_TIMEOUT, "2s", "JWKS and discovery connect timeout"),
            core(JWKS_READ_TIMEOUT, "5s", "JWKS and discovery response deadline"),
            core(JWKS_REFETCH_INTERVAL, "30s", "least time between two refetches for an unknown kid"),
            core(JWKS_STALE_WINDOW, "24h", "how long known keys are served while the JWKS endpoint fails"),
            core(CACHE_SPEC, "maximumSize=10000", "Caffeine spec of the verified-token cache; maximumSize=0 disables it"),
            core(CACHE_MAX_TTL, "5m", "longest life of a cached verified token (never beyond its exp)"),
            core(INTROSPECTION_URI, null, "the RFC 7662 introspection endpoint, for opaque tokens"),
            core(INTROSPECTION_CLIENT_ID, null, "this API's client id at the introspection endpoint (required with its uri)"),
            core(INTROSPECTION_CLIENT_SECRET, null, "its client secret (required with the uri; best as an environment variable)"),
            core(INTROSPECTION_AUTH_METHOD, "client_secret_basic", "client_secret_basic or client_secret_post"),
            core(INTROSPECTION_CACHE_TTL, "30s", "longest life of a cached introspection answer (never beyond exp, at most 30s without exp); 0s disables"),
            core(INTROSPECTION_NEGATIVE_CACHE_TTL, "0s", "how long an active:false answer is remembered"),
            core(INTROSPECTION_TIMEOUT, "5s", "deadline of one introspection call, connect to last byte"),
            core(INTROSPECTION_CLOCK_SKEW, "60s", "the leeway for the answer's exp, nbf and iat, 0 to 10 minutes"),
            core(INTROSPECTION_JWT_ISSUERS, null, "issuers whose JWTs are introspected instead of checked locally"),
            core(STORE_JDBC_URL, null, "JDBC URL of the token database (tokens this API issues itself), reached through a HikariCP pool"),
            core(STORE_USERNAME, null, "the token database's user"),
            core(STORE_PASSWORD, null, "the token database's password (best as an environment variable)"),
            core(STORE_TABLE, "tokengate_token", "the token database's table"),
            core(STORE_CACHE_TTL, "30s", "how long a stored token is cached: the bound on how long a revoked one keeps working"),
            core(STORE_DATASOURCE, null, "JNDI name of the server's DataSource for the token database, instead of its jdbc-url"),
            core(STORE_TIMEOUT, "2s", "longest wait for a token lookup, connection included; then 503 with Retry-After"),
            core(STORE_MAX_CONCURRENT_LOOKUPS, "20", "token lookups allowed to wait on the database at once; beyond them 503 at once"),
            core(STORE_ROTATION_GRACE, "24h", "how long the old secret of a rotated stored token keeps working (calls marked rotated); 0s: revoked at once"),
            core(CORS_PREFLIGHT, "pass", "a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method, never credentials): pass (to the application, unchecked) or rules (the route's rule decides)"),
            core(DPOP, "allowed", "the DPoP scheme (RFC 9449): off, allowed (Bearer or DPoP) or required (DPoP only); a DPoP-bound token sent as Bearer is refused in every mode"),
            core(DPOP_ALGORITHMS, "RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512", "the algorithms a DPoP proof may be signed with (asymmetric only)"),
            core(DPOP_PROOF_LIFETIME, "60s", "how old a DPoP proof (iat) may be, at most 10m; proofs are remembered this long to refuse a replay"),
            core(DPOP_REPLAY_CACHE_SIZE, "100000", "how many accepted DPoP proofs (jti) this node's replay cache holds at most (in front of Redis's, when shared)"),
            core(DPOP_NONCE, "off", "server nonces in DPoP proofs (RFC 9449 §8): off, or required (a proof without the current nonce is 401 use_dpop_nonce with a DPoP-Nonce header)"),
            core(DPOP_NONCE_SECRET, null, "the secret (at least 32 bytes) server nonces are made with, the same on every node; unset: random per node (logged WARN)"),
            core(DPOP_NONCE_LIFETIME, "5m", "how long a server nonce is the current one, 10s to 1h; the previous one is still accepted"),
            core(MTLS_CERTIFICATE_HEADER, null, "the header a trusted proxy that terminates mutual TLS forwards the client certificate in (RFC 9440 :base64-DER: or URL-encoded PEM), for certificate-bound tokens; read only from trusted proxies (logged WARN)"),
            core(API_KEY_HEADER, "X-API-Key", "the header carrying the calling application's API key (hybrid routes)"),
            core(IP_RANGES_CLIENTS, null, "networks each client id may call from, whatever issued its token: id=range range; id=range (401 invalid_token elsewhere)"),
            core(IP_RANGES_API_KEYS, null, "networks each API key (by its id) may be used from: id=range range; id=range (401 invalid_token elsewhere)"),
            core(CALL_LOG_OPEN_ROUTES, "log", "log: open-route requests are in the call log; skip: they are not"),
            core(CALL_LOG_DENIALS_PER_ADDRESS, "100", "unauthenticated denials logged per client address and window; the rest summarised in one line (0: log all)"),
            core(CALL_LOG_DENIAL_WINDOW, "60s", "the window of call-log.denials-per-address"),
            core(ANOMALY_MAX_NETWORKS, null, "anomaly rule: one token used from more than N networks (/24, /48) within a window, N/duration (off when unset)"),
            core(ANOMALY_GEOIP_DATABASE, null, "anomaly rule: a MaxMind-format country .mmdb; a token used from a new country is an anomaly (off when unset)"),
            core(ANOMALY_MAX_DENIALS, null, "anomaly rule: more than N insufficient_scope or IP-range denials for one token within a window, N/duration (off when unset)"),
            core(ANOMALY_ACTION, "log", "what an anomaly rule does: log (WARN and a call-log mark) or revoke (the token, with the rule as reason)"),
            core(REVOCATIONS_STORE, "database", "where the revocation list is kept: database (the token database's <table>_revocation, when a token store is configured; else memory) or memory; with tokengate.redis.uri set, always in Redis"),
            core(METRICS, "auto", "auto: the gate's meters go to Micrometer's global registry when tokengate-micrometer is on the class path; off: none"),
            core(TRACING, "auto", "auto: OpenTelemetry spans through GlobalOpenTelemetry when opentelemetry-api is on the class path; off: none"),
            core(REDIS_URI, null, "the Redis the nodes share token control through: redis://, rediss:// (TLS), redis-sentinel://, or several redis:// seeds of a Redis Cluster (needs tokengate-redis)"),
            core(REDIS_KEY_PREFIX, "tokengate:", "the prefix of every Redis key tokengate writes (several APIs on one Redis)"),
            core(REDIS_RATE_LIMIT, "shared", "shared (each limited request asks Redis, one round trip) or local-first (counted on each node, synced in batches)"),
            core(REDIS_ON_FAILURE, "fail-closed", "while Redis is down: fail-closed (503 for the checks that need Redis) or fail-open (serve from this node's state, queue revocations; warned at start-up)"),
            core(REDIS_TIMEOUT, "1s", "how long a Redis command may take before it counts as a failure"),
            core(RATE_LIMIT_PER_TOKEN, null, "at most N/duration requests with one token (e.g. 100/1m); over it 429 with Retry-After"),
            core(RATE_LIMIT_PER_CLIENT, null, "at most N/duration requests from one client id"),
            core(RATE_LIMIT_PER_SUBJECT, null, "at most N/duration requests for one subject"),
            core(RATE_LIMIT_PER_API_KEY, null, "at most N/duration requests with one API key (routes that require one)"),
            key(RULES, Component.SERVLET_FILTER, null, "URL rules: [METHODS] PATTERN = REQUIREMENT, one per line or ;-separated"),
            key(UNMATCHED, Component.SERVLET_FILTER, "deny", "what a request no URL rule matches needs: deny, authenticated or permit"),
            key(JAXRS_UNANNOTATED, Component.JAXRS, "authenticated",
                    "what a resource method without security annotations needs: authenticated, permit, deny or scopes"),
            key(GROUPS_CLAIM, Component.JAKARTA_SECURITY, null,
                    "the claim path of the caller's groups (roles) for the container, e.g. realm_access.roles (default: the token's scopes)"),
            key(MECHANISM_ENABLED, Component.JAKARTA_SECURITY, "false",
                    "true: the Jakarta Security mechanism is on without @TokenGateMechanismDefinition")));

    /** The keys whose values are secrets, masked in start-up lines. */
    static final Set<String> SECRETS = Set.of(INTROSPECTION_CLIENT_SECRET, STORE_PASSWORD, DPOP_NONCE_SECRET);

    /** Every core key (read by the pipeline whatever the adapter). */
    public static final Set<String> ALL = REGISTRY.values().stream().filter(k -> k.reader() == Component.CORE)
            .map(ConfigKey::name).collect(Collectors.toUnmodifiableSet());

    /**
     * Every registered key, core's and each adapter's, in a stable order (core first).
     *
     * @return the keys, unmodifiable
     */
    public static List<ConfigKey> registry() {
        return List.copyOf(REGISTRY.values());
    }

    /**
     * The registry entry of {@code key}, if it is a registered {@code tokengate.*} key.
     *
     * @param key the key to look up, e.g. {@code tokengate.jwt.clock-skew}; not null
     * @return its entry, empty for an unregistered key
     */
    public static Optional<ConfigKey> find(String key) {
        return Optional.ofNullable(REGISTRY.get(key));
    }

    private static ConfigKey core(String name, String defaultValue, String description) {
        return key(name, Component.CORE, defaultValue, description);
    }

    private static ConfigKey key(String name, Component reader, String defaultValue, String description) {
        return new ConfigKey(name, reader, Optional.ofNullable(defaultValue), description);
    }

    private static Map<String, ConfigKey> registryOf(List<ConfigKey> keys) {
        Map<String, ConfigKey> byName = new LinkedHashMap<>();
        for (ConfigKey k : keys) {
            if (byName.put(k.name(), k) != null) {
                throw new IllegalStateException("key registered twice: " + k.name());
            }
        }
        return java.util.Collections.unmodifiableMap(byName);
    }
}
