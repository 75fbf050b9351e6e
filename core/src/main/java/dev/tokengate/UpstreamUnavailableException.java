package dev.tokengate;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The server could not decide whether a token is valid because something it depends on (a JWKS endpoint, an
 * introspection endpoint, a discovery document, a token database) failed and nothing usable was cached.
 * Never the client's fault: adapters answer 503, never {@code invalid_token}.
 */
public class UpstreamUnavailableException extends TokenGateException {
    private static final long serialVersionUID = 1L;

    /**
     * The endpoint that failed; null when the failure has none.
     */
    private final URI upstream;
    /**
     * How long until the upstream is tried again; null for "on the next request".
     */
    private final Duration nextAttemptIn;

    /**
     * A failure after which the upstream is tried again on the next request.
     *
     * @param message what failed, for logs (never a token or secret)
     * @param upstream the endpoint that failed; may be null
     * @param cause the underlying failure; may be null
     */
    public UpstreamUnavailableException(String message, URI upstream, Throwable cause) {
        super(message, cause);
        this.upstream = upstream;
        this.nextAttemptIn = null;
    }

    /**
     * A failure after which the upstream is not tried again for a while.
     *
     * @param nextAttemptIn how long until the source tries the upstream again (zero or more); adapters send it as
     *                      {@code Retry-After}
     * @param message what failed, for logs (never a token or secret)
     * @param upstream the endpoint that failed; may be null
     * @param cause the underlying failure; may be null
     */
    public UpstreamUnavailableException(String message, URI upstream, Throwable cause, Duration nextAttemptIn) {
        super(message, cause);
        this.upstream = upstream;
        this.nextAttemptIn = Objects.requireNonNull(nextAttemptIn, "nextAttemptIn").isNegative() ? Duration.ZERO : nextAttemptIn;
    }

    /**
     * A failure with no underlying exception (e.g. an error status), tried again on the next request.
     *
     * @param message what failed, for logs (never a token or secret)
     * @param upstream the endpoint that failed; may be null
     */
    public UpstreamUnavailableException(String message, URI upstream) {
        this(message, upstream, null);
    }

    /**
     * How long until the source that failed tries its upstream again (a discovery retry interval, a JWKS refetch
     * rate limit); empty when it tries again on the next request (introspection, the token database, a JWKS with
     * nothing cached).
     *
     * @return the delay, empty when the next request tries again
     */
    public Optional<Duration> nextAttemptIn() {
        return Optional.ofNullable(nextAttemptIn);
    }

    /**
     * The endpoint that failed, if the failure has one.
     *
     * @return the endpoint, empty when the failure has none
     */
    public Optional<URI> upstream() {
        return Optional.ofNullable(upstream);
    }
}
