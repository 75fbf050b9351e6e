package dev.tokengate.authorize;

import dev.tokengate.ConfigurationException;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.internal.Spelling;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The map from request paths and methods to the {@link Requirement} each one must meet, matched with servlet
 * url-pattern semantics (Servlet 6.0 §12.2) on the path within the application (servlet path + path info).
 *
 * <p>Text form, one rule per line or {@code ;}-separated; blank lines and lines starting with {@code #} are
 * ignored:
 * <pre>
 *   [METHOD[,METHOD…]] PATTERN = REQUIREMENT
 *
 *   GET,HEAD /api/accounts/* = read
 *   POST /api/orders         = trade
 *   /api/public/*            = permit
 *   /api/admin/*             = admin | root
 *   /*                       = authenticated
 * </pre>
 * <ul>
 *   <li>{@code PATTERN} is an exact path ({@code /api/orders}), a prefix ({@code /api/accounts/*}, which also
 *       matches {@code /api/accounts} itself), an extension ({@code *.csv}) or the default ({@code /} or
 *       {@code /*}, which are the same rule here).</li>
 *   <li>{@code REQUIREMENT} is read by {@link Requirement#parse}: {@code permit}, {@code authenticated},
 *       {@code deny}, all-of scopes ({@code read trade}) or any-of scopes
 *       ({@code admin | root}), perhaps followed by {@code + api-key} and by {@code + rate-limit N/duration}
 *       ({@code POST /api/orders = trade + rate-limit 10/1m}: each token at most 10 orders a minute; the rule is
 *       the {@linkplain Requirement#route() route} whose budget is counted).</li>
 * </ul>
 *
 * <p>Which rule applies: among the rules whose pattern matches the path and whose methods include the request's
 * method (a rule without methods matches every method), the most specific pattern wins — exact, then the longest
 * prefix, then extension, then default. Between rules of the same pattern, one that names the request's method
 * beats one that names none. A rule naming {@code GET} also covers {@code HEAD} (a servlet answers {@code HEAD}
 * by running {@code doGet}), unless a rule of the same pattern names {@code HEAD} itself. Paths are compared
 * case-sensitively, as the container maps them. A request that no rule matches gets the unmatched requirement
 * ({@code deny} by default, as {@link Requirement#noMatchingRule()}, whose refusal says that no rule matched).
 *
 * <p>Immutable and thread-safe.
 */
public final class UrlRules {

    private static final Pattern METHOD = Pattern.compile("[A-Z][A-Z0-9_-]*");
    /** The IANA HTTP Method Registry: a rule naming anything else is a typo ({@code GETT}) that would match nothing. */
    private static final Set<String> KNOWN_METHODS = Set.of("ACL", "BASELINE-CONTROL", "BIND", "CHECKIN", "CHECKOUT",
            "CONNECT", "COPY", "DELETE", "GET", "HEAD", "LABEL", "LINK", "LOCK", "MERGE", "MKACTIVITY", "MKCALENDAR",
            "MKCOL", "MKREDIRECTREF", "MKWORKSPACE", "MOVE", "OPTIONS", "ORDERPATCH", "PATCH", "POST", "PRI",
            "PROPFIND", "PROPPATCH", "PUT", "QUERY", "REBIND", "REPORT", "SEARCH", "TRACE", "UNBIND", "UNCHECKOUT",
            "UNLINK", "UNLOCK", "UPDATE", "UPDATEREDIRECTREF", "VERSION-CONTROL");
    private static final Set<Requirement.Mode> UNMATCHED_MODES =
            Set.of(Requirement.Mode.DENY, Requirement.Mode.AUTHENTICATED, Requirement.Mode.PERMIT);

    private final List<Rule> rules;
    private final Requirement unmatched;

    private UrlRules(List<Rule> rules, Requirement unmatched) {
        this.rules = List.copyOf(rules);
        this.unmatched = unmatched;
    }

    /**
     * Reads rules from their text form; requests that no rule matches are denied.
     *
     * @param text the rules, one per line; not null
     * @return the rules
     * @throws ConfigurationException naming {@value ConfigKeys#RULES}, the line and what is wrong
     */
    public static UrlRules parse(String text) {
        return parse(text, Requirement.deny());
    }

    /**
     * Reads rules from their text form, with the requirement for requests that no rule matches.
     *
     * @param unmatched {@link Requirement#deny()}, {@link Requirement#authenticated()} or {@link Requirement#permit()}
     * @param text the rules, one per line; not null
     * @return the rules
     * @throws ConfigurationException naming {@value ConfigKeys#RULES} (the line and what is wrong) or
     *                                {@value ConfigKeys#UNMATCHED}
     */
    public static UrlRules parse(String text, Requirement unmatched) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(unmatched, "unmatched");
        if (!UNMATCHED_MODES.contains(unmatched.mode())) {
            throw new ConfigurationException(ConfigKeys.UNMATCHED, "'" + unmatched
                    + "' is not allowed for unmatched requests: write deny, authenticated or permit");
        }
        List<Rule> rules = new ArrayList<>();
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            for (String part : lines[i].split(";", -1)) {
                String rule = part.strip();
                if (rule.isEmpty() || rule.startsWith("#")) {
                    continue;
                }
                Rule parsed = parseRule(i + 1, rule);
                for (Rule existing : rules) {
                    if (existing.pattern.equals(parsed.pattern) && existing.overlaps(parsed)) {
                        throw malformed(parsed.line, rule, "it repeats the pattern " + existing.pattern.text
                                + methodsText(existing.methods) + " of line " + existing.line
                                + "; give each pattern and method one rule");
                    }
                }
                rules.add(parsed);
            }
        }
        if (rules.isEmpty() && unmatched.mode() == Requirement.Mode.DENY) {
            throw new ConfigurationException(ConfigKeys.RULES, "no rules, and unmatched requests are denied, "
                    + "so every request would be refused: add rules (e.g. '/* = authenticated') or set "
                    + ConfigKeys.UNMATCHED);
        }
        return new UrlRules(rules, unmatched);
    }

    /**
     * Reads the unmatched requirement's text: {@code deny}, {@code authenticated} or {@code permit}.
     *
     * @param text {@code deny}, {@code authenticated} or {@code permit}, any case; not null
     * @return the requirement
     * @throws ConfigurationException naming {@value ConfigKeys#UNMATCHED}
     */
    public static Requirement parseUnmatched(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "deny" -> Requirement.deny();
            case "authenticated" -> Requirement.authenticated();
            case "permit" -> Requirement.permit();
            default -> throw new ConfigurationException(ConfigKeys.UNMATCHED, "'" + text
                    + "' is not allowed: write deny (the default), authenticated or permit");
        };
    }

    /**
     * Every scope the rules (and the unmatched requirement) name: the {@code scopes_supported} of the API's RFC 9728
     * metadata.
     *
     * @return the scopes, sorted, unmodifiable
     */
    public Set<String> scopes() {
        Set<String> all = new java.util.TreeSet<>(unmatched.scopes());
        for (Rule rule : rules) {
            all.addAll(rule.requirement().scopes());
        }
        return java.util.Collections.unmodifiableSet(all);
    }

    /**
     * The requirement of a request: its rule's, else the unmatched one ({@link Requirement#noMatchingRule()} for
     * {@code deny}).
     *
     * @param method the HTTP method (compared upper case)
     * @param path   the path within the application: servlet path + path info, starting with {@code /}
     * @return the requirement to apply, never null
     */
    public Requirement requirementFor(String method, String path) {
        return ruleFor(method, path).map(Rule::requirement)
                .orElse(unmatched.mode() == Requirement.Mode.DENY ? Requirement.noMatchingRule() : unmatched);
    }

    /** The rule that decides a request, if any does. */
    Optional<Rule> ruleFor(String method, String path) {
        String m = method.toUpperCase(Locale.ROOT);
        Rule best = null;
        long bestRank = -1;
        for (Rule rule : rules) {
            int specificity = rule.pattern.specificity(path);
            int methodRank = rule.methodRank(m);
            if (specificity < 0 || methodRank < 0) {
                continue;
            }
            long rank = ((long) specificity << 2) | methodRank;
            if (rank > bestRank) {
                best = rule;
                bestRank = rank;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Whether some rule requires an API key (which needs a token store to look keys up in).
     *
     * @return {@code true} when a rule or the unmatched requirement needs an API key
     */
    public boolean requiresApiKeys() {
        return requirements().stream().anyMatch(Requirement::requiresApiKey);
    }

    /**
     * Every rule's requirement, in the order written, then the unmatched one: for an adapter to check at start-up
     * that its gate can enforce them all.
     *
     * @return the requirements, unmodifiable
     */
    public List<Requirement> requirements() {
        List<Requirement> all = new java.util.ArrayList<>();
        for (Rule rule : rules) {
            all.add(rule.requirement());
        }
        all.add(unmatched);
        return List.copyOf(all);
    }

    /** The rules, in the order written. */
    List<Rule> rules() {
        return rules;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("UrlRules[");
        for (Rule r : rules) {
            sb.append(r).append("; ");
        }
        return sb.append("unmatched = ").append(unmatched).append(']').toString();
    }

    private static Rule parseRule(int line, String text) {
        int eq = text.indexOf('=');
        if (eq < 0) {
            throw malformed(line, text, "no '=': write '[METHODS] PATTERN = REQUIREMENT', e.g. 'GET /api/* = read'");
        }
        String left = text.substring(0, eq).strip();
        String right = text.substring(eq + 1).strip();
        if (left.isEmpty()) {
            throw malformed(line, text, "no URL pattern before '='");
        }
        String[] words = left.split("\\s+");
        String patternText = words[words.length - 1];
        Set<String> methods = new LinkedHashSet<>();
        for (int w = 0; w < words.length - 1; w++) {
            for (String m : words[w].split(",")) {
                if (m.isEmpty()) {
                    continue;
                }
                if (!METHOD.matcher(m).matches()) {
                    throw malformed(line, text, "'" + m + "' is not an HTTP method (write methods in upper case, "
                            + "comma-separated, before the pattern)");
                }
                if (!KNOWN_METHODS.contains(m)) {
                    throw malformed(line, text, "'" + m + "' is not a registered HTTP method"
                            + Spelling.nearest(m, KNOWN_METHODS, 2).map(s -> ": did you mean " + s + "?").orElse("")
                            + " (methods of the IANA HTTP method registry, upper case)");
                }
                methods.add(m);
            }
        }
        if (words.length > 1 && methods.isEmpty()) {
            throw malformed(line, text, "'" + left + "' is not 'METHODS PATTERN'");
        }
        UrlPattern pattern = UrlPattern.parse(patternText)
                .orElseThrow(() -> malformed(line, text, "'" + patternText + "' is not a servlet URL pattern: "
                        + "write /exact/path, /prefix/*, *.extension, / or /*"));
        Requirement requirement;
        try {
            requirement = Requirement.parse(right);
        } catch (IllegalArgumentException e) {
            throw malformed(line, text, e.getMessage());
        }
        // the route names the budgets of a '+ rate-limit' suffix: each rule counts its own requests
        String route = (methods.isEmpty() ? "" : String.join(",", methods) + " ") + pattern.text;
        return new Rule(line, Set.copyOf(methods), pattern, requirement.forRoute(route), text);
    }

    private static ConfigurationException malformed(int line, String rule, String problem) {
        return new ConfigurationException(ConfigKeys.RULES, "line " + line + " '" + rule + "': " + problem);
    }

    private static String methodsText(Set<String> methods) {
        return methods.isEmpty() ? " (any method)" : " for " + String.join(",", new java.util.TreeSet<>(methods));
    }

    /** One rule: the methods it covers (empty for all), its pattern and its requirement. */
    record Rule(int line, Set<String> methods, UrlPattern pattern, Requirement requirement, String text) {

        /** 2 when the rule names the method, 1 when it covers {@code HEAD} through {@code GET}, 0 without methods, -1 when it does not apply. */
        int methodRank(String method) {
            if (methods.isEmpty()) {
                return 0;
            }
            if (methods.contains(method)) {
                return 2;
            }
            return method.equals("HEAD") && methods.contains("GET") ? 1 : -1;
        }

        boolean overlaps(Rule other) {
            if (methods.isEmpty() || other.methods.isEmpty()) {
                return methods.isEmpty() && other.methods.isEmpty();
            }
            return methods.stream().anyMatch(other.methods::contains);
        }

        @Override
        public String toString() {
            return (methods.isEmpty() ? "" : String.join(",", methods) + " ") + pattern.text + " = " + requirement;
        }
    }

    /** A servlet url-pattern (Servlet 6.0 §12.2). */
    static final class UrlPattern {
        enum Kind { EXACT, PREFIX, EXTENSION, DEFAULT }

        private final Kind kind;
        private final String text;
        /** The exact path, the prefix without {@code /*}, or the extension with its dot. */
        private final String value;

        private UrlPattern(Kind kind, String text, String value) {
            this.kind = kind;
            this.text = text;
            this.value = value;
        }

        static Optional<UrlPattern> parse(String text) {
            if (text.equals("/") || text.equals("/*")) {
                return Optional.of(new UrlPattern(Kind.DEFAULT, text, ""));
            }
            if (text.startsWith("*.")) {
                String ext = text.substring(1);
                return ext.length() > 1 && ext.indexOf('/') < 0 && ext.indexOf('*') < 0 && ext.indexOf('.', 1) < 0
                        ? Optional.of(new UrlPattern(Kind.EXTENSION, text, ext)) : Optional.empty();
            }
            if (!text.startsWith("/") || text.contains("//")) {
                return Optional.empty();
            }
            if (text.endsWith("/*")) {
                String prefix = text.substring(0, text.length() - 2);
                return prefix.contains("*") ? Optional.empty() : Optional.of(new UrlPattern(Kind.PREFIX, text, prefix));
            }
            return text.contains("*") ? Optional.empty() : Optional.of(new UrlPattern(Kind.EXACT, text, text));
        }

        /**
         * How specifically this pattern matches a path, higher is more specific; -1 when it does not match.
         * Exact beats every prefix, a longer prefix a shorter one, any prefix an extension, an extension the
         * default.
         */
        int specificity(String path) {
            return switch (kind) {
                case EXACT -> path.equals(value) ? Integer.MAX_VALUE >> 2 : -1;
                case PREFIX -> path.equals(value) || (path.startsWith(value) && path.charAt(value.length()) == '/')
                        ? 2 + value.length() : -1;
                case EXTENSION -> {
                    String last = path.substring(path.lastIndexOf('/') + 1);
                    yield last.endsWith(value) && last.length() > value.length() ? 1 : -1;
                }
                case DEFAULT -> 0;
            };
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof UrlPattern p && kind == p.kind && value.equals(p.value);
        }

        @Override
        public int hashCode() {
            return Objects.hash(kind, value);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
