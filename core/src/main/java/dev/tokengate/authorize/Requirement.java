package dev.tokengate.authorize;

import dev.tokengate.internal.Spelling;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
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
 *   read trade             all of read and trade (separated by spaces; a comma is refused as ambiguous)
 *   read | trade           any one of read or trade
 *   trade + api-key        as before, and the calling application's API key too (the hybrid)
 *   trade + rate-limit 10/1m   as before, and at most 10 requests a minute per token on this route
 * </pre>
 *
 * <p>The {@code + rate-limit N/duration} suffix ({@link #withRateLimit}) goes last, after {@code + api-key} when
 * both are written, on any requirement that needs a token. It limits each token on the route it is declared for:
 * a URL rule or a JAX-RS method ({@link #route()}, which is not part of the requirement's value).
 */
public final class Requirement {

    /** The kinds of requirement. */
    public enum Mode {
        /** No token needed, none checked. */
        PERMIT,
        /** Any valid token. */
        AUTHENTICATED,
        /** A valid token with every one of the scopes. */
        ALL_OF,
        /** A valid token with at least one of the scopes. */
        ANY_OF,
        /** Refused for everyone (403). */
        DENY
    }

    private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");
    private static final String API_KEY_SUFFIX = "+ api-key";
    /** A requirement followed by {@code + api-key}, any case, any blanks around the {@code +}. */
    private static final Pattern WITH_API_KEY = Pattern.compile("(?is)(.*)\\+\\s*api-key");
    private static final String RATE_LIMIT_SUFFIX = "+ rate-limit";
    /** A requirement followed by {@code + rate-limit} and perhaps a rate, any case, any blanks around the {@code +}. */
    private static final Pattern WITH_RATE_LIMIT = Pattern.compile("(?is)(.*)\\+\\s*rate-limit(?:\\s+(\\S*))?\\s*");
    /** The requirements that are not scopes; a scope this close to one (two edits) is taken for a typo. */
    private static final List<String> KEYWORDS = List.of("permit", "authenticated", "deny");
    private static final Requirement PERMIT = new Requirement(Mode.PERMIT, Set.of(), false);
    private static final Requirement AUTHENTICATED = new Requirement(Mode.AUTHENTICATED, Set.of(), false);
    private static final Requirement DENY = new Requirement(Mode.DENY, Set.of(), false);
    private static final Requirement NO_MATCHING_RULE = new Requirement(Mode.DENY, Set.of(), false, true);

    private final Mode mode;
    private final Set<String> scopes;
    private final boolean apiKey;
    private final boolean noMatchingRule;
    private final Rate rateLimit;
    private final String route;

    private Requirement(Mode mode, Set<String> scopes, boolean apiKey) {
        this(mode, scopes, apiKey, false);
    }

    private Requirement(Mode mode, Set<String> scopes, boolean apiKey, boolean noMatchingRule) {
        this(mode, scopes, apiKey, noMatchingRule, null, null);
    }

    private Requirement(Mode mode, Set<String> scopes, boolean apiKey, boolean noMatchingRule, Rate rateLimit,
                        String route) {
        this.mode = mode;
        this.scopes = scopes;
        this.apiKey = apiKey;
        this.noMatchingRule = noMatchingRule;
        this.rateLimit = rateLimit;
        this.route = route;
    }

    /**
     * No token needed, none checked: the route is open.
     *
     * @return the shared {@code permit} requirement
     */
    public static Requirement permit() {
        return PERMIT;
    }

    /**
     * Any valid token.
     *
     * @return the shared {@code authenticated} requirement
     */
    public static Requirement authenticated() {
        return AUTHENTICATED;
    }

    /**
     * Refused for everyone (403 {@code access_denied}); no token is looked at.
     *
     * @return the shared {@code deny} requirement
     */
    public static Requirement deny() {
        return DENY;
    }

    /**
     * What a request gets when no URL rule matches it and unmatched requests are denied: refused for everyone like
     * {@link #deny()}, but its refusal says that no rule matched (and how to add one) instead of naming a deny rule.
     *
     * @return the shared requirement
     */
    public static Requirement noMatchingRule() {
        return NO_MATCHING_RULE;
    }

    /**
     * Whether this is {@link #noMatchingRule()}: a refusal because no rule matched, not because a rule denies.
     *
     * @return {@code true} only for {@link #noMatchingRule()}
     */
    public boolean isNoMatchingRule() {
        return noMatchingRule;
    }

    /**
     * A valid token with every one of these scopes.
     *
     * @param scopes at least one scope, each an RFC 6749 scope token
     * @return the requirement
     * @throws IllegalArgumentException for no scope or a malformed one
     */
    public static Requirement allOf(String... scopes) {
        return allOf(Arrays.asList(scopes));
    }

    /**
     * A valid token with every one of these scopes.
     *
     * @param scopes at least one scope, each an RFC 6749 scope token
     * @return the requirement
     * @throws IllegalArgumentException for no scope or a malformed one
     */
    public static Requirement allOf(Collection<String> scopes) {
        return scoped(Mode.ALL_OF, scopes);
    }

    /**
     * A valid token with at least one of these scopes.
     *
     * @param scopes at least one scope, each an RFC 6749 scope token
     * @return the requirement
     * @throws IllegalArgumentException for no scope or a malformed one
     */
    public static Requirement anyOf(String... scopes) {
        return anyOf(Arrays.asList(scopes));
    }

    /**
     * A valid token with at least one of these scopes.
     *
     * @param scopes at least one scope, each an RFC 6749 scope token
     * @return the requirement
     * @throws IllegalArgumentException for no scope or a malformed one
     */
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
        // One distinct scope is one requirement however it was written ("a | a", "a"): all-of, so that it prints and
        // reads back as itself and equals its other spellings.
        Mode canonical = set.size() == 1 ? Mode.ALL_OF : mode;
        return new Requirement(canonical, java.util.Collections.unmodifiableSet(set), false);
    }

    /**
     * Parses the text form (see the class comment).
     *
     * @param text the text form, e.g. {@code read | trade + api-key}; not null
     * @return the requirement
     * @throws IllegalArgumentException with a message that shows the accepted forms
     */
    public static Requirement parse(String text) {
        String t = Objects.requireNonNull(text, "text").trim();
        Matcher withRateLimit = WITH_RATE_LIMIT.matcher(t);
        if (withRateLimit.matches()) {
            if (withRateLimit.group(2) == null || withRateLimit.group(2).isEmpty()) {
                throw new IllegalArgumentException("'" + t + "': write the rate after rate-limit, e.g. "
                        + "'trade + rate-limit 10/1m' (10 requests a minute per token)");
            }
            Requirement base = parse(withRateLimit.group(1));
            if (base.rateLimit != null) {
                throw new IllegalArgumentException("'" + t + "' has two rate limits; write one '+ rate-limit N/duration'");
            }
            return base.withRateLimit(Rate.parse(withRateLimit.group(2)));
        }
        Matcher withApiKey = WITH_API_KEY.matcher(t);
        if (withApiKey.matches()) {
            return parse(withApiKey.group(1)).withApiKey();
        }
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
        if (t.indexOf(',') >= 0) {
            throw new IllegalArgumentException("'" + t + "': a comma is ambiguous here; write '"
                    + t.replaceAll("\\s*,\\s*", " ") + "' (all of these scopes) or '"
                    + t.replaceAll("\\s*,\\s*", " | ") + "' (any one of them)");
        }
        boolean any = t.contains("|");
        String[] parts = t.split(any ? "\\s*\\|\\s*" : "\\s+", -1); // -1: a trailing '|' leaves an empty scope to refuse
        for (String p : parts) {
            if (p.isEmpty() || (any && p.matches(".*\\s.*"))) {
                throw new IllegalArgumentException("'" + t + "' mixes all-of and any-of or has an empty scope: "
                        + "write 'a b' (all of) or 'a | b' (any of)");
            }
            String word = p.toLowerCase(java.util.Locale.ROOT);
            if (word.equals("api-key")) {
                // "trade api-key": the '+' is missing. A scope that merely ends in api-key ("partner-api-key") is a scope.
                throw new IllegalArgumentException("'" + t + "': write '<requirement> + api-key', e.g. 'trade + api-key'");
            }
            if (word.equals("rate-limit") || word.endsWith("+rate-limit")) {
                // Written last, such a scope would read back as the '+ rate-limit' suffix.
                throw new IllegalArgumentException("'" + t + "': write '<requirement> + rate-limit N/duration' at the end, "
                        + "e.g. 'trade + rate-limit 10/1m'");
            }
            if (word.endsWith("+api-key")) {
                // Written last, such a scope would read back as the '+ api-key' suffix: one text, two requirements.
                throw new IllegalArgumentException("'" + p + "' reads as the '+ api-key' suffix, not as a scope: write "
                        + "'<requirement> + api-key' at the end, e.g. 'trade + api-key'");
            }
            if (KEYWORDS.contains(word)) {
                throw new IllegalArgumentException("'" + t + "': " + word + " is a requirement of its own and cannot "
                        + "be listed with scopes; write '" + word + "' alone, or only scopes");
            }
            Optional<String> keyword = Spelling.nearest(word, KEYWORDS, 2);
            if (keyword.isPresent() && word.length() >= 4) {
                throw new IllegalArgumentException("'" + p + "' looks like a misspelt keyword: did you mean "
                        + keyword.get() + "? (Scope names this close to a keyword are refused, to catch typos.)");
            }
        }
        return any ? anyOf(parts) : allOf(parts);
    }

    /**
     * The kind of requirement.
     *
     * @return the mode, never null
     */
    public Mode mode() {
        return mode;
    }

    /**
     * This requirement plus the calling application's API key (the hybrid: an application key and a user's token,
     * both valid). Only for requirements that need a token.
     *
     * @return a requirement that also needs an API key
     * @throws IllegalArgumentException for {@code permit} and {@code deny}
     */
    public Requirement withApiKey() {
        if (mode == Mode.PERMIT || mode == Mode.DENY) {
            throw new IllegalArgumentException("'" + this + " + api-key' makes no sense: an API key goes with a token "
                    + "requirement, e.g. 'authenticated + api-key' or 'trade + api-key'");
        }
        return new Requirement(mode, scopes, true, false, rateLimit, route);
    }

    /**
     * This requirement plus a rate limit: at most {@code rate} requests per window for each token on this route
     * (its {@link #route()}). Refused over the limit with 429 and {@code Retry-After}. Only for requirements that
     * need a token.
     *
     * @param rate the limit per token on this route; not null
     * @return a requirement that also limits the rate
     * @throws IllegalArgumentException for {@code permit} and {@code deny}
     */
    public Requirement withRateLimit(Rate rate) {
        Objects.requireNonNull(rate, "rate");
        if (mode == Mode.PERMIT || mode == Mode.DENY) {
            throw new IllegalArgumentException("'" + this + " " + RATE_LIMIT_SUFFIX + " " + rate + "' makes no sense: "
                    + "a rate limit counts tokens, so it goes with a token requirement, e.g. 'trade + rate-limit 10/1m'");
        }
        return new Requirement(mode, scopes, apiKey, noMatchingRule, rate, route);
    }

    /**
     * The route's rate limit per token, if it has one.
     *
     * @return the rate, empty when the route has none
     */
    public Optional<Rate> rateLimit() {
        return Optional.ofNullable(rateLimit);
    }

    /**
     * This requirement as declared for one route, whose name tells its rate limit's budgets apart: a URL rule's
     * {@code POST /api/orders}, a resource method's {@code OrdersResource.place}. The name is not part of the
     * requirement's value: it is neither compared by {@link #equals} nor written by {@link #toString}.
     *
     * @param route the route's name, e.g. {@code POST /api/orders}; not null
     * @return the same requirement, named for this route
     */
    public Requirement forRoute(String route) {
        Objects.requireNonNull(route, "route");
        return new Requirement(mode, scopes, apiKey, noMatchingRule, rateLimit, route);
    }

    /**
     * The route this requirement was declared for ({@link #forRoute}), if it was named; a rate limit of a
     * requirement without a route counts against a budget shared by every unnamed route of the same text.
     *
     * @return the route's name, empty when it was not named
     */
    public Optional<String> route() {
        return Optional.ofNullable(route);
    }

    /**
     * Whether the request must also carry a valid API key.
     *
     * @return {@code true} when an API key is required as well
     */
    public boolean requiresApiKey() {
        return apiKey;
    }

    /**
     * The scopes named, for {@code ALL_OF} and {@code ANY_OF}; empty otherwise.
     *
     * @return the scopes, unmodifiable
     */
    public Set<String> scopes() {
        return scopes;
    }

    /**
     * Whether a token with these scopes meets this requirement (a valid token is assumed).
     *
     * @param granted the token's scopes; not null
     * @return {@code true} when the scopes meet the requirement (always for {@code permit} and {@code authenticated},
     *         never for {@code deny})
     */
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
        return o instanceof Requirement r && mode == r.mode && scopes.equals(r.scopes) && apiKey == r.apiKey
                && noMatchingRule == r.noMatchingRule && Objects.equals(rateLimit, r.rateLimit);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, scopes, apiKey, noMatchingRule, rateLimit);
    }

    /** The text form, which {@link #parse} reads back. */
    @Override
    public String toString() {
        String base = switch (mode) {
            case PERMIT -> "permit";
            case AUTHENTICATED -> "authenticated";
            case DENY -> "deny";
            case ALL_OF -> String.join(" ", scopes);
            case ANY_OF -> String.join(" | ", scopes);
        };
        String withKey = apiKey ? base + " " + API_KEY_SUFFIX : base;
        return rateLimit != null ? withKey + " " + RATE_LIMIT_SUFFIX + " " + rateLimit : withKey;
    }
}
