package dev.tokengate.config;

import dev.tokengate.ConfigurationException;
import dev.tokengate.config.ConfigKey.Component;
import dev.tokengate.testing.LogCapture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The layers of a {@link ConfigSource}, the errors it reports, and its check of unknown keys. */
class ConfigSourceTest {

    private static Properties properties(String... keysAndValues) {
        Properties p = new Properties();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            p.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return p;
    }

    private static ConfigSource source(Map<String, String> parameters, Map<String, String> env, Properties sys) {
        return ConfigSource.of(parameters, env, sys).readBy(Component.SERVLET_FILTER, "init-param");
    }

    // ---- layers

    @Test
    void getWhenParametersOnlyThenSystemPropertiesAndEnvironmentAreNotRead() {
        ConfigSource s = source(Map.of(ConfigKeys.CONFIG_LAYERS, "parameters", ConfigKeys.REALM, "from-params"),
                Map.of("TOKENGATE_REALM", "from-env", "TOKENGATE_ERROR_URI", "https://errors.example"),
                properties(ConfigKeys.REALM, "from-sys", ConfigKeys.MODE, "report-only"));

        assertThat(s.layers()).containsExactly(ConfigSource.Layer.PARAMETERS);
        assertThat(s.setting(ConfigKeys.REALM)).hasValue(new ConfigSource.Setting(ConfigKeys.REALM, "from-params", "init-param"));
        assertThat(s.get(ConfigKeys.ERROR_URI)).isEmpty();
        assertThat(s.get(ConfigKeys.MODE)).isEmpty();
    }

    @Test
    void getWhenEnvironmentAndParametersThenSystemPropertiesAreNotRead() {
        ConfigSource s = source(Map.of(ConfigKeys.CONFIG_LAYERS, "environment, parameters"),
                Map.of("TOKENGATE_REALM", "from-env"), properties(ConfigKeys.REALM, "from-sys"));

        assertThat(s.get(ConfigKeys.REALM)).contains("from-env");
    }

    @Test
    void checkKeysWhenParametersOnlyThenUnknownKeysOfOtherLayersAreNotTheApplicationsConcern() {
        ConfigSource s = source(Map.of(ConfigKeys.CONFIG_LAYERS, "parameters"), Map.of("TOKENGATE_JWT_AUDIENCES", "x"),
                properties("tokengate.jwt.audiance", "x"));

        s.checkKeys(); // no exception: those layers are another application's
        assertThatThrownBy(() -> source(Map.of(), Map.of("TOKENGATE_JWT_AUDIENCES", "x"), new Properties()).checkKeys())
                .isInstanceOf(ConfigurationException.class);
    }

    @Test
    void checkKeysWhenLayersSetJvmWideThenFailsSayingItIsTheApplicationsChoice() {
        assertThatThrownBy(() -> source(Map.of(), Map.of(), properties(ConfigKeys.CONFIG_LAYERS, "parameters")).checkKeys())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith(ConfigKeys.CONFIG_LAYERS + " (system property): ")
                .hasMessageContaining("application's parameters");
        assertThatThrownBy(() -> source(Map.of(), Map.of("TOKENGATE_CONFIG_LAYERS", "parameters"), new Properties()).checkKeys())
                .hasMessageStartingWith(ConfigKeys.CONFIG_LAYERS + " (environment variable TOKENGATE_CONFIG_LAYERS): ");
    }

