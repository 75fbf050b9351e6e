package dev.tokengate;

import java.net.URI;
import java.util.Optional;

/**
 * The server could not decide whether a token is valid because something it depends on (a JWKS endpoint, an
 * introspection endpoint, a discovery document, a token database) failed and nothing usable was cached.
 * Never the client's fault: adapters answer 503, never {@code invalid_token}.
 */
public class UpstreamUnavailableException extends TokenGateException {
    private static final long serialVersionUID = 1L;

    private final URI upstream;

    public UpstreamUnavailableException(String message, URI upstream, Throwable cause) {
        super(message, cause);
        this.upstream = upstream;
    }

    public UpstreamUnavailableException(String message, URI upstream) {
        this(message, upstream, null);
    }

    /** The endpoint that failed, if the failure has one. */
    public Optional<URI> upstream() {
        return Optional.ofNullable(upstream);
    }
}
