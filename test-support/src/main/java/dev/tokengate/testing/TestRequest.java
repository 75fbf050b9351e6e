package dev.tokengate.testing;

import dev.tokengate.RequestView;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** A {@link RequestView} built by tests: {@code TestRequest.get("/api").bearer(token)}. */
public final class TestRequest implements RequestView {

    private final String method;
    private final String path;
    private final Map<String, List<String>> headers = new LinkedHashMap<>();
    private final Map<String, List<String>> form = new LinkedHashMap<>();
    private String query;
    private String remoteAddress = "127.0.0.1";
    private String url;
    private java.security.cert.X509Certificate certificate;

    private TestRequest(String method, String path) {
        this.method = method;
        this.path = path;
    }

    public static TestRequest get(String path) {
        return new TestRequest("GET", path);
    }

    public static TestRequest post(String path) {
        return new TestRequest("POST", path);
    }

    public static TestRequest options(String path) {
        return new TestRequest("OPTIONS", path);
    }

    /** A CORS preflight: {@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}. */
    public static TestRequest preflight(String path, String requestMethod) {
        return options(path).header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", requestMethod);
    }

    public TestRequest header(String name, String value) {
        headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
        return this;
    }

    public TestRequest bearer(String token) {
        return header("Authorization", "Bearer " + token);
    }

    /** The URL the container saw (without query), for DPoP's {@code htu}; default none. */
    public TestRequest url(String url) {
        this.url = url;
        return this;
    }

    /** {@code Authorization: DPoP <token>} with this {@code DPoP} proof header. */
    public TestRequest dpop(String token, String proof) {
        return header("Authorization", "DPoP " + token).header("DPoP", proof);
    }

    /** The mutual-TLS client certificate the container verified; default none. */
    public TestRequest clientCertificate(java.security.cert.X509Certificate certificate) {
        this.certificate = certificate;
        return this;
    }

    @Override
    public Optional<java.security.cert.X509Certificate> clientCertificate() {
        return Optional.ofNullable(certificate);
    }

    @Override
    public Optional<String> url() {
        return Optional.ofNullable(url);
    }

    public TestRequest query(String rawQuery) {
        this.query = rawQuery;
        return this;
    }

    /** Adds a urlencoded form field and sets the content type. */
    public TestRequest form(String name, String value) {
        if (headers.get("content-type") == null) {
            header("Content-Type", "application/x-www-form-urlencoded");
        }
        form.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        return this;
    }

    public TestRequest remoteAddress(String address) {
        this.remoteAddress = address;
        return this;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public List<String> headers(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    @Override
    public Optional<String> queryString() {
        return Optional.ofNullable(query);
    }

    @Override
    public List<String> formParameters(String name) {
        return form.getOrDefault(name, List.of());
    }

    @Override
    public String remoteAddress() {
        return remoteAddress;
    }
}
