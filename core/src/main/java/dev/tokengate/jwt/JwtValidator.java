package dev.tokengate.jwt;

import dev.tokengate.internal.LogSafe;
import dev.tokengate.internal.Settings;
import dev.tokengate.ConfigurationException;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.TokenValidator;
import dev.tokengate.VerifiedToken;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.jwks.KeySource;
import dev.tokengate.jwks.VerificationKey;
import dev.tokengate.log.Loggers;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;

/**
 * A {@link TokenValidator} for signed JWT access tokens (RFC 9068) from one issuer: it checks the algorithm
 * against an allow-list, the signature against the issuer's keys (or shared HMAC secret), and {@code iss},
 * {@code aud}, {@code exp}, {@code nbf}, {@code iat}, {@code typ} and required claims. A token typed as another
 * kind of JWT ({@code dpop+jwt}, {@code logout+jwt}, …) is never taken for an access token.
 *
 * <p>Secure by default: an audience is required ({@link Builder#allowAnyAudience()} is the explicit opt-out),
 * {@code exp} is required, {@code alg: none} is never accepted, HMAC and public-key algorithms are never mixed
 * for one issuer, RSA keys under 2048 bits are refused, encrypted tokens (JWE) are refused, and the
 * {@code jku}, {@code x5u}, {@code jwk} and {@code x5c} header parameters are ignored: keys only ever come from
 * the configured {@link KeySource}.
 *
 * <p>Every rejection is an {@link InvalidTokenException} whose message is safe to send to the client: a fixed text
 * that never contains the token nor any value read from it before it was verified ({@code iss}, {@code aud},
 * {@code alg}, {@code typ}, {@code kid}; those are only logged, at DEBUG and escaped); an {@link dev.tokengate.UpstreamUnavailableException} from the key source passes through.
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * JwtValidator validator = JwtValidator.builder()
 *         .issuer("https://issuer.example.com")
 *         .audiences("https://api.example.com")
 *         .keySource(jwks)
 *         .type("at+jwt")
 *         .build();
 * }</pre>
 */
public final class JwtValidator implements TokenValidator {

    private static final Logger LOG = Loggers.logger(JwtValidator.class);

    /** The default clock skew tolerated on {@code exp}, {@code nbf} and {@code iat}. */
    public static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(60);
    /** The largest leeway {@link Builder#leeway(Duration)} accepts. */
    public static final Duration MAX_LEEWAY = Duration.ofMinutes(10);

    /** The {@code typ} values of a token that says it is a JWT or an access token, compared without {@code application/}. */
    private static final Set<String> ACCESS_TOKEN_TYPES = Set.of("jwt", "at+jwt");
    /** The claims RFC 9068 §2.2 requires of an {@code at+jwt} access token. */
    /** Where a token names its client, in order of preference. */
    private static final List<String> CLIENT_ID_CLAIMS = List.of("client_id", "azp", "cid");
    private static final List<String> AT_JWT_CLAIMS = List.of("iss", "exp", "aud", "sub", "client_id", "iat", "jti");
    /** The largest NumericDate accepted: its milliseconds still fit a {@code long}. */
    private static final long MAX_NUMERIC_DATE_SECONDS = Long.MAX_VALUE / 1000;
    private static final BigDecimal MAX_NUMERIC_DATE = BigDecimal.valueOf(MAX_NUMERIC_DATE_SECONDS);

    private final String issuer;
    private final Set<String> audiences;
    private final boolean anyAudience;
    private final Set<JwtAlgorithm> algorithms;
    private final KeySource keySource;
    private final byte[] hmacSecret;
    private final String type;
    private final List<String> requiredClaims;
    private final String scopeClaim;
    private final Duration leeway;
    private final Clock clock;

    private JwtValidator(Builder b, Set<JwtAlgorithm> algorithms, byte[] secret) {
        this.issuer = b.issuer;
        this.audiences = Set.copyOf(b.audiences);
        this.anyAudience = b.anyAudience;
        this.algorithms = Set.copyOf(algorithms);
        this.keySource = b.keySource;
        this.hmacSecret = secret;
        this.type = b.type;
        this.requiredClaims = List.copyOf(b.requiredClaims);
        this.scopeClaim = b.scopeClaim;
        this.leeway = b.leeway;
        this.clock = b.clock;
    }

