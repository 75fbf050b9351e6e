package dev.tokengate;

import dev.tokengate.authorize.Requirement;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.config.ConfigKey;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.introspection.AuthMethod;
import dev.tokengate.introspection.IntrospectionValidator;
import dev.tokengate.jwks.JwksKeySource;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.validate.CachingTokenValidator;
import dev.tokengate.validate.ValidatorStack;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Map;
import java.util.function.Function;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each default is written once, in the builder that uses it; the registry writes it as text for operators and the
 * README. This keeps the two in step: every registered default, read as a configured value would be, is the
 * default the code uses.
 */
class RegistryDefaultsTest {

    private static final JwtValidator JWT_DEFAULTS = JwtValidator.builder().issuer("https://issuer.example")
            .audiences("api").keySource(TestKeys.keySource(TestKeys.rsa())).build();

    private static final dev.tokengate.jwt.DpopVerifier DPOP_DEFAULTS = dev.tokengate.jwt.DpopVerifier.builder().build();

    /** Each key with a default: how its text is read, and the value the code uses when the key is not set. */
    private static final Map<String, Map.Entry<Function<String, Object>, Object>> CODE_DEFAULTS = Map.ofEntries(
            entry(ConfigKeys.MODE, entry(TokenGate.Mode::parse, TokenGate.builder().validator(t -> null).build().mode())),
            entry(ConfigKeys.STARTUP_CHECK, entry(dev.tokengate.health.StartupCheck::parse, TokenGate.DEFAULT_STARTUP_CHECK)),
            entry(ConfigKeys.CONFIG_LAYERS, entry(ConfigSource::layers, ConfigSource.of(Map.of(), Map.of(), new java.util.Properties()).layers())),
            entry(ConfigKeys.REALM, entry(v -> v, TokenGateConfig.defaults().realm())),
            entry(ConfigKeys.CHALLENGE_INCLUDE_SCOPE, entry(ConfigSource::bool, TokenGateConfig.defaults().includeScopeInChallenge())),
            entry(ConfigKeys.TOKEN_QUERY_PARAMETER, entry(ConfigSource::bool, TokenGateConfig.defaults().allowQueryParameter())),
            entry(ConfigKeys.TOKEN_FORM_BODY, entry(ConfigSource::bool, TokenGateConfig.defaults().allowFormBody())),
            entry(ConfigKeys.API_KEY_HEADER, entry(v -> v, TokenGateConfig.defaults().apiKeyHeader())),
            entry(ConfigKeys.CALL_LOG_OPEN_ROUTES, entry(v -> TokenGateConfig.from(ConfigSource.of(
                    Map.of(ConfigKeys.CALL_LOG_OPEN_ROUTES, v), Map.of(), new java.util.Properties())).logOpenRoutes(),
                    TokenGateConfig.defaults().logOpenRoutes())),
            entry(ConfigKeys.CALL_LOG_DENIALS_PER_ADDRESS, entry(Integer::parseInt, TokenGateConfig.defaults().denialsPerAddress())),
            entry(ConfigKeys.CALL_LOG_DENIAL_WINDOW, entry(ConfigSource::duration, TokenGateConfig.defaults().denialWindow())),
            entry(ConfigKeys.ANOMALY_ACTION, entry(dev.tokengate.control.Anomaly.Action::parse,
                    dev.tokengate.control.AnomalyRules.builder().build().action())),
            entry(ConfigKeys.REVOCATIONS_STORE, entry(TokenGate::revocationsInDatabase, TokenGate.DEFAULT_REVOCATIONS_IN_DATABASE)),
            entry(ConfigKeys.METRICS, entry(v -> TokenGate.autoObserving(ConfigKeys.METRICS, v), TokenGate.DEFAULT_AUTO_OBSERVING)),
            entry(ConfigKeys.TRACING, entry(v -> TokenGate.autoObserving(ConfigKeys.TRACING, v), TokenGate.DEFAULT_AUTO_OBSERVING)),
            entry(ConfigKeys.DPOP, entry(dev.tokengate.jwt.DpopVerifier.Mode::named, DPOP_DEFAULTS.mode())),
            entry(ConfigKeys.DPOP_ALGORITHMS, entry(v -> ConfigSource.list(v), DPOP_DEFAULTS.algorithms())),
            entry(ConfigKeys.DPOP_PROOF_LIFETIME, entry(ConfigSource::duration, DPOP_DEFAULTS.proofLifetime())),
            entry(ConfigKeys.DPOP_REPLAY_CACHE_SIZE, entry(Long::parseLong, DPOP_DEFAULTS.replayCacheSize())),
            entry(ConfigKeys.DPOP_NONCE, entry(dev.tokengate.jwt.DpopVerifier.Builder::nonceMode, DPOP_DEFAULTS.nonce().isPresent())),
            entry(ConfigKeys.DPOP_NONCE_LIFETIME, entry(ConfigSource::duration, DPOP_DEFAULTS.nonceLifetime())),
            entry(ConfigKeys.CORS_PREFLIGHT, entry(TokenGateConfig.CorsPreflight::named, TokenGateConfig.defaults().corsPreflight())),
            entry(ConfigKeys.JWT_ALLOW_ANY_AUDIENCE, entry(ConfigSource::bool, JWT_DEFAULTS.acceptsAnyAudience())),
            entry(ConfigKeys.JWT_ALGORITHMS, entry(v -> new HashSet<>(ConfigSource.list(v)), JWT_DEFAULTS.algorithms())),
            entry(ConfigKeys.JWT_CLOCK_SKEW, entry(ConfigSource::duration, JwtValidator.DEFAULT_LEEWAY)),
            entry(ConfigKeys.JWKS_CONNECT_TIMEOUT, entry(ConfigSource::duration, JwksKeySource.DEFAULT_CONNECT_TIMEOUT)),
            entry(ConfigKeys.JWKS_READ_TIMEOUT, entry(ConfigSource::duration, JwksKeySource.DEFAULT_READ_TIMEOUT)),
            entry(ConfigKeys.JWKS_REFETCH_INTERVAL, entry(ConfigSource::duration, JwksKeySource.DEFAULT_REFETCH_INTERVAL)),
            entry(ConfigKeys.JWKS_STALE_WINDOW, entry(ConfigSource::duration, JwksKeySource.DEFAULT_STALE_WINDOW)),
            entry(ConfigKeys.CACHE_SPEC, entry(v -> v, "maximumSize=" + CachingTokenValidator.DEFAULT_MAXIMUM_SIZE)),
            entry(ConfigKeys.CACHE_MAX_TTL, entry(ConfigSource::duration, CachingTokenValidator.DEFAULT_MAX_TIME_TO_LIVE)),
            entry(ConfigKeys.INTROSPECTION_AUTH_METHOD, entry(AuthMethod::fromParameterValue, IntrospectionValidator.DEFAULT_AUTH_METHOD)),
            entry(ConfigKeys.INTROSPECTION_CACHE_TTL, entry(ConfigSource::duration, IntrospectionValidator.DEFAULT_CACHE_TTL)),
            entry(ConfigKeys.INTROSPECTION_NEGATIVE_CACHE_TTL, entry(ConfigSource::duration, IntrospectionValidator.DEFAULT_NEGATIVE_CACHE_TTL)),
            entry(ConfigKeys.INTROSPECTION_TIMEOUT, entry(ConfigSource::duration, IntrospectionValidator.DEFAULT_TIMEOUT)),
            entry(ConfigKeys.INTROSPECTION_CLOCK_SKEW, entry(ConfigSource::duration, IntrospectionValidator.DEFAULT_LEEWAY)),
            entry(ConfigKeys.STORE_TABLE, entry(v -> v, JdbcTokenStore.DEFAULT_TABLE)),
            entry(ConfigKeys.STORE_CACHE_TTL, entry(ConfigSource::duration, ValidatorStack.DEFAULT_STORE_CACHE_TTL)),
            entry(ConfigKeys.STORE_TIMEOUT, entry(ConfigSource::duration, JdbcTokenStore.DEFAULT_TIMEOUT)),
            entry(ConfigKeys.STORE_MAX_CONCURRENT_LOOKUPS, entry(Integer::valueOf, JdbcTokenStore.DEFAULT_MAX_CONCURRENT_LOOKUPS)),
            entry(ConfigKeys.STORE_ROTATION_GRACE, entry(ConfigSource::duration, JdbcTokenStore.DEFAULT_ROTATION_GRACE)),
            // the adapters' defaults: Requirement.deny() in the servlet filter, authenticated() in the JAX-RS feature
            entry(ConfigKeys.UNMATCHED, entry(UrlRules::parseUnmatched, Requirement.deny())),
            entry(ConfigKeys.JAXRS_UNANNOTATED, entry(Requirement::parse, Requirement.authenticated())),
            // the Jakarta Security mechanism is off unless annotated or set (TokenGateExtension)
            entry(ConfigKeys.MECHANISM_ENABLED, entry(ConfigSource::bool, false)));

