package dev.tokengate.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OAuth 2.0 authorization server on loopback for tests: it publishes OpenID Connect discovery and RFC 8414
 * metadata, a JWK Set whose keys can be rotated, mints JWT and opaque access tokens with any claims, answers RFC
 * 7662 introspection for the tokens it minted (with client authentication) and takes RFC 7009 revocations.
 *
 * <pre>{@code
 * try (LoopbackIssuer issuer = LoopbackIssuer.start()) {
 *     Map<String, String> settings = issuer.settings();          // tokengate.jwt.issuer, ... for the gate
 *     String token = issuer.token().scope("orders:read").sign();
 *     String expired = issuer.expiredToken();
 *     String opaque = issuer.token().subject("bob").opaque();   // introspected as active until revoked
 *     issuer.revoke(opaque);
 * }
 * }</pre>
 *
 * <p>Time is the issuer's {@link Clock} (see {@link Builder#clock}): minted tokens' {@code iat}, {@code nbf},
 * {@code exp} and whether introspection calls a token expired. Beyond the defaults, a test can script the server's
 * failures: a JWKS status or {@code Cache-Control}, a delay, an outage, redirects, discovery documents that are
 * missing or lie, scripted introspection answers; and read what it received ({@link #requests()}). Setters return
 * {@code this} and take effect for the next request. Thread-safe.
 */
public final class LoopbackIssuer implements AutoCloseable {

    /** The path of the JWK Set. */
    public static final String JWKS_PATH = "/jwks";
    /** The path of the RFC 7662 introspection endpoint. */
    public static final String INTROSPECTION_PATH = "/introspect";
    /** The path of the RFC 7009 revocation endpoint. */
    public static final String REVOCATION_PATH = "/revoke";
    /** The audience of minted tokens unless the builder sets another. */
    public static final String DEFAULT_AUDIENCE = "https://api.example.com";
    /** The {@code sub} of minted tokens unless changed. */
    public static final String DEFAULT_SUBJECT = "alice";
    /** The {@code client_id} of minted tokens (the client the token was issued to) unless changed. */
    public static final String DEFAULT_TOKEN_CLIENT_ID = "test-client";
    /** The client id the resource server authenticates with at introspection and revocation, unless set. */
    public static final String DEFAULT_CLIENT_ID = "tokengate-test";
    /** The secret that goes with {@link #DEFAULT_CLIENT_ID}. */
    public static final String DEFAULT_CLIENT_SECRET = "tokengate-test-secret";

    /**
     * One request as the server received it.
     *
     * @param method        the HTTP method
     * @param path          the path, without query
     * @param authorization the {@code Authorization} header, if any
     * @param contentType   the {@code Content-Type} header, or {@code null}
     * @param form          the urlencoded body's parameters (the first value of each)
     */
    public record Request(String method, String path, Optional<String> authorization, String contentType,
            Map<String, String> form) {

        /**
         * The {@code token} form parameter.
         *
         * @return the token, or {@code null}
         */
        public String token() {
            return form.get("token");
        }
    }

    private record Answer(int status, String contentType, String body) {
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final String issuerPath;
    private final String issuerId;
    private final Clock clock;
    private final String audience;
    private final String clientId;
    private final String clientSecret;
    private final String defaultAlgorithm;

    private final Map<String, AtomicInteger> requestCounts = new ConcurrentHashMap<>();
    private final ConcurrentLinkedDeque<Request> requests = new ConcurrentLinkedDeque<>();
    private final Map<String, Map<String, Object>> minted = new ConcurrentHashMap<>();
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final Map<String, Answer> scriptedPerToken = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> introspectionsPerToken = new ConcurrentHashMap<>();
    private final AtomicInteger introspections = new AtomicInteger();
    private final Map<String, URI> redirects = new ConcurrentHashMap<>();

    private SigningKey signingKey; // guarded by this; generated on first use
    private List<SigningKey> published; // guarded by this
    private int generated; // guarded by this
    private SigningKey otherKey; // guarded by this

    private volatile String jwksOverride;
    private volatile int jwksStatus = 200;
    private volatile String cacheControl;
    private volatile Duration delay = Duration.ZERO;
    private volatile boolean down;
    private volatile boolean openIdConfiguration = true;
    private volatile boolean authorizationServerMetadata = true;
    private volatile String discoveredIssuer;
    private volatile String discoveredJwksUri;
    private volatile boolean clientAuthentication = true;
    private volatile Answer scriptedAnswer;
    private volatile int introspectionRedirectStatus;
    private volatile URI introspectionRedirect;

    private LoopbackIssuer(Builder b) throws IOException {
        this.issuerPath = b.issuerPath;
        this.clock = b.clock;
        this.audience = b.audience;
        this.clientId = b.clientId;
        this.clientSecret = b.clientSecret;
        this.defaultAlgorithm = b.algorithm;
        this.signingKey = b.signingKey;
        this.published = b.signingKey == null ? null : List.of(b.signingKey);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "loopback-issuer");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        this.issuerId = b.issuerId != null ? b.issuerId : base() + issuerPath;
    }

    /**
     * Starts an issuer with the defaults: on {@code 127.0.0.1} and a free port, the system clock, an RS256 key.
     *
     * @return the running issuer
     */
    public static LoopbackIssuer start() {
        return builder().start();
    }

    /**
     * A builder for an issuer with another clock, key, audience, issuer path or client credentials.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    // ---- where it is

    /**
     * The issuer identifier: {@code http://127.0.0.1:port} plus the issuer path, unless the builder named another.
     *
     * @return the value of minted tokens' {@code iss} and of the discovery documents' {@code issuer}
     */
    public String issuer() {
        return issuerId;
    }

    /**
     * The server's base, {@code http://127.0.0.1:port} plus the issuer path: where discovery is found.
     *
     * @return the base URI
     */
    public URI baseUri() {
        return URI.create(base() + issuerPath);
    }

    /**
     * The JWK Set's URI.
     *
     * @return {@code http://127.0.0.1:port/jwks}
     */
    public URI jwksUri() {
        return URI.create(base() + JWKS_PATH);
    }

    /**
     * The introspection endpoint's URI.
     *
     * @return {@code http://127.0.0.1:port/introspect}
     */
    public URI introspectionUri() {
        return URI.create(base() + INTROSPECTION_PATH);
    }

    /**
     * The revocation endpoint's URI.
     *
     * @return {@code http://127.0.0.1:port/revoke}
     */
    public URI revocationUri() {
        return URI.create(base() + REVOCATION_PATH);
    }

    /**
     * The path of the OpenID Connect discovery document, {@code <issuer path>/.well-known/openid-configuration}.
     *
     * @return the path
     */
    public String openIdConfigurationPath() {
        return issuerPath + "/.well-known/openid-configuration";
    }

    /**
     * The path of the RFC 8414 metadata document, {@code /.well-known/oauth-authorization-server<issuer path>}.
     *
     * @return the path
     */
    public String authorizationServerMetadataPath() {
        return "/.well-known/oauth-authorization-server" + issuerPath;
    }

    /**
     * The audience of minted tokens.
     *
     * @return the audience
     */
    public String audience() {
        return audience;
    }

    /**
     * The client id a resource server authenticates with at introspection and revocation.
     *
     * @return the client id
     */
    public String clientId() {
        return clientId;
    }

    /**
     * The secret that goes with {@link #clientId()}.
     *
     * @return the client secret
     */
    public String clientSecret() {
        return clientSecret;
    }

    /**
     * The issuer's clock.
     *
     * @return the clock
     */
    public Clock clock() {
        return clock;
    }

    /**
     * The {@code tokengate.*} settings of a gate that trusts this issuer: {@code tokengate.jwt.issuer},
     * {@code tokengate.jwt.jwks-uri}, {@code tokengate.jwt.audience}, {@code tokengate.introspection.uri},
     * {@code tokengate.introspection.client-id} and {@code tokengate.introspection.client-secret}.
     *
     * @return a new, modifiable map, in that order
     */
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("tokengate.jwt.issuer", issuer());
        s.put("tokengate.jwt.jwks-uri", jwksUri().toString());
        s.put("tokengate.jwt.audience", audience);
        s.put("tokengate.introspection.uri", introspectionUri().toString());
        s.put("tokengate.introspection.client-id", clientId);
        s.put("tokengate.introspection.client-secret", clientSecret);
        return s;
    }

    // ---- tokens

    /**
     * A valid access token of this issuer, to change and then {@link TokenBuilder#sign() sign} or issue as
     * {@link TokenBuilder#opaque() opaque}: header {@code typ: at+jwt}, signed with the {@link #signingKey()};
     * {@code iss} {@link #issuer()}, {@code sub} {@value #DEFAULT_SUBJECT}, {@code aud} {@link #audience()},
     * {@code client_id} {@value #DEFAULT_TOKEN_CLIENT_ID}, valid for 5 minutes from the clock's now.
     *
     * @return the builder
     */
    public TokenBuilder token() {
        return new TokenBuilder(signingKey(), this::remember).clock(clock).type("at+jwt").issuer(issuerId)
                .subject(DEFAULT_SUBJECT).audience(audience).clientId(DEFAULT_TOKEN_CLIENT_ID);
    }

    /**
     * A valid signed token.
     *
     * @return the JWT
     */
    public String validToken() {
        return token().sign();
    }

    /**
     * A token that expired an hour ago by the issuer's clock (beyond any reasonable clock skew).
     *
     * @return the JWT
     */
    public String expiredToken() {
        Instant now = clock.instant();
        return token().issuedAt(now.minus(Duration.ofHours(2))).notBefore(now.minus(Duration.ofHours(2)))
                .expiresAt(now.minus(Duration.ofHours(1))).sign();
    }

    /**
     * A token whose {@code nbf} is an hour ahead of the issuer's clock.
     *
     * @return the JWT
     */
    public String notYetValidToken() {
        Instant now = clock.instant();
        return token().issuedAt(now).notBefore(now.plus(Duration.ofHours(1))).expiresAt(now.plus(Duration.ofHours(2)))
                .sign();
    }

    /**
     * A token for another audience, {@code https://other-api.example}.
     *
     * @return the JWT
     */
    public String wrongAudienceToken() {
        return token().audience("https://other-api.example").sign();
    }

    /**
     * A token whose {@code iss} names another issuer, {@code https://other-issuer.example}, signed with this
     * issuer's key.
     *
     * @return the JWT
     */
    public String wrongIssuerToken() {
        return token().issuer("https://other-issuer.example").sign();
    }

    /**
     * A token signed with a key this issuer does not publish, under the {@code kid} of its signing key: what an
     * attacker who knows the key id would send.
     *
     * @return the JWT
     */
    public String wrongKeyToken() {
        SigningKey other;
        synchronized (this) {
            if (otherKey == null) {
                otherKey = SigningKey.generate(signingKey().algorithm(), signingKey().keyId());
            }
            other = otherKey;
        }
        return token().signedWith(other).sign();
    }

    /**
     * Revokes a token, as an RFC 7009 request would: introspection answers {@code active: false} for it from now.
     *
     * @param token the token
     * @return this issuer
     */
    public LoopbackIssuer revoke(String token) {
        revoked.add(token);
        return this;
    }

    /**
     * Whether a token was revoked, by {@link #revoke} or at the revocation endpoint.
     *
     * @param token the token
     * @return whether it was revoked
     */
    public boolean isRevoked(String token) {
        return revoked.contains(token);
    }

    // ---- keys

    /**
     * The key that signs minted tokens (generated on first use unless the builder gave one).
     *
     * @return the key
     */
    public synchronized SigningKey signingKey() {
        if (signingKey == null) {
            signingKey = SigningKey.generate(defaultAlgorithm, "key-" + ++generated);
            published = List.of(signingKey);
        }
        return signingKey;
    }

    /**
     * The keys the JWK Set publishes (unless {@link #jwks(String)} replaced it).
     *
     * @return the keys, oldest first
     */
    public synchronized List<SigningKey> publishedKeys() {
        signingKey();
        return published;
    }

    /**
     * Rotates to a new key of the same algorithm: it signs from now on and is published next to the previous keys,
     * which stay published (as an identity provider does during a rotation) until {@linkplain #retireKey retired}.
     *
     * @return the new key
     */
    public synchronized SigningKey rotateKey() {
        return rotateKey(SigningKey.generate(signingKey().algorithm(), "key-" + ++generated));
    }

    /**
     * Rotates to this key: it signs from now on and is published next to the previous keys.
     *
     * @param next the new key
     * @return the new key
     */
    public synchronized SigningKey rotateKey(SigningKey next) {
        List<SigningKey> keys = new ArrayList<>(publishedKeys());
        keys.removeIf(k -> k.keyId().equals(next.keyId()));
        keys.add(next);
        published = List.copyOf(keys);
        signingKey = next;
        return next;
    }

    /**
     * Stops publishing a key (tokens it signed then fail to verify once a gate refetches the JWK Set).
     *
     * @param keyId the key's id
     * @return this issuer
     * @throws IllegalArgumentException for the signing key, or a key id that is not published
     */
    public synchronized LoopbackIssuer retireKey(String keyId) {
        if (signingKey().keyId().equals(keyId)) {
            throw new IllegalArgumentException("key " + keyId + " signs the issuer's tokens: rotateKey() first");
        }
        List<SigningKey> keys = new ArrayList<>(published);
        if (!keys.removeIf(k -> k.keyId().equals(keyId))) {
            throw new IllegalArgumentException("no published key has id " + keyId + "; published: "
                    + published.stream().map(SigningKey::keyId).toList());
        }
        published = List.copyOf(keys);
        return this;
    }

    /**
     * Publishes exactly these keys (the signing key is unchanged, published or not).
     *
     * @param keys the keys
     * @return this issuer
     */
    public synchronized LoopbackIssuer publish(SigningKey... keys) {
        signingKey();
        published = List.of(keys);
        return this;
    }

    /**
     * Serves this JSON as the JWK Set instead of the published keys; {@code null} serves the keys again.
     *
     * @param json the document, as served
     * @return this issuer
     */
    public LoopbackIssuer jwks(String json) {
        this.jwksOverride = json;
        return this;
    }

    // ---- failures to script

    /**
     * Answers the JWK Set with this status (default 200); the document is sent only with 200.
     *
     * @param status the HTTP status
     * @return this issuer
     */
    public LoopbackIssuer jwksStatus(int status) {
        this.jwksStatus = status;
        return this;
    }

    /**
     * Sends this {@code Cache-Control} value with the JWK Set; {@code null} sends none (the default).
     *
     * @param cacheControl the header value
     * @return this issuer
     */
    public LoopbackIssuer cacheControl(String cacheControl) {
        this.cacheControl = cacheControl;
        return this;
    }

    /**
     * Holds every answer this long (default zero), to outlast a client's timeout; {@link #close()} ends the wait.
     *
     * @param delay the delay
     * @return this issuer
     */
    public LoopbackIssuer delay(Duration delay) {
        this.delay = Objects.requireNonNull(delay, "delay");
        return this;
    }

    /**
     * Stops answering: every request (still recorded) has its connection closed without a response, as a server
     * that is down behind a load balancer. {@link #up()} undoes it.
     *
     * @return this issuer
     */
    public LoopbackIssuer down() {
        this.down = true;
        return this;
    }

    /**
     * Answers again after {@link #down()}.
     *
     * @return this issuer
     */
    public LoopbackIssuer up() {
        this.down = false;
        return this;
    }

    /**
     * Whether to serve the OpenID Connect discovery document (default yes); when not, its path answers 404.
     *
     * @param served whether to serve it
     * @return this issuer
     */
    public LoopbackIssuer openIdConfiguration(boolean served) {
        this.openIdConfiguration = served;
        return this;
    }

    /**
     * Whether to serve the RFC 8414 metadata document (default yes); when not, its path answers 404.
     *
     * @param served whether to serve it
     * @return this issuer
     */
    public LoopbackIssuer authorizationServerMetadata(boolean served) {
        this.authorizationServerMetadata = served;
        return this;
    }

    /**
     * The {@code issuer} the discovery documents claim, to test a mismatch; {@code null}: {@link #issuer()}.
     *
     * @param issuer the claimed issuer
     * @return this issuer
     */
    public LoopbackIssuer discoveredIssuer(String issuer) {
        this.discoveredIssuer = issuer;
        return this;
    }

    /**
     * The {@code jwks_uri} the discovery documents name, to test one that is refused; {@code null}:
     * {@link #jwksUri()}.
     *
     * @param jwksUri the named URI
     * @return this issuer
     */
    public LoopbackIssuer discoveredJwksUri(String jwksUri) {
        this.discoveredJwksUri = jwksUri;
        return this;
    }

    /**
     * Answers GET requests for this path (e.g. {@link #JWKS_PATH}) with {@code 302 Found} to this location;
     * {@code null} answers the path normally again.
     *
     * @param path     the path
     * @param location where to, or {@code null}
     * @return this issuer
     */
    public LoopbackIssuer redirect(String path, URI location) {
        if (location == null) {
            redirects.remove(path);
        } else {
            redirects.put(path, location);
        }
        return this;
    }

    /**
     * Whether introspection and revocation require the client credentials (default yes): without them, or with
     * others, they answer {@code 401 {"error":"invalid_client"}}.
     *
     * @param required whether to require them
     * @return this issuer
     */
    public LoopbackIssuer clientAuthentication(boolean required) {
        this.clientAuthentication = required;
        return this;
    }

    /**
     * Answers introspection with 200 and this JSON for every token that is neither {@linkplain #introspectionAnswer(
     * String, String) scripted per token} nor minted here (default {@code {"active":false}}).
     *
     * @param json the answer
     * @return this issuer
     */
    public LoopbackIssuer introspectionAnswer(String json) {
        return introspectionAnswer(200, "application/json", json);
    }

    /**
     * Answers introspection with this status, content type and body for every token that is neither scripted per
     * token nor minted here; a {@code null} body restores the default.
     *
     * @param status      the HTTP status
     * @param contentType the {@code Content-Type}
     * @param body        the body, or {@code null}
     * @return this issuer
     */
    public LoopbackIssuer introspectionAnswer(int status, String contentType, String body) {
        this.scriptedAnswer = body == null ? null : new Answer(status, contentType, body);
        return this;
    }

    /**
     * Answers introspection of this token with 200 and this JSON, whatever else is known of it.
     *
     * @param token the token
     * @param json  the answer
     * @return this issuer
     */
    public LoopbackIssuer introspectionAnswer(String token, String json) {
        scriptedPerToken.put(token, new Answer(200, "application/json", json));
        return this;
    }

    /**
     * Answers every introspection call (still counted) with this redirect status to this location; {@code null}
     * answers normally again.
     *
     * @param status   e.g. 307, which a client that follows redirects answers by posting the same form there
     * @param location where to, or {@code null}
     * @return this issuer
     */
    public LoopbackIssuer introspectionRedirect(int status, URI location) {
        this.introspectionRedirectStatus = status;
        this.introspectionRedirect = location;
        return this;
    }

    // ---- what it received

    /**
     * How many requests arrived for this path (query ignored), answered or not.
     *
     * @param path the path
     * @return the count
     */
    public int requests(String path) {
        return count(requestCounts, path);
    }

    /**
     * How many requests arrived for the JWK Set.
     *
     * @return the count
     */
    public int jwksRequests() {
        return requests(JWKS_PATH);
    }

    /**
     * Every request received, in order of arrival.
     *
     * @return a copy
     */
    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    /**
     * How many introspection calls arrived.
     *
     * @return the count
     */
    public int introspections() {
        return introspections.get();
    }

    /**
     * How many introspection calls arrived for this token.
     *
     * @param token the token
     * @return the count
     */
    public int introspections(String token) {
        return count(introspectionsPerToken, token);
    }

    /**
     * The last request received.
     *
     * @return the request
     * @throws IllegalStateException when none arrived
     */
    public Request lastRequest() {
        Request last = requests.peekLast();
        if (last == null) {
            throw new IllegalStateException("the issuer received no request");
        }
        return last;
    }

    /**
     * Forgets all requests and counts.
     *
     * @return this issuer
     */
    public LoopbackIssuer resetRequests() {
        requestCounts.clear();
        requests.clear();
        introspections.set(0);
        introspectionsPerToken.clear();
        return this;
    }

    /** Stops the server at once, abandoning requests in progress. */
    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "LoopbackIssuer[" + issuerId + "]";
    }

    // ---- the server

    private static int count(Map<String, AtomicInteger> counts, String key) {
        AtomicInteger count = counts.get(key);
        return count == null ? 0 : count.get();
    }

    private void remember(String token, Map<String, Object> claims) {
        minted.put(token, Map.copyOf(withoutNulls(claims)));
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> claims) {
        Map<String, Object> out = new LinkedHashMap<>(claims);
        out.values().removeIf(Objects::isNull);
        return out;
    }

    private String base() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Map<String, String> form = parseForm(new String(exchange.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8));
            requestCounts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            requests.add(new Request(exchange.getRequestMethod(), path,
                    Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")),
                    exchange.getRequestHeaders().getFirst("Content-Type"), form));
            boolean introspection = path.equals(INTROSPECTION_PATH);
            if (introspection) {
                introspections.incrementAndGet();
                introspectionsPerToken.computeIfAbsent(form.getOrDefault("token", ""), t -> new AtomicInteger())
                        .incrementAndGet();
            }
            if (!delay.isZero()) {
                try {
                    if (closed.await(delay.toNanos(), TimeUnit.NANOSECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (down) {
                return; // closing the exchange before any response closes the connection
            }
            URI location = redirects.get(path);
            if (location != null) {
                redirect(exchange, 302, location);
            } else if (path.equals(JWKS_PATH)) {
                if (cacheControl != null) {
                    exchange.getResponseHeaders().set("Cache-Control", cacheControl);
                }
                int s = jwksStatus;
                send(exchange, s, "application/json", s == 200 ? jwksDocument() : "{\"error\":\"status " + s + "\"}");
            } else if (openIdConfiguration && path.equals(openIdConfigurationPath())
                    || authorizationServerMetadata && path.equals(authorizationServerMetadataPath())) {
                send(exchange, 200, "application/json", metadata());
            } else if (introspection) {
                introspect(exchange, form);
            } else if (path.equals(REVOCATION_PATH)) {
                revoke(exchange, form);
            } else {
                send(exchange, 404, "application/json", "{\"error\":\"not found\"}");
            }
        }
    }

    private synchronized String jwksDocument() {
        String override = jwksOverride;
        return override != null ? override : SigningKey.jwks(true, publishedKeys());
    }

    private String metadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("issuer", discoveredIssuer != null ? discoveredIssuer : issuerId);
        m.put("jwks_uri", discoveredJwksUri != null ? discoveredJwksUri : jwksUri().toString());
        m.put("introspection_endpoint", introspectionUri().toString());
        m.put("revocation_endpoint", revocationUri().toString());
        m.put("introspection_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        m.put("revocation_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        return Json.write(m);
    }

    private void introspect(HttpExchange exchange, Map<String, String> form) throws IOException {
        URI location = introspectionRedirect;
        if (location != null) {
            redirect(exchange, introspectionRedirectStatus, location);
            return;
        }
        String token = tokenOfAuthenticatedClient(exchange, form);
        if (token == null) {
            return;
        }
        Answer scripted = scriptedPerToken.get(token);
        if (scripted != null) {
            send(exchange, scripted);
            return;
        }
        Map<String, Object> claims = minted.get(token);
        if (claims != null) {
            send(exchange, 200, "application/json", Json.write(active(token, claims)
                    ? withActive(claims) : Map.of("active", false)));
            return;
        }
        Answer fallback = scriptedAnswer;
        if (fallback != null) {
            send(exchange, fallback);
        } else {
            send(exchange, 200, "application/json", "{\"active\":false}");
        }
    }

    private boolean active(String token, Map<String, Object> claims) {
        if (revoked.contains(token)) {
            return false;
        }
        long now = clock.instant().getEpochSecond();
        return !(claims.get("exp") instanceof Number exp && exp.longValue() <= now)
                && !(claims.get("nbf") instanceof Number nbf && nbf.longValue() > now);
    }

    private static Map<String, Object> withActive(Map<String, Object> claims) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("active", true);
        answer.putAll(claims);
        answer.put("token_type", "Bearer");
        return answer;
    }

    private void revoke(HttpExchange exchange, Map<String, String> form) throws IOException {
        String token = tokenOfAuthenticatedClient(exchange, form);
        if (token == null) {
            return;
        }
        revoked.add(token); // RFC 7009 §2.2: 200 for an unknown token too
        exchange.sendResponseHeaders(200, -1);
    }

    /**
     * The {@code token} parameter of an introspection or revocation request by the issuer's client, or {@code null}
     * once the request has been answered: 401 for another client, 400 without the parameter.
     */
    private String tokenOfAuthenticatedClient(HttpExchange exchange, Map<String, String> form) throws IOException {
        if (!authenticated(exchange, form)) {
            return null;
        }
        String token = form.get("token");
        if (token == null || token.isEmpty()) {
            send(exchange, 400, "application/json",
                    "{\"error\":\"invalid_request\",\"error_description\":\"the token parameter is missing\"}");
            return null;
        }
        return token;
    }

    /** RFC 6749 §2.3.1: client_secret_basic (form-urlencoded id and secret) or client_secret_post. */
    private boolean authenticated(HttpExchange exchange, Map<String, String> form) throws IOException {
        if (!clientAuthentication) {
            return true;
        }
        String id = form.get("client_id");
        String secret = form.get("client_secret");
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                        StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                if (colon >= 0) {
                    id = URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8);
                    secret = URLDecoder.decode(pair.substring(colon + 1), StandardCharsets.UTF_8);
                }
            } catch (IllegalArgumentException e) {
                id = null;
            }
        }
        if (clientId.equals(id) && clientSecret.equals(secret)) {
            return true;
        }
        exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"loopback-issuer\"");
        send(exchange, 401, "application/json", "{\"error\":\"invalid_client\",\"error_description\":"
                + "\"authenticate as the issuer's client (LoopbackIssuer.clientId() and clientSecret())\"}");
        return false;
    }

    private static Map<String, String> parseForm(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            String[] kv = pair.split("=", 2);
            try {
                form.putIfAbsent(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            } catch (IllegalArgumentException e) {
                form.putIfAbsent(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return form;
    }

    private static void redirect(HttpExchange exchange, int status, URI location) throws IOException {
        exchange.getResponseHeaders().set("Location", location.toString());
        exchange.sendResponseHeaders(status, -1);
    }

    private static void send(HttpExchange exchange, Answer answer) throws IOException {
        send(exchange, answer.status(), answer.contentType(), answer.body());
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /**
     * Configures an issuer before it starts. Every setting has a default; {@link #start()} starts the server.
     */
    public static final class Builder {

        private Clock clock = Clock.systemUTC();
        private String issuerPath = "";
        private String issuerId;
        private String audience = DEFAULT_AUDIENCE;
        private String clientId = DEFAULT_CLIENT_ID;
        private String clientSecret = DEFAULT_CLIENT_SECRET;
        private String algorithm = "RS256";
        private SigningKey signingKey;

        private Builder() {
        }

        /**
         * The clock of minted tokens' times and of introspection's expiry; default the system clock.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * A path for the issuer, e.g. {@code "/realms/shop"} for {@code http://127.0.0.1:port/realms/shop}:
         * discovery is then at {@code /realms/shop/.well-known/openid-configuration} and (RFC 8414 §3)
         * {@code /.well-known/oauth-authorization-server/realms/shop}.
         *
         * @param path empty, or starting and not ending with {@code /}
         * @return this builder
         * @throws IllegalArgumentException for another path
         */
        public Builder issuerPath(String path) {
            if (!path.isEmpty() && (!path.startsWith("/") || path.endsWith("/"))) {
                throw new IllegalArgumentException("issuerPath '" + path
                        + "' must be empty or start, and not end, with '/'");
            }
            this.issuerPath = path;
            return this;
        }

        /**
         * An issuer identifier other than the server's address, e.g. {@code https://issuer.example.com}: minted
         * tokens and discovery name it (a gate then needs the JWKS URI, which {@link LoopbackIssuer#settings()}
         * gives).
         *
         * @param issuer the identifier
         * @return this builder
         */
        public Builder issuer(String issuer) {
            this.issuerId = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /**
         * The audience of minted tokens and of {@link LoopbackIssuer#settings()}; default
         * {@value LoopbackIssuer#DEFAULT_AUDIENCE}.
         *
         * @param audience the audience
         * @return this builder
         */
        public Builder audience(String audience) {
            this.audience = Objects.requireNonNull(audience, "audience");
            return this;
        }

        /**
         * The client credentials introspection and revocation require; default
         * {@value LoopbackIssuer#DEFAULT_CLIENT_ID} and {@value LoopbackIssuer#DEFAULT_CLIENT_SECRET}.
         *
         * @param clientId     the client id
         * @param clientSecret the client secret
         * @return this builder
         */
        public Builder clientCredentials(String clientId, String clientSecret) {
            this.clientId = Objects.requireNonNull(clientId, "clientId");
            this.clientSecret = Objects.requireNonNull(clientSecret, "clientSecret");
            return this;
        }

        /**
         * The algorithm of the generated signing key, e.g. {@code ES256}; default {@code RS256}.
         *
         * @param algorithm an algorithm {@link SigningKey#generate} supports
         * @return this builder
         * @throws IllegalArgumentException for one it does not
         */
        public Builder algorithm(String algorithm) {
            if (!List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
                    .contains(algorithm)) {
                throw new IllegalArgumentException("cannot sign with '" + algorithm
                        + "': use RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384 or ES512");
            }
            this.algorithm = algorithm;
            return this;
        }

        /**
         * The signing key, instead of a generated one (to share one key across issuers and save its generation).
         *
         * @param key the key
         * @return this builder
         */
        public Builder signingKey(SigningKey key) {
            this.signingKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /**
         * Starts the issuer on {@code 127.0.0.1} and a free port.
         *
         * @return the running issuer
         * @throws UncheckedIOException when no server socket can be opened
         */
        public LoopbackIssuer start() {
            try {
                return new LoopbackIssuer(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open a server socket on loopback", e);
            }
        }
    }
}
