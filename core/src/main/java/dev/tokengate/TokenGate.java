package dev.tokengate;

/**
 * One protection pipeline: extract → validate → check policy → authorize → call log. Every adapter owns one
 * instance, built from a {@link TokenGateConfig}, and runs each request through a {@link Call}.
 *
 * <pre>{@code
 * TokenGate gate = TokenGate.create(config);
 * TokenGate.Call call = gate.begin(requestView);
 * try {
 *     Outcome outcome = call.authorize(Requirement.allOf("read"));
 *     if (outcome instanceof Outcome.Rejected r) { write(gate.errorResponse(r.error())); status = r.error().status(); }
 *     else { proceed(); }
 * } finally {
 *     call.finish(status);
 * }
 * }</pre>
 */
public final class TokenGate {
    // implementation in progress: see Call below
}
