package dev.tokengate.jaxrs;

import jakarta.annotation.Priority;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Context;

import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * The client's address and TLS certificate where the Jakarta REST runtime serves from a servlet (Jersey's and
 * RESTEasy's servlets, every application server): Jakarta REST itself exposes neither, the servlet request does.
 * Registered only when the Servlet API is on the class path ({@link #AVAILABLE}); it puts a {@link Peer} that reads
 * them on demand (see there why) in a request property that {@link ContainerRequestView#remoteAddress()} and
 * {@link ContainerRequestView#clientCertificate()} ask, before the {@link AuthenticationFilter} runs. Pre-matching, so that it also runs before the {@link MetadataFilter}, whose
 * derived resource identifier trusts a proxy's forwarding headers only when the peer is a trusted proxy.
 */
@PreMatching
@Priority(ServletPeer.PRIORITY)
final class ServletPeer implements ContainerRequestFilter {

    /** Before {@link MetadataFilter} and {@link AuthenticationFilter} ({@link Priorities#AUTHENTICATION}). */
    static final int PRIORITY = Priorities.AUTHENTICATION - 100;
    /** The request property holding the {@link Peer}, which sees no Servlet API type. */
    static final String PROPERTY = "dev.tokengate.jaxrs.peer";
    /** The servlet request attribute holding the client's certificate chain, the client's own first. */
    private static final String CERTIFICATE_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";
    /** Whether the Servlet API can be loaded where this module was. */
    static final boolean AVAILABLE = servletApiPresent();

    @Context
    private HttpServletRequest servletRequest;

    @Override
    public void filter(ContainerRequestContext request) {
        HttpServletRequest servlet = servletRequest;
        if (servlet != null) {
            request.setProperty(PROPERTY, new Peer(() -> address(servlet), () -> certificate(servlet)));
        }
    }

    /** The peer's address; empty when the runtime serves this request without a servlet. */
    private static String address(HttpServletRequest servlet) {
        try {
            String peer = servlet.getRemoteAddr();
            return peer == null ? "" : peer;
        } catch (RuntimeException e) {
            return ""; // no servlet request behind the proxy: the runtime serves this one without a servlet
        }
    }

    /** The client's own certificate of a mutual-TLS connection, as the container verified it. */
    private static Optional<X509Certificate> certificate(HttpServletRequest servlet) {
        try {
            return servlet.getAttribute(CERTIFICATE_ATTRIBUTE) instanceof X509Certificate[] chain && chain.length > 0
                    ? Optional.of(chain[0]) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
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
