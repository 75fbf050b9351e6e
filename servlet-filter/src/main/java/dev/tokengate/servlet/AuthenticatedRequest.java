package dev.tokengate.servlet;

import dev.tokengate.VerifiedToken;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import java.security.Principal;
import java.util.Objects;

/**
 * A request whose caller is the subject of a verified bearer token, presented through the standard servlet
 * security methods so that unmodified code works: {@link #getUserPrincipal()} is the {@link VerifiedToken},
 * {@link #getRemoteUser()} its name, {@link #getAuthType()} {@value #AUTH_TYPE}, and {@link #isUserInRole} asks
 * whether the token has that scope ({@code "**"}, any authenticated user, is always true).
 */
final class AuthenticatedRequest extends HttpServletRequestWrapper {

    /** The authentication type reported for bearer tokens. */
    static final String AUTH_TYPE = "BEARER";

    private final VerifiedToken token;

    AuthenticatedRequest(HttpServletRequest request, VerifiedToken token) {
        super(request);
        this.token = Objects.requireNonNull(token, "token");
    }

    @Override
    public Principal getUserPrincipal() {
        return token;
    }

    @Override
    public String getRemoteUser() {
        return token.getName();
    }

    @Override
    public String getAuthType() {
        return AUTH_TYPE;
    }

    @Override
    public boolean isUserInRole(String role) {
        return role != null && (role.equals("**") || token.hasScope(role));
    }

    /** Already authenticated by the token. */
    @Override
    public boolean authenticate(HttpServletResponse response) {
        return true;
    }

    /** The caller is whoever the bearer token names; a second login is refused. */
    @Override
    public void login(String username, String password) throws ServletException {
        throw new ServletException("this request is authenticated by a bearer token; login() is not available");
    }
}
