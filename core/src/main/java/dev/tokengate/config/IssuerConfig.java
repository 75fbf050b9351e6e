package dev.tokengate.config;

import dev.tokengate.ConfigurationException;
import dev.tokengate.jwks.KeySource;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How tokens of one trusted issuer are validated: where its keys come from and which claims it must carry.
 * Immutable; built by {@link #builder(String)}, whose setters reject bad values at once naming the setting.
 */
public final class IssuerConfig {

    /** Where an issuer's verification keys come from. */
    public enum KeysFrom {
        /** OIDC / RFC 8414 discovery from the issuer URL (the default). */
        DISCOVERY,
        /** A JWKS endpoint. */
        JWKS_URI,
        /** A PEM public key file. */
        PUBLIC_KEY_FILE,
        /** A JWKS file. */
        JWKS_FILE,
        /** An HMAC secret held in an environment variable (HS* only). */
        HMAC_SECRET_ENV,
        /** A {@link KeySource} given programmatically. */
        CUSTOM
    }

    /** The default algorithm allow-list: asymmetric only. */
    public static final Set<String> DEFAULT_ALGORITHMS = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
            "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")));
    /** The default leeway for time claims. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);

    private final String issuer;
    private final KeysFrom keysFrom;
    private final URI jwksUri;
    private final Path keyFile;
    private final String hmacSecretEnv;
    private final KeySource keySource;
    private final List<String> audiences;
    private final boolean allowAnyAudience;
    private final Set<String> algorithms;
    private final String type;
    private final Duration clockSkew;
    private final String scopeClaim;
    private final List<String> requiredClaims;

    private IssuerConfig(Builder b) {
        this.issuer = b.issuer;
        this.keysFrom = b.keysFrom;
        this.jwksUri = b.jwksUri;
        this.keyFile = b.keyFile;
        this.hmacSecretEnv = b.hmacSecretEnv;
        this.keySource = b.keySource;
        this.audiences = List.copyOf(b.audiences);
        this.allowAnyAudience = b.allowAnyAudience;
        this.algorithms = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(b.algorithms));
        this.type = b.type;
        this.clockSkew = b.clockSkew;
        this.scopeClaim = b.scopeClaim;
        this.requiredClaims = List.copyOf(b.requiredClaims);
    }

    /** A builder for an issuer, identified by its exact {@code iss} value (usually an https URL). */
    public static Builder builder(String issuer) {
        return new Builder(issuer);
    }

    public String issuer() {
        return issuer;
    }

    public KeysFrom keysFrom() {
        return keysFrom;
    }

    public Optional<URI> jwksUri() {
        return Optional.ofNullable(jwksUri);
    }

    public Optional<Path> keyFile() {
        return Optional.ofNullable(keyFile);
    }

    public Optional<String> hmacSecretEnv() {
        return Optional.ofNullable(hmacSecretEnv);
    }

    public Optional<KeySource> keySource() {
        return Optional.ofNullable(keySource);
    }

    public List<String> audiences() {
        return audiences;
    }

    public boolean allowAnyAudience() {
        return allowAnyAudience;
    }

    public Set<String> algorithms() {
        return algorithms;
    }

    public Optional<String> type() {
        return Optional.ofNullable(type);
    }

    public Duration clockSkew() {
        return clockSkew;
    }

    public Optional<String> scopeClaim() {
        return Optional.ofNullable(scopeClaim);
    }

    public List<String> requiredClaims() {
        return requiredClaims;
    }

    @Override
    public String toString() {
        return "IssuerConfig[" + issuer + ", keys=" + keysFrom + ", audiences=" + audiences + ", algorithms=" + algorithms + "]";
    }

    /** Builds an {@link IssuerConfig}. */
    public static final class Builder {
        private final String issuer;
        private KeysFrom keysFrom = KeysFrom.DISCOVERY;
        private URI jwksUri;
        private Path keyFile;
        private String hmacSecretEnv;
        private KeySource keySource;
        private final List<String> audiences = new ArrayList<>();
        private boolean allowAnyAudience;
        private final Set<String> algorithms = new LinkedHashSet<>(DEFAULT_ALGORITHMS);
        private String type;
        private Duration clockSkew = DEFAULT_CLOCK_SKEW;
        private String scopeClaim;
        private final List<String> requiredClaims = new ArrayList<>();

        private Builder(String issuer) {
            if (issuer == null || issuer.isBlank()) {
                throw new ConfigurationException(ConfigKeys.JWT_ISSUER, "an issuer must not be empty");
            }
            this.issuer = issuer.strip();
        }

        /** Keys from this JWKS endpoint (http or https). */
        public Builder jwksUri(String uri) {
            this.jwksUri = httpUri(ConfigKeys.JWT_JWKS_URI, uri);
            this.keysFrom = KeysFrom.JWKS_URI;
            return this;
        }

        /** Keys found by OIDC / RFC 8414 discovery from the issuer URL (the default). */
        public Builder discovery() {
            httpUri(ConfigKeys.JWT_ISSUER, issuer);
            this.keysFrom = KeysFrom.DISCOVERY;
            return this;
        }

        /** One PEM public key (or certificate) file. */
        public Builder publicKeyFile(Path file) {
            this.keyFile = Objects.requireNonNull(file, ConfigKeys.JWT_PUBLIC_KEY);
            this.keysFrom = KeysFrom.PUBLIC_KEY_FILE;
            return this;
        }

        /** A JWKS file. */
        public Builder jwksFile(Path file) {
            this.keyFile = Objects.requireNonNull(file, ConfigKeys.JWT_JWKS_FILE);
            this.keysFrom = KeysFrom.JWKS_FILE;
            return this;
        }

        /** An HMAC secret read from this environment variable; the issuer then accepts HS* only. */
        public Builder hmacSecretEnv(String variable) {
            if (variable == null || !variable.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new ConfigurationException(ConfigKeys.JWT_HMAC_SECRET_ENV,
                        "'" + variable + "' is not an environment variable name");
            }
            this.hmacSecretEnv = variable;
            this.keysFrom = KeysFrom.HMAC_SECRET_ENV;
            if (algorithms.equals(DEFAULT_ALGORITHMS)) {
                algorithms.clear();
                algorithms.add("HS256");
            }
            return this;
        }

        /** Keys from a custom source. */
        public Builder keySource(KeySource source) {
            this.keySource = Objects.requireNonNull(source, "keySource");
            this.keysFrom = KeysFrom.CUSTOM;
            return this;
        }

        /** Accepted audiences (any of them must be in {@code aud}). */
        public Builder audiences(Collection<String> audiences) {
            this.audiences.clear();
            for (String a : audiences) {
                if (a == null || a.isBlank()) {
                    throw new ConfigurationException(ConfigKeys.JWT_AUDIENCE, "an audience must not be empty");
                }
                this.audiences.add(a.strip());
            }
            return this;
        }

        public Builder audiences(String... audiences) {
            return audiences(List.of(audiences));
        }

        /** Accept any audience: looser than the default, logged as a warning at start-up. */
        public Builder allowAnyAudience(boolean allow) {
            this.allowAnyAudience = allow;
            return this;
        }

        /** The algorithm allow-list; {@code none} is refused. */
        public Builder algorithms(Collection<String> algorithms) {
            Set<String> known = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
                    "HS256", "HS384", "HS512");
            this.algorithms.clear();
            for (String a : algorithms) {
                String alg = a.strip();
                if (alg.equalsIgnoreCase("none")) {
                    throw new ConfigurationException(ConfigKeys.JWT_ALGORITHMS, "'none' is never accepted: unsigned tokens prove nothing");
                }
                if (!known.contains(alg)) {
                    throw new ConfigurationException(ConfigKeys.JWT_ALGORITHMS, "'" + alg + "' is not supported; use some of " + new java.util.TreeSet<>(known));
                }
                this.algorithms.add(alg);
            }
            if (this.algorithms.isEmpty()) {
                throw new ConfigurationException(ConfigKeys.JWT_ALGORITHMS, "the allow-list must name at least one algorithm");
            }
            return this;
        }

        /** The required {@code typ} header, e.g. {@code at+jwt} (RFC 9068); a token without one is then refused. */
        public Builder type(String type) {
            if (type == null || type.isBlank()) {
                throw new ConfigurationException(ConfigKeys.JWT_TYPE, "a type must not be empty");
            }
            this.type = type.strip();
            return this;
        }

        public Builder clockSkew(Duration skew) {
            if (skew == null || skew.isNegative() || skew.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new ConfigurationException(ConfigKeys.JWT_CLOCK_SKEW, "must be between 0s and 10m, was " + skew);
            }
            this.clockSkew = skew;
            return this;
        }

        public Builder scopeClaim(String claim) {
            if (claim == null || claim.isBlank()) {
                throw new ConfigurationException(ConfigKeys.JWT_SCOPE_CLAIM, "a claim name must not be empty");
            }
            this.scopeClaim = claim.strip();
            return this;
        }

        public Builder requiredClaims(Collection<String> claims) {
            this.requiredClaims.clear();
            for (String c : claims) {
                if (c == null || c.isBlank()) {
                    throw new ConfigurationException(ConfigKeys.JWT_REQUIRED_CLAIMS, "a claim name must not be empty");
                }
                this.requiredClaims.add(c.strip());
            }
            return this;
        }

        /**
         * Checks the combination and builds.
         *
         * @throws ConfigurationException naming the key at fault
         */
        public IssuerConfig build() {
            if (audiences.isEmpty() && !allowAnyAudience) {
                throw new ConfigurationException(ConfigKeys.JWT_AUDIENCE, "no audience configured for issuer " + issuer
                        + ": set the audience this API accepts (secure default), or set "
                        + ConfigKeys.JWT_ALLOW_ANY_AUDIENCE + "=true to accept tokens meant for any API");
            }
            boolean hmac = keysFrom == KeysFrom.HMAC_SECRET_ENV;
            for (String alg : algorithms) {
                if (alg.startsWith("HS") != hmac) {
                    throw new ConfigurationException(ConfigKeys.JWT_ALGORITHMS, hmac
                            ? "issuer " + issuer + " uses an HMAC secret, so only HS256/HS384/HS512 may be allowed, not " + alg
                            : alg + " needs a shared secret: set " + ConfigKeys.JWT_HMAC_SECRET_ENV + " (HS* is an explicit opt-in)");
                }
            }
            if (keysFrom == KeysFrom.DISCOVERY) {
                httpUri(ConfigKeys.JWT_ISSUER, issuer);
            }
            return new IssuerConfig(this);
        }

        private static URI httpUri(String key, String value) {
            try {
                URI uri = new URI(Objects.requireNonNull(value, key).strip());
                if (!"https".equalsIgnoreCase(uri.getScheme()) && !"http".equalsIgnoreCase(uri.getScheme())) {
                    throw new ConfigurationException(key, "'" + value + "' is not an http(s) URL");
                }
                if (uri.getHost() == null) {
                    throw new ConfigurationException(key, "'" + value + "' has no host");
                }
                return uri;
            } catch (URISyntaxException e) {
                throw new ConfigurationException(key, "'" + value + "' is not a URL: " + e.getReason(), e);
            }
        }
    }
}
