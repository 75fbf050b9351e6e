package dev.tokengate.introspection;

import dev.tokengate.InvalidTokenException;
import dev.tokengate.TokenValidator;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.VerifiedToken;
import dev.tokengate.health.HealthCheck;
import dev.tokengate.health.UpstreamHealth;
import dev.tokengate.internal.HttpFetcher;
import dev.tokengate.internal.Json;
import dev.tokengate.internal.LogSafe;
import dev.tokengate.log.Loggers;
import dev.tokengate.observe.GateObserver;
import dev.tokengate.observe.Observation;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * The HTTP leaf of the introspection stack: one RFC 7662 call per {@link #validate}, no cache.
 *
 * <p>An answer counts only if it is HTTP 200 with a JSON object whose {@code active} is a JSON boolean; anything
 * else (another status, a timeout, a refused connection, a body over the size cap, HTML, invalid JSON, a missing
 * {@code active}, {@code "active": "true"}, a malformed claim) is an {@link UpstreamUnavailableException} whose
 * message says what the endpoint answered. {@code active: false}, a refresh token, an {@code exp}, {@code nbf} or
 * {@code iat} outside the clock skew, or an {@code iss} / {@code aud} the answer carries and this API does not accept
 * is an {@link InvalidTokenException} with a fixed text (never a value from the answer). The token goes into the
 * request body only: never into a log line or a message. Immutable and thread-safe.
 */
final class IntrospectionClient implements TokenValidator, HealthCheck {

    private static final Logger LOG = Loggers.logger(IntrospectionValidator.class);

    private final URI uri;
    private final HttpFetcher fetcher;
    private final String clientId;
    private final String clientSecret;
    private final AuthMethod authMethod;
    private final String tokenTypeHint;
    private final Set<String> issuers;
    private final Set<String> audiences;
    private final Duration leeway;
    private final Clock clock;
    private final GateObserver observer;
    private final AtomicBoolean failing = new AtomicBoolean();
    /** The last call's failure (null after a success) and whether it was our credentials; when one last succeeded. */
    private volatile UpstreamHealth.Problem lastProblem;
    private volatile Instant lastSuccess;
    private volatile boolean called;

    IntrospectionClient(URI uri, HttpFetcher fetcher, String clientId, String clientSecret, AuthMethod authMethod,
            String tokenTypeHint, Set<String> issuers, Set<String> audiences, Duration leeway, Clock clock) {
        this(uri, fetcher, clientId, clientSecret, authMethod, tokenTypeHint, issuers, audiences, leeway, clock,
                GateObserver.none());
    }

    IntrospectionClient(URI uri, HttpFetcher fetcher, String clientId, String clientSecret, AuthMethod authMethod,
            String tokenTypeHint, Set<String> issuers, Set<String> audiences, Duration leeway, Clock clock,
            GateObserver observer) {
        this.uri = uri;
        this.fetcher = fetcher;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.authMethod = authMethod;
        this.tokenTypeHint = tokenTypeHint;
        this.issuers = Set.copyOf(issuers);
        this.audiences = Set.copyOf(audiences);
        this.leeway = leeway;
        this.clock = clock;
        this.observer = observer;
    }

    @Override
    public VerifiedToken validate(String token) {
        Objects.requireNonNull(token, "token");
        Map<String, Object> response;
        Observation observation = observer.calling(GateObserver.Upstream.INTROSPECTION, uri.toString());
        try {
            response = answered(token);
            observation.end(Observation.Result.OK);
        } catch (UpstreamUnavailableException e) {
            observation.end(Observation.Result.ERROR);
            if (failing.compareAndSet(false, true)) {
                LOG.warn("Token introspection failing, answering 503: {}", e.getMessage());
            } else {
                LOG.debug("Token introspection failed again: {}", e.getMessage());
            }
            throw e;
        }
        if (failing.compareAndSet(true, false)) {
            LOG.info("Token introspection endpoint {} is answering again", uri);
        }
        try {
            return check(response);
        } catch (InvalidTokenException e) {
            LOG.debug("Rejected a token by introspection at {}: {}", uri, e.getMessage());
            throw e;
        }
    }

    /** The endpoint's answer about the token, noting how the call went for {@link #health()}. */
    private Map<String, Object> answered(String token) {
        called = true;
        try {
            Map<String, Object> response = answer(post(token));
            lastProblem = null;
            lastSuccess = clock.instant();
            return response;
        } catch (UpstreamUnavailableException e) {
            lastProblem = e.getMessage().contains(CREDENTIALS_REFUSED) ? UpstreamHealth.Problem.configuration(e.getMessage())
                    : UpstreamHealth.Problem.outage(e.getMessage());
            throw e;
        }
    }

    /**
     * From the last call: {@code up} when it was answered, {@code down} when it failed (a configuration error when
     * the endpoint refused this API's credentials), {@code unknown} before the first. Makes no call.
     */
    @Override
    public UpstreamHealth health() {
        Instant succeeded = lastSuccess;
        Optional<Duration> since = succeeded == null ? Optional.empty()
                : Optional.of(Duration.between(succeeded, clock.instant()));
        UpstreamHealth.Problem problem = lastProblem;
        if (!called) {
            return new UpstreamHealth("introspection", uri.toString(), UpstreamHealth.Status.UNKNOWN,
                    Optional.of(UpstreamHealth.Problem.outage("not called yet")), since,
                    "the endpoint is asked about the first opaque token");
        }
        if (problem != null) {
            return new UpstreamHealth("introspection", uri.toString(), UpstreamHealth.Status.DOWN, Optional.of(problem),
                    since, "opaque tokens cannot be checked (answered 503) until the endpoint answers");
        }
        return new UpstreamHealth("introspection", uri.toString(), UpstreamHealth.Status.UP, Optional.empty(), since,
                "the last call was answered");
    }

    /**
     * Asks the endpoint about a made-up token, which it must answer (normally {@code "active": false}): proves it is
     * reachable and accepts this API's credentials, within the timeout. Then answers {@link #health()}.
     */
    @Override
    public UpstreamHealth probe() {
        byte[] random = new byte[18];
        new java.security.SecureRandom().nextBytes(random);
        try {
            answered("tokengate-probe-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random));
        } catch (UpstreamUnavailableException e) {
            LOG.debug("Introspection probe failed: {}", e.getMessage());
        }
        return health();
    }

    private static final String CREDENTIALS_REFUSED = "the endpoint refused this API's client credentials";

    /** POSTs the token to the endpoint. */
    private HttpFetcher.Response post(String token) {
        StringBuilder form = new StringBuilder("token=").append(encode(token));
        if (tokenTypeHint != null) {
            form.append("&token_type_hint=").append(encode(tokenTypeHint));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (authMethod == AuthMethod.CLIENT_SECRET_BASIC) {
            String credentials = encode(clientId) + ":" + encode(clientSecret);
            headers.put("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        } else {
            form.append("&client_id=").append(encode(clientId)).append("&client_secret=").append(encode(clientSecret));
        }
        try {
            return fetcher.postForm(uri, headers, form.toString());
        } catch (HttpFetcher.FetchException e) {
            throw unavailable(e.getMessage(), e);
        }
    }

    /**
     * The endpoint's answer as a JSON object with a boolean {@code active}, or an {@link UpstreamUnavailableException}
     * saying what it answered instead. Package-private for the fuzz test, which feeds it hostile answers.
     */
    Map<String, Object> answer(HttpFetcher.Response answer) {
        if (answer.status() != 200) {
            String hint = answer.status() == 401 || answer.status() == 403
                    ? " (" + CREDENTIALS_REFUSED + ": check client-id, client-secret and auth-method)"
                    : HttpFetcher.redirectHint(answer.status());
            throw unavailable("POST " + uri + " answered HTTP " + answer.status() + hint, null);
        }
        String contentType = answer.headers().firstValue("Content-Type").orElse("none");
        if (!Json.isUtf8(answer.body())) {
            throw unavailable("POST " + uri + " answered HTTP 200 with a body that is not JSON: it is not UTF-8 "
                    + "(Content-Type " + LogSafe.escape(contentType) + ")", null);
        }
        if (Json.isBlank(answer.body())) {
            throw unavailable("POST " + uri + " answered HTTP 200 with an empty body", null);
        }
        Object value;
        try {
            value = Json.UPSTREAM.read(answer.body());
        } catch (Json.ParseException e) {
            throw unavailable("POST " + uri + " answered HTTP 200 with a body that is not JSON (Content-Type "
                    + LogSafe.escape(contentType) + ")", null);
        }
        if (!(value instanceof Map)) {
            throw unavailable("POST " + uri + " answered HTTP 200 with JSON that is not an object (Content-Type "
                    + LogSafe.escape(contentType) + ")", null);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) value;
        Object active = body.get("active");
        if (active == null) {
            throw unavailable("POST " + uri + " answered without the required boolean 'active'", null);
        }
        if (!(active instanceof Boolean)) {
            throw unavailable("POST " + uri + " answered 'active' as a JSON " + Json.kind(active) + ", not a boolean",
                    null);
        }
        return body;
    }

    /** Decides an answer that {@link #answer} accepted. Package-private for the fuzz test. */
    VerifiedToken check(Map<String, Object> body) {
        if (!Boolean.TRUE.equals(body.get("active"))) {
            throw new InvalidTokenException("The token is not active", "active");
        }
        if (isRefreshToken(body)) {
            throw new InvalidTokenException("The token is a refresh token, not an access token; send an access token",
                    "token_type");
        }
        Optional<Instant> expiresAt = numericDate(body, "exp");
        Optional<Instant> notBefore = numericDate(body, "nbf");
        Optional<Instant> issuedAt = numericDate(body, "iat");
        Instant now = clock.instant();
        if (expiresAt.isPresent() && !now.isBefore(expiresAt.get().plus(leeway))) {
            throw new InvalidTokenException("The token expired at " + expiresAt.get(), "exp");
        }
        if (notBefore.isPresent() && now.plus(leeway).isBefore(notBefore.get())) {
            throw new InvalidTokenException("The token is not valid before " + notBefore.get(), "nbf");
        }
        if (issuedAt.isPresent() && now.plus(leeway).isBefore(issuedAt.get())) {
            throw new InvalidTokenException("The token was issued in the future, at " + issuedAt.get(), "iat");
        }
        // RFC 7662 §2.2: iss and aud are optional; each is checked when the answer carries it and this API names some.
        Optional<String> tokenIssuer = string(body, "iss");
        if (tokenIssuer.isPresent() && !issuers.isEmpty() && !issuers.contains(tokenIssuer.get())) {
            throw new InvalidTokenException("The token's issuer is not accepted by this API", "iss");
        }
        List<String> tokenAudiences = strings(body, "aud");
        if (!tokenAudiences.isEmpty() && !audiences.isEmpty() && tokenAudiences.stream().noneMatch(audiences::contains)) {
            throw new InvalidTokenException("The token's audience is not accepted by this API", "aud");
        }
        // An empty name names nobody: it never becomes a principal.
        Optional<String> subject = named(body, "sub").or(() -> named(body, "username"));
        Optional<String> client = named(body, "client_id");
        if (subject.isEmpty() && client.isEmpty()) {
            throw new InvalidTokenException(
                    "The token names neither a subject (sub, username) nor a client (client_id)", "sub");
        }
        return VerifiedToken.builder(VerifiedToken.Kind.INTROSPECTED)
                .subject(subject.orElse(null))
                .clientId(client.orElse(null))
                .issuer(tokenIssuer.orElse(null))
                .audiences(tokenAudiences)
                .scopes(scopes(body))
                .issuedAt(issuedAt.orElse(null))
                .expiresAt(expiresAt.orElse(null))
                .tokenId(string(body, "jti").orElse(null))
                .claims(body)
                .build();
    }

    /**
     * Whether the answer describes a refresh token, which is never an access token: {@code token_type}
     * {@code refresh_token}, or Keycloak's {@code typ} {@code Refresh} (and {@code Offline}, its offline refresh
     * token), in any case.
     */
    private static boolean isRefreshToken(Map<String, Object> body) {
        if (body.get("token_type") instanceof String tokenType && tokenType.equalsIgnoreCase("refresh_token")) {
            return true;
        }
        return body.get("typ") instanceof String typ
                && (typ.equalsIgnoreCase("Refresh") || typ.equalsIgnoreCase("Offline"));
    }

    private UpstreamUnavailableException unavailable(String what, Throwable cause) {
        return new UpstreamUnavailableException("Token introspection unavailable: " + what, uri, cause);
    }

    private UpstreamUnavailableException malformed(String claim, String expected) {
        return unavailable("POST " + uri + " answered a malformed '" + claim + "' (expected " + expected + ")", null);
    }

    private Optional<Instant> numericDate(Map<String, Object> body, String claim) {
        Object value = body.get(claim);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Number) || (value instanceof Double d && !Double.isFinite(d))) {
            throw malformed(claim, "a NumericDate"); // 1E805 reads as an infinite double, which has no decimal value
        }
        BigDecimal seconds = value instanceof Long l ? BigDecimal.valueOf(l)
                : value instanceof BigInteger b ? new BigDecimal(b)
                : BigDecimal.valueOf(((Number) value).doubleValue());
        try {
            long whole = seconds.longValueExact();
            return Optional.of(Instant.ofEpochSecond(whole));
        } catch (ArithmeticException notWhole) {
            return fractional(seconds, claim);
        } catch (DateTimeException e) {
            throw malformed(claim, "a NumericDate");
        }
    }

    private Optional<Instant> fractional(BigDecimal seconds, String claim) {
        try {
            long whole = seconds.setScale(0, RoundingMode.FLOOR).longValueExact();
            long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
            return Optional.of(Instant.ofEpochSecond(whole, nanos));
        } catch (ArithmeticException | DateTimeException e) {
            throw malformed(claim, "a NumericDate");
        }
    }

    private Optional<String> string(Map<String, Object> body, String claim) {
        Object value = body.get(claim);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String s)) {
            throw malformed(claim, "a string");
        }
        return Optional.of(s);
    }

    /** A string member that is not empty. */
    private Optional<String> named(Map<String, Object> body, String claim) {
        return string(body, claim).filter(s -> !s.isEmpty());
    }

    /** A string or an array of strings, as {@code aud} may be. */
    private List<String> strings(Map<String, Object> body, String claim) {
        Object value = body.get(claim);
        if (value == null) {
            return List.of();
        }
        if (value instanceof String s) {
            return List.of(s);
        }
        if (!(value instanceof List<?> items)) {
            throw malformed(claim, "a string or an array of strings");
        }
        List<String> out = new ArrayList<>(items.size());
        for (Object item : items) {
            if (!(item instanceof String s)) {
                throw malformed(claim, "a string or an array of strings");
            }
            out.add(s);
        }
        return out;
    }

    /** RFC 7662 §2.2: a space-separated string; an array of strings is accepted too. */
    private Set<String> scopes(Map<String, Object> body) {
        if (body.get("scope") instanceof String value) {
            Set<String> scopes = new LinkedHashSet<>();
            for (String s : value.split(" ")) {
                if (!s.isEmpty()) {
                    scopes.add(s);
                }
            }
            return scopes;
        }
        return new LinkedHashSet<>(strings(body, "scope"));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "IntrospectionClient[" + uri + ", clientId=" + clientId + ", authMethod=" + authMethod
                + (issuers.isEmpty() ? "" : ", issuers=" + issuers)
                + (audiences.isEmpty() ? "" : ", audiences=" + audiences) + "]";
    }
}
