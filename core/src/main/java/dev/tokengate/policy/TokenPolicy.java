package dev.tokengate.policy;

import java.util.Optional;

import dev.tokengate.VerifiedToken;

/**
 * One step of the policy chain: given a verified token and the request's {@link RequestFacts}, it allows the
 * request or denies it with the answer to send (any status: 401, 403, 429, …, with its own challenge and headers).
 *
 * <p>The chain runs after the token is validated and before the route's scopes are compared, only for a request
 * that carries a valid token on a route that needs one (not for {@code permit} or {@code deny} routes, a missing
 * or an invalid token). Its policies run in the order they were added with {@code TokenGate.Builder#policy},
 * after the built-in ones ({@link TokenPolicies#proofOfPossession()}, {@link TokenPolicies#allowedAddresses()},
 * {@link TokenPolicies#apiKey}, then token control: the revocation list, the anomaly rules and the rate limits of
 * {@code dev.tokengate.control}); the first
 * denial ends it. A policy that throws (or answers {@code null}) is a fault of the server: the request gets a 503
 * {@code temporarily_unavailable}, and the exception is logged with its stack, never sent.
 *
 * <pre>{@code
 * TokenPolicy noRetiredClients = (token, request) ->
 *         token.clientId().filter(RETIRED::contains).isPresent()
 *                 ? PolicyDecision.deny(BearerError.invalidToken("This client is retired; use the new app."),
 *                         "client " + token.clientId().get() + " is retired")
 *                 : PolicyDecision.allow();
 * TokenGate gate = TokenGate.builder().config(ConfigSource.of(initParams)).policy(noRetiredClients).build();
 * }</pre>
 *
 * <p>Implementations are called concurrently and must be thread-safe; they should answer from memory (a policy
 * is on every request's path). The chain runs once per request and route requirement: when a second adapter
 * decides the same request with another requirement (a JAX-RS method behind the servlet filter), it runs again
 * with the same {@link RequestFacts#requestId()} and {@link RequestFacts#rechecked()} true, so a policy that counts
 * requests counts only the first run (not by request id, which a client may choose with {@code X-Request-Id}). In
 * report-only mode ({@code tokengate.mode=report-only}) a denial is logged as {@code would_deny} and not enforced.
 */
@FunctionalInterface
public interface TokenPolicy {

    /**
     * Decides the request.
     *
     * @param token   the request's verified token
     * @param request what else is known about the request
     * @return {@link PolicyDecision#allow()} or {@link PolicyDecision#deny}, never {@code null}
     */
    PolicyDecision check(VerifiedToken token, RequestFacts request);

    /**
     * Learns how a request this policy saw ended, once, when its call log is written: {@code denial} is empty when
     * the request was let through, or the denial that refused it, by this policy, a later one, or the route's scopes
     * (marked {@code scope}). For rules that learn from outcomes, such as counting a token's {@code insufficient_scope}
     * denials. Called only for requests whose token was valid and for which the chain ran; in report-only mode
     * with the denial that was not enforced. Must not throw and must be quick: it runs on the request thread.
     *
     * @param token   the request's verified token
     * @param request the facts the chain saw
     * @param denial  the denial, if the request was refused
     */
    default void observe(VerifiedToken token, RequestFacts request, Optional<PolicyDecision.Deny> denial) {
    }
}