    /**
     * A builder; {@link Builder#issuer(String)}, an audience choice and a key choice are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The issuer ({@code iss}) this validator accepts.
     *
     * @return the issuer, compared exactly
     */
    public String issuer() {
        return issuer;
    }

    /**
     * Whether tokens for any audience (or none) are accepted: the {@link Builder#allowAnyAudience()} opt-out.
     *
     * @return {@code true} when the audience is not checked
     */
    public boolean acceptsAnyAudience() {
        return anyAudience;
    }

    /**
     * Where the issuer's public keys come from: what the gate lists in its health report.
     *
     * @return the key source; empty for an issuer checked with a shared HMAC secret
     */
    public Optional<KeySource> keySource() {
        return Optional.ofNullable(keySource);
    }

    /**
     * The accepted JWS algorithms, by name.
     *
     * @return the algorithm names, e.g. {@code RS256}; unmodifiable
     */
    public Set<String> algorithms() {
        return algorithms.stream().map(Enum::name).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public VerifiedToken validate(String token) {
        Objects.requireNonNull(token, "token");
        return validate(ParsedJwt.parse(token));
    }

    /**
     * Validates an already parsed token: the signature is verified over the very bytes its claims were read from.
     * The {@link IssuerRouter} parses a token once to read {@code iss}, then hands it here.
     */
    VerifiedToken validate(ParsedJwt jwt) {
        try {
            return check(jwt);
        } catch (InvalidTokenException e) {
            LOG.debug("Rejected a token for issuer {}: {}", issuer, e.getMessage());
            throw e;
        }
    }

    private VerifiedToken check(ParsedJwt jwt) {
        JwtAlgorithm algorithm = checkAlgorithm(jwt);
        checkCritical(jwt);
        checkType(jwt);
        checkAccessTokenClaims(jwt);
        String tokenIssuer = jwt.claimString("iss")
                .orElseThrow(() -> new InvalidTokenException("The token has no issuer (iss)", "iss"));
        if (!tokenIssuer.equals(issuer)) {
            LOG.debug("The token's issuer {} is not {}", LogSafe.escape(tokenIssuer), issuer);
            throw new InvalidTokenException("The token's issuer is not accepted by this API", "iss");
        }
        // Read now, so that a kid of the wrong type is refused whatever the algorithm.
        Optional<String> keyId = jwt.headerString("kid");
        // Read every time claim (types checked) before the signature: a malformed token costs no signature check.
        Instant expiresAt = numericDate(jwt, "exp")
                .orElseThrow(() -> new InvalidTokenException("The token has no expiry (exp); tokens without one are not accepted", "exp"));
        Optional<Instant> notBefore = numericDate(jwt, "nbf");
        Optional<Instant> issuedAt = numericDate(jwt, "iat");

        verifySignature(jwt, algorithm, keyId);

        Instant now = clock.instant();
        if (!now.isBefore(expiresAt.plus(leeway))) {
            throw new InvalidTokenException("The token expired at " + expiresAt, "exp");
        }
        if (notBefore.isPresent() && now.plus(leeway).isBefore(notBefore.get())) {
            throw new InvalidTokenException("The token is not valid before " + notBefore.get(), "nbf");
        }
        if (issuedAt.isPresent() && now.plus(leeway).isBefore(issuedAt.get())) {
            throw new InvalidTokenException("The token was issued in the future, at " + issuedAt.get(), "iat");
        }
        List<String> tokenAudiences = audiences(jwt);
        if (!anyAudience) {
            if (tokenAudiences.isEmpty()) {
                throw new InvalidTokenException("The token has no audience (aud)", "aud");
            }
            if (!anyAccepted(tokenAudiences)) {
                LOG.debug("The token's audiences {} are not among {}",
                        tokenAudiences.stream().map(LogSafe::escape).toList(), audiences);
                throw new InvalidTokenException("The token's audience is not accepted by this API", "aud");
            }
        }
        for (String claim : requiredClaims) {
            if (jwt.claims().get(claim) == null) {
                throw new InvalidTokenException("The token lacks the claim " + claim + ", which this API requires", claim);
            }
        }
        Optional<String> subject = jwt.claimString("sub").filter(s -> !s.isEmpty()); // an empty name names nobody
        Optional<String> clientId = clientId(jwt);
        if (subject.isEmpty() && clientId.isEmpty()) {
            throw new InvalidTokenException(
                    "The token names neither a subject (sub) nor a client (client_id, azp or cid)", "sub");
        }
        return VerifiedToken.builder(VerifiedToken.Kind.JWT)
                .subject(subject.orElse(null))
                .clientId(clientId.orElse(null))
                .issuer(tokenIssuer)
                .audiences(tokenAudiences)
                .scopes(scopes(jwt))
                .issuedAt(issuedAt.orElse(null))
                .expiresAt(expiresAt)
                .tokenId(jwt.claimString("jti").orElse(null))
                .claims(jwt.claims())
                .build();
    }

    /** Whether one of the token's audiences is among this API's (a loop: no stream per token). */
    private boolean anyAccepted(List<String> tokenAudiences) {
        for (String audience : tokenAudiences) {
            if (audiences.contains(audience)) {
                return true;
            }
        }
        return false;
    }

    private JwtAlgorithm checkAlgorithm(ParsedJwt jwt) {
        String alg = jwt.headerString("alg")
                .orElseThrow(() -> new InvalidTokenException("The token has no algorithm (alg)", "alg"));
        if (alg.trim().equalsIgnoreCase("none")) {
            throw new InvalidTokenException("Unsigned tokens (alg none) are not accepted", "alg");
        }
        Optional<JwtAlgorithm> accepted = JwtAlgorithm.named(alg).filter(algorithms::contains);
        if (accepted.isEmpty()) {
            LOG.debug("The token's algorithm {} is not among {}", LogSafe.escape(alg), algorithms);
            throw new InvalidTokenException("The token's algorithm (alg) is not accepted by this API", "alg");
        }
        return accepted.get();
    }

    private static void checkCritical(ParsedJwt jwt) {
        // RFC 7515 §4.1.11: a recipient must reject a token whose critical extensions it does not understand,
        // and this validator understands none.
        if (jwt.header().containsKey("crit")) {
            throw new InvalidTokenException(
                    "The token marks header parameters as critical (crit) that this API does not understand", "crit");
        }
    }

    /**
     * Explicit typing (RFC 8725 §3.11): with a required type, {@code typ} must name it; without one, a token that
     * says it is something else than a JWT or an access token ({@code dpop+jwt}, {@code logout+jwt},
     * {@code secevent+jwt}, {@code id_token+jwt}, …) is still refused, so no other kind of JWT from the same issuer
     * is taken for an access token. Matched case-insensitively, with or without {@code application/}.
     */
    private void checkType(ParsedJwt jwt) {
        Optional<String> typ = jwt.headerString("typ");
        if (typ.isEmpty()) {
            if (type != null) {
                throw new InvalidTokenException("The token has no type (typ); expected " + type, "typ");
            }
            return;
        }
        String bare = bareType(typ.get()).toLowerCase(Locale.ROOT);
        boolean accepted = type != null ? bare.equals(type.toLowerCase(Locale.ROOT)) : ACCESS_TOKEN_TYPES.contains(bare);
        if (!accepted) {
            LOG.debug("The token's type {} is not {}", LogSafe.escape(typ.get()), type != null ? type : ACCESS_TOKEN_TYPES);
            throw new InvalidTokenException(type != null
                    ? "The token's type (typ) is not accepted; expected " + type
                    : "The token's type (typ) says it is not an access token", "typ");
        }
    }

    /** With {@code at+jwt} required, the claims RFC 9068 §2.2 requires of such a token are required too. */
    private void checkAccessTokenClaims(ParsedJwt jwt) {
        if (!"at+jwt".equalsIgnoreCase(type)) {
            return;
        }
        for (String claim : AT_JWT_CLAIMS) {
            if (jwt.claims().get(claim) == null) {
                throw new InvalidTokenException("The token lacks the claim " + claim
                        + ", which an at+jwt access token must have (RFC 9068 §2.2)", claim);
            }
        }
    }

    private static String bareType(String typ) {
        return typ.regionMatches(true, 0, "application/", 0, 12) ? typ.substring(12) : typ;
    }

    private void verifySignature(ParsedJwt jwt, JwtAlgorithm algorithm, Optional<String> keyId) {
        // The signing input is the token's own ASCII bytes up to the last dot: verified as received, never re-encoded.
        byte[] input = jwt.ascii();
        int end = jwt.signingInputLength();
        byte[] signature = jwt.signature();
        if (algorithm.isHmac()) {
            if (!algorithm.verifies(hmacSecret, input, end, signature)) {
                throw new InvalidTokenException("The token's signature is invalid");
            }
            return;
        }
        List<VerificationKey> candidates = keySource.keys(keyId);
        List<String> refusals = null; // made only when a key is refused
        boolean tried = false;
        for (VerificationKey key : candidates) {
            if (keyId.isPresent() && key.keyId().isPresent() && !key.keyId().equals(keyId)) {
                continue;
            }
            if (key.algorithm().isPresent() && !key.algorithm().get().equals(algorithm.name())) {
                refusals = refused(refusals, "is for " + key.algorithm().get());
                continue;
            }
            Optional<String> unsuitable = algorithm.unsuitability(key.publicKey());
            if (unsuitable.isPresent()) {
                refusals = refused(refusals, "is " + unsuitable.get());
                continue;
            }
            tried = true;
            if (algorithm.verifies(key.publicKey(), input, end, signature)) {
                return;
            }
        }
        if (tried) {
            throw new InvalidTokenException("The token's signature is invalid");
        }
        if (refusals == null) {
            keyId.ifPresent(k -> LOG.debug("The issuer {} has no key {}", issuer, LogSafe.escape(k)));
            throw new InvalidTokenException(keyId.isPresent()
                    ? "The issuer has no key with the token's key id (kid)" : "The issuer has no key to verify this token", "kid");
        }
        throw new InvalidTokenException("The issuer's key" + (keyId.isPresent() ? " with the token's key id (kid)" : "")
                + " cannot verify a " + algorithm.name() + " token: it " + String.join("; ", new LinkedHashSet<>(refusals)),
                "kid");
    }

    private static List<String> refused(List<String> refusals, String why) {
        List<String> list = refusals == null ? new ArrayList<>() : refusals;
        list.add(why);
        return list;
    }

    /**
     * A NumericDate claim (RFC 7519 §2): seconds since 1970, fractions allowed, from 0 to the last second whose
     * milliseconds fit a {@code long}. A negative, infinite or larger value is refused, never wrapped.
     */
    private static Optional<Instant> numericDate(ParsedJwt jwt, String claim) {
        Object value = jwt.claims().get(claim);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Long l && l >= 0 && l <= MAX_NUMERIC_DATE_SECONDS) {
            return Optional.of(Instant.ofEpochSecond(l)); // whole seconds, as issuers write them: no BigDecimal
        }
        BigDecimal seconds;
        if (value instanceof Long l) {
            seconds = BigDecimal.valueOf(l);
        } else if (value instanceof BigInteger big) {
            seconds = new BigDecimal(big);
        } else if (value instanceof Double d && Double.isFinite(d)) {
            seconds = BigDecimal.valueOf(d);
        } else {
            throw new InvalidTokenException("The token's " + claim + " claim is not a NumericDate", claim);
        }
        if (seconds.signum() < 0 || seconds.compareTo(MAX_NUMERIC_DATE) > 0) {
            throw new InvalidTokenException("The token's " + claim + " claim is not a NumericDate: it is negative or too large", claim);
        }
        long whole = seconds.longValue();
        long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
        return Optional.of(Instant.ofEpochSecond(whole, nanos));
    }

