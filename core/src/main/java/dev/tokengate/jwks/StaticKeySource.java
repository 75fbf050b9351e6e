package dev.tokengate.jwks;

import java.util.List;
import java.util.Optional;

/**
 * A fixed set of keys, read once at start-up. Keys from a PEM file have no {@code kid} and are offered for every
 * token; keys from a JWKS file are matched by {@code kid} like those of an endpoint.
 */
final class StaticKeySource implements KeySource {

    private final List<VerificationKey> keys;
    private final boolean matchKeyId;
    private final String description;

    StaticKeySource(List<VerificationKey> keys, boolean matchKeyId, String description) {
        this.keys = List.copyOf(keys);
        this.matchKeyId = matchKeyId;
        this.description = description;
    }

    @Override
    public List<VerificationKey> keys(Optional<String> keyId) {
        if (!matchKeyId || keyId.isEmpty()) {
            return keys;
        }
        return keys.stream().filter(k -> k.keyId().equals(keyId)).toList();
    }

    @Override
    public String toString() {
        return "StaticKeySource[" + description + ", " + keys.size() + " keys]";
    }
}
