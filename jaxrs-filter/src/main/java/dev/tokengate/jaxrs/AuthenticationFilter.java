package dev.tokengate.jaxrs;

import dev.tokengate.Outcome;
import dev.tokengate.TokenGate;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.log.Loggers;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import org.slf4j.Logger;

/**
 * The first of the two request filters bound to a resource method: starts the request's call, extracts and
 * validates its token, runs the policy chain for the method's requirement, and on success installs the
 * {@link BearerSecurityContext}; a malformed request (400), an invalid token (401), a policy's denial (its own
 * status: 401, 429, …) or an unreachable key source (503) is refused here, before the application's own filters
 * see a principal. A missing token is left to the {@link ScopeFilter}, which knows whether the method needs one.
 * In report-only mode nothing is refused: a valid token is installed even when it would have been denied.
 *
 * <p>On an open ({@code permit}) or closed ({@code deny}) method the token is not looked at. Behind the servlet
 * filter (the request property {@value TokenGate#CALL_ATTRIBUTE}) this layer joins the servlet filter's call: a
 * token it verified is not validated again, and the servlet filter logs the request with this layer's decision.
 */
@Priority(Priorities.AUTHENTICATION)
final class AuthenticationFilter implements ContainerRequestFilter {

    private static final Logger LOG = Loggers.logger(AuthenticationFilter.class);

    private final TokenGate gate;
    private final Requirement requirement;

    AuthenticationFilter(TokenGate gate, Requirement requirement) {
        this.gate = gate;
        this.requirement = requirement;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (request.getProperty(Exchange.PROPERTY) != null) {
            return; // already started for this request (filters bound to a sub-resource locator and its method)
        }
        ContainerRequestView view = new ContainerRequestView(request);
        TokenGate.Call call;
        if (request.getProperty(TokenGate.CALL_ATTRIBUTE) instanceof TokenGate.Call joined) {
            call = joined;
            request.setProperty(Exchange.PROPERTY, new Exchange(call, false));
        } else {
            try {
                call = gate.begin(view);
            } catch (RuntimeException e) {
                LOG.error("tokengate could not start checking {} {}", view.method(), view.path(), e);
                Responses.abortUnavailable(request);
                return;
            }
            request.setProperty(Exchange.PROPERTY, new Exchange(call, true));
        }
        if (requirement.mode() == Requirement.Mode.PERMIT || requirement.mode() == Requirement.Mode.DENY) {
            return;
        }
        Outcome outcome = ScopeFilter.guarded(call, view, () -> call.authenticate(requirement));
        if (outcome instanceof Outcome.Rejected rejected) {
            Responses.abort(request, call.errorResponse(rejected.error()));
        } else if (outcome instanceof Outcome.Authenticated authenticated) {
            admit(request, authenticated.token());
        }
    }

    private static void admit(ContainerRequestContext request, VerifiedToken token) {
        request.setProperty(TokenGateFeature.TOKEN_PROPERTY, token);
        request.setSecurityContext(new BearerSecurityContext(token, request.getSecurityContext()));
    }
}
