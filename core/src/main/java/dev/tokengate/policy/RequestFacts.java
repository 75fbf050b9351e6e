package dev.tokengate.policy;

import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.log.Fingerprints;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a {@link TokenPolicy} knows about the request besides its verified token: the request id, method, path,
 * client address (trusted-proxy aware), the time it arrived (from the gate's {@code Clock}), the authorization
 * scheme the token was sent with, the route's
 * {@link Requirement}, the token's fingerprint, the calling application's verified API key when a policy before
 * this one accepted it, and the request's header values. Immutable (the token hash in hex is made once, on first use); no container type.
 */
public final class RequestFacts {

    private final String requestId;
    private final String method;
    private final String path;
    /** Resolved on first use: on some runtimes the peer's address costs a lookup (Jersey's request-scoped servlet request). */
    private final Lazy<String> clientAddress;
    private final Instant time;
    private final Requirement requirement;
    /** The fingerprint, made an {@code Optional} once: policies ask for it on every request. */
    private final Optional<String> tokenFingerprint;
    private final byte[] tokenHash;
    /** {@link #tokenHash} in hex, made on first use. */
    private Optional<String> tokenHashHex;
    private final String scheme;
    private final VerifiedToken apiKey;
    private final Function<String, List<String>> headers;
    private final boolean rechecked;
    /** Resolved on first use: only proof-of-possession checks ask, and building the URL costs on every request. */
    private final Lazy<String> url;
    private final Lazy<java.security.cert.X509Certificate> clientCertificate;

    private RequestFacts(Builder b) {
        this.requestId = Objects.requireNonNull(b.requestId, "requestId");
        this.method = Objects.requireNonNull(b.method, "method");
        this.path = Objects.requireNonNull(b.path, "path");
        this.clientAddress = new Lazy<>(Objects.requireNonNull(b.clientAddress, "clientAddress"));
        this.time = Objects.requireNonNull(b.time, "time");
        this.requirement = Objects.requireNonNull(b.requirement, "requirement");
        this.tokenFingerprint = Optional.ofNullable(b.tokenFingerprint);
        this.tokenHash = b.tokenHash;
        this.scheme = Objects.requireNonNull(b.scheme, "scheme");
        this.apiKey = b.apiKey;
        this.headers = b.headers != null ? b.headers : lookup(b.headerValues);
        this.rechecked = b.rechecked;
        this.url = new Lazy<>(b.url);
        this.clientCertificate = new Lazy<>(b.clientCertificate);
    }

    private RequestFacts(RequestFacts f, VerifiedToken apiKey) {
        this.requestId = f.requestId;
        this.method = f.method;
        this.path = f.path;
        this.clientAddress = f.clientAddress;
        this.time = f.time;
        this.requirement = f.requirement;
        this.tokenFingerprint = f.tokenFingerprint;
        this.tokenHash = f.tokenHash;
        this.tokenHashHex = f.tokenHashHex;
        this.scheme = f.scheme;
        this.apiKey = apiKey;
        this.headers = f.headers;
        this.rechecked = f.rechecked;
        this.url = f.url;
        this.clientCertificate = f.clientCertificate;
    }

    /**
     * A builder; the gate fills one per request, and tests of a policy build their own.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The request's id, the same in the call log, the MDC and the problem body; one request, one id.
     *
     * @return the id, never null
     */
    public String requestId() {
        return requestId;
    }

    /**
     * The HTTP method, upper case.
     *
     * @return the method, e.g. {@code GET}
     */
    public String method() {
        return method;
    }

    /**
     * The request path within the application.
     *
     * @return the path, starting with {@code /}
     */
    public String path() {
        return path;
    }

    /**
     * The client's address: the socket's peer, or what a trusted proxy forwarded.
     *
     * @return the address as text (IPv4 or IPv6)
     */
    public String clientAddress() {
        return Objects.requireNonNull(clientAddress.get(), "clientAddress");
    }

    /**
     * When the request arrived, by the gate's clock.
     *
     * @return the arrival time
     */
    public Instant time() {
        return time;
    }

    /**
     * What the route demands (scopes, API key); the policy chain runs only for requirements that need a token.
     *
     * @return the route's requirement
     */
    public Requirement requirement() {
        return requirement;
    }

    /**
     * The short hash of the bearer token (the call log's {@code token_fingerprint}), never the token.
     *
     * @return the fingerprint (12 hex digits), empty when the request has no bearer token
     */
    public Optional<String> tokenFingerprint() {
        return tokenFingerprint;
    }

    /**
     * The SHA-256 of the bearer token in lower-case hex (the first 12 digits are its fingerprint): how a
     * revocation list names a token without holding it.
     *
     * @return 64 lower-case hex digits, empty when the request has no bearer token
     */
    public Optional<String> tokenHash() {
        if (tokenHash == null) {
            return Optional.empty();
        }
        Optional<String> hex = tokenHashHex;
        if (hex == null) {
            hex = Optional.of(Fingerprints.hex(tokenHash)); // once per request, however many ask (a benign race)
            tokenHashHex = hex;
        }
        return hex;
    }

    /**
     * The authorization scheme the token was sent with: {@code Bearer} (also for a token sent in a form body, a
     * query parameter, a cookie or a custom header); {@code DPoP} once proofs of possession are supported.
     *
     * @return the scheme, e.g. {@code Bearer}
     */
    public String scheme() {
        return scheme;
    }

    /**
     * The URL the client sent the request to, without query and fragment, with scheme and host as a trusted proxy
     * forwarded them: what a DPoP proof's {@code htu} must name.
     *
     * @return the URL, empty when the adapter cannot tell
     */
    public Optional<String> url() {
        return Optional.ofNullable(url.get());
    }

    /**
     * The client certificate of the mutual-TLS connection: from the container, or from the header a trusted proxy
     * forwards it in ({@code tokengate.mtls.certificate-header}). What a certificate-bound token's
     * {@code cnf.x5t#S256} must name.
     *
     * @return the certificate, empty without one
     */
    public Optional<java.security.cert.X509Certificate> clientCertificate() {
        return Optional.ofNullable(clientCertificate.get());
    }

    /** A value resolved once, when first asked for; the request's thread only. */
    private static final class Lazy<T> {
        private Supplier<T> source;
        private T value;

        Lazy(Supplier<T> source) {
            this.source = source;
        }

        T get() {
            if (source != null) {
                value = source.get();
                source = null;
            }
            return value;
        }
    }

    /**
     * The calling application's API key, verified, once the built-in API-key policy accepted it (routes whose
     * requirement {@linkplain Requirement#requiresApiKey() requires one}); empty otherwise.
     *
     * @return the API key's verified token, empty unless one was accepted
     */
    public Optional<VerifiedToken> apiKey() {
        return Optional.ofNullable(apiKey);
    }

    /**
     * All values of a request header, in order; empty when absent; the name is case-insensitive. Values are raw
     * and may hold secrets (the API-key header): never log them.
     *
     * @param name the header's name, any case
     * @return the values, empty when the header is absent
     */
    public List<String> headers(String name) {
        return headers.apply(name);
    }

    /**
     * Whether the chain already ran for this request under another requirement (a second adapter's rule, such as a
     * JAX-RS method behind the servlet filter): a policy that counts requests counts only the first run. Unlike the
     * {@linkplain #requestId() request id}, which a client may choose ({@code X-Request-Id}), this cannot be forged.
     *
     * @return {@code true} for the second and later runs of the chain for one request
     */
    public boolean rechecked() {
        return rechecked;
    }

    /**
     * These facts with the calling application's verified API key.
     *
     * @param key the verified API key; not null
     * @return new facts, the same but for the API key; these are unchanged
     */
    public RequestFacts withApiKey(VerifiedToken key) {
        return new RequestFacts(this, Objects.requireNonNull(key, "key"));
    }

    @Override
    public String toString() {
        return "RequestFacts[" + requestId + " " + method + " " + path + " from " + clientAddress() + " at " + time
                + ", requires " + requirement + "]";
    }

    private static Function<String, List<String>> lookup(Map<String, List<String>> values) {
        Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        values.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return name -> copy.getOrDefault(name, List.of());
    }

    /** Builds {@link RequestFacts}: the gate for each request, and tests of a policy. */
    public static final class Builder {
        private String requestId;
        private String method;
        private String path;
        private Supplier<String> clientAddress;
        private Instant time;
        private Requirement requirement;
        private String tokenFingerprint;
        private byte[] tokenHash;
        private String scheme = "Bearer";
        private VerifiedToken apiKey;
        private Function<String, List<String>> headers;
        private boolean rechecked;
        private Supplier<String> url;
        private Supplier<java.security.cert.X509Certificate> clientCertificate;
        private final Map<String, List<String>> headerValues = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

        private Builder() {
        }

        /**
         * The request's id (required).
         *
         * @param requestId the id, as in the call log
         * @return this builder
         */
        public Builder requestId(String requestId) {
            this.requestId = requestId;
            return this;
        }

        /**
         * The HTTP method (required); upper-cased.
         *
         * @param method the method
         * @return this builder
         */
        public Builder method(String method) {
            this.method = method == null ? null : method.toUpperCase(Locale.ROOT);
            return this;
        }

        /**
         * The request path within the application (required).
         *
         * @param path the path
         * @return this builder
         */
        public Builder path(String path) {
            this.path = path;
            return this;
        }

        /**
         * The client's address (required): the socket's peer, or what a trusted proxy forwarded.
         *
         * @param clientAddress the address as text
         * @return this builder
         */
        public Builder clientAddress(String clientAddress) {
            Objects.requireNonNull(clientAddress, "clientAddress");
            this.clientAddress = () -> clientAddress;
            return this;
        }

        /**
         * The client's address, resolved when first asked for (required, this or {@link #clientAddress(String)}).
         *
         * @param clientAddress gives the address as text, never null; called at most once
         * @return this builder
         */
        public Builder clientAddress(Supplier<String> clientAddress) {
            this.clientAddress = Objects.requireNonNull(clientAddress, "clientAddress");
            return this;
        }

        /**
         * When the request arrived, by the gate's clock (required).
         *
         * @param time the arrival time
         * @return this builder
         */
        public Builder time(Instant time) {
            this.time = time;
            return this;
        }

        /**
         * What the route demands (required).
         *
         * @param requirement the route's requirement
         * @return this builder
         */
        public Builder requirement(Requirement requirement) {
            this.requirement = requirement;
            return this;
        }

        /**
         * The short hash of the bearer token; default none.
         *
         * @param fingerprint the fingerprint, or null when the request has no token
         * @return this builder
         */
        public Builder tokenFingerprint(String fingerprint) {
            this.tokenFingerprint = fingerprint;
            return this;
        }

        /**
         * The SHA-256 of the bearer token (32 bytes), not copied: the gate's own array.
         *
         * @param sha256 the hash, 32 bytes; or null when the request has no token
         * @return this builder
         * @throws IllegalArgumentException for an array of another length
         */
        public Builder tokenHash(byte[] sha256) {
            if (sha256 != null && sha256.length != 32) {
                throw new IllegalArgumentException("a SHA-256 has 32 bytes, not " + sha256.length);
            }
            this.tokenHash = sha256;
            return this;
        }

        /**
         * The authorization scheme the token was sent with; default {@code Bearer}.
         *
         * @param scheme the scheme, e.g. {@code Bearer}
         * @return this builder
         */
        public Builder scheme(String scheme) {
            this.scheme = scheme;
            return this;
        }

        /**
         * The URL the client sent the request to, without query and fragment; default none.
         *
         * @param url the URL, or null when unknown
         * @return this builder
         */
        public Builder url(String url) {
            this.url = () -> url;
            return this;
        }

        /**
         * The URL the client sent the request to, resolved when a policy first asks for it; default none.
         *
         * @param url gives the URL, or null when unknown; called at most once
         * @return this builder
         */
        public Builder url(Supplier<String> url) {
            this.url = Objects.requireNonNull(url, "url");
            return this;
        }

        /**
         * The client certificate of the mutual-TLS connection; default none.
         *
         * @param certificate the certificate, or null for none
         * @return this builder
         */
        public Builder clientCertificate(java.security.cert.X509Certificate certificate) {
            this.clientCertificate = () -> certificate;
            return this;
        }

        /**
         * The client certificate of the mutual-TLS connection, resolved when a policy first asks for it; default none.
         *
         * @param certificate gives the certificate, or null for none; called at most once
         * @return this builder
         */
        public Builder clientCertificate(Supplier<java.security.cert.X509Certificate> certificate) {
            this.clientCertificate = Objects.requireNonNull(certificate, "certificate");
            return this;
        }

        /**
         * The calling application's verified API key; default none.
         *
         * @param apiKey the key's verified token, or null for none
         * @return this builder
         */
        public Builder apiKey(VerifiedToken apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /**
         * Adds a header value (for tests; the gate reads the request's headers through {@link #headers}).
         *
         * @param name the header's name; not null
         * @param value one value; added after any given before
         * @return this builder
         */
        public Builder header(String name, String value) {
            headerValues.computeIfAbsent(Objects.requireNonNull(name, "name"), k -> new ArrayList<>())
                    .add(Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Whether the chain already ran for this request under another requirement; default {@code false}.
         *
         * @param rechecked {@code true} when this is not the chain's first run for the request
         * @return this builder
         */
        public Builder rechecked(boolean rechecked) {
            this.rechecked = rechecked;
            return this;
        }

        /**
         * Reads header values through this lookup (name → values, case-insensitive), instead of {@link #header}.
         *
         * @param lookup header name to values; not null
         * @return this builder
         */
        public Builder headers(Function<String, List<String>> lookup) {
            this.headers = Objects.requireNonNull(lookup, "lookup");
            return this;
        }

        /**
         * Builds the facts.
         *
         * @return the facts
         * @throws NullPointerException when the id, method, path, client address, time, scheme or requirement is
         *                              missing
         */
        public RequestFacts build() {
            return new RequestFacts(this);
        }
    }
}
