package dev.tokengate;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Why a request was refused, as a value: the HTTP status, the error code (none for a request that carried no
 * token), a description for the client, whether the answer is a {@code WWW-Authenticate: Bearer} challenge and
 * with which extra parameters (the scopes required, …), and the extra response headers ({@code Retry-After},
 * {@code RateLimit}, …).
 *
 * <p>One factory per case the pipeline answers itself ({@link #missingToken()}, {@link #invalidToken},
 * {@link #insufficientScope}, …); a {@link dev.tokengate.policy.TokenPolicy policy} builds its own answer with
 * {@link #builder}, e.g. a 429:
 * <pre>{@code
 * BearerError.builder(429, BearerError.Code.RATE_LIMITED, "Too many requests for this token; slow down.")
 *         .retryAfter(Duration.ofSeconds(30))
 *         .header("RateLimit-Policy", "\"per-token\";q=100;w=60")
 *         .header("RateLimit", "\"per-token\";r=0;t=30")
 *         .build();
 * }</pre>
 * {@link WwwAuthenticate} renders the challenge for every adapter; {@code TokenGate.Call#errorResponse} adds
 * {@code Cache-Control: no-store}, the extra headers and the problem body.
 */
public final class BearerError {

    /**
     * An error code as it appears on the wire ({@code invalid_token}): an open value, so that a policy can answer
     * with a code of its own ({@code new Code("rate_limited")}). Printable ASCII without space, quote or
     * backslash (RFC 6749 §A.7 without the space).
     *
     * @param value the code
     */
    public record Code(String value) {
        private static final Pattern SYNTAX = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");

        /** Malformed request: bad header, more than one token, token outside b64token syntax (RFC 6750, 400). */
        public static final Code INVALID_REQUEST = new Code("invalid_request");
        /** Expired, revoked, malformed or otherwise invalid token (RFC 6750, 401). */
        public static final Code INVALID_TOKEN = new Code("invalid_token");
        /** The token is valid but lacks a required scope (RFC 6750, 403). */
        public static final Code INSUFFICIENT_SCOPE = new Code("insufficient_scope");
        /** Validity could not be decided: an upstream (JWKS, introspection, database) failed (503; RFC 6749's code). */
        public static final Code TEMPORARILY_UNAVAILABLE = new Code("temporarily_unavailable");
        /** The route is closed to every caller (403; RFC 6749's code). */
        public static final Code ACCESS_DENIED = new Code("access_denied");
        /** The DPoP proof is missing, malformed or does not match the request or the token (RFC 9449 §7.1, 401). */
        public static final Code INVALID_DPOP_PROOF = new Code("invalid_dpop_proof");
        /** The server requires a nonce in the DPoP proof (RFC 9449 §9, 401). */
        public static final Code USE_DPOP_NONCE = new Code("use_dpop_nonce");
        /**
         * The token is valid, but the user's authentication was not strong or recent enough for the route: the
         * {@code acr} or {@code auth_time} it requires (RFC 9470, 401 with {@code acr_values} / {@code max_age}).
         */
        public static final Code INSUFFICIENT_USER_AUTHENTICATION = new Code("insufficient_user_authentication");
        /** Too many requests for a rate limit (429, RFC 6585); no RFC names a code for it, this is tokengate's. */
        public static final Code RATE_LIMITED = new Code("rate_limited");

        /**
         * Checks the code's syntax.
         *
         * @param value the code as it appears on the wire, e.g. {@code invalid_token}
         * @throws IllegalArgumentException for an empty code or one with a space, a quote, a backslash or a non-ASCII
         *                                  character
         */
        public Code {
            Objects.requireNonNull(value, "code");
            if (!SYNTAX.matcher(value).matches()) {
                throw new IllegalArgumentException("'" + value + "' is not an error code: use printable ASCII "
                        + "without space, quote or backslash, e.g. rate_limited");
            }
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /** Headers the gate writes itself, which an error may not set. */
    private static final Set<String> RESERVED_HEADERS = Set.of("www-authenticate", "cache-control", "content-type",
            "content-length", "transfer-encoding", "connection", "set-cookie");
    /** Challenge parameters the formatter writes itself. */
    private static final Set<String> RESERVED_PARAMETERS = Set.of("realm", "error", "error_description", "error_uri", "scope",
            "resource_metadata");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
    private static final Duration UNAVAILABLE_RETRY_AFTER = Duration.ofSeconds(5);
    /** The description of an error whose required scopes are withheld. */
    static final String SCOPES_WITHHELD = "The token lacks a scope this resource requires; ask for a token with the "
            + "scopes this API's documentation names.";

    private final int status;
    private final Code code;
    private final String description;
    private final Set<String> requiredScopes;
    private final boolean challenge;
    private final Map<String, String> challengeParameters;
    private final Map<String, String> headers;

    private BearerError(Builder b) {
        this.status = b.status;
        this.code = b.code;
        this.description = b.description;
        this.requiredScopes = Collections.unmodifiableSet(new LinkedHashSet<>(b.requiredScopes));
        this.challenge = b.challenge;
        this.challengeParameters = Collections.unmodifiableMap(new LinkedHashMap<>(b.challengeParameters));
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
    }

    /**
     * A builder for an error with this status and code. A 401 is a challenge by default (RFC 9110 §15.5.2 requires
     * one); other statuses are not unless {@link Builder#challenge(boolean)} says so.
     *
     * @param status      an HTTP status from 400 to 599
     * @param code        the error code, e.g. {@link Code#RATE_LIMITED} or {@code new Code("quota_exceeded")}
     * @param description for the client: what went wrong and what to do (sanitised in the challenge)
     * @return a builder for the error
     * @throws IllegalArgumentException for a status outside 400 to 599
     */
    public static Builder builder(int status, Code code, String description) {
        return new Builder(status, Objects.requireNonNull(code, "code"), description);
    }

    /**
     * No credentials, or another authentication scheme: 401 with a bare challenge.
     *
     * @return the error, the same text for every such request
     */
    public static BearerError missingToken() {
        return new Builder(401, null, "This resource requires a bearer token: send 'Authorization: Bearer <token>'.").build();
    }

    /**
     * A malformed request: 400 {@code invalid_request}, a challenge.
     *
     * @param description for the client: what is malformed and what to send instead
     * @return the error
     */
    public static BearerError invalidRequest(String description) {
        return builder(400, Code.INVALID_REQUEST, description).challenge(true).build();
    }

    /**
     * An invalid token: 401 {@code invalid_token}, a challenge.
     *
     * @param description for the client: why the token is refused (never the token itself)
     * @return the error
     */
    public static BearerError invalidToken(String description) {
        return builder(401, Code.INVALID_TOKEN, description).build();
    }

    /**
     * A valid token without the scopes the route needs; {@code required} lists what would satisfy it.
     *
     * @param description for the client: which scopes are missing
     * @param required the scopes of which the token lacks some; not null
     * @return the error
     */
    public static BearerError insufficientScope(String description, Collection<String> required) {
        return builder(403, Code.INSUFFICIENT_SCOPE, description).challenge(true).requiredScopes(required).build();
    }

    /**
     * A DPoP proof that is missing, malformed, or does not match the request or the token: 401
     * {@code invalid_dpop_proof}, answered in the {@code DPoP} challenge (RFC 9449 §7.1).
     *
     * @param description for the client: what is wrong with the proof and what to send instead
     * @return the error
     */
    public static BearerError invalidDpopProof(String description) {
        return builder(401, Code.INVALID_DPOP_PROOF, description).build();
    }

    /**
     * A DPoP proof without the server's current nonce (RFC 9449 §8): 401 {@code use_dpop_nonce}, answered in the
     * {@code DPoP} challenge; the gate adds the nonce to use in the {@code DPoP-Nonce} header.
     *
     * @param description for the client: that the proof needs the nonce of the {@code DPoP-Nonce} header
     * @return the error
     */
    public static BearerError useDpopNonce(String description) {
        return builder(401, Code.USE_DPOP_NONCE, description).build();
    }

    /**
     * A valid token whose user authentication does not meet the route's (RFC 9470): 401
     * {@code insufficient_user_authentication}, with {@code acr_values} and/or {@code max_age} in the challenge for the
     * client to ask the authorization server for a stepped-up token.
     *
     * @param description for the client: what the authentication lacks and what to do
     * @param acrValues   the acceptable authentication context classes, in order of preference; empty for none
     * @param maxAge      the longest time since the user authenticated, in seconds; empty for no limit
     * @return the error
     */
    public static BearerError insufficientUserAuthentication(String description, Collection<String> acrValues,
                                                             Optional<Long> maxAge) {
        Builder b = builder(401, Code.INSUFFICIENT_USER_AUTHENTICATION, description);
        if (!acrValues.isEmpty()) {
            b.challengeParameter("acr_values", String.join(" ", acrValues));
        }
        maxAge.ifPresent(seconds -> b.challengeParameter("max_age", Long.toString(seconds)));
        return b.build();
    }

    /**
     * Validity could not be decided (an upstream failed): 503, no challenge, {@code Retry-After: 5}.
     *
     * @param description for the client: that validity could not be decided, and that retrying is right
     * @return the error
     */
    public static BearerError unavailable(String description) {
        return unavailable(description, UNAVAILABLE_RETRY_AFTER);
    }

    /**
     * Validity could not be decided, and the upstream is tried again in {@code nextAttemptIn}: 503, no challenge,
     * {@code Retry-After} that delay in whole seconds, at least 1 (a client that comes back sooner is refused again
     * without a new attempt).
     *
     * @param description for the client: that validity could not be decided, and that retrying is right
     * @param nextAttemptIn how long until the upstream is tried again; not null
     * @return the error
     */
    public static BearerError unavailable(String description, Duration nextAttemptIn) {
        Duration wait = nextAttemptIn.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : nextAttemptIn;
        return builder(503, Code.TEMPORARILY_UNAVAILABLE, description).retryAfter(wait).build();
    }

    /**
     * The route is closed to every caller: 403 {@code access_denied}, no challenge.
     *
     * @param description for the client: that the route is closed
     * @return the error
     */
    public static BearerError accessDenied(String description) {
        return builder(403, Code.ACCESS_DENIED, description).build();
    }

    /**
     * The HTTP status to answer with.
     *
     * @return a status from 400 to 599
     */
    public int status() {
        return status;
    }

    /**
     * The error code; empty for a request that carried no token (RFC 6750 §3.1: no error in that challenge).
     *
     * @return the code, empty for a missing token
     */
    public Optional<Code> code() {
        return Optional.ofNullable(code);
    }

    /**
     * What went wrong and what to do, for the client: the challenge's {@code error_description} (sanitised to RFC
     * 6750's character set) and the problem body's {@code detail}.
     *
     * @return the description, never null
     */
    public String description() {
        return description;
    }

    /**
     * The scopes that the route requires ({@code insufficient_scope}); named in the challenge and the problem body.
     *
     * @return the required scopes in order, unmodifiable; empty for other errors
     */
    public Set<String> requiredScopes() {
        return requiredScopes;
    }

    /**
     * This error as a gate that keeps the scopes it requires to itself answers it
     * ({@code tokengate.challenge.include-scope=false}): no required scopes, and a fixed description in place of one
     * that may name them; everything else as it is. Itself when it names no required scope.
     */
    BearerError withoutRequiredScopes() {
        if (requiredScopes.isEmpty()) {
            return this;
        }
        Builder b = new Builder(status, code, SCOPES_WITHHELD);
        b.challenge = challenge;
        b.challengeParameters.putAll(challengeParameters);
        b.headers.putAll(headers);
        return b.build();
    }

    /**
     * This error with one more challenge parameter, one the gate writes itself ({@code resource_metadata}).
     */
    BearerError withGateParameter(String name, String value) {
        Builder b = new Builder(status, code, description);
        b.requiredScopes.addAll(requiredScopes);
        b.challenge = challenge;
        b.challengeParameters.putAll(challengeParameters);
        b.challengeParameters.put(name, Objects.requireNonNull(value, "value"));
        b.headers.putAll(headers);
        return b.build();
    }

    /**
     * Whether the answer carries a {@code WWW-Authenticate: Bearer} challenge.
     *
     * @return {@code true} for a challenge (every 401, and 400 or 403 when built so)
     */
    public boolean isChallenge() {
        return challenge;
    }

    /**
     * Auth-params of the challenge beyond {@code realm}, {@code error}, {@code error_description},
     * {@code error_uri} and {@code scope} (e.g. RFC 9470's {@code acr_values}), in order; values are sanitised
     * when formatted.
     *
     * @return the extra auth-params by name, unmodifiable; usually empty
     */
    public Map<String, String> challengeParameters() {
        return challengeParameters;
    }

    /**
     * Extra response headers ({@code Retry-After}, {@code RateLimit}, …), in the order to write them.
     *
     * @return the headers by name, unmodifiable; usually empty
     */
    public Map<String, String> headers() {
        return headers;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BearerError e && status == e.status && Objects.equals(code, e.code)
                && description.equals(e.description) && requiredScopes.equals(e.requiredScopes)
                && challenge == e.challenge && challengeParameters.equals(e.challengeParameters)
                && headers.equals(e.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, code, description, requiredScopes, challenge, challengeParameters, headers);
    }

    @Override
    public String toString() {
        return "BearerError[" + status + " " + (code == null ? "no token" : code.value()) + ": " + description + "]";
    }

    /** Builds a {@link BearerError}; each setter rejects a bad value at once. */
    public static final class Builder {
        private final int status;
        private final Code code;
        private final String description;
        private final Set<String> requiredScopes = new LinkedHashSet<>();
        private boolean challenge;
        private final Map<String, String> challengeParameters = new LinkedHashMap<>();
        private final Map<String, String> headers = new LinkedHashMap<>();

        private Builder(int status, Code code, String description) {
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException("an error's status is 4xx or 5xx, not " + status);
            }
            this.status = status;
            this.code = code;
            this.description = Objects.requireNonNull(description, "description");
            this.challenge = status == 401;
        }

        /**
         * Whether the answer is a {@code WWW-Authenticate: Bearer} challenge: only for 400, 401 and 403 (the
         * statuses of RFC 6750's codes), and always for 401.
         *
         * @param challenge {@code true} for a challenge
         * @return this builder
         * @throws IllegalArgumentException for a challenge with another status, or {@code false} for a 401
         */
        public Builder challenge(boolean challenge) {
            if (challenge && status != 400 && status != 401 && status != 403) {
                throw new IllegalArgumentException("a Bearer challenge goes with 400, 401 or 403, not " + status);
            }
            if (!challenge && status == 401) {
                throw new IllegalArgumentException("a 401 must carry a challenge (RFC 9110 §15.5.2)");
            }
            this.challenge = challenge;
            return this;
        }

        /**
         * The scopes the route requires: the challenge's {@code scope} and the problem body's {@code required_scope}.
         *
         * @param scopes the scopes, added to any given before; neither the collection nor a scope may be null
         * @return this builder
         */
        public Builder requiredScopes(Collection<String> scopes) {
            for (String s : scopes) {
                Objects.requireNonNull(s, "scope");
                requiredScopes.add(s);
            }
            return this;
        }

        /**
         * Adds an auth-param to the challenge (e.g. {@code acr_values}); the value is sanitised when formatted.
         * Needs {@link #challenge(boolean) a challenge}.
         *
         * @param name the auth-param's name, an RFC 7230 token other than those the formatter writes itself
         * @param value the auth-param's value; not null
         * @return this builder
         */
        public Builder challengeParameter(String name, String value) {
            Objects.requireNonNull(value, "value");
            if (name == null || !TOKEN.matcher(name).matches()
                    || RESERVED_PARAMETERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("'" + name + "' is not a challenge parameter a policy may set: use "
                        + "a token other than realm, error, error_description, error_uri, scope and resource_metadata");
            }
            challengeParameters.put(name, value);
            return this;
        }

        /**
         * Sets a response header ({@code Retry-After}, {@code RateLimit-Policy}, {@code RateLimit}, …), replacing
         * one of the same name. The gate's own headers ({@code WWW-Authenticate}, {@code Cache-Control},
         * {@code Content-Type}, …) cannot be set; values are visible ASCII and spaces.
         *
         * @param name the header's name, an RFC 7230 token
         * @param value the header's value
         * @return this builder
         * @throws IllegalArgumentException for an invalid name or value, or one of the gate's own headers
         */
        public Builder header(String name, String value) {
            if (name == null || !TOKEN.matcher(name).matches()) {
                throw new IllegalArgumentException("'" + name + "' is not a header name");
            }
            if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("the gate writes " + name + " itself; an error cannot set it");
            }
            Objects.requireNonNull(value, "value");
            if (value.isEmpty() || !value.chars().allMatch(c -> c == ' ' || c == '\t' || (c >= 0x21 && c <= 0x7E))) {
                throw new IllegalArgumentException("the value of header " + name + " must be non-empty visible ASCII");
            }
            headers.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
            headers.put(name, value);
            return this;
        }

        /**
         * Sets {@code Retry-After} to this delay in whole seconds, rounded up (RFC 9110 §10.2.3).
         *
         * @param delay how long the client should wait; not negative
         * @return this builder
         * @throws IllegalArgumentException for a null or negative delay
         */
        public Builder retryAfter(Duration delay) {
            if (delay == null || delay.isNegative()) {
                throw new IllegalArgumentException("Retry-After needs a delay of zero or more, was " + delay);
            }
            long seconds = delay.getSeconds() + (delay.getNano() > 0 ? 1 : 0);
            return header("Retry-After", Long.toString(seconds));
        }

        /**
         * Builds the error.
         *
         * @return the error, immutable
         * @throws IllegalStateException when challenge parameters are set on an answer that is not a challenge
         */
        public BearerError build() {
            if (!challenge && !challengeParameters.isEmpty()) {
                throw new IllegalStateException("challenge parameters " + challengeParameters.keySet()
                        + " need a challenge; call challenge(true) (400, 401 or 403)");
            }
            return new BearerError(this);
        }
    }
}
