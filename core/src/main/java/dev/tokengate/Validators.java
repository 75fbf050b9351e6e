package dev.tokengate;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.control.RevocationStore;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.introspection.IntrospectionValidator;
import dev.tokengate.jwks.DiscoveryKeySource;
import dev.tokengate.jwks.JwksKeySource;
import dev.tokengate.jwks.KeySource;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.log.Loggers;
import dev.tokengate.observe.GateObserver;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.TokenStore;
import dev.tokengate.validate.CachingTokenValidator;
import dev.tokengate.validate.ValidatorStack;
import org.slf4j.Logger;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * What a {@link TokenGate} validates tokens with, as descriptions: validator builders and plain settings, given in
 * code or read from {@code tokengate.*} keys, never a started object. {@link #build} builds them when the gate is
 * built, and the gate closes what was built. Not API.
 */
final class Validators {

    private static final Logger LOG = Loggers.logger(Validators.class);
    private static final TokenValidator PROBE = token -> {
        throw new IllegalStateException("never called");
    };

    /**
     * One trusted issuer: its validator's builder and, when read from keys, how its public keys are built (with the
     * gate's ticker).
     */
    private record Issuer(JwtValidator.Builder validator, BiFunction<Ticker, GateObserver, KeySource> keys) {
    }

    /**
     * What {@link #build} built: the stack, the JWT validators (for start-up warnings and the health report), the
     * introspection validator and token store (for the health report) and what to close.
     */
    record Built(ValidatorStack stack, List<JwtValidator> issuers, List<AutoCloseable> resources,
                 Optional<RevocationStore> revocationStore, Optional<IntrospectionValidator> introspection,
                 Optional<TokenStore> store) {
    }

    private final List<Issuer> issuers = new ArrayList<>();
    private String cacheSpec;
    private Duration cacheMaxTtl;
    private IntrospectionValidator.Builder introspection;
    private final Set<String> introspectJwtIssuers = new LinkedHashSet<>();
    private TokenStore store;
    private JdbcTokenStore.Builder storeBuilder;
    private Duration storeCacheTtl = ValidatorStack.DEFAULT_STORE_CACHE_TTL;
    private ConfigSource source;

    void issuer(JwtValidator.Builder validator) {
        issuers.add(new Issuer(Objects.requireNonNull(validator, "issuer"), null));
    }

    void cacheSpec(String spec) {
        if (!ValidatorStack.turnsCacheOff(spec)) {
            CachingTokenValidator.builder(PROBE).spec(spec); // refuses a bad spec now, naming the setting
        }
        this.cacheSpec = spec;
    }

    void cacheMaxTtl(Duration maxTtl) {
        CachingTokenValidator.builder(PROBE).maxTimeToLive(maxTtl);
        this.cacheMaxTtl = maxTtl;
    }

    void introspection(IntrospectionValidator.Builder introspection) {
        this.introspection = Objects.requireNonNull(introspection, "introspection");
    }

    void introspectJwtsFrom(Collection<String> issuers) {
        introspectJwtIssuers.clear();
        for (String i : issuers) {
            if (i == null || i.isBlank()) {
                throw new ConfigurationException(ConfigKeys.INTROSPECTION_JWT_ISSUERS, "an issuer must not be empty");
            }
            introspectJwtIssuers.add(i.strip());
        }
    }

    void tokenStore(TokenStore store) {
        this.store = Objects.requireNonNull(store, "tokenStore");
        this.storeBuilder = null;
    }

    void storeCacheTtl(Duration ttl) {
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new ConfigurationException(ConfigKeys.STORE_CACHE_TTL, "must be a positive duration, was " + ttl);
        }
        this.storeCacheTtl = ttl;
    }

    /**
     * Reads the validation keys: {@code tokengate.jwt.*} (one validator per listed issuer, each with the shared
     * settings and its key source), {@code tokengate.jwks.*}, {@code tokengate.cache.*},
     * {@code tokengate.introspection.*} and {@code tokengate.store.*}. Each builder reads its own keys; this
     * checks only what involves several (a key source for one of several issuers, settings without the key they
     * need). Nothing is built or started.
     */
    void config(ConfigSource source) {
        this.source = source;
        source.read(ConfigKeys.CACHE_SPEC, this::cacheSpec);
        source.read(ConfigKeys.CACHE_MAX_TTL, ConfigSource::duration, this::cacheMaxTtl);
        source.read(ConfigKeys.STORE_CACHE_TTL, ConfigSource::duration, this::storeCacheTtl);

        Optional<IntrospectionValidator.Builder> introspecting = source.get(ConfigKeys.INTROSPECTION_URI,
                v -> IntrospectionValidator.builder(uri(v)));
        if (introspecting.isPresent()) {
            introspection(introspecting.get().config(source));
        } else {
            requireAbsent(source, ConfigKeys.INTROSPECTION_URI, ConfigKeys.INTROSPECTION_CLIENT_ID,
                    ConfigKeys.INTROSPECTION_CLIENT_SECRET, ConfigKeys.INTROSPECTION_AUTH_METHOD,
                    ConfigKeys.INTROSPECTION_CACHE_TTL, ConfigKeys.INTROSPECTION_NEGATIVE_CACHE_TTL,
                    ConfigKeys.INTROSPECTION_TIMEOUT, ConfigKeys.INTROSPECTION_CLOCK_SKEW,
                    ConfigKeys.INTROSPECTION_JWT_ISSUERS);
        }
        source.read(ConfigKeys.INTROSPECTION_JWT_ISSUERS, ConfigSource::list, this::introspectJwtsFrom);

        if (source.get(ConfigKeys.STORE_JDBC_URL).isPresent() || source.get(ConfigKeys.STORE_DATASOURCE).isPresent()) {
            this.storeBuilder = JdbcTokenStore.builder().config(source);
            this.store = null;
        } else {
            requireAbsent(source, ConfigKeys.STORE_JDBC_URL, ConfigKeys.STORE_USERNAME, ConfigKeys.STORE_PASSWORD,
                    ConfigKeys.STORE_TABLE, ConfigKeys.STORE_TIMEOUT, ConfigKeys.STORE_MAX_CONCURRENT_LOOKUPS,
                    ConfigKeys.STORE_ROTATION_GRACE);
        }
        source.attributing(() -> {
            readIssuers(source);
            return null;
        });
        if (introspection != null) {
            introspectionChecks(source);
        }
    }

    /**
     * The API's trusted issuers and audiences, as the JWT keys name them, for the introspection answers too: an answer
     * that carries {@code iss} must name one of the issuers ({@code tokengate.jwt.issuer} and
     * {@code tokengate.introspection.jwt-issuers}), one that carries {@code aud} one of the audiences
     * ({@code tokengate.jwt.audience}, unless {@code tokengate.jwt.allow-any-audience}).
     */
    private void introspectionChecks(ConfigSource source) {
        List<String> trusted = new ArrayList<>(source.get(ConfigKeys.JWT_ISSUER, ConfigSource::list).orElse(List.of()));
        trusted.addAll(introspectJwtIssuers);
        if (!trusted.isEmpty()) {
            introspection.issuers(trusted);
        }
        boolean anyAudience = source.get(ConfigKeys.JWT_ALLOW_ANY_AUDIENCE, ConfigSource::bool).orElse(false);
        List<String> audiences = source.get(ConfigKeys.JWT_AUDIENCE, ConfigSource::list).orElse(List.of());
        if (!anyAudience && !audiences.isEmpty()) {
            introspection.audiences(audiences);
        }
    }

    private void readIssuers(ConfigSource source) {
        List<String> listed = source.get(ConfigKeys.JWT_ISSUER, ConfigSource::list).orElse(List.of());
        List<String> keySourceKeys = List.of(ConfigKeys.JWT_JWKS_URI, ConfigKeys.JWT_PUBLIC_KEY, ConfigKeys.JWT_JWKS_FILE,
                ConfigKeys.JWT_HMAC_SECRET_ENV);
        if (listed.isEmpty()) {
            requireAbsent(source, ConfigKeys.JWT_ISSUER, ConfigKeys.JWT_JWKS_URI, ConfigKeys.JWT_PUBLIC_KEY,
                    ConfigKeys.JWT_JWKS_FILE, ConfigKeys.JWT_HMAC_SECRET_ENV, ConfigKeys.JWT_AUDIENCE,
                    ConfigKeys.JWT_ALLOW_ANY_AUDIENCE, ConfigKeys.JWT_ALGORITHMS, ConfigKeys.JWT_TYPE,
                    ConfigKeys.JWT_CLOCK_SKEW, ConfigKeys.JWT_SCOPE_CLAIM, ConfigKeys.JWT_REQUIRED_CLAIMS);
            return;
        }
        for (int i = 0; i < listed.size(); i++) {
            if (listed.indexOf(listed.get(i)) != i) {
                throw new ConfigurationException(ConfigKeys.JWT_ISSUER, "issuer " + listed.get(i) + " is listed twice");
            }
        }
        List<String> keySettings = keySourceKeys.stream().filter(k -> source.get(k).isPresent()).toList();
        if (keySettings.size() > 1) {
            throw new ConfigurationException(keySettings.get(1), "conflicts with " + keySettings.get(0)
                    + ": configure one source of keys");
        }
        if (listed.size() > 1 && !keySettings.isEmpty()) {
            throw new ConfigurationException(keySettings.get(0), "names one key source but " + listed.size()
                    + " issuers are configured; leave it out so each issuer's keys are found by discovery, "
                    + "or configure issuers programmatically");
        }
        for (String issuer : listed) {
            JwtValidator.Builder validator = JwtValidator.builder().issuer(issuer).config(source);
            issuers.add(new Issuer(validator, keySource(source, issuer)));
        }
    }

    /**
     * How the issuer's public keys are built, as its keys say: a JWKS endpoint, a PEM file, a JWKS file, or (by
     * default) discovery from the issuer; {@code null} for an HMAC issuer, which has no public keys. Files are
     * read when the gate is built.
     */
    private static BiFunction<Ticker, GateObserver, KeySource> keySource(ConfigSource source, String issuer) {
        Optional<JwksKeySource.Builder> jwks = source.get(ConfigKeys.JWT_JWKS_URI, v -> KeySources.jwks(uri(v)));
        if (jwks.isPresent()) {
            JwksKeySource.Builder b = jwks.get().config(source);
            return (ticker, observer) -> b.ticker(ticker).observer(observer).build();
        }
        if (source.get(ConfigKeys.JWT_PUBLIC_KEY, Path::of).isPresent()) {
            return (ticker, observer) -> source.get(ConfigKeys.JWT_PUBLIC_KEY, v -> KeySources.pem(Path.of(v))).orElseThrow();
        }
        if (source.get(ConfigKeys.JWT_JWKS_FILE, Path::of).isPresent()) {
            return (ticker, observer) -> source.get(ConfigKeys.JWT_JWKS_FILE, v -> KeySources.jwksFile(Path.of(v))).orElseThrow();
        }
        if (source.get(ConfigKeys.JWT_HMAC_SECRET_ENV).isPresent()) {
            return null;
        }
        DiscoveryKeySource.Builder discovery = source.get(ConfigKeys.JWT_ISSUER, v -> KeySources.discover(uri(issuer)))
                .orElseThrow().config(source);
        return (ticker, observer) -> discovery.ticker(ticker).observer(observer).build();
    }

    /**
     * Builds every validator described: the JWT validators (with the gate's clock), their key sources, the
     * introspection validator (with the gate's clock too) and the token store, assembled into the stack; each
     * reports to the gate's observer.
     *
     * @param ticker          the time source of the key caches built from keys
     * @param customValidator whether the gate validates bearer tokens with a validator of its own, which makes
     *                        the described ones optional
     * @throws ConfigurationException when nothing can check tokens, or a combination is refused; what was built
     *                                is closed again
     */
    Built build(Clock clock, Ticker ticker, boolean customValidator, GateObserver observer) {
        if (!customValidator && issuers.isEmpty() && introspection == null && store == null && storeBuilder == null) {
            throw new ConfigurationException(ConfigKeys.JWT_ISSUER, "no way to check tokens is configured: set "
                    + ConfigKeys.JWT_ISSUER + " (env TOKENGATE_JWT_ISSUER) to the issuer URL of your authorization "
                    + "server, and/or " + ConfigKeys.INTROSPECTION_URI + " or " + ConfigKeys.STORE_JDBC_URL
                    + " (or " + ConfigKeys.STORE_DATASOURCE + ", or give the gate a validator)");
        }
        if (!introspectJwtIssuers.isEmpty() && introspection == null) {
            throw attributed(new ConfigurationException(ConfigKeys.INTROSPECTION_JWT_ISSUERS, "needs "
                    + ConfigKeys.INTROSPECTION_URI + " to introspect with"));
        }
        List<AutoCloseable> built = new ArrayList<>();
        try {
            ValidatorStack.Builder stack = ValidatorStack.builder().clock(clock).verifiedTokenCache(cacheSpec, cacheMaxTtl)
                    .observer(observer);
            List<JwtValidator> jwts = new ArrayList<>();
            for (Issuer issuer : issuers) {
                if (issuer.keys() != null) {
                    KeySource keys = issuer.keys().apply(ticker, observer);
                    owned(keys, built);
                    issuer.validator().keySource(keys);
                }
                jwts.add(issuer.validator().clock(clock).build());
            }
            stack.issuers(jwts);
            IntrospectionValidator introspecting = null;
            if (introspection != null) {
                introspecting = introspection.clock(clock).observer(observer).build();
                owned(introspecting, built);
                stack.introspection(introspecting, introspectJwtIssuers);
            }
            TokenStore s = store;
            if (storeBuilder != null) {
                s = storeBuilder.build(); // starts its flush thread
                built.add(s);
            }
            if (s != null) {
                stack.tokenStore(s, storeCacheTtl);
            }
            List<AutoCloseable> resources = new ArrayList<>(built);
            if (store != null) {
                resources.add(store); // given to the gate, which closes it
            }
            Optional<RevocationStore> revocations = s instanceof JdbcTokenStore jdbc
                    ? Optional.of(jdbc.revocationStore()) : Optional.empty();
            return new Built(stack.build(), List.copyOf(jwts), resources, revocations, Optional.ofNullable(introspecting),
                    Optional.ofNullable(s));
        } catch (RuntimeException e) {
            close(built);
            throw e instanceof ConfigurationException c ? attributed(c) : e;
        }
    }

    private ConfigurationException attributed(ConfigurationException e) {
        return source == null ? e : source.attribute(e);
    }

    /** Remembers a built part to close with the gate, if it holds anything to close. */
    private static void owned(Object part, List<AutoCloseable> built) {
        if (part instanceof AutoCloseable closeable) {
            built.add(closeable);
        }
    }

    /** Closes, last built first; a failure is logged and the others still closed. */
    static void close(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("tokengate: closing {} failed: {}", resources.get(i), e.toString());
            }
        }
    }

    private static void requireAbsent(ConfigSource source, String needed, String... keys) {
        for (String k : keys) {
            if (!k.equals(needed) && source.get(k).isPresent()) {
                throw source.attribute(new ConfigurationException(k, "is set but " + needed
                        + " is not; set it too, or remove " + k));
            }
        }
    }

    private static URI uri(String value) {
        try {
            return new URI(value.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + value + "' is not a URL: " + e.getReason(), e);
        }
    }
}
