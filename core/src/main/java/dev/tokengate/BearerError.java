package dev.tokengate;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Why a request was refused, as a value: the HTTP status, the RFC 6750 error code (none for a request that
 * carried no token), a description for the client and, for {@code insufficient_scope}, the scopes required.
 *
 * <p>One factory per case; {@link WwwAuthenticate} renders it for every adapter.
 */
public final class BearerError {

    /** The error codes of RFC 6750 §3.1, plus the server-side failure tokengate answers with 503. */
    public enum Code {
        /** Malformed request: bad header, more than one token, token outside b64token syntax. */
        INVALID_REQUEST("invalid_request", 400),
        /** Expired, revoked, malformed or otherwise invalid token. */
        INVALID_TOKEN("invalid_token", 401),
        /** The token is valid but lacks a required scope. */
        INSUFFICIENT_SCOPE("insufficient_scope", 403),
        /** Validity could not be decided: an upstream (JWKS, introspection, database) failed. Not an RFC 6750 code. */
        TEMPORARILY_UNAVAILABLE("temporarily_unavailable", 503),
        /** The route is closed to every caller. Not an RFC 6750 code. */
        ACCESS_DENIED("access_denied", 403);

        private final String value;
        private final int status;

        Code(String value, int status) {
            this.value = value;
            this.status = status;
        }

        /** The code as it appears on the wire ({@code invalid_token}). */
        public String value() {
            return value;
        }

        public int status() {
            return status;
        }
    }

    private final int status;
    private final Code code;
    private final String description;
    private final Set<String> requiredScopes;

    private BearerError(int status, Code code, String description, Collection<String> requiredScopes) {
        this.status = status;
        this.code = code;
        this.description = Objects.requireNonNull(description, "description");
        this.requiredScopes = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(requiredScopes));
    }

    /** No credentials, or another authentication scheme: 401 with a bare challenge. */
    public static BearerError missingToken() {
        return new BearerError(401, null, "This resource requires a bearer token: send 'Authorization: Bearer <token>'.", Set.of());
    }

    public static BearerError invalidRequest(String description) {
        return new BearerError(400, Code.INVALID_REQUEST, description, Set.of());
    }

    public static BearerError invalidToken(String description) {
        return new BearerError(401, Code.INVALID_TOKEN, description, Set.of());
    }

    /** A valid token without the scopes the route needs; {@code required} lists what would satisfy it. */
    public static BearerError insufficientScope(String description, Collection<String> required) {
        return new BearerError(403, Code.INSUFFICIENT_SCOPE, description, required);
    }

    public static BearerError unavailable(String description) {
        return new BearerError(503, Code.TEMPORARILY_UNAVAILABLE, description, Set.of());
    }

    public static BearerError accessDenied(String description) {
        return new BearerError(403, Code.ACCESS_DENIED, description, Set.of());
    }

    public int status() {
        return status;
    }

    /** The error code; empty for a request that carried no token (RFC 6750 §3.1: no error in that challenge). */
    public Optional<Code> code() {
        return Optional.ofNullable(code);
    }

    public String description() {
        return description;
    }

    /** For {@code insufficient_scope}: the scopes that the route requires. */
    public Set<String> requiredScopes() {
        return requiredScopes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BearerError e && status == e.status && code == e.code
                && description.equals(e.description) && requiredScopes.equals(e.requiredScopes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, code, description, requiredScopes);
    }

    @Override
    public String toString() {
        return "BearerError[" + status + " " + (code == null ? "no token" : code.value()) + ": " + description + "]";
    }
}
