package dev.tokengate.jwks;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Supplies the public keys that may have signed a JWT: a JWKS endpoint (cached, refreshed), an OIDC-discovered
 * JWKS, a PEM file or a JWKS file.
 *
 * <p>Only keys usable for signature verification are returned (no private keys, no {@code use: enc}); RSA keys
 * under 2048 bits are never returned. Thread-safe.
 */
@FunctionalInterface
public interface KeySource extends AutoCloseable {

    /**
     * The keys that may have signed a token naming this key id; every key when the token names none.
     * A source backed by an endpoint refetches on an unknown key id within its own rate limit.
     *
     * @param keyId the token header's {@code kid}, empty when it names none
     * @return the matching keys; empty when none match (the token is then invalid)
     * @throws dev.tokengate.UpstreamUnavailableException when no keys can be had (endpoint down, nothing cached)
     */
    List<VerificationKey> keys(Optional<String> keyId);

    /**
     * How long ago the keys this source serves were fetched, for the key-set age metric: a source that fetches keys
     * keeps its age while its endpoint fails. Default: empty, keys that are not fetched (a file, PEM text).
     *
     * @return the age of the served keys; empty before the first fetch or for keys that are not fetched
     */
    default Optional<Duration> age() {
        return Optional.empty();
    }

    /**
     * Releases what the source started (an HTTP client it built, its threads); the gate calls it when it closes the
     * sources it built. Default: nothing to release. A closed source must not be used again.
     */
    @Override
    default void close() {
    }
}
