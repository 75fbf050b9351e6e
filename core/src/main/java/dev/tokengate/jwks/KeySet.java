package dev.tokengate.jwks;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One fetched JWK set as cached: its keys, when it was fetched and for how long it is fresh (ticker nanoseconds),
 * and, while its endpoint keeps failing, since when.
 */
record KeySet(List<VerificationKey> keys, long fetchedAt, long lifetime, OptionalLong failingSince) {

    KeySet {
        keys = List.copyOf(keys);
    }

    static KeySet fetched(List<VerificationKey> keys, long fetchedAt, long lifetime) {
        return new KeySet(keys, fetchedAt, lifetime, OptionalLong.empty());
    }

    /** The same keys, marked as served while the endpoint fails; the failure episode keeps its first start. */
    KeySet failing(long now) {
        return new KeySet(keys, fetchedAt, lifetime, OptionalLong.of(failingSince.orElse(now)));
    }

    boolean isFailing() {
        return failingSince.isPresent();
    }

    /** Whether a refresh should fetch: the Cache-Control lifetime has run out, or the last fetch failed. */
    boolean isDue(long now) {
        return isFailing() || now - fetchedAt >= lifetime;
    }

    /** The keys with this key id; every key when there is none. */
    List<VerificationKey> matching(Optional<String> keyId) {
        if (keyId.isEmpty()) {
            return keys;
        }
        return keys.stream().filter(k -> k.keyId().equals(keyId)).toList();
    }
}
