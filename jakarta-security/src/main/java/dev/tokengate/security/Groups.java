package dev.tokengate.security;

import dev.tokengate.VerifiedToken;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where a token's groups (the container's roles) come from: its scopes, or the strings at a claim path such as
 * {@code realm_access.roles} (Keycloak) or {@code groups}. A path's value may be a JSON array of strings or one
 * string of space-separated names; anything else gives no groups (and so no role), never an error.
 */
final class Groups {

    private static final Pattern PATH = Pattern.compile("[^.\\s]+(\\.[^.\\s]+)*");
    private static final Pattern SEPARATORS = Pattern.compile("\\s+");

    private final List<String> path;

    private Groups(List<String> path) {
        this.path = path;
    }

    /** The token's scopes. */
    static Groups scopes() {
        return new Groups(List.of());
    }

    /**
     * The strings at this claim path: names separated by dots, each a member of the JSON object before it.
     *
     * @throws IllegalArgumentException for an empty name or white space
     */
    static Groups claim(String path) {
        if (!PATH.matcher(path).matches()) {
            throw new IllegalArgumentException("'" + path + "' is not a claim path: write member names separated by "
                    + "dots, e.g. realm_access.roles");
        }
        return new Groups(List.of(path.split("\\.")));
    }

    /** The token's groups. */
    Set<String> of(VerifiedToken token) {
        if (path.isEmpty()) {
            return token.scopes();
        }
        Optional<Object> value = token.claim(path.get(0));
        Object v = value.orElse(null);
        for (String name : path.subList(1, path.size())) {
            v = v instanceof Map<?, ?> object ? object.get(name) : null;
        }
        Set<String> groups = new LinkedHashSet<>();
        if (v instanceof Collection<?> items) {
            for (Object item : items) {
                if (item instanceof String s && !s.isBlank()) {
                    groups.add(s);
                }
            }
        } else if (v instanceof String s) {
            for (String name : SEPARATORS.split(s.strip())) {
                if (!name.isEmpty()) {
                    groups.add(name);
                }
            }
        }
        return Set.copyOf(groups);
    }

    @Override
    public String toString() {
        return path.isEmpty() ? "the token's scopes" : "the claim " + String.join(".", path);
    }
}
