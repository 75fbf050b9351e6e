package dev.tokengate.jaxrs;

import dev.tokengate.RequestView;
import jakarta.ws.rs.container.ContainerRequestContext;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link RequestView} of a {@link ContainerRequestContext}: the request's whole path (not the one relative to the
 * application's base URI),
 * headers, the raw query string and, when asked for, the fields of a urlencoded {@code POST} body.
 *
 * <p>Reading form fields reads the body (up to {@value #FORM_LIMIT} bytes) and puts it back as the entity stream,
 * so the resource still reads the whole body. Jakarta REST exposes no peer address nor client certificate:
 * {@link #remoteAddress()} and {@link #clientCertificate()} are the servlet request's where there is one
 * ({@link ServletPeer}), else empty.
 */
final class ContainerRequestView implements RequestView {

    /** The largest body searched for an {@code access_token} field; a larger one is passed on unread. */
    static final int FORM_LIMIT = 64 * 1024;

    private final ContainerRequestContext request;
    private final String path;
    private Map<String, List<String>> form;

    ContainerRequestView(ContainerRequestContext request) {
        this.request = request;
        // The whole path the client asked for (context path and application path included), as an operator reads it
        // in the call log: the application-relative path would log /orders for /shop/api/orders.
        String p = request.getUriInfo().getRequestUri().getPath();
        this.path = p == null || p.isEmpty() ? "/" : p;
    }

    @Override
    public String method() {
        return request.getMethod().toUpperCase(Locale.ROOT);
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public List<String> headers(String name) {
        List<String> values = request.getHeaders().get(name);
        return values == null ? List.of() : List.copyOf(values);
    }

    @Override
    public Optional<String> queryString() {
        return Optional.ofNullable(request.getUriInfo().getRequestUri().getRawQuery());
    }

    @Override
    public List<String> formParameters(String name) {
        if (form == null) {
            form = readForm();
        }
        return form.getOrDefault(name, List.of());
    }

    /** The request URI without query and fragment, as the container resolved it. */
    @Override
    public Optional<String> url() {
        java.net.URI uri = request.getUriInfo().getRequestUri();
        return Optional.of(uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath()));
    }

    /** The servlet request's peer where the runtime serves from a servlet ({@link ServletPeer}); else empty. */
    @Override
    public String remoteAddress() {
        return request.getProperty(ServletPeer.PROPERTY) instanceof Peer peer ? peer.address() : "";
    }

    /** The servlet request's client certificate where the runtime serves from a servlet over mutual TLS. */
    @Override
    public Optional<java.security.cert.X509Certificate> clientCertificate() {
        return request.getProperty(ServletPeer.PROPERTY) instanceof Peer peer ? peer.certificate()
                : Optional.empty();
    }

    private Map<String, List<String>> readForm() {
        Optional<String> contentType = contentType();
        if (!"POST".equals(method()) || contentType.isEmpty() || !request.hasEntity()
                || !contentType.get().strip().toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return Map.of();
        }
        InputStream in = request.getEntityStream();
        byte[] head;
        try {
            head = in.readNBytes(FORM_LIMIT + 1);
        } catch (IOException e) {
            // the application meets the same failure when it reads the body
            return Map.of();
        }
        request.setEntityStream(new SequenceInputStream(new ByteArrayInputStream(head), in));
        if (head.length > FORM_LIMIT) {
            return Map.of();
        }
        return parse(new String(head, charset(contentType.get())));
    }

    private static Charset charset(String contentType) {
        for (String param : contentType.split(";")) {
            String p = param.strip();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                try {
                    return Charset.forName(p.substring(8).replace("\"", "").strip());
                } catch (IllegalArgumentException e) {
                    return StandardCharsets.UTF_8;
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    private static Map<String, List<String>> parse(String body) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                fields.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } catch (IllegalArgumentException e) {
                // a malformed escape: the field is skipped, as a container would reject it
            }
        }
        return fields;
    }
}
