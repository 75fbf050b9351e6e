package dev.tokengate.servlet;

import dev.tokengate.RequestView;
import dev.tokengate.log.Loggers;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@link RequestView} of an {@link HttpServletRequest}: the path within the application (servlet path + path
 * info), headers, the raw query string, form fields of the body only, and the peer address.
 *
 * <p>Form fields are read through {@link HttpServletRequest#getParameterValues}, and only for a urlencoded
 * {@code POST}: that is the one case where the container parses the body into parameters and keeps them for the
 * application's own {@code getParameter} calls, so nothing the application expects to read is lost. The
 * container presents query values before body values (Servlet 6.0 §3.1), so the query's occurrences are skipped.
 *
 * <p>Public for the other servlet-side adapters of tokengate (the Jakarta Security mechanism), which read requests
 * exactly as the filter does.
 */
public final class ServletRequestView implements RequestView {

    private static final Logger LOG = Loggers.logger(ServletRequestView.class);

    private final HttpServletRequest request;
    private final String path;

    /**
     * The view of this request.
     *
     * @param request the servlet request; not null
     */
    public ServletRequestView(HttpServletRequest request) {
        this.request = request;
        this.path = pathWithinApplication(request);
    }

    /** Servlet path + path info, as the container decoded and normalised them; {@code /} when both are empty. */
    static String pathWithinApplication(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String pathInfo = request.getPathInfo();
        String p = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
        return p.isEmpty() ? "/" : p;
    }

    @Override
    public String method() {
        return request.getMethod().toUpperCase(Locale.ROOT);
    }

    @Override
    public String path() {
        return path;
    }

    /** The context path, still percent-encoded as the client sent it. */
    @Override
    public String basePath() {
        String context = request.getContextPath();
        return context == null ? "" : context;
    }

    @Override
    public List<String> headers(String name) {
        Enumeration<String> values = request.getHeaders(name);
        return values == null ? List.of() : Collections.list(values);
    }

    @Override
    public Optional<String> queryString() {
        return Optional.ofNullable(request.getQueryString());
    }

    @Override
    public List<String> formParameters(String name) {
        if (!"POST".equals(method()) || !isUrlEncoded(request.getContentType())) {
            return List.of();
        }
        String[] values;
        try {
            values = request.getParameterValues(name);
        } catch (RuntimeException e) {
            // the container could not parse the body (bad encoding, too many fields, too large): no token from it;
            // the application meets the same failure when it reads its parameters
            LOG.debug("the form body of {} {} could not be read for an access_token field: {}",
                    method(), path, e.getClass().getName());
            return List.of();
        }
        if (values == null) {
            return List.of();
        }
        int inQuery = countInQuery(name);
        return inQuery >= values.length ? List.of() : List.copyOf(Arrays.asList(values).subList(inQuery, values.length));
    }

    @Override
    public Optional<String> contentType() {
        return Optional.ofNullable(request.getContentType());
    }

    /** {@code getRequestURL()}: scheme, host, port and the whole path, without the query. */
    @Override
    public Optional<String> url() {
        StringBuffer url = request.getRequestURL();
        return url == null ? Optional.empty() : Optional.of(url.toString());
    }

    /** The first of {@code jakarta.servlet.request.X509Certificate}: the client's own, as the container verified it. */
    @Override
    public Optional<java.security.cert.X509Certificate> clientCertificate() {
        return request.getAttribute("jakarta.servlet.request.X509Certificate") instanceof java.security.cert.X509Certificate[] chain
                && chain.length > 0 ? Optional.of(chain[0]) : Optional.empty();
    }

    @Override
    public String remoteAddress() {
        String addr = request.getRemoteAddr();
        return addr == null ? "" : addr;
    }

    private static boolean isUrlEncoded(String contentType) {
        return contentType != null
                && contentType.strip().toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    /** How many times the raw query string names this field (names decoded as UTF-8, like the container does). */
    private int countInQuery(String name) {
        String query = request.getQueryString();
        if (query == null || query.isEmpty()) {
            return 0;
        }
        int count = 0;
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String decoded;
            try {
                decoded = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                decoded = rawName;
            }
            if (decoded.equals(name)) {
                count++;
            }
        }
        return count;
    }
}
