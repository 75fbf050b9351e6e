package dev.tokengate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.IssuerConfig;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.extract.BearerTokenExtractor;
import dev.tokengate.extract.Extraction;
import dev.tokengate.extract.TokenExtractor;
import dev.tokengate.log.CallEvent;
import dev.tokengate.log.CallLogSink;
import dev.tokengate.log.Fingerprints;
import dev.tokengate.log.Slf4jCallLogSink;
import dev.tokengate.store.TokenStore;
import dev.tokengate.validate.ValidatorStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * One protection pipeline: extract → validate → authorize → call log. Every adapter owns one instance, built
 * from a {@link TokenGateConfig}, and runs each request through a {@link Call}.
 *
 * <pre>{@code
 * TokenGate gate = TokenGate.create(config);
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
    private final TokenExtractor extractor;
    private final ValidatorStack stack;
    private final TokenValidator validator;
    private final CallLogSink sink;
    private final Clock clock;

    private TokenGate(Builder b) {
        this.config = b.config;
        this.clock = b.clock;
        this.extractor = b.extractor != null ? b.extractor : BearerTokenExtractor.create(config.allowFormBody(),
                config.allowQueryParameter(), config.tokenCookie(), config.tokenHeader());
        this.stack = ValidatorStack.create(config, clock);
        this.validator = b.validator != null ? b.validator : stack.tokens();
        this.sink = b.sink;
        warnAboutLooserSettings(config);
    }

    /** A pipeline with the validators the config describes and the default call log. */
    public static TokenGate create(TokenGateConfig config) {
        return builder(config).build();
    }

    /** A builder to replace parts of the pipeline (validator, call-log sink, clock). */
    public static Builder builder(TokenGateConfig config) {
        return new Builder(config);
    }

    public TokenGateConfig config() {
        return config;
    }

    /** Whether routes may require an API key: a token store is configured to look keys up in. */
    public boolean supportsApiKeys() {
        return stack.apiKeys().isPresent();
    }

    /** Releases what the pipeline holds: flushes and closes the token store, if there is one. */
    @Override
    public void close() {
        config.tokenStore().ifPresent(TokenStore::close);
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

    private static void warnAboutLooserSettings(TokenGateConfig config) {
        if (config.allowQueryParameter()) {
            LOG.warn("{}=true: tokens are accepted in the URL query, where proxies, servers and browsers log them "
                    + "(RFC 6750 §2.3 advises against it)", ConfigKeys.TOKEN_QUERY_PARAMETER);
        }
        for (IssuerConfig issuer : config.issuers()) {
            if (issuer.allowAnyAudience()) {
                LOG.warn("{}=true for issuer {}: tokens issued for any API of this issuer are accepted here",
                        ConfigKeys.JWT_ALLOW_ANY_AUDIENCE, issuer.issuer());
            }
            if (issuer.keysFrom() == IssuerConfig.KeysFrom.HMAC_SECRET_ENV) {
                LOG.warn("issuer {} uses a shared HMAC secret ({}): anyone holding the secret can mint tokens",
                        issuer.issuer(), issuer.algorithms());
            }
        }
    }

    /** Builds a {@link TokenGate} with parts replaced. */
    public static final class Builder {
        private final TokenGateConfig config;
        private TokenExtractor extractor;
        private TokenValidator validator;
        private CallLogSink sink = new Slf4jCallLogSink();
        private Clock clock = Clock.systemUTC();

        private Builder(TokenGateConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /**
         * Finds tokens with this instead of the RFC 6750 extractor the config describes (its
         * {@code tokengate.token.*} settings then do not apply).
         */
        public Builder extractor(TokenExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /** Validates tokens with this instead of the validators the config describes. */
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
            Extraction extraction = extractor.extract(request);
            if (extraction instanceof Extraction.Absent) {
                return new Outcome.Anonymous();
            }
            if (extraction instanceof Extraction.Malformed m) {
                reason = m.error().description();
                return new Outcome.Rejected(m.error());
            }
            String token = ((Extraction.Found) extraction).token();
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
