package dev.tokengate;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a route demands of a request: nothing ({@link #permit()}), a valid token ({@link #authenticated()}),
 * a token with all of some scopes ({@link #allOf}), with any one of them ({@link #anyOf}), or nothing will do
 * ({@link #deny()}).
 *
 * <p>The text form, used by URL rules and configuration, is parsed by {@link #parse(String)}:
 * <pre>
 *   permit                 no token needed, none checked
 *   authenticated          any valid token
 *   deny                   refused for everyone (403)
 *   read                   scope read
 *   read trade             all of read and trade (spaces or commas)
 *   read | trade           any one of read or trade
 * </pre>
 */
public final class Requirement {

    /** The kinds of requirement. */
    public enum Mode {
        PERMIT, AUTHENTICATED, ALL_OF, ANY_OF, DENY
    }

    private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");
    private static final Requirement PERMIT = new Requirement(Mode.PERMIT, Set.of());
    private static final Requirement AUTHENTICATED = new Requirement(Mode.AUTHENTICATED, Set.of());
    private static final Requirement DENY = new Requirement(Mode.DENY, Set.of());

    private final Mode mode;
    private final Set<String> scopes;

    private Requirement(Mode mode, Set<String> scopes) {
        this.mode = mode;
        this.scopes = scopes;
    }

    public static Requirement permit() {
        return PERMIT;
    }

    public static Requirement authenticated() {
        return AUTHENTICATED;
    }

    public static Requirement deny() {
        return DENY;
    }

    public static Requirement allOf(String... scopes) {
        return allOf(Arrays.asList(scopes));
    }

    public static Requirement allOf(Collection<String> scopes) {
        return scoped(Mode.ALL_OF, scopes);
    }

    public static Requirement anyOf(String... scopes) {
        return anyOf(Arrays.asList(scopes));
    }

    public static Requirement anyOf(Collection<String> scopes) {
        return scoped(Mode.ANY_OF, scopes);
    }

    private static Requirement scoped(Mode mode, Collection<String> scopes) {
        Set<String> set = new LinkedHashSet<>();
        for (String s : scopes) {
            Objects.requireNonNull(s, "scope");
            if (!SCOPE_TOKEN.matcher(s).matches()) {
                throw new IllegalArgumentException("'" + s + "' is not a valid scope (RFC 6749 §3.3: printable ASCII, no space, quote or backslash)");
            }
            set.add(s);
        }
        if (set.isEmpty()) {
            throw new IllegalArgumentException("a scope requirement needs at least one scope; use authenticated() for none");
        }
        return new Requirement(mode, java.util.Collections.unmodifiableSet(set));
    }

    /**
     * Parses the text form (see the class comment).
     *
     * @throws IllegalArgumentException with a message that shows the accepted forms
     */
    public static Requirement parse(String text) {
        String t = Objects.requireNonNull(text, "text").trim();
        switch (t.toLowerCase(java.util.Locale.ROOT)) {
            case "permit":
                return PERMIT;
            case "authenticated":
                return AUTHENTICATED;
            case "deny":
                return DENY;
            case "":
                throw new IllegalArgumentException("empty requirement: write permit, authenticated, deny, "
                        + "'a b' (all of) or 'a | b' (any of)");
            default:
                break;
        }
        boolean any = t.contains("|");
        String[] parts = t.split(any ? "\\s*\\|\\s*" : "[\\s,]+");
        for (String p : parts) {
            if (p.isEmpty() || (any && p.matches(".*[\\s,].*"))) {
                throw new IllegalArgumentException("'" + t + "' mixes all-of and any-of or has an empty scope: "
                        + "write 'a b' (all of) or 'a | b' (any of)");
            }
        }
        return any ? anyOf(parts) : allOf(parts);
    }

    public Mode mode() {
        return mode;
    }

    /** The scopes named, for {@code ALL_OF} and {@code ANY_OF}; empty otherwise. */
    public Set<String> scopes() {
        return scopes;
    }

    /** Whether a token with these scopes meets this requirement (a valid token is assumed). */
    public boolean isSatisfiedBy(Set<String> granted) {
        return switch (mode) {
            case PERMIT, AUTHENTICATED -> true;
            case DENY -> false;
            case ALL_OF -> granted.containsAll(scopes);
            case ANY_OF -> scopes.stream().anyMatch(granted::contains);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Requirement r && mode == r.mode && scopes.equals(r.scopes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, scopes);
    }

    /** The text form, which {@link #parse} reads back. */
    @Override
    public String toString() {
        return switch (mode) {
            case PERMIT -> "permit";
            case AUTHENTICATED -> "authenticated";
            case DENY -> "deny";
            case ALL_OF -> String.join(" ", scopes);
            case ANY_OF -> String.join(" | ", scopes);
        };
    }
}
