package dev.tokengate.servlet;

import dev.tokengate.config.ConfigKeys;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The filter configured by init-params in a real Jetty (as a {@code web.xml} declaration is), with the system
 * properties and environment of a server it shares with other applications: another adapter's keys, blank
 * values, misspelt keys, malformed values. The environment and system properties are injected, never the JVM's.
 */
class ConfigurationLayersTest {

    private final LoopbackIssuer idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    private GatedApp app;

    @AfterEach
    void stop() throws Exception {
        try {
            if (app != null) {
                app.assertNoTokenLogged();
                app.close();
            }
        } finally {
            idp.close();
        }
    }

    private static Properties properties(String key, String value) {
        Properties p = new Properties();
        p.setProperty(key, value);
        return p;
    }

    @Test
    void startWhenEnvironmentAndSystemPropertiesCarryTheJaxRsKeyThenFilterStartsAndIgnoresIt() throws Exception {
        app = GatedApp.start(GatedApp.settings(idp), Map.of("TOKENGATE_JAXRS_UNANNOTATED", "permit"),
                properties(ConfigKeys.JAXRS_UNANNOTATED, "permit"));

        assertThat(app.get("/api/accounts/1", TestTokens.jwt().scope("read").sign()).statusCode()).isEqualTo(200);
        HttpResponse<String> noScope = app.get("/api/accounts/1", TestTokens.jwt().scope("trade").sign());
        assertThat(noScope.statusCode()).isEqualTo(403);
    }