    @Test
    void everyRegisteredDefaultIsTheDefaultTheCodeUses() {
        for (ConfigKey key : ConfigKeys.registry()) {
            if (key.name().startsWith("tokengate.redis.")) {
                continue; // read by tokengate-redis: checked there (RedisSettingsTest)
            }
            key.defaultValue().ifPresent(text -> {
                assertThat(CODE_DEFAULTS).as("the code default of " + key.name()).containsKey(key.name());
                Map.Entry<Function<String, Object>, Object> d = CODE_DEFAULTS.get(key.name());
                assertThat(d.getKey().apply(text)).as(key.name()).isEqualTo(d.getValue());
            });
        }
    }

    /** Keys registered without a default are off in the code too: the rate limits. */
    @Test
    void everyRateLimitIsOffUnlessSet() {
        for (String key : java.util.List.of(ConfigKeys.RATE_LIMIT_PER_TOKEN, ConfigKeys.RATE_LIMIT_PER_CLIENT,
                ConfigKeys.RATE_LIMIT_PER_SUBJECT, ConfigKeys.RATE_LIMIT_PER_API_KEY)) {
            assertThat(ConfigKeys.find(key)).as(key).hasValueSatisfying(k -> assertThat(k.defaultValue()).isEmpty());
        }
        dev.tokengate.control.RateLimits unset = dev.tokengate.control.RateLimits.config(
                ConfigSource.of(Map.of(), Map.of(), new java.util.Properties()));
        assertThat(unset.perToken()).isEmpty();
        assertThat(unset.perClient()).isEmpty();
        assertThat(unset.perSubject()).isEmpty();
        assertThat(unset.perApiKey()).isEmpty();
    }

    @Test
    void everyCheckedKeyHasARegisteredDefault() {
        for (String key : CODE_DEFAULTS.keySet()) {
            assertThat(ConfigKeys.find(key)).as(key).hasValueSatisfying(k -> assertThat(k.defaultValue()).isPresent());
        }
    }
}
