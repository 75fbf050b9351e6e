package dev.tokengate.jaxrs;

import dev.tokengate.BearerError;
import dev.tokengate.ErrorResponse;
import dev.tokengate.Outcome;
import dev.tokengate.RequestView;
import dev.tokengate.Requirement;
import dev.tokengate.TokenGate;
import dev.tokengate.VerifiedToken;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The second request filter bound to a resource method: decides the method's {@link Requirement} against the
 * token the {@link AuthenticationFilter} verified, refusing a missing token (401), a token without the scopes
 * (403 {@code insufficient_scope}) and every caller of a closed method (403 {@code access_denied}).
 */
@Priority(Priorities.AUTHORIZATION)
final class ScopeFilter implements ContainerRequestFilter {

    private static final Logger LOG = LoggerFactory.getLogger(ScopeFilter.class);

    private final TokenGate gate;
    private final Requirement requirement;

    ScopeFilter(TokenGate gate, Requirement requirement) {
        this.gate = gate;
        this.requirement = requirement;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Object exchange = request.getProperty(Exchange.PROPERTY);
        if (exchange instanceof Exchange.Own own) {
            TokenGate.Call call = own.call();
            Outcome outcome = guarded(call, new ContainerRequestView(request), () -> call.authorize(requirement));
            if (outcome instanceof Outcome.Rejected rejected) {
                Responses.abort(request, call.errorResponse(rejected.error()));
            }
        } else if (exchange instanceof Exchange.Reused reused) {
            refusal(reused.token()).ifPresent(error -> Responses.abort(request, errorOutsideCall(request, error)));
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

    /**
     * The error for a token the servlet filter verified, decided as {@link TokenGate.Call#authorize} decides it.
     * (Core has no call for a token verified elsewhere; see the module notes.)
     */
    Optional<BearerError> refusal(VerifiedToken token) {
        return switch (requirement.mode()) {
            case PERMIT, AUTHENTICATED -> Optional.empty();
            case DENY -> Optional.of(BearerError.accessDenied("This resource is not available to any client."));
            case ALL_OF, ANY_OF -> {
                if (requirement.isSatisfiedBy(token.scopes())) {
                    yield Optional.empty();
                }
                String needed = requirement.mode() == Requirement.Mode.ANY_OF
                        ? "one of the scopes " + String.join(", ", requirement.scopes())
                        : "the scope(s) " + String.join(", ", requirement.scopes());
                yield Optional.of(BearerError.insufficientScope(
                        "This resource requires " + needed + "; ask for a token that has them.", requirement.scopes()));
            }
        };
    }

    /**
     * Formats an error with the core formatter when the servlet filter owns the call: a throw-away call that
     * takes the servlet filter's request id (from the MDC) and is never finished, so no second event is logged.
     */
    private ErrorResponse errorOutsideCall(ContainerRequestContext request, BearerError error) {
        String outer = MDC.get(TokenGate.MDC_REQUEST_ID);
        RequestView view = new ContainerRequestView(request);
        try {
            return gate.begin(outer == null ? view : new WithRequestId(view, outer)).errorResponse(error);
        } finally {
            if (outer == null) {
                MDC.remove(TokenGate.MDC_REQUEST_ID);
            } else {
                MDC.put(TokenGate.MDC_REQUEST_ID, outer);
            }
        }
    }

    /** A view whose {@code X-Request-Id} is the id the servlet filter gave the request. */
    private record WithRequestId(RequestView view, String requestId) implements RequestView {
        @Override
        public String method() {
            return view.method();
        }

        @Override
        public String path() {
            return view.path();
        }

        @Override
        public List<String> headers(String name) {
            return name.equalsIgnoreCase("X-Request-Id") ? List.of(requestId) : view.headers(name);
        }

        @Override
        public Optional<String> queryString() {
            return view.queryString();
        }

        @Override
        public List<String> formParameters(String name) {
            return List.of();
        }

        @Override
        public String remoteAddress() {
            return view.remoteAddress();
        }
    }
}
