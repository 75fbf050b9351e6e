package dev.tokengate.extract;

import dev.tokengate.BearerError;
import dev.tokengate.RequestView;
import dev.tokengate.extract.Extraction.Source;

import dev.tokengate.log.Loggers;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * Finds the one bearer token of a request, as RFC 6750 §2 allows: the {@code Authorization: Bearer} header
 * (always), an {@code access_token} form field or query parameter (each off unless enabled), and optionally a
 * cookie or a custom header.
 *
 * <p>A malformed <em>request</em> is 400 {@code invalid_request}: a token sent by more than one method, more than one
 * {@code Authorization} field, a repeated {@code access_token} parameter, cookie or custom header. A malformed
 * <em>token</em> is 401 {@code invalid_token}: {@code Bearer} with no token, anything but exactly one space between
 * the scheme and the token, an empty token, or a token outside the b64token syntax (a comma list such as
 * {@code Bearer a, Basic b} included). No token (or only another scheme, such as Basic) is
 * {@link Extraction.Absent}; so is a token sent by a method that is switched off (the query parameter, the form
 * body), which is not looked at. Every token found has the scheme {@value Extraction#BEARER}, but for
 * {@code Authorization: DPoP <token>} once {@link #withDpop() DPoP is on} ({@value Extraction#DPOP}).
 */
public final class BearerTokenExtractor implements TokenExtractor {

    /** RFC 6750 §2.1: {@code b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}. */
    private static final Logger LOG = Loggers.logger(BearerTokenExtractor.class);
    private static final String ACCESS_TOKEN = "access_token";
    /** Tokens longer than this are refused before any work is done on them. */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;

    private final boolean formBody;
    private final boolean queryParameter;
    private final String cookieName;
    private final String headerName;
    /** Whether {@code Authorization: DPoP <token>} is recognised (with exactly one {@code DPoP} proof header). */
    private final boolean dpop;

    private BearerTokenExtractor(boolean formBody, boolean queryParameter, String cookieName, String headerName,
                                 boolean dpop) {
        this.dpop = dpop;
        this.formBody = formBody;
        this.queryParameter = queryParameter;
        this.cookieName = cookieName;
        this.headerName = headerName;
    }

    /**
     * An extractor reading only the {@code Authorization} header.
     *
     * @return the extractor
     */
    public static BearerTokenExtractor headerOnly() {
        return new BearerTokenExtractor(false, false, null, null, false);
    }

    /**
     * An extractor with the given sources enabled besides the {@code Authorization} header.
     *
     * @param formBody       accept {@code access_token} in a urlencoded request body
     * @param queryParameter accept {@code access_token} in the query string
     * @param cookieName     a cookie carrying the raw token, if any
     * @param headerName     a custom header carrying the raw token (no scheme), if any
     * @return the extractor
     */
    public static BearerTokenExtractor create(boolean formBody, boolean queryParameter,
                                              Optional<String> cookieName, Optional<String> headerName) {
        return new BearerTokenExtractor(formBody, queryParameter, cookieName.orElse(null), headerName.orElse(null), false);
    }

    /**
     * This extractor, also recognising {@code Authorization: DPoP <token>} (RFC 9449 §7.1), found under the scheme
     * {@value Extraction#DPOP}. Such a request must carry exactly one {@code DPoP} proof header, else it is 401
     * {@code invalid_dpop_proof}; the proof itself is verified by the policy step, which knows the token.
     *
     * @return an extractor that also finds DPoP-bound tokens
     */
    public BearerTokenExtractor withDpop() {
        return new BearerTokenExtractor(formBody, queryParameter, cookieName, headerName, true);
    }

    /** Extracts the request's bearer token. Never throws for client input. */
    @Override
    public Extraction extract(RequestView request) {
        List<Extraction.Found> found = new ArrayList<>(2);

        List<String> authorizations = request.headers("Authorization");
        if (authorizations.size() > 1) {
            return malformedRequest("The request has more than one Authorization header; send exactly one: "
                    + "'Authorization: Bearer <token>'.");
        }
        for (String value : authorizations) {
            String v = value.strip();
            int sp = indexOfWhitespace(v);
            int schemeLength = sp < 0 ? v.length() : sp;
            boolean isDpop = dpop && isScheme(v, schemeLength, Extraction.DPOP);
            if (!isScheme(v, schemeLength, Extraction.BEARER) && !isDpop) {
                continue; // another scheme (Basic, Digest, …) is not ours: treated as no bearer token
            }
            String name = isDpop ? Extraction.DPOP : Extraction.BEARER;
            if (sp < 0) {
                return malformedToken("The Authorization header says " + name + " but carries no token: send "
                        + "'Authorization: " + name + " <token>'.");
            }
            // RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token, and RFC 7235 allows no tab. Exactly one space is
            // asked for: a proxy or firewall in front may split "Bearer\tX" or "Bearer  X" differently from us.
            if (v.charAt(sp) != ' ' || (sp + 1 < v.length() && isWhitespace(v.charAt(sp + 1)))) {
                return malformedToken("The Authorization header must have exactly one space between " + name
                        + " and the token (no tab, no second space): send 'Authorization: " + name + " <token>'.");
            }
            String token = v.substring(sp + 1); // one copy of the token, checked and passed on
            Optional<BearerError> bad = checkSyntax(token, "Authorization header");
            if (bad.isPresent()) {
                return new Extraction.Malformed(bad.get());
            }
            if (isDpop) {
                int proofs = request.headers("DPoP").size();
                if (proofs != 1) {
                    return new Extraction.Malformed(BearerError.invalidDpopProof(proofs == 0
                            ? "The request says DPoP but has no DPoP header; send one DPoP header with a proof made "
                            + "for this request."
                            : "The request has more than one DPoP header; send exactly one proof."));
                }
                found.add(new Extraction.Found(token, Extraction.DPOP, Source.AUTHORIZATION_HEADER));
                continue;
            }
            found.add(Extraction.Found.bearer(token, Source.AUTHORIZATION_HEADER));
        }

        if (headerName != null) {
            List<String> values = request.headers(headerName);
            if (values.size() > 1) {
                return malformedRequest("The request has more than one " + headerName + " header; send exactly one token.");
            }
            for (String value : values) {
                String v = value.strip();
                Optional<BearerError> bad = checkSyntax(v, headerName + " header");
                if (bad.isPresent()) {
                    return new Extraction.Malformed(bad.get());
                }
                found.add(Extraction.Found.bearer(v, Source.CUSTOM_HEADER));
            }
        }

        if (cookieName != null) {
            List<String> values = cookies(request, cookieName);
            if (values.size() > 1) {
                return malformedRequest("The request has more than one " + cookieName + " cookie; send exactly one token.");
            }
            for (String v : values) {
                Optional<BearerError> bad = checkSyntax(v, cookieName + " cookie");
                if (bad.isPresent()) {
                    return new Extraction.Malformed(bad.get());
                }
                found.add(Extraction.Found.bearer(v, Source.COOKIE));
            }
        }

        if (queryParameter) {
            List<String> query = request.queryString().map(q -> queryValues(q, ACCESS_TOKEN)).orElse(List.of());
            if (query.size() > 1) {
                return malformedRequest("The query string has more than one access_token; send exactly one token.");
            }
            for (String v : query) {
                Optional<BearerError> bad = checkSyntax(v, "access_token query parameter");
                if (bad.isPresent()) {
                    return new Extraction.Malformed(bad.get());
                }
                found.add(Extraction.Found.bearer(v, Source.QUERY_PARAMETER));
            }
        } else if (LOG.isDebugEnabled() && request.queryString().map(q -> !queryValues(q, ACCESS_TOKEN).isEmpty()).orElse(false)) {
            // Not looked at, as if absent (RFC 6750 §2.3 is optional); said at DEBUG to explain a 401 to whoever sent it.
            LOG.debug("tokengate: ignored an access_token query parameter: tokens in the URL are switched off "
                    + "(tokengate.token.query-parameter=false); the request is treated as having no token there");
        }

        if (formBody && isFormPost(request)) {
            List<String> form = request.formParameters(ACCESS_TOKEN);
            if (form.size() > 1) {
                return malformedRequest("The form body has more than one access_token field; send exactly one token.");
            }
            for (String v : form) {
                Optional<BearerError> bad = checkSyntax(v, "access_token form field");
                if (bad.isPresent()) {
                    return new Extraction.Malformed(bad.get());
                }
                found.add(Extraction.Found.bearer(v, Source.FORM_BODY));
            }
        }

        if (found.size() > 1) {
            return malformedRequest("The request carries a token in more than one place (" + describe(found)
                    + "); RFC 6750 allows exactly one: send it in the Authorization header only.");
        }
        return found.isEmpty() ? new Extraction.Absent() : found.get(0);
    }

    private static boolean isFormPost(RequestView request) {
        String method = request.method().toUpperCase(Locale.ROOT);
        if (method.equals("GET") || method.equals("HEAD")) {
            return false;
        }
        return request.contentType()
                .map(ct -> ct.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded"))
                .orElse(false);
    }

    /** A token value that is not a b64token (RFC 6750 §2.1) is a malformed <em>token</em>: 401 invalid_token. */
    private static Optional<BearerError> checkSyntax(String token, String where) {
        if (token.isEmpty()) {
            return Optional.of(BearerError.invalidToken("The " + where + " is empty; send a token."));
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            return Optional.of(BearerError.invalidToken("The token in the " + where + " is longer than "
                    + MAX_TOKEN_LENGTH + " characters."));
        }
        if (!isB64token(token)) {
            return Optional.of(BearerError.invalidToken("The token in the " + where + " has characters a bearer "
                    + "token cannot have (RFC 6750 b64token: letters, digits, - . _ ~ + / and trailing =); send the "
                    + "token exactly as issued, alone."));
        }
        return Optional.empty();
    }

    /**
     * RFC 6750 §2.1 b64token, {@code 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}: one pass over
     * the characters (a regular expression's character-class walk showed as several per cent of a fresh-token
     * request's CPU in the end-to-end profile).
     */
    static boolean isB64token(String token) {
        int length = token.length();
        int i = 0;
        while (i < length && isB64char(token.charAt(i))) {
            i++;
        }
        if (i == 0) {
            return false;
        }
        while (i < length && token.charAt(i) == '=') {
            i++;
        }
        return i == length;
    }

    /** Whether the header value's first {@code length} characters are this scheme, in any case (without a copy). */
    private static boolean isScheme(String value, int length, String scheme) {
        return length == scheme.length() && value.regionMatches(true, 0, scheme, 0, length);
    }

    /**
     * A table, not a chain of comparisons: with a fresh token per request the comparisons' branches mispredict at
     * random, and the check cost twice as much as with a token seen again (end-to-end profile).
     */
    private static boolean isB64char(char c) {
        return c < B64_CHARS.length && B64_CHARS[c];
    }

    private static final boolean[] B64_CHARS = b64chars();

    private static boolean[] b64chars() {
        boolean[] table = new boolean[128];
        for (char c = 0; c < table.length; c++) {
            table[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
        }
        return table;
    }

    /** A malformed request (a token sent twice, a repeated field): 400 invalid_request. */
    private static Extraction malformedRequest(String description) {
        return new Extraction.Malformed(BearerError.invalidRequest(description));
    }

    /** A malformed token: 401 invalid_token. */
    private static Extraction malformedToken(String description) {
        return new Extraction.Malformed(BearerError.invalidToken(description));
    }

    private static String describe(List<Extraction.Found> found) {
        StringBuilder sb = new StringBuilder();
        for (Extraction.Found f : found) {
            if (sb.length() > 0) {
                sb.append(" and ");
            }
            sb.append(f.source().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
        return sb.toString();
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t';
    }

    static List<String> queryValues(String query, String name) {
        List<String> values = new ArrayList<>(1);
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            if (decode(rawName).equals(name)) {
                values.add(eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return values;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a malformed escape: keep it raw, the syntax check then refuses it
        }
    }

    private static List<String> cookies(RequestView request, String name) {
        List<String> values = new ArrayList<>(1);
        for (String header : request.headers("Cookie")) {
            for (String part : header.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.substring(0, eq).strip().equals(name)) {
                    String v = part.substring(eq + 1).strip();
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                        v = v.substring(1, v.length() - 1);
                    }
                    values.add(v);
                }
            }
        }
        return values;
    }

    @Override
    public String toString() {
        return "BearerTokenExtractor[formBody=" + formBody + ", query=" + queryParameter
                + ", cookie=" + Objects.toString(cookieName, "-") + ", header=" + Objects.toString(headerName, "-") + "]";
    }
}