    @Test
    void checkKeysWhenLayerMisspeltThenFailsWithDidYouMean() {
        ConfigSource s = source(Map.of(ConfigKeys.CONFIG_LAYERS, "init-params"), Map.of(), properties(ConfigKeys.REALM, "x"));

        assertThat(s.get(ConfigKeys.REALM)).as("fails closed to the parameters until start-up fails").isEmpty();
        assertThatThrownBy(s::checkKeys).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith(ConfigKeys.CONFIG_LAYERS + " (init-param): 'init-params' is not a layer; did you mean parameters?");
        assertThatThrownBy(() -> ConfigSource.layers(" , ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void describeListsEachEffectiveKeyWithItsLayerAndMasksSecrets() {
        ConfigSource s = source(Map.of(ConfigKeys.REALM, "legacy", ConfigKeys.INTROSPECTION_CLIENT_SECRET, "s3cr3t-param",
                        ConfigKeys.RULES, "GET /a = read\n  /* = authenticated",
                        ConfigKeys.STORE_JDBC_URL, "jdbc:postgresql://db/app?user=app&password=pw-in-url"),
                Map.of("TOKENGATE_STORE_PASSWORD", "pw-from-env"), properties(ConfigKeys.JWT_ISSUER, "https://issuer.example/"));

        String line = s.describe();

        assertThat(line).contains("tokengate.realm=\"legacy\" (init-param)",
                "tokengate.jwt.issuer=\"https://issuer.example/\" (system property)",
                "tokengate.store.password=**** (environment variable TOKENGATE_STORE_PASSWORD)",
                "tokengate.introspection.client-secret=**** (init-param)",
                "tokengate.store.jdbc-url=\"jdbc:postgresql://db/app?user=app&password=****\" (init-param)",
                "tokengate.rules=\"GET /a = read; /* = authenticated\" (init-param)");
        assertThat(line).doesNotContain("s3cr3t-param", "pw-from-env", "pw-in-url", "not read").doesNotContain("\n");
    }

    @Test
    void describeWhenParametersOnlyThenSaysWhichLayersAreNotRead() {
        ConfigSource s = source(Map.of(ConfigKeys.CONFIG_LAYERS, "parameters", ConfigKeys.REALM, "b"), Map.of(),
                properties(ConfigKeys.REALM, "server-wide"));

        assertThat(s.describe()).isEqualTo("tokengate.config.layers=\"parameters\" (init-param), tokengate.realm=\"b\" "
                + "(init-param); system properties and environment variables not read (tokengate.config.layers)");
    }

    @Test
    void maskPasswordsHidesUserInfoPasswordsAndPasswordParameters() {
        assertThat(ConfigSource.maskPasswords("https://user:pa55@host/x?Password=y&a=b"))
                .isEqualTo("https://user:****@host/x?Password=****&a=b");
        assertThat(ConfigSource.maskPasswords("jdbc:h2:mem:t;PASSWORD=z;MODE=x")).isEqualTo("jdbc:h2:mem:t;PASSWORD=****;MODE=x");
    }

    @Test
    void getWhenSetInEveryLayerThenSystemPropertyBeatsEnvironmentWhichBeatsParameters() {
        Map<String, String> params = Map.of(ConfigKeys.REALM, "from-params");
        Map<String, String> env = Map.of("TOKENGATE_REALM", "from-env");
        assertThat(source(params, env, properties(ConfigKeys.REALM, "from-sys")).get(ConfigKeys.REALM)).contains("from-sys");
        assertThat(source(params, env, new Properties()).get(ConfigKeys.REALM)).contains("from-env");
        assertThat(source(params, Map.of(), new Properties()).get(ConfigKeys.REALM)).contains("from-params");
    }

    @Test
    void getWhenSystemPropertyBlankThenEnvironmentVariableStillCounts() {
        ConfigSource s = source(Map.of(ConfigKeys.REALM, "from-params"), Map.of("TOKENGATE_REALM", "from-env"),
                properties(ConfigKeys.REALM, "  "));
        assertThat(s.setting(ConfigKeys.REALM)).hasValueSatisfying(v -> {
            assertThat(v.value()).isEqualTo("from-env");
            assertThat(v.origin()).isEqualTo("environment variable TOKENGATE_REALM");
        });
    }

    @Test
    void getWhenSystemPropertyAndEnvironmentVariableBlankThenParameterStillCounts() {
        ConfigSource s = source(Map.of(ConfigKeys.REALM, "from-params"), Map.of("TOKENGATE_REALM", ""),
                properties(ConfigKeys.REALM, ""));
        assertThat(s.setting(ConfigKeys.REALM)).hasValueSatisfying(v -> {
            assertThat(v.value()).isEqualTo("from-params");
            assertThat(v.origin()).isEqualTo("init-param");
        });
    }

    @Test
    void getWhenEveryLayerBlankThenAbsent() {
        ConfigSource s = source(Map.of(ConfigKeys.REALM, " "), Map.of("TOKENGATE_REALM", "\t"), properties(ConfigKeys.REALM, ""));
        assertThat(s.get(ConfigKeys.REALM)).isEmpty();
    }

    @Test
    void getStripsTheValue() {
        assertThat(source(Map.of(ConfigKeys.REALM, "  orders \n"), Map.of(), new Properties()).get(ConfigKeys.REALM))
                .contains("orders");
    }

    @Test
    void settingNamesSystemPropertyLayer() {
        assertThat(source(Map.of(), Map.of(), properties(ConfigKeys.REALM, "x")).setting(ConfigKeys.REALM))
                .hasValueSatisfying(v -> assertThat(v.origin()).isEqualTo("system property"));
    }

    @Test
    void environmentNameUpperCasesAndReplacesDotsAndDashes() {
        assertThat(ConfigSource.environmentName("tokengate.jwt.clock-skew")).isEqualTo("TOKENGATE_JWT_CLOCK_SKEW");
    }

    // ---- errors name the key and the layer

    @Test
    void readWhenValueMalformedThenErrorNamesKeyAndLayer() {
        ConfigSource s = source(Map.of(), Map.of("TOKENGATE_JWT_CLOCK_SKEW", "abc"), new Properties());
        assertThatThrownBy(() -> s.read(ConfigKeys.JWT_CLOCK_SKEW, ConfigSource::duration, d -> { }))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.key()).isEqualTo(ConfigKeys.JWT_CLOCK_SKEW);
                    assertThat(e.origin()).contains("environment variable TOKENGATE_JWT_CLOCK_SKEW");
                    assertThat(e.getMessage()).startsWith("tokengate.jwt.clock-skew (environment variable "
                            + "TOKENGATE_JWT_CLOCK_SKEW): 'abc' is not a duration");
                });
    }

    @Test
    void readWhenSetterRefusesThenErrorNamesTheKeyNotTheSetter() {
        ConfigSource s = source(Map.of(), Map.of(), properties(ConfigKeys.JWT_CLOCK_SKEW, "1h"));
        assertThatThrownBy(() -> s.read(ConfigKeys.JWT_CLOCK_SKEW, ConfigSource::duration, d -> {
            throw new ConfigurationException("leeway", "must be between 0 and PT10M, was " + d);
        })).isInstanceOfSatisfying(ConfigurationException.class, e -> {
            assertThat(e.key()).isEqualTo(ConfigKeys.JWT_CLOCK_SKEW);
            assertThat(e.getMessage()).isEqualTo("tokengate.jwt.clock-skew (system property): must be between 0 and PT10M, was PT1H");
        });
    }

    @Test
    void readWhenAbsentThenSetterNotCalled() {
        List<String> calls = new java.util.ArrayList<>();
        source(Map.of(), Map.of(), new Properties()).read(ConfigKeys.REALM, calls::add);
        assertThat(calls).isEmpty();
    }

    @Test
    void attributingWhenACombinationFailsOnASetKeyThenNamesItsLayer() {
        ConfigSource s = source(Map.of(ConfigKeys.TOKEN_HEADER, "X-Key"), Map.of(), new Properties());
        assertThatThrownBy(() -> s.attributing(() -> {
            throw new ConfigurationException(ConfigKeys.TOKEN_HEADER, "is the same header as " + ConfigKeys.API_KEY_HEADER);
        })).hasMessage("tokengate.token.header (init-param): is the same header as tokengate.api-key.header");
    }

    @Test
    void attributingWhenTheKeyAtFaultIsNotSetThenMessageUnchanged() {
        ConfigSource s = source(Map.of(), Map.of(), new Properties());
        assertThatThrownBy(() -> s.attributing(() -> {
            throw new ConfigurationException(ConfigKeys.JWT_AUDIENCE, "required");
        })).hasMessage("tokengate.jwt.audience: required");
    }

    // ---- unknown keys

    @Test
    void checkKeysWhenUnknownParameterIsANearMissThenDidYouMean() {
        ConfigSource s = source(Map.of("tokengate.jwt.audiences", "api"), Map.of(), new Properties());
        assertThatThrownBy(s::checkKeys).isInstanceOfSatisfying(ConfigurationException.class, e -> {
            assertThat(e.key()).isEqualTo("tokengate.jwt.audiences");
            assertThat(e.origin()).contains("init-param");
            assertThat(e.getMessage()).startsWith("tokengate.jwt.audiences (init-param): unknown tokengate setting; "
                    + "did you mean tokengate.jwt.audience?");
        });
    }

    @Test
    void checkKeysWhenUnknownEnvironmentVariableIsANearMissThenDidYouMeanTheVariable() {
        ConfigSource s = source(Map.of(), Map.of("TOKENGATE_JWT_AUDIENCES", "api"), new Properties());
        assertThatThrownBy(s::checkKeys).hasMessageStartingWith("TOKENGATE_JWT_AUDIENCES (environment variable): "
                + "unknown tokengate setting; did you mean TOKENGATE_JWT_AUDIENCE (tokengate.jwt.audience)?");
    }

    @Test
    void checkKeysWhenSystemPropertyWrittenLikeAVariableThenDidYouMeanTheKey() {
        ConfigSource s = source(Map.of(), Map.of(), properties("tokengate.jwt_clock_skew", "5s"));
        assertThatThrownBy(s::checkKeys).hasMessageStartingWith("tokengate.jwt_clock_skew (system property): "
                + "unknown tokengate setting; did you mean tokengate.jwt.clock-skew?");
    }

    @Test
    void checkKeysWhenUnknownKeyResemblesNoKeyThenNoSuggestion() {
        ConfigSource s = source(Map.of("tokengate.frobnicate", "on"), Map.of(), new Properties());
        assertThatThrownBy(s::checkKeys).hasMessageContaining("unknown tokengate setting")
                .hasMessageNotContaining("did you mean");
    }

    @Test
    void checkKeysWhenSeveralUnknownThenFirstIsTheKeyAndTheOthersAreListed() {
        ConfigSource s = source(Map.of("tokengate.jwt.isuer", "x"), Map.of("TOKENGATE_REALMS", "y"), new Properties());
        assertThatThrownBy(s::checkKeys).isInstanceOfSatisfying(ConfigurationException.class, e -> {
            assertThat(e.key()).isEqualTo("TOKENGATE_REALMS");
            assertThat(e.getMessage()).contains("did you mean TOKENGATE_REALM (tokengate.realm)?")
                    .contains("also unknown: tokengate.jwt.isuer (init-param; did you mean tokengate.jwt.issuer?)");
        });
    }

    @Test
    void checkKeysWhenUnknownKeyIsBlankThenAsIfAbsent() {
        ConfigSource s = source(Map.of("tokengate.jwt.isuer", " "), Map.of("TOKENGATE_REALMS", ""), properties("tokengate.x", ""));
        assertThatNoException().isThrownBy(s::checkKeys);
    }

    @Test
    void checkKeysWhenKeysOfAnotherAdapterInEveryLayerThenNotAnError() {
        ConfigSource servlet = source(Map.of(ConfigKeys.JAXRS_UNANNOTATED, "permit"),
                Map.of("TOKENGATE_JAXRS_UNANNOTATED", "permit"), properties(ConfigKeys.JAXRS_UNANNOTATED, "deny"));
        assertThatNoException().isThrownBy(servlet::checkKeys);
        ConfigSource jaxrs = ConfigSource.of(Map.of(ConfigKeys.UNMATCHED, "permit"), Map.of("TOKENGATE_RULES", "/* = permit"),
                properties(ConfigKeys.RULES, "/* = deny")).readBy(Component.JAXRS, "application property");
        assertThatNoException().isThrownBy(jaxrs::checkKeys);
    }

    @Test
    void checkKeysWhenAnotherAdaptersKeyIsInThisAdaptersOwnParametersThenSaysItIsIgnored() {
        ConfigSource s = source(Map.of(ConfigKeys.JAXRS_UNANNOTATED, "permit"), Map.of(), new Properties());
        try (LogCapture logs = LogCapture.start()) {
            s.checkKeys();
            assertThat(logs.lines(ConfigSource.class.getName())).containsExactly("tokengate: tokengate.jaxrs.unannotated "
                    + "(init-param) is read by the JAX-RS feature, not by the servlet filter; ignored here");
        }
    }

    @Test
    void checkKeysWhenOnlyRegisteredKeysThenPasses() {
        Map<String, String> params = new HashMap<>();
        ConfigKeys.registry().forEach(k -> params.put(k.name(), "x"));
        params.put(ConfigKeys.CONFIG_LAYERS, "system-properties, environment, parameters");
        Map<String, String> env = new HashMap<>();
        ConfigKeys.registry().forEach(k -> env.put(k.environmentName(), "x"));
        env.remove(ConfigSource.environmentName(ConfigKeys.CONFIG_LAYERS)); // the application's own choice only
        env.put("PATH", "/usr/bin");
        assertThatNoException().isThrownBy(() -> source(params, env, properties("user.home", "/home/x")).checkKeys());
    }

    // ---- value syntaxes

    @Test
    void durationAcceptsShortAndIsoForms() {
        assertThat(ConfigSource.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(ConfigSource.duration("60")).isEqualTo(Duration.ofSeconds(60));
        assertThat(ConfigSource.duration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(ConfigSource.duration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(ConfigSource.duration("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(ConfigSource.duration("PT1M")).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void durationWhenMalformedOrOverflowingThenSaysSo() {
        assertThatThrownBy(() -> ConfigSource.duration("sixty")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'sixty' is not a duration");
        assertThatThrownBy(() -> ConfigSource.duration("99999999999999999999d")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too long");
    }

    @Test
    void boolAcceptsTrueFalseYesNoOnOff() {
        assertThat(List.of("true", "YES", "on").stream().map(ConfigSource::bool)).containsOnly(true);
        assertThat(List.of("false", "No", "off").stream().map(ConfigSource::bool)).containsOnly(false);
        assertThatThrownBy(() -> ConfigSource.bool("maybe")).hasMessage("'maybe' is not a boolean; write true or false");
    }

    @Test
    void listSplitsOnCommasAndDropsEmptyItems() {
        assertThat(ConfigSource.list(" a, b ,,c ")).containsExactly("a", "b", "c");
    }

    @Test
    void distanceCountsEdits() {
        assertThat(dev.tokengate.internal.Spelling.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(dev.tokengate.internal.Spelling.distance("", "abc")).isEqualTo(3);
        assertThat(dev.tokengate.internal.Spelling.distance("same", "same")).isZero();
    }

    // ---- layers, misspelt

    @Test
    void layersWhenAnAdaptersOwnNameForParametersThenDidYouMeanParameters() {
        for (String name : new String[] {"init-params", "application-properties", "params", "Params"}) {
            assertThatThrownBy(() -> ConfigSource.layers(name)).as(name).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("'" + name + "' is not a layer; did you mean parameters?");
        }
    }

    @Test
    void layersWhenANearMissThenDidYouMeanTheLayerElseNoSuggestion() {
        assertThatThrownBy(() -> ConfigSource.layers("enviroment"))
                .hasMessageStartingWith("'enviroment' is not a layer; did you mean environment?");
        assertThatThrownBy(() -> ConfigSource.layers("system-property"))
                .hasMessageStartingWith("'system-property' is not a layer; did you mean system-properties?");
        assertThatThrownBy(() -> ConfigSource.layers("jndi"))
                .hasMessage("'jndi' is not a layer; write a list of system-properties, environment, parameters, e.g. "
                        + "'parameters' for this application's own settings only");
        assertThat(ConfigSource.layers("Parameters, environment")).containsExactlyInAnyOrder(
                ConfigSource.Layer.PARAMETERS, ConfigSource.Layer.ENVIRONMENT);
    }

    // ---- the source itself

    @Test
    void ofParametersOnlyThenTheJvmsOwnLayersBehindThem() {
        ConfigSource s = ConfigSource.of(Map.of("tokengate.test-only-key", "from-parameters"));

        assertThat(s.get("tokengate.test-only-key")).contains("from-parameters");
        assertThat(s.reader()).isEqualTo(Component.CORE);
        assertThat(s.layers()).containsExactlyInAnyOrder(ConfigSource.Layer.values());
    }

    @Test
    void readByThenTheReaderIsThatComponent() {
        assertThat(source(Map.of(), Map.of(), new Properties()).reader()).isEqualTo(Component.SERVLET_FILTER);
    }

    @Test
    void readReturnsTheSourceSoReadsChain() {
        ConfigSource s = source(Map.of(ConfigKeys.REALM, "orders", ConfigKeys.JWT_CLOCK_SKEW, "30s"), Map.of(),
                new Properties());
        List<Object> read = new java.util.ArrayList<>();

        s.read(ConfigKeys.REALM, read::add).read(ConfigKeys.JWT_CLOCK_SKEW, ConfigSource::duration, read::add);

        assertThat(read).containsExactly("orders", Duration.ofSeconds(30));
    }

    // ---- errors from parsers and builders

    @Test
    void getWhenTheParserReportsAnotherKeyThenThatErrorIsLeftForItsCaller() {
        ConfigSource s = source(Map.of(ConfigKeys.JWT_JWKS_URI, "https://issuer.example/jwks"), Map.of(), new Properties());
        ConfigurationException aboutIssuer = new ConfigurationException(ConfigKeys.JWT_ISSUER, "required");

        assertThatThrownBy(() -> s.get(ConfigKeys.JWT_JWKS_URI, v -> {
            throw aboutIssuer;
        })).isSameAs(aboutIssuer);
    }

    @Test
    void getWhenTheParsersErrorAlreadyNamesALayerThenUnchanged() {
        ConfigSource s = source(Map.of(ConfigKeys.JWT_JWKS_URI, "https://issuer.example/jwks"), Map.of(), new Properties());
        ConfigurationException attributed = new ConfigurationException(ConfigKeys.JWT_JWKS_URI, "system property", "x", null);

        assertThatThrownBy(() -> s.get(ConfigKeys.JWT_JWKS_URI, v -> {
            throw attributed;
        })).isSameAs(attributed);
    }

    @Test
    void renameWhenABuilderSettingThenItsKeyAndLayerAndTheSettingRenamedInTheMessage() {
        ConfigSource s = source(Map.of(ConfigKeys.JWT_HMAC_SECRET_ENV, "API_SECRET"), Map.of(), new Properties());
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put("hmacSecret", ConfigKeys.JWT_HMAC_SECRET_ENV);
        settings.put("hmacSecretFromEnv", ConfigKeys.JWT_HMAC_SECRET_ENV);
        settings.put("algorithms", ConfigKeys.JWT_ALGORITHMS);

        ConfigurationException e = s.rename(new ConfigurationException("hmacSecretFromEnv",
                "is shorter than algorithms(...) HS512 needs; set hmacSecretFromEnv or hmacSecret"), settings);

        assertThat(e.key()).isEqualTo(ConfigKeys.JWT_HMAC_SECRET_ENV);
        assertThat(e.origin()).contains("init-param");
        assertThat(e.detail()).isEqualTo("is shorter than tokengate.jwt.algorithms HS512 needs; set "
                + "tokengate.jwt.hmac-secret-env or tokengate.jwt.hmac-secret-env");
    }

    @Test
    void renameWhenTheErrorNamesAKeyOrALayerAlreadyThenOnlyAttributed() {
        ConfigSource s = source(Map.of(ConfigKeys.JWT_TYPE, "at+jwt"), Map.of(), new Properties());
        Map<String, String> settings = Map.of("type", ConfigKeys.JWT_TYPE);

        ConfigurationException byKey = s.rename(new ConfigurationException(ConfigKeys.JWT_TYPE, "type() is wrong"), settings);
        assertThat(byKey.getMessage()).isEqualTo("tokengate.jwt.type (init-param): type() is wrong");

        ConfigurationException withLayer = new ConfigurationException("type", "environment variable X", "type() is wrong", null);
        assertThat(s.rename(withLayer, settings)).isSameAs(withLayer);

        ConfigurationException unset = new ConfigurationException(ConfigKeys.JWT_AUDIENCE, "required");
        assertThat(s.rename(unset, settings)).isSameAs(unset);
    }
}