    private static List<String> audiences(ParsedJwt jwt) {
        Object aud = jwt.claims().get("aud");
        if (aud == null) {
            return List.of();
        }
        if (aud instanceof String s) {
            return List.of(s);
        }
        return strings(aud)
                .orElseThrow(() -> new InvalidTokenException("The token's audience (aud) is neither a string nor an array of strings", "aud"));
    }

    /** The scopes as the token lists them; the {@link VerifiedToken.Builder} makes them a set (one copy, not two). */
    private Collection<String> scopes(ParsedJwt jwt) {
        String name = scopeClaim;
        if (name == null) {
            name = jwt.claims().get("scope") != null ? "scope" : "scp";
        }
        Object value = jwt.claims().get(name);
        if (value == null) {
            return List.of();
        }
        if (value instanceof String s) {
            List<String> scopes = new ArrayList<>(4);
            for (int start = 0, end; start < s.length(); start = end + 1) {
                end = s.indexOf(' ', start);
                if (end < 0) {
                    end = s.length();
                }
                if (end > start) {
                    scopes.add(s.substring(start, end));
                }
            }
            return scopes;
        }
        String claim = name;
        return strings(value).orElseThrow(() -> new InvalidTokenException(
                "The token's " + claim + " claim is neither a space-delimited string nor an array of strings", claim));
    }

