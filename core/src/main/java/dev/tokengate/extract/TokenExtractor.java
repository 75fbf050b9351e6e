package dev.tokengate.extract;

import dev.tokengate.RequestView;

/**
 * The pipeline's first step: finds the one access token a request carries, or says that it carries none or is
 * malformed. {@link BearerTokenExtractor} is the RFC 6750 implementation; a proof-of-possession scheme ({@code DPoP})
 * is another, which is why the result names the scheme.
 *
 * <p>Implementations are thread-safe and never throw for client input: a bad request is an
 * {@link Extraction.Malformed} with the error to send.
 */
@FunctionalInterface
public interface TokenExtractor {

    /**
     * Extracts the request's token without consuming its body on the application's behalf.
     *
     * @param request the request; not null
     * @return one token, none, or a malformed request with the error to answer
     */
    Extraction extract(RequestView request);
}
