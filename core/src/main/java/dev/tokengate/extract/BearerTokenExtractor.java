package dev.tokengate.extract;

import dev.tokengate.BearerError;
import dev.tokengate.RequestView;
import dev.tokengate.extract.Extraction.Source;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds the one bearer token of a request, as RFC 6750 §2 allows: the {@code Authorization: Bearer} header
 * (always), an {@code access_token} form field or query parameter (each off unless enabled), and optionally a
 * cookie or a custom header.
 *
 * <p>More than one token, an empty token, or a token outside the b64token syntax is an {@code invalid_request};
 * no token (or only another scheme, such as Basic) is {@link Extraction.Absent}. Every token found has the scheme
 * {@value Extraction#BEARER}.
 */
public final class BearerTokenExtractor implements TokenExtractor {

    /** RFC 6750 §2.1: {@code b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}. */
    private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
    private static final String ACCESS_TOKEN = "access_token";
    /** Tokens longer than this are refused before any work is done on them. */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;

    private final boolean formBody;
    private final boolean queryParameter;
    private final String cookieName;
    private final String headerName;

    private BearerTokenExtractor(boolean formBody, boolean queryParameter, String cookieName, String headerName) {
        this.formBody = formBody;
        this.queryParameter = queryParameter;
        this.cookieName = cookieName;
        this.headerName = headerName;
    }

    /** An extractor reading only the {@code Authorization} header. */
    public static BearerTokenExtractor headerOnly() {
        return new BearerTokenExtractor(false, false, null, null);
    }

    /**
     * An extractor with the given sources enabled besides the {@code Authorization} header.
     *
     * @param formBody       accept {@code access_token} in a urlencoded request body
     * @param queryParameter accept {@code access_token} in the query string
     * @param cookieName     a cookie carrying the raw token, if any
     * @param headerName     a custom header carrying the raw token (no scheme), if any
     */
    public static BearerTokenExtractor create(boolean formBody, boolean queryParameter,
                                              Optional<String> cookieName, Optional<String> headerName) {
        return new BearerTokenExtractor(formBody, queryParameter, cookieName.orElse(null), headerName.orElse(null));
    }

    /** Extracts the request's bearer token. Never throws for client input. */
    @Override
    public Extraction extract(RequestView request) {
        List<Extraction.Found> found = new ArrayList<>(2);

        int bearerHeaders = 0;
        for (String value : request.headers("Authorization")) {
            String v = value.strip();
            int sp = indexOfWhitespace(v);
            String scheme = sp < 0 ? v : v.substring(0, sp);
            if (!scheme.equalsIgnoreCase("Bearer")) {
                continue; // another scheme (Basic, Digest, …) is not ours: treated as no bearer token
            }
            bearerHeaders++;
            String credentials = sp < 0 ? "" : v.substring(sp).strip();
            if (credentials.isEmpty()) {
                return malformed("The Authorization header says Bearer but carries no token: send 'Authorization: Bearer <token>'.");
            }
            Optional<BearerError> bad = checkSyntax(credentials, "Authorization header");
            if (bad.isPresent()) {
                return new Extraction.Malformed(bad.get());
            }
            found.add(Extraction.Found.bearer(credentials, Source.AUTHORIZATION_HEADER));
        }
        if (bearerHeaders > 1) {
            return malformed("The request has more than one Authorization: Bearer header; send exactly one token.");
        }

        if (headerName != null) {
            List<String> values = request.headers(headerName);
            if (values.size() > 1) {
                return malformed("The request has more than one " + headerName + " header; send exactly one token.");
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
                return malformed("The request has more than one " + cookieName + " cookie; send exactly one token.");
            }
            for (String v : values) {
                Optional<BearerError> bad = checkSyntax(v, cookieName + " cookie");
                if (bad.isPresent()) {
                    return new Extraction.Malformed(bad.get());
                }
                found.add(Extraction.Found.bearer(v, Source.COOKIE));
            }
        }

        List<String> query = request.queryString().map(q -> queryValues(q, ACCESS_TOKEN)).orElse(List.of());
        if (!query.isEmpty()) {
            if (!queryParameter) {
                return malformed("This API does not accept access_token in the URL (it leaks into logs and "
                        + "histories); send it in the Authorization header instead.");
            }
            if (query.size() > 1) {
                return malformed("The query string has more than one access_token; send exactly one token.");
            }
            Optional<BearerError> bad = checkSyntax(query.get(0), "access_token query parameter");
            if (bad.isPresent()) {
                return new Extraction.Malformed(bad.get());
            }
            found.add(Extraction.Found.bearer(query.get(0), Source.QUERY_PARAMETER));
        }

        if (formBody && isFormPost(request)) {
            List<String> form = request.formParameters(ACCESS_TOKEN);
            if (form.size() > 1) {
                return malformed("The form body has more than one access_token field; send exactly one token.");
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
            return malformed("The request carries a token in more than one place (" + describe(found)
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

    private static Optional<BearerError> checkSyntax(String token, String where) {
        if (token.isEmpty()) {
            return Optional.of(BearerError.invalidRequest("The " + where + " is empty; send a token."));
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            return Optional.of(BearerError.invalidRequest("The token in the " + where + " is longer than "
                    + MAX_TOKEN_LENGTH + " characters."));
        }
        if (!B64TOKEN.matcher(token).matches()) {
            return Optional.of(BearerError.invalidRequest("The token in the " + where
                    + " has characters a bearer token cannot have (RFC 6750 b64token: letters, digits, - . _ ~ + / and trailing =)."));
        }
        return Optional.empty();
    }

    private static Extraction malformed(String description) {
        return new Extraction.Malformed(BearerError.invalidRequest(description));
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
            char c = s.charAt(i);
            if (c == ' ' || c == '\t') {
                return i;
            }
        }
        return -1;
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
