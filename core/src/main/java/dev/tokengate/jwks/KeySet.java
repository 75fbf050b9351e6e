package dev.tokengate.jwks;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One fetched JWK set as cached, with its timing in ticker nanoseconds: when it was fetched, how long it is fresh,
 * when the next fetch is due and, while its endpoint keeps failing, since when.
 */
record KeySet(List<VerificationKey> keys, long fetchedAt, long lifetime, long nextFetch, OptionalLong failingSince) {

    KeySet {
        keys = List.copyOf(keys);
    }

    static KeySet fetched(List<VerificationKey> keys, long fetchedAt, long lifetime) {
        return new KeySet(keys, fetchedAt, lifetime, fetchedAt + lifetime, OptionalLong.empty());
    }

    /** The same keys, served while the endpoint fails; the episode keeps its first start. */
    KeySet failing(long now, long retryAfter) {
        return new KeySet(keys, fetchedAt, lifetime, now + retryAfter, OptionalLong.of(failingSince.orElse(now)));
    }

    /** The same set as a new instance, so that Caffeine restarts its refresh clock. */
    KeySet unchanged() {
        return new KeySet(keys, fetchedAt, lifetime, nextFetch, failingSince);
    }

    boolean isFailing() {
        return failingSince.isPresent();
    }

    /** Whether a refresh should fetch: the freshness lifetime has run out, or a failed fetch is due a retry. */
    boolean isDue(long now) {
        return now - nextFetch >= 0;
    }

    /** The keys with this key id; every key when there is none. */
    List<VerificationKey> matching(Optional<String> keyId) {
        if (keyId.isEmpty()) {
            return keys;
        }
        // A loop, not a stream: this runs for every first-seen token, and a JWKS has one key per kid.
        VerificationKey only = null;
        int found = 0;
        for (VerificationKey k : keys) {
            if (k.keyId().equals(keyId)) {
                only = k;
                found++;
            }
        }
        if (found <= 1) {
            return only == null ? List.of() : List.of(only);
        }
        List<VerificationKey> matches = new java.util.ArrayList<>(found);
        for (VerificationKey k : keys) {
            if (k.keyId().equals(keyId)) {
                matches.add(k);
            }
        }
        return List.copyOf(matches);
    }
}
