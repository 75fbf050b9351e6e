package dev.tokengate.health;

/**
 * An upstream the gate depends on (a JWKS endpoint, an issuer's discovery, an introspection endpoint, the token
 * database, the shared state) that says how it is doing. The gate lists each one in {@code TokenGate.health()}.
 *
 * <p>{@link #health()} answers from the state the component already keeps for its own work: it never waits on an
 * identity provider. Where a look costs one cheap, bounded call (a database connection's {@code isValid}, a Redis
 * {@code PING}, each within the component's own timeout) it may make it; a component whose cached state is due a
 * refresh may start that refresh in the background, as its next request would. {@link #probe()} contacts the
 * upstream now, for start-up checks. Implementations are thread-safe.
 */
public interface HealthCheck {

    /**
     * How the upstream is doing, from the state held (see the type's description).
     *
     * @return its status, its last error while not up, and when it last answered
     */
    UpstreamHealth health();

    /**
     * Contacts the upstream now (fetches discovery and keys, asks the introspection endpoint about a made-up token,
     * opens a database connection), each within the component's own timeouts, and then answers as
     * {@link #health()}. Never throws for an upstream that fails: the failure is in the answer.
     *
     * @return the health after the attempt
     */
    UpstreamHealth probe();
}
