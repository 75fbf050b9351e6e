package dev.tokengate.jaxrs;

import dev.tokengate.VerifiedToken;
import jakarta.ws.rs.core.SecurityContext;

import java.security.Principal;

/**
 * The {@link SecurityContext} of a request authenticated by a bearer token: the principal is the
 * {@link VerifiedToken}, a role is a scope ({@code "**"} is any authenticated caller), the scheme is
 * {@value #SCHEME} and {@link #isSecure()} is the container's answer.
 */
final class BearerSecurityContext implements SecurityContext {

    /** The authentication scheme reported for bearer tokens, as the servlet filter reports it. */
    static final String SCHEME = "BEARER";

    private final VerifiedToken token;
    private final SecurityContext original;

    BearerSecurityContext(VerifiedToken token, SecurityContext original) {
        this.token = token;
        this.original = original;
    }

    @Override
    public Principal getUserPrincipal() {
        return token;
    }

    @Override
    public boolean isUserInRole(String role) {
        return role != null && (role.equals("**") || token.hasScope(role));
    }

    @Override
    public boolean isSecure() {
        return original != null && original.isSecure();
    }

    @Override
    public String getAuthenticationScheme() {
        return SCHEME;
    }
}