    @Test
    void startWhenEnvironmentVariableAndSystemPropertyBlankThenInitParamStillApplies() throws Exception {
        Map<String, String> params = GatedApp.settings(idp);
        params.put(ConfigKeys.REALM, "legacy");
        app = GatedApp.start(params, Map.of("TOKENGATE_REALM", ""), properties(ConfigKeys.REALM, " "));

        HttpResponse<String> r = app.get("/api/accounts/1", TestTokens.jwt().scope("trade").sign());

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                assertThat(v).startsWith("Bearer realm=\"legacy\", error=\"insufficient_scope\""));
    }

    @Test
    void startWhenEnvironmentVariableMisspeltThenFailsSayingWhichItMeant() {
        assertThatThrownBy(() -> app = GatedApp.start(GatedApp.settings(idp), Map.of("TOKENGATE_JWT_AUDIENCES", "x"),
                new Properties())).satisfies(e -> assertThat(messages(e)).anySatisfy(m -> assertThat(m).startsWith(
                "TOKENGATE_JWT_AUDIENCES (environment variable): unknown tokengate setting; "
                        + "did you mean TOKENGATE_JWT_AUDIENCE (tokengate.jwt.audience)?")));
    }

    @Test
    void startWhenFilterKeyMalformedInSystemPropertyThenFailsNamingKeyAndLayer() {
        assertThatThrownBy(() -> app = GatedApp.start(GatedApp.settings(idp), Map.of(),
                properties(ConfigKeys.UNMATCHED, "maybe"))).satisfies(e -> assertThat(messages(e)).anySatisfy(m ->
                assertThat(m).startsWith("tokengate.unmatched (system property): 'maybe' is not allowed")));
    }

    @Test
    void startWhenRulesFromEnvironmentMalformedThenFailsNamingTheVariableLineAndRule() {
        assertThatThrownBy(() -> app = GatedApp.start(GatedApp.settings(idp),
                Map.of("TOKENGATE_RULES", "/* = read\nGET /api/** = read"), new Properties()))
                .satisfies(e -> assertThat(messages(e)).anySatisfy(m -> assertThat(m).startsWith(
                        "tokengate.rules (environment variable TOKENGATE_RULES): line 2 'GET /api/** = read'")));
    }

    // ---- several WARs in one JVM: the system properties and environment are every application's

    @Test
    void twoWarsWhenOneReadsItsInitParamsOnlyThenJvmWideSettingsReachOnlyTheOther() throws Exception {
        Properties jvm = properties(ConfigKeys.REALM, "server-wide");
        Map<String, String> env = Map.of("TOKENGATE_CHALLENGE_INCLUDE_SCOPE", "false");
        Map<String, String> billing = GatedApp.settings(idp);
        billing.put(ConfigKeys.CONFIG_LAYERS, "parameters");
        billing.put(ConfigKeys.REALM, "billing");
        billing.put(ConfigKeys.INTROSPECTION_URI, idp.baseUri() + "/introspect");
        billing.put(ConfigKeys.INTROSPECTION_CLIENT_ID, "billing-api");
        billing.put(ConfigKeys.INTROSPECTION_CLIENT_SECRET, "billing-secret-value");

        try (LogCapture logs = LogCapture.start();
             GatedApp shared = GatedApp.start(GatedApp.settings(idp), env, jvm);
             GatedApp own = GatedApp.start(billing, env, jvm)) {
            String trader = TestTokens.jwt().scope("trade").sign();

            assertThat(shared.get("/api/accounts/1", trader).headers().firstValue("WWW-Authenticate"))
                    .hasValue("Bearer realm=\"server-wide\", error=\"insufficient_scope\", error_description=\""
                            + "The token lacks a scope this resource requires; ask for a token with the scopes this "
                            + "API's documentation names.\"");
            assertThat(own.get("/api/accounts/1", trader).headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer realm=\"billing\"").contains("scope=\"read\""));

            List<String> started = logs.lines(TokenGateFilter.class.getName()).stream()
                    .filter(l -> l.contains("started with")).toList();
            assertThat(started).hasSize(2);
            assertThat(started.get(0)).contains("tokengate.realm=\"server-wide\" (system property)",
                    "tokengate.challenge.include-scope=\"false\" (environment variable TOKENGATE_CHALLENGE_INCLUDE_SCOPE)",
                    "tokengate.jwt.issuer=\"" + TestTokens.ISSUER + "\" (init-param)").doesNotContain("not read");
            assertThat(started.get(1)).contains("tokengate.config.layers=\"parameters\" (init-param)",
                    "tokengate.realm=\"billing\" (init-param)", "tokengate.introspection.client-secret=**** (init-param)",
                    "system properties and environment variables not read (tokengate.config.layers)")
                    .doesNotContain("server-wide", "include-scope");
            assertThat(logs.text()).doesNotContain("billing-secret-value");
            shared.assertNoTokenLogged();
            own.assertNoTokenLogged();
        }
    }

    @Test
    void twoWarsWhenJvmWideKeyMisspeltThenOnlyTheWarThatReadsThoseLayersFails() throws Exception {
        Properties jvm = properties("tokengate.jwt.audiance", "another-apps-typo");
        Map<String, String> own = GatedApp.settings(idp);
        own.put(ConfigKeys.CONFIG_LAYERS, "parameters");

        assertThatThrownBy(() -> GatedApp.start(GatedApp.settings(idp), Map.of(), jvm)).satisfies(e ->
                assertThat(messages(e)).anySatisfy(m -> assertThat(m).startsWith("tokengate.jwt.audiance (system property)")));
        app = GatedApp.start(own, Map.of(), jvm);
        assertThat(app.get("/api/accounts/1", TestTokens.jwt().scope("read").sign()).statusCode()).isEqualTo(200);
    }

    @Test
    void startWhenLayersKeySetAsSystemPropertyThenFailsSayingItBelongsInTheInitParams() {
        assertThatThrownBy(() -> app = GatedApp.start(GatedApp.settings(idp), Map.of(),
                properties(ConfigKeys.CONFIG_LAYERS, "parameters"))).satisfies(e -> assertThat(messages(e)).anySatisfy(m ->
                assertThat(m).startsWith("tokengate.config.layers (system property): is set JVM-wide")));
    }

    private static List<String> messages(Throwable e) {
        List<String> all = new ArrayList<>();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.add(String.valueOf(t.getMessage()));
            for (Throwable s : t.getSuppressed()) {
                all.addAll(messages(s));
            }
        }
        return all;
    }
}
