package dev.tokengate.jaxrs;

import jakarta.annotation.Priority;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Context;

import java.security.cert.X509Certificate;

/**
 * The client's address and TLS certificate where the Jakarta REST runtime serves from a servlet (Jersey's and
 * RESTEasy's servlets, every application server): Jakarta REST itself exposes neither, the servlet request does.
 * Registered only when the Servlet API is on the class path ({@link #AVAILABLE}); it puts them in request properties
 * that {@link ContainerRequestView#remoteAddress()} and {@link ContainerRequestView#clientCertificate()} read, before
 * the {@link AuthenticationFilter} runs.
 */
@Priority(ServletPeer.PRIORITY)
final class ServletPeer implements ContainerRequestFilter {

    /** Before {@link AuthenticationFilter} ({@link Priorities#AUTHENTICATION}). */
    static final int PRIORITY = Priorities.AUTHENTICATION - 100;
    /** The request property holding the peer's address. */
    static final String PROPERTY = "dev.tokengate.jaxrs.peer";
    /** The request property holding the client's certificate, as the container verified it (mutual TLS). */
    static final String CERTIFICATE_PROPERTY = "dev.tokengate.jaxrs.certificate";
    /** The servlet request attribute holding the client's certificate chain, the client's own first. */
    private static final String CERTIFICATE_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";
    /** Whether the Servlet API can be loaded where this module was. */
    static final boolean AVAILABLE = servletApiPresent();

    @Context
    private HttpServletRequest servletRequest;

    @Override
    public void filter(ContainerRequestContext request) {
        if (servletRequest == null) {
            return;
        }
        try {
            request.setProperty(PROPERTY, servletRequest.getRemoteAddr());
            if (servletRequest.getAttribute(CERTIFICATE_ATTRIBUTE) instanceof X509Certificate[] chain
                    && chain.length > 0) {
                request.setProperty(CERTIFICATE_PROPERTY, chain[0]);
            }
        } catch (RuntimeException e) {
            // the runtime serves this request without a servlet (its proxy has no request to delegate to)
        }
    }

    private static boolean servletApiPresent() {
        try {
            Class.forName("jakarta.servlet.http.HttpServletRequest", false, ServletPeer.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
