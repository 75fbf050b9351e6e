package dev.tokengate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.extract.BearerTokenExtractor;
import dev.tokengate.introspection.IntrospectionValidator;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.log.CallEvent;
import dev.tokengate.log.CallLogSink;
import dev.tokengate.log.Fingerprints;
import dev.tokengate.log.Slf4jCallLogSink;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.TokenStore;
import dev.tokengate.validate.ValidatorStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * One protection pipeline: extract → validate → authorize → call log. Every adapter owns one instance, built
 * from {@code tokengate.*} keys ({@link #create(ConfigSource)}) or in code ({@link #builder()}), and runs each
 * request through a {@link Call}. The gate builds the validators it is given as builders or keys, and
 * {@link #close()} releases them.
 *
 * <pre>{@code
 * TokenGate gate = TokenGate.create(ConfigSource.of(initParams));
 * TokenGate.Call call = gate.begin(requestView);
 * int status = 200;
 * try {
 *     Outcome outcome = call.authorize(Requirement.allOf("read"));
 *     if (outcome instanceof Outcome.Rejected r) {
 *         ErrorResponse response = call.errorResponse(r.error());
 *         status = response.status();
 *         write(response);
 *     } else {
 *         status = proceed();
 *     }
 * } finally {
 *     call.finish(status);
 * }
 * }</pre>
 *
 * <p>Thread-safe; a {@link Call} belongs to one request thread.
 */
public final class TokenGate implements AutoCloseable {

    /** MDC key of the request id, set from {@link #begin} to {@link Call#finish}. */
    public static final String MDC_REQUEST_ID = "tokengate.request_id";
    /** MDC key of the authenticated subject (or client id). */
    public static final String MDC_SUBJECT = "tokengate.subject";
    /** MDC key of the authenticated client id. */
    public static final String MDC_CLIENT_ID = "tokengate.client_id";
    /**
     * The request attribute (or JAX-RS property) under which an adapter leaves the request's {@link Call}, so that a
     * second adapter in the same application (JAX-RS behind the servlet filter) joins it instead of validating and
     * logging the request again.
     */
    public static final String CALL_ATTRIBUTE = "dev.tokengate.TokenGate.Call";

    private static final Logger LOG = LoggerFactory.getLogger(TokenGate.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:\\-]{1,64}");

    private final TokenGateConfig config;
    private final BearerTokenExtractor extractor;
    private final ValidatorStack stack;
    private final TokenValidator validator;
    private final CallLogSink sink;
    private final Clock clock;
    private final List<AutoCloseable> resources;

    private TokenGate(Builder b) {
        this.config = b.config;
        this.clock = b.clock;
        this.extractor = BearerTokenExtractor.create(config.allowFormBody(), config.allowQueryParameter(),
                config.tokenCookie(), config.tokenHeader());
        Validators.Built built = b.validators.build(clock, b.validator != null);
        this.stack = built.stack();
        this.resources = built.resources();
        this.validator = b.validator != null ? b.validator : stack.tokens();
        this.sink = b.sink;
        warnAboutLooserSettings(config, built.issuers());
    }

    /**
     * The pipeline the {@code tokengate.*} keys of {@code source} describe, with the default call log: what an
     * adapter configured by init-params, properties and environment builds.
     *
     * @throws ConfigurationException naming the key (and the layer it came from) of an unknown key, a malformed
     *                                value or a refused combination
     */
    public static TokenGate create(ConfigSource source) {
        return builder().config(source).build();
    }

    /**
     * A builder with nothing configured: give it a way to check tokens (an {@link Builder#issuer issuer},
     * {@link Builder#introspection introspection}, a {@link Builder#tokenStore token store}, a custom
     * {@link Builder#validator validator}, or {@link Builder#config keys} that describe them).
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The request-facing settings: realm, where tokens may be sent, trusted proxies, API-key header. */
    public TokenGateConfig config() {
        return config;
    }

    /** Whether routes may require an API key: a token store is configured to look keys up in. */
    public boolean supportsApiKeys() {
        return stack.apiKeys().isPresent();
    }

    /**
     * Releases what the pipeline holds: what the gate built (the token store read from keys, with its flush
     * thread, and any validator or key source that holds resources) and the token store it was given.
     */
    @Override
    public void close() {
        Validators.close(resources);
    }

    /** Starts one request: assigns its id (from a sane {@code X-Request-Id}, else a new one) and starts the clock. */
    public Call begin(RequestView request) {
        return new Call(request);
    }

    private String newRequestId(RequestView request) {
        for (String v : request.headers("X-Request-Id")) {
            if (REQUEST_ID.matcher(v).matches()) {
                return v;
            }
        }
        // A correlation id, not a secret: ThreadLocalRandom, because SecureRandom's default (NativePRNG) serialises
        // every request of the JVM on one lock and reads /dev/urandom, which showed in the end-to-end benchmark.
        byte[] b = new byte[9];
        ThreadLocalRandom.current().nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static void warnAboutLooserSettings(TokenGateConfig config, List<JwtValidator> issuers) {
        if (config.allowQueryParameter()) {
            LOG.warn("{}=true: tokens are accepted in the URL query, where proxies, servers and browsers log them "
                    + "(RFC 6750 §2.3 advises against it)", ConfigKeys.TOKEN_QUERY_PARAMETER);
        }
        for (JwtValidator issuer : issuers) {
            if (issuer.acceptsAnyAudience()) {
                LOG.warn("{}=true for issuer {}: tokens issued for any API of this issuer are accepted here",
                        ConfigKeys.JWT_ALLOW_ANY_AUDIENCE, issuer.issuer());
            }
            if (issuer.algorithms().stream().anyMatch(a -> a.startsWith("HS"))) {
                LOG.warn("issuer {} uses a shared HMAC secret ({}): anyone holding the secret can mint tokens",
                        issuer.issuer(), new TreeSet<>(issuer.algorithms()));
            }
        }
    }

    /**
     * Builds a {@link TokenGate}: its request-facing settings, the validators it builds (and closes), or a
     * validator of your own, the call-log sink and the clock. Every part can be given in code or read from
     * {@code tokengate.*} keys by {@link #config(ConfigSource)}; a later call replaces what an earlier one set.
     */
    public static final class Builder {
        private TokenGateConfig config = TokenGateConfig.defaults();
        private final Validators validators = new Validators();
        private TokenValidator validator;
        private CallLogSink sink = new Slf4jCallLogSink();
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * Reads every core {@code tokengate.*} key of the source: the request-facing settings
         * ({@link TokenGateConfig#from}) and the validators, each by its own builder's {@code config} method
         * ({@link JwtValidator.Builder#config}, the key sources', {@link IntrospectionValidator.Builder#config},
         * {@link JdbcTokenStore.Builder#config}). Nothing is built or started until {@link #build()}.
         *
         * @throws ConfigurationException for an unknown {@code tokengate.*} key (with a "did you mean" for a near
         *                                miss), a malformed value or a refused combination, naming the key and
         *                                the layer its value came from
         */
        public Builder config(ConfigSource source) {
            source.checkKeys();
            this.config = TokenGateConfig.from(source);
            validators.config(source);
            return this;
        }

        /** The request-facing settings (realm, error URI, where tokens may be sent, trusted proxies, API-key header). */
        public Builder settings(TokenGateConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Adds a trusted JWT issuer: a validator builder with its issuer, audiences and key source (or HMAC
         * secret). The gate sets its clock and builds it; issuers must be distinct.
         */
        public Builder issuer(JwtValidator.Builder issuer) {
            validators.issuer(issuer);
            return this;
        }

        /**
         * The verified-token cache in front of JWT validation, as a Caffeine spec of its size, e.g.
         * {@code maximumSize=50000}; {@code maximumSize=0} turns it off. Default {@code maximumSize=10000}.
         */
        public Builder cacheSpec(String spec) {
            validators.cacheSpec(Objects.requireNonNull(spec, "cacheSpec"));
            return this;
        }

        /** The longest life of a cached verified token, never beyond its {@code exp}; default 5 minutes. */
        public Builder cacheMaxTtl(Duration maxTtl) {
            validators.cacheMaxTtl(maxTtl);
            return this;
        }

        /**
         * Checks opaque tokens (and JWTs of {@link #introspectJwtsFrom listed issuers}) by RFC 7662 introspection.
         * The gate builds the validator and closes it.
         */
        public Builder introspection(IntrospectionValidator.Builder introspection) {
            validators.introspection(introspection);
            return this;
        }

        /** JWTs from these issuers are introspected instead of checked locally (needs {@link #introspection}). */
        public Builder introspectJwtsFrom(Collection<String> issuers) {
            validators.introspectJwtsFrom(issuers);
            return this;
        }

        /**
         * Accepts the access tokens ({@code tgat_…}) and API keys ({@code tgak_…}) this API issued itself, looked
         * up by hash in this store. Closing the {@link TokenGate} closes the store.
         */
        public Builder tokenStore(TokenStore store) {
            validators.tokenStore(store);
            return this;
        }

        /** Longest time a stored token is cached (the bound on how long a revoked token keeps working); default 30 s. */
        public Builder storeCacheTtl(Duration ttl) {
            validators.storeCacheTtl(ttl);
            return this;
        }

        /**
         * Validates bearer tokens with this instead of the validators described; those are still built (a token
         * store still checks API keys), and none is then required.
         */
        public Builder validator(TokenValidator validator) {
            this.validator = Objects.requireNonNull(validator, "validator");
            return this;
        }

        /** Sends call-log events here instead of the {@code tokengate.calls} logger. */
        public Builder callLogSink(CallLogSink sink) {
            this.sink = Objects.requireNonNull(sink, "callLogSink");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public TokenGate build() {
            return new TokenGate(this);
        }
    }

    /**
     * One request going through the pipeline. Call {@link #authenticate()} and/or {@link #authorize}, then
     * {@link #finish(int)} exactly once with the status sent, which emits the call-log event.
     */
    public final class Call {
        private final RequestView request;
        private final Instant time;
        private final long startNanos;
        private final String requestId;
        private final String clientAddress;
        private Outcome authentication;
        private Outcome outcome;
        private String fingerprint;
        private VerifiedToken apiKey;
        private String reason;
        private boolean permitted;
        private boolean finished;

        private Call(RequestView request) {
            this.request = Objects.requireNonNull(request, "request");
            this.time = clock.instant();
            this.startNanos = System.nanoTime();
            this.requestId = newRequestId(request);
            this.clientAddress = ClientAddress.resolve(request, config.trustedProxies());
            detach(); // a call on this thread that never finished must not lend its identity to this one
            MDC.put(MDC_REQUEST_ID, requestId);
        }

        public String requestId() {
            return requestId;
        }

        /** The client's address: the socket's peer, or what a trusted proxy forwarded. */
        public String clientAddress() {
            return clientAddress;
        }

        /**
         * Extracts and validates the request's token, once: authenticated, anonymous (no token) or rejected
         * ({@code invalid_request}, {@code invalid_token}, or 503 when validity cannot be decided).
         */
        public Outcome authenticate() {
            if (authentication == null) {
                authentication = doAuthenticate();
                outcome = authentication;
            }
            return authentication;
        }

        private Outcome doAuthenticate() {
            BearerTokenExtractor.Extraction extraction = extractor.extract(request);
            if (extraction instanceof BearerTokenExtractor.Extraction.Absent) {
                return new Outcome.Anonymous();
            }
            if (extraction instanceof BearerTokenExtractor.Extraction.Malformed m) {
                reason = m.error().description();
                return new Outcome.Rejected(m.error());
            }
            String token = ((BearerTokenExtractor.Extraction.Found) extraction).token();
            fingerprint = Fingerprints.fingerprint(token);
            try {
                VerifiedToken verified = validator.validate(token);
                if (!isAllowedFrom(verified, clientAddress)) {
                    reason = "the token is restricted to " + verified.allowedAddresses() + "; the client is " + clientAddress;
                    return new Outcome.Rejected(BearerError.invalidToken("This token may not be used from this address."));
                }
                stack.recordUse(verified, clientAddress);
                MDC.put(MDC_SUBJECT, verified.getName());
                verified.clientId().ifPresent(c -> MDC.put(MDC_CLIENT_ID, c));
                return new Outcome.Authenticated(verified);
            } catch (InvalidTokenException e) {
                reason = e.getMessage();
                return new Outcome.Rejected(BearerError.invalidToken(e.getMessage()));
            } catch (UpstreamUnavailableException e) {
                reason = e.getMessage();
                LOG.warn("token {} could not be checked: {}", fingerprint, e.getMessage());
                return new Outcome.Rejected(BearerError.unavailable("The server cannot check tokens right now "
                        + "(a service it depends on is unreachable); try again shortly."));
            } catch (RuntimeException e) {
                reason = "internal error: " + e.getClass().getName();
                LOG.error("token {} could not be checked: the validator failed unexpectedly", fingerprint, e);
                return new Outcome.Rejected(BearerError.unavailable("The server could not check the token; try again shortly."));
            }
        }

        private static boolean isAllowedFrom(VerifiedToken token, String address) {
            if (token.allowedAddresses().isEmpty()) {
                return true;
            }
            for (IpRange range : token.allowedAddresses()) {
                if (range.contains(address)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Decides the request against a route's requirement: {@code permit} skips every check; otherwise the
         * token is authenticated and its scopes compared. A missing token is 401 with a bare challenge, a
         * missing scope 403 {@code insufficient_scope}. A later call (a second adapter's stricter rule) decides
         * again; the call log records the last decision.
         */
        public Outcome authorize(Requirement requirement) {
            Objects.requireNonNull(requirement, "requirement");
            permitted = false;
            switch (requirement.mode()) {
                case PERMIT -> {
                    permitted = true;
                    outcome = authentication instanceof Outcome.Authenticated a ? a : new Outcome.Anonymous();
                    return outcome;
                }
                case DENY -> {
                    reason = "the route is closed to every caller (deny rule)";
                    outcome = new Outcome.Rejected(BearerError.accessDenied("This resource is not available to any client."));
                    return outcome;
                }
                default -> {
                }
            }
            Outcome authn = authenticate();
            if (authn instanceof Outcome.Authenticated && requirement.requiresApiKey()) {
                Optional<BearerError> keyError = checkApiKey();
                if (keyError.isPresent()) {
                    outcome = new Outcome.Rejected(keyError.get());
                    return outcome;
                }
            }
            if (authn instanceof Outcome.Rejected) {
                outcome = authn;
            } else if (authn instanceof Outcome.Anonymous) {
                reason = "no bearer token";
                outcome = new Outcome.Rejected(BearerError.missingToken());
            } else {
                VerifiedToken token = ((Outcome.Authenticated) authn).token();
                if (requirement.isSatisfiedBy(token.scopes())) {
                    outcome = authn;
                } else {
                    String needed = requirement.mode() == Requirement.Mode.ANY_OF
                            ? "one of the scopes " + String.join(", ", requirement.scopes())
                            : "the scope(s) " + String.join(", ", requirement.scopes());
                    reason = "token scopes " + token.scopes() + " do not meet '" + requirement + "'";
                    outcome = new Outcome.Rejected(BearerError.insufficientScope(
                            "This resource requires " + needed + "; ask for a token that has them.", requirement.scopes()));
                }
            }
            return outcome;
        }

        /**
         * The hybrid's second credential: the calling application's API key, from its header, looked up in the
         * token store. Empty when it is valid.
         */
        private Optional<BearerError> checkApiKey() {
            if (apiKey != null) {
                return Optional.empty();
            }
            String header = config.apiKeyHeader();
            List<String> values = request.headers(header);
            if (stack.apiKeys().isEmpty()) {
                reason = "the route requires an API key but no token store is configured";
                LOG.error("a route requires an API key, but no token store ({}) is configured to look keys up in",
                        ConfigKeys.STORE_JDBC_URL);
                return Optional.of(BearerError.unavailable("The server cannot check API keys right now."));
            }
            if (values.isEmpty()) {
                reason = "no API key";
                return Optional.of(BearerError.invalidRequest("This resource also requires the calling application's "
                        + "API key in the " + header + " header."));
            }
            if (values.size() > 1) {
                reason = "more than one API key";
                return Optional.of(BearerError.invalidRequest("The request has more than one " + header
                        + " header; send exactly one API key."));
            }
            try {
                apiKey = stack.apiKeys().get().validate(values.get(0).strip());
            } catch (InvalidTokenException e) {
                reason = "API key: " + e.getMessage();
                return Optional.of(BearerError.invalidToken("The API key in the " + header + " header is not valid: "
                        + e.getMessage()));
            } catch (UpstreamUnavailableException e) {
                reason = "API key: " + e.getMessage();
                return Optional.of(BearerError.unavailable("The server cannot check API keys right now; try again shortly."));
            }
            if (!isAllowedFrom(apiKey, clientAddress)) {
                reason = "the API key is restricted to " + apiKey.allowedAddresses() + "; the client is " + clientAddress;
                apiKey = null;
                return Optional.of(BearerError.invalidToken("This API key may not be used from this address."));
            }
            stack.recordUse(apiKey, clientAddress);
            return Optional.empty();
        }

        /** The calling application's API key, once a route required and accepted it. */
        public Optional<VerifiedToken> apiKey() {
            return Optional.ofNullable(apiKey);
        }

        /** The verified token, once authenticated. */
        public Optional<VerifiedToken> token() {
            return authentication instanceof Outcome.Authenticated a ? Optional.of(a.token()) : Optional.empty();
        }

        /** The response for an error: status, {@code WWW-Authenticate} (when it is a challenge) and a problem body. */
        public ErrorResponse errorResponse(BearerError error) {
            Map<String, String> headers = new LinkedHashMap<>();
            WwwAuthenticate.format(config.realm(), error, config.errorUri(), config.includeScopeInChallenge())
                    .ifPresent(v -> headers.put("WWW-Authenticate", v));
            headers.put("Cache-Control", "no-store");
            if (error.status() == 503) {
                headers.put("Retry-After", "5");
            }
            return new ErrorResponse(error.status(), headers, "application/problem+json", problem(error));
        }

        private String problem(BearerError error) {
            ObjectNode n = JSON.createObjectNode();
            n.put("type", "about:blank");
            n.put("title", title(error.status()));
            n.put("status", error.status());
            n.put("detail", error.description());
            n.put("error", error.code().map(BearerError.Code::value).orElse("missing_token"));
            if (!error.requiredScopes().isEmpty()) {
                n.put("required_scope", String.join(" ", error.requiredScopes()));
            }
            n.put("request_id", requestId);
            try {
                return JSON.writeValueAsString(n);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a tree of strings and numbers always serialises", e);
            }
        }

        /**
         * Ends the request: emits its call-log event with the status sent and clears the MDC. Later calls do
         * nothing.
         */
        public void finish(int status) {
            if (finished) {
                return;
            }
            finished = true;
            try {
                Optional<VerifiedToken> token = token();
                String decision;
                Optional<String> errorCode = Optional.empty();
                if (outcome instanceof Outcome.Rejected r) {
                    decision = "deny";
                    errorCode = Optional.of(r.error().code().map(BearerError.Code::value).orElse("missing_token"));
                } else if (permitted) {
                    decision = "permit";
                } else {
                    decision = "allow";
                }
                CallEvent event = new CallEvent(time, requestId, request.method(), request.path(), status,
                        Duration.ofNanos(System.nanoTime() - startNanos), clientAddress,
                        token.flatMap(VerifiedToken::subject), token.flatMap(VerifiedToken::clientId),
                        Optional.ofNullable(fingerprint), token.map(t -> List.copyOf(t.scopes())).orElse(List.of()),
                        apiKey().flatMap(VerifiedToken::subject), apiKey().flatMap(VerifiedToken::tokenId),
                        decision, errorCode, Optional.ofNullable(reason));
                try {
                    sink.accept(event);
                } catch (RuntimeException e) {
                    LOG.error("call-log sink {} failed; event for request {} lost", sink.getClass().getName(), requestId, e);
                }
            } finally {
                detach();
            }
        }

        /**
         * Clears this call's MDC entries from the current thread without finishing it: for async requests, whose
         * {@link #finish} runs on another thread while this one goes back to its pool.
         */
        public void detach() {
            MDC.remove(MDC_REQUEST_ID);
            MDC.remove(MDC_SUBJECT);
            MDC.remove(MDC_CLIENT_ID);
        }
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }
}
