package dev.tokengate.security;

import dev.tokengate.VerifiedToken;
import dev.tokengate.servlet.TokenGateFilter;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.servlet.http.HttpServletRequest;

import java.util.Optional;

/**
 * Makes the current request's {@link VerifiedToken} injectable in any bean: {@code @Inject VerifiedToken token} (null
 * when the request has none) or {@code @Inject Optional<VerifiedToken> token}. The token is the one tokengate
 * verified for this request, whichever adapter did (the Jakarta Security mechanism, the servlet filter, the JAX-RS
 * feature), or the container's caller principal when it is one.
 *
 * <p>The value is resolved where it is injected: {@code VerifiedToken} is an immutable final class, which CDI cannot
 * put behind a request-scoped proxy, so the producer is {@code @Dependent}. Inject it into request-scoped beans,
 * resources, servlets and EJB methods' beans created per request; in an {@code @ApplicationScoped} bean inject
 * {@code Instance<VerifiedToken>} and call {@code get()} per request.
 */
@Dependent
public class VerifiedTokenProducer {

    /** Made by the CDI container (the extension adds this bean); applications inject the token, not this. */
    public VerifiedTokenProducer() {
    }

    /** The current request's token, or null. */
    @Produces
    @Dependent
    VerifiedToken verifiedToken(HttpServletRequest request) {
        return current(request).orElse(null);
    }

    /** The current request's token, if it has one. */
    @Produces
    @Dependent
    Optional<VerifiedToken> optionalVerifiedToken(HttpServletRequest request) {
        return current(request);
    }

    static Optional<VerifiedToken> current(HttpServletRequest request) {
        try {
            if (request.getAttribute(TokenGateFilter.TOKEN_ATTRIBUTE) instanceof VerifiedToken token) {
                return Optional.of(token);
            }
            return request.getUserPrincipal() instanceof VerifiedToken token ? Optional.of(token) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty(); // no active request
        }
    }
}
