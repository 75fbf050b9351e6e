package dev.tokengate.jwt;

import dev.tokengate.ConfigurationException;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.internal.Json;
import dev.tokengate.internal.Settings;
import dev.tokengate.jwks.VerificationKey;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies DPoP proofs (RFC 9449 §4.3) for a resource server: the {@code DPoP} header's JWT, with {@code typ}
 * {@code dpop+jwt}, an allowed asymmetric {@code alg}, a public {@code jwk} header (no private member) whose key
 * signed it, {@code htm} and {@code htu} naming this request, {@code iat} within the proof lifetime, {@code ath} the
 * hash of the access token, and a {@code jti} not seen before within that lifetime. The answer is the RFC 7638
 * thumbprint of the proof's key, which the token's {@code cnf.jkt} must equal.
 *
 * <p>The replay cache keeps the SHA-256 of each accepted proof's key thumbprint and {@code jti} (never the proof) until
 * the proof is too old, in the gate's memory (bounded, {@value ConfigKeys#DPOP_REPLAY_CACHE_SIZE}). With shared
 * token control ({@code tokengate-redis}) it is shared by every node ({@link Builder#sharedReplayCache}): a proof
 * accepted by one node is refused as a replay by all, and a replay this node has seen costs no round trip.
 *
 * <p>The mode ({@value ConfigKeys#DPOP}) says whether the gate accepts the {@code DPoP} scheme at all, and whether
 * it requires it. Thread-safe; one instance per gate.
 */
public final class DpopVerifier {

    /** The request header carrying the proof. */
    public static final String HEADER = "DPoP";
    /**
     * The response header carrying the nonce the server wants in the next proofs (RFC 9449 §8.1); the proofs carry
     * it back in the {@link #NONCE_CLAIM} claim.
     */
    public static final String NONCE_HEADER = "DPoP-Nonce";
    /**
     * The proof claim carrying the server's nonce; an {@link InvalidTokenException} whose {@code claim()} is this
     * one is answered {@code use_dpop_nonce} with the current nonce.
     */
    public static final String NONCE_CLAIM = "nonce";
    /** How long a server nonce is current unless configured ({@value ConfigKeys#DPOP_NONCE_LIFETIME}). */
    public static final Duration DEFAULT_NONCE_LIFETIME = Duration.ofMinutes(5);
    /** The shortest nonce secret that may be configured, in bytes (UTF-8). */
    static final int MIN_NONCE_SECRET_LENGTH = 32;
    /** The {@code typ} of a proof. */
    static final String TYPE = "dpop+jwt";
    /** How old a proof may be unless configured ({@value ConfigKeys#DPOP_PROOF_LIFETIME}). */
    public static final Duration DEFAULT_PROOF_LIFETIME = Duration.ofSeconds(60);
    /** The longest proof lifetime that may be configured. */
    static final Duration MAX_PROOF_LIFETIME = Duration.ofMinutes(10);
    /** How far in the future a proof's {@code iat} may lie (clocks differ a little). */
    static final Duration FUTURE_LEEWAY = Duration.ofSeconds(5);
    /** How many proofs the replay cache remembers unless configured ({@value ConfigKeys#DPOP_REPLAY_CACHE_SIZE}). */
    static final long DEFAULT_REPLAY_CACHE_SIZE = 100_000;
    /** JWK members of private (or symmetric) keys: a proof's key must have none. */
    private static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");
    private static final int MAX_JTI_LENGTH = 256;

    /** Whether the gate accepts or requires the {@code DPoP} scheme ({@value ConfigKeys#DPOP}). */
    public enum Mode {
        /** The {@code DPoP} scheme is not recognised; a DPoP-bound token is refused. */
        OFF("off"),
        /** Both {@code Bearer} and {@code DPoP} (the default); a DPoP-bound token needs its proof. */
        ALLOWED("allowed"),
        /** Only DPoP-bound tokens with their proof; any token sent as {@code Bearer} is refused. */
        REQUIRED("required");

        private final String value;

        Mode(String value) {
            this.value = value;
        }

        /**
         * The mode as written in configuration.
         *
         * @return {@code off}, {@code allowed} or {@code required}
         */
        public String value() {
            return value;
        }

        /**
         * The mode written so, any case.
         *
         * @param value {@code off}, {@code allowed} or {@code required}
         * @return the mode
         * @throws IllegalArgumentException for any other value
         */
        public static Mode named(String value) {
            return Settings.named(values(), Mode::value, value).orElseThrow(() -> new IllegalArgumentException(
                    "'" + value + "' is not a DPoP mode; write off, allowed or required"));
        }
    }

    private final Mode mode;
    private final Set<JwtAlgorithm> algorithms;
    /** Their names, made once: the challenge of every 401 lists them. */
    private final List<String> algorithmNames;
    private final Duration proofLifetime;
    private final long replayCacheSize;
    private final Clock clock;
    /** The server nonces proofs must carry ({@value ConfigKeys#DPOP_NONCE}{@code =required}), or {@code null}. */
    private final DpopNonces nonces;
    /** Whether the nonce secret was made by this verifier at random: nonces then hold on this node only. */
    private final boolean nodeLocalNonces;
    private final Duration nonceLifetime;
    /** The hashed thumbprint and {@code jti} of every proof accepted within its lifetime. */
    private final ReplayCache seen;

    private DpopVerifier(Builder b) {
        this.mode = b.mode;
        this.algorithms = EnumSet.copyOf(b.algorithms);
        List<String> names = new java.util.ArrayList<>();
        for (JwtAlgorithm a : algorithms) {
            names.add(a.name());
        }
        this.algorithmNames = List.copyOf(names);
        this.proofLifetime = b.proofLifetime;
        this.replayCacheSize = b.replayCacheSize;
        this.clock = b.clock;
        if (b.nonceRequired && b.mode == Mode.OFF) {
            throw new ConfigurationException(ConfigKeys.DPOP_NONCE, "is required but " + ConfigKeys.DPOP
                    + " is off: nonces go into DPoP proofs, so set " + ConfigKeys.DPOP + " to allowed or required, "
                    + "or " + ConfigKeys.DPOP_NONCE + " to off");
        }
        this.nonceLifetime = b.nonceLifetime;
        this.nodeLocalNonces = b.nonceRequired && b.nonceSecret == null;
        byte[] secret = b.nonceSecret;
        if (nodeLocalNonces) {
            secret = new byte[MIN_NONCE_SECRET_LENGTH];
            new java.security.SecureRandom().nextBytes(secret);
        }
        this.nonces = b.nonceRequired ? new DpopNonces(secret, b.nonceLifetime, b.clock) : null;
        LocalReplayCache local = new LocalReplayCache(b.replayCacheSize, clock);
        this.seen = b.sharedReplayCache == null ? local
                : new SharedReplayCache(local, b.sharedReplayCache, b.failClosed, clock);
    }

    /**
     * A builder with the defaults: mode {@code allowed}, every asymmetric algorithm, proofs up to 60 s old, a replay
     * cache of 100,000 proofs, the system UTC clock.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether the gate accepts or requires the {@code DPoP} scheme.
     *
     * @return the mode
     */
    public Mode mode() {
        return mode;
    }

    /**
     * The algorithms a proof may be signed with, for the challenge's {@code algs}.
     *
     * @return the JWS names, e.g. {@code ES256}, in a stable order
     */
    public List<String> algorithms() {
        return algorithmNames;
    }

    /**
     * How old a proof may be.
     *
     * @return the proof lifetime
     */
    public Duration proofLifetime() {
        return proofLifetime;
    }

    /**
     * How many accepted proofs the replay cache holds at most.
     *
     * @return the bound
     */
    public long replayCacheSize() {
        return replayCacheSize;
    }

    /**
     * The nonce proofs must carry now (RFC 9449 §8), when {@value ConfigKeys#DPOP_NONCE} is {@code required}: the
     * value of the {@value #NONCE_HEADER} response header. It changes every {@link #nonceLifetime()}; a proof with
     * the previous one is still accepted.
     *
     * @return the current nonce, empty when nonces are off
     */
    public Optional<String> nonce() {
        return nonces == null ? Optional.empty() : Optional.of(nonces.current());
    }

    /**
     * How long a server nonce is the current one ({@value ConfigKeys#DPOP_NONCE_LIFETIME}); a nonce is accepted
     * for up to twice that.
     *
     * @return the lifetime, whether or not nonces are on
     */
    public Duration nonceLifetime() {
        return nonceLifetime;
    }

    /**
     * Whether nonces are required and their secret was made at random at start-up
     * ({@value ConfigKeys#DPOP_NONCE_SECRET} unset): then a nonce is good on this node only, and a client whose
     * requests reach another node is asked for a new one.
     *
     * @return {@code true} for node-local nonces
     */
    public boolean nodeLocalNonces() {
        return nodeLocalNonces;
    }

    /**
     * Verifies one proof for one request and remembers its {@code jti}.
     *
     * @param proof             the {@code DPoP} header's value; not null
     * @param method            the request's HTTP method
     * @param url               the request's URL as the client sent it (through trusted proxies), without query
     * @param accessTokenSha256 the SHA-256 of the access token's ASCII bytes
     * @return the RFC 7638 thumbprint (base64url SHA-256) of the proof's key, for the token's {@code cnf.jkt}
     * @throws InvalidTokenException        saying what is wrong with the proof, for an {@code invalid_dpop_proof}
     *                                      answer (a {@link #NONCE_CLAIM} one for {@code use_dpop_nonce}); the
     *                                      message never echoes the proof's unverified values
     * @throws UpstreamUnavailableException when the shared replay cache cannot be reached and fails closed: a 503
     */
    public String verify(String proof, String method, String url, byte[] accessTokenSha256) {
        Objects.requireNonNull(proof, "proof");
        ParsedJwt jwt;
        try {
            jwt = ParsedJwt.parse(proof.strip());
        } catch (InvalidTokenException e) {
            throw invalid("The DPoP proof is not a signed JWT (three base64url parts); send a compact JWS.", "dpop");
        }
        Map<String, Object> header = jwt.header();
        if (!(header.get("typ") instanceof String typ) || !typ.equalsIgnoreCase(TYPE)) {
            throw invalid("The DPoP proof's typ header must be dpop+jwt.", "typ");
        }
        if (header.containsKey("crit")) {
            throw invalid("The DPoP proof has a crit header, which this server does not understand.", "crit");
        }
        JwtAlgorithm alg = header.get("alg") instanceof String name
                ? JwtAlgorithm.named(name).filter(algorithms::contains).filter(a -> !a.isHmac()).orElse(null) : null;
        if (alg == null) {
            throw invalid("The DPoP proof's alg is not one this server accepts; sign it with one of "
                    + String.join(" ", algorithms()) + ".", "alg");
        }
        if (!(header.get("jwk") instanceof Map<?, ?> jwkMember)) {
            throw invalid("The DPoP proof has no jwk header; put the public key that signs it there.", "jwk");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> jwk = (Map<String, Object>) jwkMember;
        if (!java.util.Collections.disjoint(jwk.keySet(), PRIVATE_MEMBERS)) {
            throw invalid("The DPoP proof's jwk contains private key material; send only the public key (and "
                    + "consider that key compromised).", "jwk");
        }
        PublicKey key;
        try {
            key = VerificationKey.clientKey(jwk);
        } catch (IllegalArgumentException e) {
            throw invalid("The DPoP proof's jwk is not a usable public key: " + e.getMessage() + ".", "jwk");
        }
        Optional<String> unsuitable = alg.unsuitability(key);
        if (unsuitable.isPresent()) {
            throw invalid("The DPoP proof's jwk does not fit its alg " + alg.name() + ": " + unsuitable.get() + ".",
                    "jwk");
        }
        if (!alg.verifies(key, jwt.ascii(), jwt.signingInputLength(), jwt.signature())) {
            throw invalid("The DPoP proof's signature does not verify with its jwk.", "signature");
        }
        Map<String, Object> claims = jwt.claims();
        if (!(claims.get("jti") instanceof String jti) || jti.isEmpty() || jti.length() > MAX_JTI_LENGTH) {
            throw invalid("The DPoP proof needs a jti of 1 to " + MAX_JTI_LENGTH + " characters, unique per proof.",
                    "jti");
        }
        if (!(claims.get("htm") instanceof String htm) || !htm.equals(method)) {
            throw invalid("The DPoP proof's htm is not this request's method (" + method + ").", "htm");
        }
        Optional<String> expectedUrl = normalizedUrl(url);
        if (!(claims.get("htu") instanceof String htu) || expectedUrl.isEmpty()
                || !normalizedUrl(htu).equals(expectedUrl)) {
            throw invalid("The DPoP proof's htu is not this request's URL (" + expectedUrl.orElse(url)
                    + ", without query and fragment).", "htu");
        }
        Instant now = clock.instant();
        if (!(claims.get("iat") instanceof Number iatNumber) || iatNumber instanceof Double d && !Double.isFinite(d)) {
            throw invalid("The DPoP proof needs an iat: the time it was made, in seconds since the epoch.", "iat");
        }
        Instant iat = Instant.ofEpochSecond(Math.max(Math.min(iatNumber.longValue(), 100_000_000_000L), -1L));
        if (iat.isBefore(now.minus(proofLifetime))) {
            throw invalid("The DPoP proof is too old (issued more than " + proofLifetime.toSeconds()
                    + " s ago); make a new proof for every request.", "iat");
        }
        if (iat.isAfter(now.plus(FUTURE_LEEWAY))) {
            throw invalid("The DPoP proof's iat lies in the future; check the client's clock.", "iat");
        }
        if (nonces != null && !(claims.get(NONCE_CLAIM) instanceof String nonce && nonces.accepts(nonce))) {
            throw invalid(claims.containsKey(NONCE_CLAIM)
                    ? "The DPoP proof's nonce is no longer current; make a new proof with the nonce of this "
                    + "response's " + NONCE_HEADER + " header."
                    : "This server requires a nonce in DPoP proofs; make a new proof with the nonce of this "
                    + "response's " + NONCE_HEADER + " header.", NONCE_CLAIM);
        }
        if (!(claims.get("ath") instanceof String ath)
                || !MessageDigest.isEqual(ath.getBytes(StandardCharsets.US_ASCII),
                base64Url(accessTokenSha256).getBytes(StandardCharsets.US_ASCII))) {
            throw invalid("The DPoP proof's ath is not the hash of the access token it is sent with "
                    + "(base64url of its SHA-256).", "ath");
        }
        String thumbprint = thumbprint(jwk);
        // remembered until the proof is too old here, and a little longer for nodes whose clocks are behind
        if (!seen.firstUse(replayKey(thumbprint, jti), iat.plus(proofLifetime).plus(FUTURE_LEEWAY))) {
            throw invalid("This DPoP proof was used before; make a new proof (new jti) for every request.", "jti");
        }
        return thumbprint;
    }

    /**
     * The RFC 7638 JWK thumbprint: the base64url SHA-256 of the key's required members in lexicographic order,
     * without whitespace ({@code crv kty x y} for EC, {@code e kty n} for RSA, {@code crv kty x} for OKP).
     *
     * @param jwk a public JWK's members; not null
     * @return the thumbprint, 43 base64url characters
     * @throws IllegalArgumentException for a key type without a thumbprint definition or a missing member
     */
    public static String thumbprint(Map<String, ?> jwk) {
        Object kty = jwk.get("kty");
        List<String> members = switch (kty instanceof String s ? s : "") {
            case "EC" -> List.of("crv", "kty", "x", "y");
            case "RSA" -> List.of("e", "kty", "n");
            case "OKP" -> List.of("crv", "kty", "x");
            default -> throw new IllegalArgumentException("no thumbprint is defined for kty " + kty);
        };
        Map<String, Object> canonical = new LinkedHashMap<>();
        for (String m : members) {
            if (!(jwk.get(m) instanceof String value)) {
                throw new IllegalArgumentException("the JWK lacks its member " + m);
            }
            canonical.put(m, value);
        }
        return base64Url(sha256(Json.write(canonical).getBytes(StandardCharsets.UTF_8)));
    }

    /** The replay cache's key of a proof: base64url SHA-256 of its key's thumbprint and its {@code jti}. */
    static String replayKey(String thumbprint, String jti) {
        return base64Url(sha256((thumbprint + ' ' + jti).getBytes(StandardCharsets.UTF_8)));
    }

    /** A URL compared by RFC 3986 §6.2.2–6.2.3: scheme and host in lower case, no default port, no query, no fragment. */
    static Optional<String> normalizedUrl(String url) {
        if (url == null) {
            return Optional.empty();
        }
        try {
            URI u = new URI(url).normalize();
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("https") || scheme.equals("http")) || u.getRawAuthority() == null || u.getHost() == null) {
                return Optional.empty();
            }
            int port = u.getPort();
            boolean defaultPort = port == -1 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
            return Optional.of(scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port)
                    + path);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static InvalidTokenException invalid(String message, String part) {
        return new InvalidTokenException(message, part);
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** Builds a {@link DpopVerifier}; each setter rejects a bad value at once, naming the setting. */
    public static final class Builder {
        private Mode mode = Mode.ALLOWED;
        private Set<JwtAlgorithm> algorithms = EnumSet.copyOf(JwtAlgorithm.ASYMMETRIC);
        private Duration proofLifetime = DEFAULT_PROOF_LIFETIME;
        private long replayCacheSize = DEFAULT_REPLAY_CACHE_SIZE;
        private Clock clock = Clock.systemUTC();
        private ReplayCache sharedReplayCache;
        private boolean failClosed;
        private boolean nonceRequired;
        private byte[] nonceSecret;
        private Duration nonceLifetime = DEFAULT_NONCE_LIFETIME;

        private Builder() {
        }

        /**
         * Reads {@value ConfigKeys#DPOP}, {@value ConfigKeys#DPOP_ALGORITHMS}, {@value ConfigKeys#DPOP_PROOF_LIFETIME},
         * {@value ConfigKeys#DPOP_REPLAY_CACHE_SIZE}, {@value ConfigKeys#DPOP_NONCE},
         * {@value ConfigKeys#DPOP_NONCE_SECRET} and {@value ConfigKeys#DPOP_NONCE_LIFETIME}.
         *
         * @param source the layered {@code tokengate.*} keys; not null
         * @return this builder
         * @throws ConfigurationException naming the key of a malformed value
         */
        public Builder config(ConfigSource source) {
            source.read(ConfigKeys.DPOP, Mode::named, this::mode);
            source.read(ConfigKeys.DPOP_ALGORITHMS, ConfigSource::list, this::algorithms);
            source.read(ConfigKeys.DPOP_PROOF_LIFETIME, ConfigSource::duration, this::proofLifetime);
            source.read(ConfigKeys.DPOP_REPLAY_CACHE_SIZE, Long::parseLong, this::replayCacheSize);
            source.read(ConfigKeys.DPOP_NONCE, Builder::nonceMode, this::nonceRequired);
            source.read(ConfigKeys.DPOP_NONCE_SECRET, v -> v, this::nonceSecret);
            source.read(ConfigKeys.DPOP_NONCE_LIFETIME, ConfigSource::duration, this::nonceLifetime);
            return this;
        }

        /**
         * Reads {@value ConfigKeys#DPOP_NONCE}: {@code off} or {@code required}, any case.
         *
         * @param value the text
         * @return whether nonces are required
         * @throws IllegalArgumentException for any other value
         */
        public static boolean nonceMode(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "off" -> false;
                case "required" -> true;
                default -> throw new IllegalArgumentException("'" + value + "' is not a nonce mode; write off or required");
            };
        }

        /**
         * Whether every DPoP proof must carry a server nonce (RFC 9449 §8); default {@code false}. A proof without
         * the current (or previous) nonce is refused with 401 {@code use_dpop_nonce} and the nonce in the
         * {@value DpopVerifier#NONCE_HEADER} header.
         *
         * @param required {@code true} to require nonces
         * @return this builder
         */
        public Builder nonceRequired(boolean required) {
            this.nonceRequired = required;
            return this;
        }

        /**
         * The secret the nonces are made with (HMAC-SHA256 over the time slot), the same on every node of a
         * cluster so that each accepts the others' nonces; at least 32 bytes. Unset: a random secret per gate, and
         * nonces hold on one node only.
         *
         * @param secret the secret, at least 32 bytes in UTF-8
         * @return this builder
         * @throws ConfigurationException naming {@value ConfigKeys#DPOP_NONCE_SECRET} for a shorter secret
         */
        public Builder nonceSecret(String secret) {
            byte[] bytes = Objects.requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8);
            if (bytes.length < MIN_NONCE_SECRET_LENGTH) {
                throw new ConfigurationException(ConfigKeys.DPOP_NONCE_SECRET, "is " + bytes.length + " bytes long; "
                        + "use at least " + MIN_NONCE_SECRET_LENGTH + " random bytes (e.g. openssl rand -base64 32)");
            }
            this.nonceSecret = bytes;
            return this;
        }

        /**
         * How long a nonce is the current one; a proof may carry it for up to twice as long. Default 5 minutes,
         * from 10 seconds to 1 hour.
         *
         * @param lifetime the time slot, whole seconds
         * @return this builder
         * @throws ConfigurationException naming {@value ConfigKeys#DPOP_NONCE_LIFETIME} for a value out of range
         */
        public Builder nonceLifetime(Duration lifetime) {
            Settings.positive(ConfigKeys.DPOP_NONCE_LIFETIME, lifetime);
            if (lifetime.compareTo(Duration.ofSeconds(10)) < 0 || lifetime.compareTo(Duration.ofHours(1)) > 0
                    || lifetime.getNano() != 0) {
                throw new ConfigurationException(ConfigKeys.DPOP_NONCE_LIFETIME, "is " + lifetime + "; use whole "
                        + "seconds from 10s to 1h: clients fetch a new nonce once per lifetime");
            }
            this.nonceLifetime = lifetime;
            return this;
        }

        /**
         * Whether the {@code DPoP} scheme is off, allowed (the default) or required.
         *
         * @param mode the mode; not null
         * @return this builder
         */
        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * The algorithms a proof may be signed with: asymmetric JWS algorithms only (RS*, PS*, ES*).
         *
         * @param names the JWS names; not empty
         * @return this builder
         * @throws ConfigurationException naming {@value ConfigKeys#DPOP_ALGORITHMS} for an unknown, symmetric or
         *                                {@code none} algorithm, or none at all
         */
        public Builder algorithms(Collection<String> names) {
            Set<JwtAlgorithm> chosen = EnumSet.noneOf(JwtAlgorithm.class);
            for (String name : names) {
                JwtAlgorithm a = JwtAlgorithm.named(name.strip()).filter(JwtAlgorithm.ASYMMETRIC::contains)
                        .orElseThrow(() -> new ConfigurationException(ConfigKeys.DPOP_ALGORITHMS, "'" + name
                                + "' is not an asymmetric JWS algorithm; use some of " + JwtAlgorithm.ASYMMETRIC
                                .stream().map(Enum::name).collect(Collectors.joining(","))));
                chosen.add(a);
            }
            if (chosen.isEmpty()) {
                throw new ConfigurationException(ConfigKeys.DPOP_ALGORITHMS, "names no algorithm; name at least one, "
                        + "e.g. ES256");
            }
            this.algorithms = chosen;
            return this;
        }

        /**
         * How old a proof may be: its {@code iat} at most this long ago (and at most 5 s ahead); default 60 s, at
         * most 10 minutes. Proofs are remembered this long to refuse a replay.
         *
         * @param lifetime the window; positive, at most 10 minutes
         * @return this builder
         * @throws ConfigurationException naming {@value ConfigKeys#DPOP_PROOF_LIFETIME} for a value out of range
         */
        public Builder proofLifetime(Duration lifetime) {
            Settings.positive(ConfigKeys.DPOP_PROOF_LIFETIME, lifetime);
            if (lifetime.compareTo(MAX_PROOF_LIFETIME) > 0) {
                throw new ConfigurationException(ConfigKeys.DPOP_PROOF_LIFETIME, "is " + lifetime + "; at most "
                        + MAX_PROOF_LIFETIME.toMinutes() + " minutes, a proof is made for one request");
            }
            this.proofLifetime = lifetime;
            return this;
        }

        /**
         * How many accepted proofs the replay cache holds at most (the least recently used go first when more
         * arrive within the lifetime); default 100,000.
         *
         * @param size the bound; positive
         * @return this builder
         * @throws ConfigurationException naming {@value ConfigKeys#DPOP_REPLAY_CACHE_SIZE} for a size below 1
         */
        public Builder replayCacheSize(long size) {
            this.replayCacheSize = Settings.positive(ConfigKeys.DPOP_REPLAY_CACHE_SIZE, size);
            return this;
        }

        /**
         * The clock of {@code iat} and the replay cache; default the system UTC clock.
         *
         * @param clock the time source; not null
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Shares the replay cache with the other nodes: each accepted proof is recorded there too, behind this node's
         * own cache. The gate sets it from its {@link dev.tokengate.control.SharedControl#replayCache() shared
         * control}, e.g. Redis when {@value ConfigKeys#REDIS_URI} is set.
         *
         * @param shared     the cache every node records in; not null
         * @param failClosed while it cannot be reached: {@code true} to refuse requests with a proof (503),
         *                   {@code false} to go on with this node's cache alone
         * @return this builder
         */
        public Builder sharedReplayCache(ReplayCache shared, boolean failClosed) {
            this.sharedReplayCache = Objects.requireNonNull(shared, "shared");
            this.failClosed = failClosed;
            return this;
        }

        /**
         * Builds the verifier.
         *
         * @return the verifier, with its own replay cache (in front of the shared one, if any)
         */
        public DpopVerifier build() {
            return new DpopVerifier(this);
        }
    }
}