    private static Optional<String> clientId(ParsedJwt jwt) {
        for (String claim : CLIENT_ID_CLAIMS) {
            Optional<String> value = jwt.claimString(claim).filter(s -> !s.isEmpty());
            if (value.isPresent()) {
                return value;
            }
        }
        return Optional.empty();
    }

    private static Optional<List<String>> strings(Object value) {
        if (!(value instanceof List<?> list)) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof String s)) {
                return Optional.empty();
            }
            out.add(s);
        }
        return Optional.of(List.copyOf(out));
    }

    @Override
    public String toString() {
        return "JwtValidator[issuer=" + issuer + ", audiences=" + (anyAudience ? "any" : audiences)
                + ", algorithms=" + algorithms + ", type=" + type + "]";
    }

    /**
     * Builds a {@link JwtValidator}. Each setter rejects a bad value at once with a {@link ConfigurationException}
     * naming the setting; {@link #build()} checks the combination.
     */
    public static final class Builder {
        private String issuer;
        private final Set<String> audiences = new LinkedHashSet<>();
        private boolean anyAudience;
        private Set<JwtAlgorithm> algorithms;
        private KeySource keySource;
        private byte[] hmacSecret;
        private String hmacSecretVariable;
        private Function<String, String> environment = System::getenv;
        private String type;
        private final List<String> requiredClaims = new ArrayList<>();
        private String scopeClaim;
        private Duration leeway = DEFAULT_LEEWAY;
        private Clock clock = Clock.systemUTC();
        private ConfigSource source;

        private Builder() {
        }

        /**
         * Reads the {@code tokengate.jwt.*} keys of one issuer: {@code audience}, {@code allow-any-audience},
         * {@code algorithms}, {@code type}, {@code clock-skew}, {@code scope-claim}, {@code required-claims} and
         * {@code hmac-secret-env} (its variable looked up in the source's environment). Not {@code issuer}, which
         * may list several issuers that share these settings, nor where the public keys come from: set
         * {@link #issuer(String)} and {@link #keySource(KeySource)}. A key that is not set leaves this builder's
         * value. Every error, here or from {@link #build()}, names the key and the layer its value came from.
         *
         * @param source the gate's configuration; not null
         * @return this builder
         */
        public Builder config(ConfigSource source) {
            source.read(ConfigKeys.JWT_AUDIENCE, ConfigSource::list, this::audiences);
            source.read(ConfigKeys.JWT_ALLOW_ANY_AUDIENCE, ConfigSource::bool, any -> {
                if (any) {
                    allowAnyAudience();
                }
            });
            source.read(ConfigKeys.JWT_ALGORITHMS, ConfigSource::list, a -> algorithms(a.toArray(String[]::new)));
            source.read(ConfigKeys.JWT_TYPE, this::type);
            source.read(ConfigKeys.JWT_CLOCK_SKEW, ConfigSource::duration, this::leeway);
            source.read(ConfigKeys.JWT_SCOPE_CLAIM, this::scopeClaim);
            source.read(ConfigKeys.JWT_REQUIRED_CLAIMS, ConfigSource::list, c -> requiredClaims(c.toArray(String[]::new)));
            source.read(ConfigKeys.JWT_HMAC_SECRET_ENV, this::hmacSecretFromEnv);
            this.environment = name -> source.environmentVariable(name).orElse(null);
            this.source = source;
            return this;
        }

        /**
         * The issuer ({@code iss}) to accept, compared exactly. Required.
         *
         * @param issuer the issuer, not blank
         * @return this builder
         * @throws ConfigurationException naming {@code issuer} for a blank issuer
         */
        public Builder issuer(String issuer) {
            this.issuer = Settings.nonBlank("issuer", issuer);
            return this;
        }

        /**
         * The audiences this API answers to; a token must name at least one ({@code aud}). Replaces earlier values.
         *
         * @param audiences at least one audience, none blank
         * @return this builder
         * @throws ConfigurationException naming {@code audiences} for no audience or a blank one
         */
        public Builder audiences(String... audiences) {
            return audiences(Arrays.asList(Objects.requireNonNull(audiences, "audiences")));
        }

        /**
         * The audiences this API answers to; a token must name at least one ({@code aud}). Replaces earlier values.
         *
         * @param audiences at least one audience, none blank
         * @return this builder
         * @throws ConfigurationException naming {@code audiences} for no audience or a blank one
         */
        public Builder audiences(Collection<String> audiences) {
            Set<String> checked = Settings.nonBlankValues("audiences", audiences, "name at least one audience, or call allowAnyAudience()");
            this.audiences.clear();
            this.audiences.addAll(checked);
            return this;
        }

        /**
         * Accepts tokens whatever their audience, or with none. Looser than the default, so it is an explicit
         * opt-in and is logged as a warning when the validator is built; prefer {@link #audiences(String...)}.
         *
         * @return this builder
         */
        public Builder allowAnyAudience() {
            this.anyAudience = true;
            return this;
        }

        /**
         * The JWS algorithms to accept (case-sensitive names). Default: RS256, RS384, RS512, PS256, PS384, PS512,
         * ES256, ES384, ES512 with a {@link #keySource(KeySource)}; with an HMAC secret, the HS algorithms the
         * secret is long enough for (HS256 from 32 bytes, HS384 from 48, HS512 from 64). {@code none} is refused.
         *
         * @param algorithms at least one name, e.g. {@code RS256}
         * @return this builder
         * @throws ConfigurationException naming {@code algorithms} for none, {@code none} or an unknown name
         */
        public Builder algorithms(String... algorithms) {
            Objects.requireNonNull(algorithms, "algorithms");
            if (algorithms.length == 0) {
                throw new ConfigurationException("algorithms", "name at least one algorithm");
            }
            Set<JwtAlgorithm> chosen = EnumSet.noneOf(JwtAlgorithm.class);
            for (String name : algorithms) {
                if (name == null || name.trim().equalsIgnoreCase("none")) {
                    throw new ConfigurationException("algorithms", "'none' (unsigned tokens) is never accepted");
                }
                chosen.add(JwtAlgorithm.named(name).orElseThrow(() -> new ConfigurationException("algorithms",
                        "unknown algorithm '" + name + "'; supported: " + Arrays.toString(JwtAlgorithm.values()))));
            }
            this.algorithms = chosen;
            return this;
        }

        /**
         * Where the issuer's public keys come from (by {@code kid}). Required unless an HMAC secret is set.
         *
         * @param keySource the key source; not null
         * @return this builder
         */
        public Builder keySource(KeySource keySource) {
            this.keySource = Objects.requireNonNull(keySource, "keySource");
            return this;
        }

        /**
         * A shared secret for HS256/HS384/HS512 (at least 32 bytes); the issuer then has no public keys and no
         * asymmetric algorithm is accepted. The array is copied.
         *
         * @param secret the secret's bytes, at least 32
         * @return this builder
         * @throws ConfigurationException naming {@code hmacSecret} for a shorter secret
         */
        public Builder hmacSecret(byte[] secret) {
            this.hmacSecret = checkSecret("hmacSecret", secret).clone();
            return this;
        }

        /**
         * Reads the HMAC secret (its UTF-8 bytes, at least 32) from this environment variable when the validator
         * is built; {@link #build()} fails if the variable is unset or too short.
         *
         * @param variableName the variable's name, not blank
         * @return this builder
         * @throws ConfigurationException naming {@code hmacSecretFromEnv} for a blank name
         */
        public Builder hmacSecretFromEnv(String variableName) {
            this.hmacSecretVariable = Settings.nonBlank("hmacSecretFromEnv", variableName);
            return this;
        }

        /** Where {@link #hmacSecretFromEnv(String)} looks variables up; default {@link System#getenv(String)}. For tests. */
        Builder environment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /**
         * Requires this {@code typ} header, e.g. {@code at+jwt}: matched case-insensitively, with or without the
         * {@code application/} prefix; a token without {@code typ} is then rejected (so an OIDC ID token is). With
         * {@code at+jwt}, the claims RFC 9068 §2.2 requires are required too: {@code iss}, {@code exp},
         * {@code aud}, {@code sub}, {@code client_id}, {@code iat} and {@code jti}. Default: no type required, and
         * a token without {@code typ} or typed {@code JWT} or {@code at+jwt} is accepted, any other type
         * ({@code dpop+jwt}, {@code logout+jwt}, {@code id_token+jwt}, …) refused.
         *
         * @param type the required type, e.g. {@code at+jwt}; not blank
         * @return this builder
         * @throws ConfigurationException naming {@code type} for a blank type
         */
        public Builder type(String type) {
            String t = Settings.nonBlank("type", type);
            this.type = t.regionMatches(true, 0, "application/", 0, 12) ? t.substring(12) : t;
            return this;
        }

        /**
         * Claims that must be present and not null, besides {@code exp} which always is. Replaces earlier values.
         *
         * @param claims the claims' names, none blank; none for only {@code exp}
         * @return this builder
         * @throws ConfigurationException naming {@code requiredClaims} for a blank name
         */
        public Builder requiredClaims(String... claims) {
            Objects.requireNonNull(claims, "requiredClaims");
            List<String> checked = new ArrayList<>();
            for (String claim : claims) {
                checked.add(Settings.nonBlank("requiredClaims", claim));
            }
            this.requiredClaims.clear();
            this.requiredClaims.addAll(checked);
            return this;
        }

        /**
         * The claim the scopes are read from (a space-delimited string or an array of strings). Default:
         * {@code scope}, falling back to {@code scp} when {@code scope} is absent.
         *
         * @param claim the claim's name, not blank
         * @return this builder
         * @throws ConfigurationException naming {@code scopeClaim} for a blank name
         */
        public Builder scopeClaim(String claim) {
            this.scopeClaim = Settings.nonBlank("scopeClaim", claim);
            return this;
        }

        /**
         * The clock skew tolerated on {@code exp}, {@code nbf} and {@code iat}; 0 to 10 minutes, default 60 s.
         *
         * @param leeway 0 to 10 minutes
         * @return this builder
         * @throws ConfigurationException naming {@code leeway} for a duration out of range
         */
        public Builder leeway(Duration leeway) {
            Objects.requireNonNull(leeway, "leeway");
            if (leeway.isNegative() || leeway.compareTo(MAX_LEEWAY) > 0) {
                throw new ConfigurationException("leeway", "must be between 0 and " + MAX_LEEWAY + ", was " + leeway);
            }
            this.leeway = leeway;
            return this;
        }

        /**
         * The clock time checks use; default {@link Clock#systemUTC()}.
         *
         * @param clock the time source; not null
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the validator.
         *
         * @return the validator
         * @throws ConfigurationException when the issuer is missing; neither or both of audiences and
         *         {@code allowAnyAudience()} are set; neither or both of a key source and an HMAC secret are set;
         *         the algorithms do not fit the key choice; or the secret's environment variable is unset
         */
        public JwtValidator build() {
            try {
                return checkAndBuild();
            } catch (ConfigurationException e) {
                throw source == null ? e : source.rename(e, CONFIG_KEYS);
            }
        }

        /** Each setting's {@code tokengate.*} key, for errors of a builder given a {@link #config(ConfigSource)}. */
        private static final Map<String, String> CONFIG_KEYS = Map.ofEntries(
                Map.entry("issuer", ConfigKeys.JWT_ISSUER), Map.entry("audiences", ConfigKeys.JWT_AUDIENCE),
                Map.entry("allowAnyAudience", ConfigKeys.JWT_ALLOW_ANY_AUDIENCE),
                Map.entry("algorithms", ConfigKeys.JWT_ALGORITHMS), Map.entry("type", ConfigKeys.JWT_TYPE),
                Map.entry("leeway", ConfigKeys.JWT_CLOCK_SKEW), Map.entry("scopeClaim", ConfigKeys.JWT_SCOPE_CLAIM),
                Map.entry("requiredClaims", ConfigKeys.JWT_REQUIRED_CLAIMS),
                Map.entry("hmacSecret", ConfigKeys.JWT_HMAC_SECRET_ENV),
                Map.entry("hmacSecretFromEnv", ConfigKeys.JWT_HMAC_SECRET_ENV));

        private JwtValidator checkAndBuild() {
            if (issuer == null) {
                throw new ConfigurationException("issuer", "required: the exact iss value of the tokens to accept");
            }
            if (audiences.isEmpty() && !anyAudience) {
                throw new ConfigurationException("audiences",
                        "required: the audiences this API answers to (or allowAnyAudience() to accept any)");
            }
            if (!audiences.isEmpty() && anyAudience) {
                throw new ConfigurationException("allowAnyAudience", "cannot be combined with audiences(...)");
            }
            byte[] secret = secret();
            if (secret != null && keySource != null) {
                throw new ConfigurationException("hmacSecret",
                        "an issuer uses either a shared secret (HS*) or a key source (RS*, PS*, ES*), not both");
            }
            if (secret == null && keySource == null) {
                throw new ConfigurationException("keySource",
                        "required: the issuer's public keys (or a shared secret, hmacSecret, for HS256/HS384/HS512)");
            }
            Set<JwtAlgorithm> chosen = secret == null ? asymmetric() : symmetric(secret);
            if (anyAudience) {
                LOG.warn("JWT validator for issuer {} accepts tokens for any audience (allowAnyAudience()): a token"
                        + " issued for another API will be accepted by this one", issuer);
            }
            return new JwtValidator(this, chosen, secret);
        }

        private byte[] secret() {
            if (hmacSecretVariable == null) {
                return hmacSecret;
            }
            if (hmacSecret != null) {
                throw new ConfigurationException("hmacSecretFromEnv", "cannot be combined with hmacSecret(...)");
            }
            String value = environment.apply(hmacSecretVariable);
            if (value == null || value.isEmpty()) {
                throw new ConfigurationException("hmacSecretFromEnv",
                        "the environment variable " + hmacSecretVariable + " is not set");
            }
            return checkSecret("hmacSecretFromEnv", value.getBytes(StandardCharsets.UTF_8));
        }

        private Set<JwtAlgorithm> asymmetric() {
            if (algorithms == null) {
                return JwtAlgorithm.ASYMMETRIC;
            }
            for (JwtAlgorithm a : algorithms) {
                if (a.isHmac()) {
                    throw new ConfigurationException("algorithms",
                            a + " needs a shared secret (hmacSecret), and an issuer with a key source accepts only RS*, PS* and ES*");
                }
            }
            return algorithms;
        }

        private Set<JwtAlgorithm> symmetric(byte[] secret) {
            if (algorithms == null) {
                Set<JwtAlgorithm> fitting = EnumSet.noneOf(JwtAlgorithm.class);
                for (JwtAlgorithm a : EnumSet.of(JwtAlgorithm.HS256, JwtAlgorithm.HS384, JwtAlgorithm.HS512)) {
                    if (secret.length >= a.minSecretBytes()) {
                        fitting.add(a);
                    }
                }
                return fitting;
            }
            for (JwtAlgorithm a : algorithms) {
                if (!a.isHmac()) {
                    throw new ConfigurationException("algorithms",
                            a + " needs a key source, and an issuer with a shared secret (hmacSecret) accepts only HS256/HS384/HS512");
                }
                if (secret.length < a.minSecretBytes()) {
                    throw new ConfigurationException("algorithms", a + " needs a secret of at least "
                            + a.minSecretBytes() + " bytes; the secret has " + secret.length);
                }
            }
            return algorithms;
        }

        private static byte[] checkSecret(String setting, byte[] secret) {
            Objects.requireNonNull(secret, setting);
            if (secret.length < JwtAlgorithm.HS256.minSecretBytes()) {
                throw new ConfigurationException(setting, "an HMAC secret needs at least "
                        + JwtAlgorithm.HS256.minSecretBytes() + " bytes, this one has " + secret.length);
            }
            return secret;
        }
    }
}
