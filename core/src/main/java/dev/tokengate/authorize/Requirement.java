package dev.tokengate.authorize;

import dev.tokengate.internal.Spelling;
import dev.tokengate.jwt.DpopVerifier;
import java.time.Duration;
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
 *   withdraw + acr mfa     as before, and the user authenticated with acr mfa (RFC 9470 step-up)
 *   withdraw + acr mfa hwk + max-age 5m   one of these acr values, and authenticated at most 5 minutes ago
 *   withdraw + dpop required   as before, and only a DPoP-bound token with its proof (RFC 9449)
 * </pre>
 *
 * <p>The step-up suffixes ({@link #withAcrValues}, {@link #withMaxAge}) come after {@code + api-key} and before
 * {@code + rate-limit}: {@code + acr V…} lists the acceptable {@code acr} values (any one will do), {@code + max-age
 * N} the longest time since {@code auth_time} (seconds, or {@code 5m}, {@code 1h}). A token that does not meet them
 * is refused with 401 {@code insufficient_user_authentication} and the challenge's {@code acr_values} / {@code max_age}.
 *
 * <p>The {@code + dpop off|allowed|required} suffix ({@link #withDpop}) comes after the step-up suffixes and before
 * {@code + rate-limit}; it overrides {@code tokengate.dpop} for the route: {@code required} accepts only DPoP-bound
 * tokens sent with a proof (and the route's 401 challenge is {@code DPoP} alone), {@code allowed} both schemes,
 * {@code off} only {@code Bearer}. A DPoP-bound token sent as {@code Bearer} is refused on every route. With
 * {@code tokengate.dpop=off} no route may say {@code allowed} or {@code required}: the adapters refuse to start.
 * The suffixes print in the order {@code + api-key}, {@code + acr}, {@code + max-age}, {@code + dpop},
 * {@code + rate-limit}.
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
    private static final String ACR_SUFFIX = "+ acr";
    /** A requirement followed by {@code + acr} and perhaps values, any case, any blanks around the {@code +}. */
    private static final Pattern WITH_ACR = Pattern.compile("(?is)(.*)\\+\\s*acr(?:\\s+([^+]*?))?\\s*");
    private static final String MAX_AGE_SUFFIX = "+ max-age";
    /** A requirement followed by {@code + max-age} and perhaps an age, any case, any blanks around the {@code +}. */
    private static final Pattern WITH_MAX_AGE = Pattern.compile("(?is)(.*)\\+\\s*max-age(?:\\s+(\\S*))?\\s*");
    private static final String DPOP_SUFFIX = "+ dpop";
    /** A requirement followed by {@code + dpop} and perhaps a mode, any case, any blanks around the {@code +}. */
    private static final Pattern WITH_DPOP = Pattern.compile("(?is)(.*)\\+\\s*dpop(?:\\s+(\\S*))?\\s*");
    /** The words a {@code +} may start, for the message about one it does not. */
    private static final List<String> SUFFIXES = List.of("api-key", "acr", "max-age", "dpop", "rate-limit");
    /** An age in whole seconds, minutes or hours: {@code 300}, {@code 300s}, {@code 5m}, {@code 1h}. */
    private static final Pattern AGE = Pattern.compile("(\\d{1,9})([smh]?)");
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
    /** The acceptable {@code acr} values (RFC 9470), in order of preference; empty when any will do. */
    private final Set<String> acrValues;
    /** The longest time since {@code auth_time} (RFC 9470), or {@code null} for no limit. */
    private final Duration maxAge;
    /** The route's DPoP mode, overriding {@code tokengate.dpop}, or {@code null} for the gate's. */
    private final DpopVerifier.Mode dpop;

    private Requirement(Mode mode, Set<String> scopes, boolean apiKey) {
        this(mode, scopes, apiKey, false);
    }

    private Requirement(Mode mode, Set<String> scopes, boolean apiKey, boolean noMatchingRule) {
        this(mode, scopes, apiKey, noMatchingRule, null, null, Set.of(), null, null);
    }

    private Requirement(Mode mode, Set<String> scopes, boolean apiKey, boolean noMatchingRule, Rate rateLimit,
                        String route, Set<String> acrValues, Duration maxAge, DpopVerifier.Mode dpop) {
        this.mode = mode;
        this.scopes = scopes;
        this.apiKey = apiKey;
        this.noMatchingRule = noMatchingRule;
        this.rateLimit = rateLimit;
        this.route = route;
        this.acrValues = acrValues;
        this.maxAge = maxAge;
        this.dpop = dpop;
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
        Matcher withDpop = WITH_DPOP.matcher(t);
        if (withDpop.matches()) {
            DpopVerifier.Mode dpopMode;
            try {
                dpopMode = DpopVerifier.Mode.named(withDpop.group(2) == null ? "" : withDpop.group(2));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + t + "': write the route's DPoP mode after dpop: "
                        + "'withdraw + dpop required' (only DPoP-bound tokens with a proof), '+ dpop allowed' or "
                        + "'+ dpop off'", e);
            }
            Requirement base = parse(withDpop.group(1));
            if (base.dpop != null) {
                throw new IllegalArgumentException("'" + t + "' has two DPoP modes; write one '+ dpop required'");
            }
            return base.withDpop(dpopMode);
        }
        Matcher withMaxAge = WITH_MAX_AGE.matcher(t);
        if (withMaxAge.matches()) {
            Requirement base = parse(withMaxAge.group(1));
            if (base.maxAge != null) {
                throw new IllegalArgumentException("'" + t + "' has two max-age limits; write one '+ max-age N'");
            }
            return base.withMaxAge(age(t, withMaxAge.group(2)));
        }
        Matcher withAcr = WITH_ACR.matcher(t);
        if (withAcr.matches()) {
            if (withAcr.group(2) == null || withAcr.group(2).isBlank()) {
                throw new IllegalArgumentException("'" + t + "': write the acceptable acr values after acr, e.g. "
                        + "'withdraw + acr mfa' (any one of several: 'withdraw + acr mfa hwk')");
            }
            Requirement base = parse(withAcr.group(1));
            if (!base.acrValues.isEmpty()) {
                throw new IllegalArgumentException("'" + t + "' has two acr lists; write one '+ acr v1 v2'");
            }
            return base.withAcrValues(Arrays.asList(withAcr.group(2).trim().split("\\s+")));
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
            if (word.equals("acr") || word.equals("max-age") || word.endsWith("+acr") || word.endsWith("+max-age")) {
                throw new IllegalArgumentException("'" + t + "': write '<requirement> + acr v1 v2' or "
                        + "'<requirement> + max-age 5m' after the scopes, e.g. 'withdraw + acr mfa + max-age 5m'");
            }
            if (word.equals("dpop") || word.endsWith("+dpop")) {
                throw new IllegalArgumentException("'" + t + "': write '<requirement> + dpop required' (or allowed, "
                        + "off) after the scopes, e.g. 'withdraw + dpop required'");
            }
            if (word.equals("+")) {
                // "+ dpopp required": a '+' starts a suffix, and a scope named '+' would hide a misspelt one
                throw new IllegalArgumentException("'" + t + "': a '+' starts one of the suffixes + "
                        + String.join(", + ", SUFFIXES) + Spelling.nearest(nextWord(parts, p), SUFFIXES, 2)
                        .map(s -> "; did you mean '+ " + s + "'?").orElse(""));
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
        return new Requirement(mode, scopes, true, false, rateLimit, route, acrValues, maxAge, dpop);
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
        return new Requirement(mode, scopes, apiKey, noMatchingRule, rate, route, acrValues, maxAge, dpop);
    }

    /**
     * This requirement plus an authentication context (RFC 9470): the token's {@code acr} claim must be one of these
     * values, else 401 {@code insufficient_user_authentication} with {@code acr_values}. Only for requirements that
     * need a token.
     *
     * @param values the acceptable {@code acr} values, in order of preference; at least one, each without blanks
     * @return a requirement that also needs one of these authentication contexts
     * @throws IllegalArgumentException for no value, a malformed one, or {@code permit} and {@code deny}
     */
    public Requirement withAcrValues(Collection<String> values) {
        Set<String> set = new LinkedHashSet<>();
        for (String v : values) {
            Objects.requireNonNull(v, "acr value");
            if (!SCOPE_TOKEN.matcher(v).matches()) {
                throw new IllegalArgumentException("'" + v + "' is not an acr value: printable ASCII without blanks, "
                        + "quote or backslash, e.g. mfa or urn:example:acr:mfa");
            }
            set.add(v);
        }
        if (set.isEmpty()) {
            throw new IllegalArgumentException("an acr requirement needs at least one value, e.g. mfa");
        }
        needsToken(ACR_SUFFIX + " " + String.join(" ", set));
        return new Requirement(mode, scopes, apiKey, noMatchingRule, rateLimit, route,
                java.util.Collections.unmodifiableSet(set), maxAge, dpop);
    }

    /**
     * This requirement plus freshness (RFC 9470): the user must have authenticated ({@code auth_time}) at most this
     * long ago, else 401 {@code insufficient_user_authentication} with {@code max_age}; a token without
     * {@code auth_time} does not meet it. Only for requirements that need a token.
     *
     * @param maxAge the longest time since the user authenticated, whole seconds, positive
     * @return a requirement that also needs a recent authentication
     * @throws IllegalArgumentException for an age that is not whole positive seconds, or {@code permit} and
     *                                  {@code deny}
     */
    public Requirement withMaxAge(Duration maxAge) {
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative() || maxAge.isZero() || maxAge.getNano() != 0) {
            throw new IllegalArgumentException("max-age " + maxAge + " must be a positive whole number of seconds");
        }
        needsToken(MAX_AGE_SUFFIX + " " + maxAge.getSeconds());
        return new Requirement(mode, scopes, apiKey, noMatchingRule, rateLimit, route, acrValues, maxAge, dpop);
    }

    /**
     * This requirement with the route's own DPoP mode (RFC 9449), which overrides {@code tokengate.dpop}:
     * {@code required} accepts only a DPoP-bound token sent as {@code Authorization: DPoP} with a valid proof (the
     * route's 401 challenge is {@code DPoP} alone); {@code allowed} accepts {@code Bearer} and {@code DPoP};
     * {@code off} only {@code Bearer}. A DPoP-bound token sent as {@code Bearer} is refused in every mode. Only for
     * requirements that need a token; a gate with {@code tokengate.dpop=off} refuses routes that say
     * {@code allowed} or {@code required}.
     *
     * @param dpop the route's DPoP mode; not null
     * @return a requirement with this DPoP mode
     * @throws IllegalArgumentException for {@code permit} and {@code deny}
     */
    public Requirement withDpop(DpopVerifier.Mode dpop) {
        Objects.requireNonNull(dpop, "dpop");
        if (mode == Mode.PERMIT || mode == Mode.DENY) {
            throw new IllegalArgumentException("'" + this + " " + DPOP_SUFFIX + " " + dpop.value() + "' makes no "
                    + "sense: DPoP binds a token, so it goes with a token requirement, e.g. 'withdraw + dpop required'");
        }
        return new Requirement(mode, scopes, apiKey, noMatchingRule, rateLimit, route, acrValues, maxAge, dpop);
    }

    /**
     * The route's own DPoP mode ({@link #withDpop}), if it overrides {@code tokengate.dpop}.
     *
     * @return the mode, empty when the gate's applies
     */
    public Optional<DpopVerifier.Mode> dpop() {
        return Optional.ofNullable(dpop);
    }

    /** The word after {@code part} in {@code parts}, or the empty string. */
    private static String nextWord(String[] parts, String part) {
        int i = Arrays.asList(parts).indexOf(part);
        return i >= 0 && i + 1 < parts.length ? parts[i + 1].toLowerCase(java.util.Locale.ROOT) : "";
    }

    private void needsToken(String suffix) {
        if (mode == Mode.PERMIT || mode == Mode.DENY) {
            throw new IllegalArgumentException("'" + this + " " + suffix + "' makes no sense: the user's authentication "
                    + "is read from a token, so it goes with a token requirement, e.g. 'withdraw " + suffix + "'");
        }
    }

    private static Duration age(String text, String age) {
        Matcher m = age == null ? null : AGE.matcher(age);
        if (m == null || !m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("'" + text + "': write a positive age after max-age, in seconds or "
                    + "with a unit: '+ max-age 300', '+ max-age 5m', '+ max-age 1h'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /**
     * The acceptable {@code acr} values (RFC 9470), in order of preference.
     *
     * @return the values, unmodifiable; empty when any authentication context will do
     */
    public Set<String> acrValues() {
        return acrValues;
    }

    /**
     * The longest time since the user authenticated ({@code auth_time}, RFC 9470), if the route limits it.
     *
     * @return the age, empty for no limit
     */
    public Optional<Duration> maxAge() {
        return Optional.ofNullable(maxAge);
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
        return new Requirement(mode, scopes, apiKey, noMatchingRule, rateLimit, route, acrValues, maxAge, dpop);
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
                && noMatchingRule == r.noMatchingRule && Objects.equals(rateLimit, r.rateLimit)
                && acrValues.equals(r.acrValues) && Objects.equals(maxAge, r.maxAge) && dpop == r.dpop;
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, scopes, apiKey, noMatchingRule, rateLimit, acrValues, maxAge, dpop);
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
        StringBuilder sb = new StringBuilder(base);
        if (apiKey) {
            sb.append(' ').append(API_KEY_SUFFIX);
        }
        if (!acrValues.isEmpty()) {
            sb.append(' ').append(ACR_SUFFIX).append(' ').append(String.join(" ", acrValues));
        }
        if (maxAge != null) {
            sb.append(' ').append(MAX_AGE_SUFFIX).append(' ').append(maxAge.getSeconds());
        }
        if (dpop != null) {
            sb.append(' ').append(DPOP_SUFFIX).append(' ').append(dpop.value());
        }
        if (rateLimit != null) {
            sb.append(' ').append(RATE_LIMIT_SUFFIX).append(' ').append(rateLimit);
        }
        return sb.toString();
    }
}
