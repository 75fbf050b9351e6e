package dev.tokengate.servlet;

import dev.tokengate.VerifiedToken;
import jakarta.servlet.AsyncContext;
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
 *
 * <p>The wrapper survives {@link #startAsync()}: asynchronous processing starts with this request and the response
 * the filter chain was given, so {@link AsyncContext#getRequest()} (code inside {@link AsyncContext#start}) and a
 * servlet reached by {@link AsyncContext#dispatch()} still see the caller.
 */
final class AuthenticatedRequest extends HttpServletRequestWrapper {

    /** The authentication type reported for bearer tokens. */
    static final String AUTH_TYPE = "BEARER";

    private final VerifiedToken token;
    private final HttpServletResponse response;

    /**
     * @param response the response the filter chain is given with this request: {@link #startAsync()} starts
     *                 asynchronous processing with the two
     */
    AuthenticatedRequest(HttpServletRequest request, HttpServletResponse response, VerifiedToken token) {
        super(request);
        this.response = Objects.requireNonNull(response, "response");
        this.token = Objects.requireNonNull(token, "token");
    }

    /**
     * Starts asynchronous processing with this wrapper and the filter chain's response rather than the container's
     * unwrapped pair, so that the caller stays known on the threads and dispatches that follow.
     */
    @Override
    public AsyncContext startAsync() {
        return startAsync(this, response);
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
