package dev.tokengate.jaxrs;

import dev.tokengate.BearerError;
import dev.tokengate.Outcome;
import dev.tokengate.RequestView;
import dev.tokengate.TokenGate;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.log.Loggers;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import org.slf4j.Logger;

import java.util.function.Supplier;

/**
 * The second request filter bound to a resource method: decides the method's {@link Requirement} against the
 * token the {@link AuthenticationFilter} verified, refusing a missing token (401), a token without the scopes
 * (403 {@code insufficient_scope}) and every caller of a closed method (403 {@code access_denied}).
 */
@Priority(Priorities.AUTHORIZATION)
final class ScopeFilter implements ContainerRequestFilter {

    private static final Logger LOG = Loggers.logger(ScopeFilter.class);

    private final Requirement requirement;

    ScopeFilter(Requirement requirement) {
        this.requirement = requirement;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (request.getProperty(Exchange.PROPERTY) instanceof Exchange exchange) {
            TokenGate.Call call = exchange.call();
            Outcome outcome = guarded(call, new ContainerRequestView(request), () -> call.authorize(requirement));
            if (outcome instanceof Outcome.Rejected rejected) {
                Responses.abort(request, call.errorResponse(rejected.error()));
            }
        } else {
            // the authentication filter did not run: never let the method run unchecked
            LOG.error("tokengate: no authentication state on {} {}; refusing it", request.getMethod(),
                    request.getUriInfo().getPath());
            Responses.abortUnavailable(request);
        }
    }

    /** Runs a step of the pipeline; a fault of tokengate itself becomes a 503, logged with its stack. */
    static Outcome guarded(TokenGate.Call call, RequestView view, Supplier<Outcome> step) {
        try {
            return step.get();
        } catch (RuntimeException e) {
            LOG.error("tokengate could not decide request {} ({} {})", call.requestId(), view.method(), view.path(), e);
            return new Outcome.Rejected(BearerError.unavailable("The server could not check the request; try again shortly."));
        }
    }
}
