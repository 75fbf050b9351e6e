package dev.tokengate.micrometer;

import dev.tokengate.Outcome;
import dev.tokengate.TokenGate;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.jwks.JwksKeySource;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.TokenKind;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestRequest;
import dev.tokengate.testing.TestTokens;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The meters of a gate in a {@link SimpleMeterRegistry}, against a real JWKS endpoint on loopback and a real
 * PostgreSQL token store ({@code jdbc:postgresql://127.0.0.1:5432/test} as {@code postgres}, overridable with
 * {@code TOKENGATE_TEST_PG_URL} and {@code _USER}; skipped when unreachable, a failure when
 * {@code REQUIRE_TEST_SERVICES=true}).
 */
class MicrometerObserverTest {

    private static final String PG_URL = env("TOKENGATE_TEST_PG_URL").orElse("jdbc:postgresql://127.0.0.1:5432/test");
    private static final String PG_USER = env("TOKENGATE_TEST_PG_USER").orElse("postgres");

    private final MockClock clock = new MockClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    private final FakeTime time = new FakeTime(Instant.now());
    private final LoopbackIssuer idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        idp.close();
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
    }

    private Map<String, String> jwtKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put(ConfigKeys.JWT_ISSUER, TestTokens.ISSUER);
        keys.put(ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE);
        keys.put(ConfigKeys.JWT_JWKS_URI, idp.jwksUri().toString());
        keys.put(ConfigKeys.TRACING, "off");
        keys.put(ConfigKeys.METRICS, "off");
        return keys;
    }

    private TokenGate gate(Map<String, String> keys) {
        TokenGate gate = TokenGate.builder().config(ConfigSource.of(keys, Map.of(), new Properties()))
                .observer(MicrometerObserver.create(registry)).clock(time).callLogSink(e -> { }).build();
        opened.add(gate);
        return gate;
    }

    private static int run(TokenGate gate, TestRequest request, Requirement requirement) {
        TokenGate.Call call = gate.begin(request);
        int status = 200;
        try {
            if (call.authorize(requirement) instanceof Outcome.Rejected r) {
                status = call.errorResponse(r.error()).status();
            }
        } finally {
            call.finish(status);
        }
        return status;
    }

    private double count(String name, String... tags) {
        return registry.find(name).tags(tags).meters().stream()
                .mapToDouble(m -> m.measure().iterator().next().getValue()).sum();
    }

    private long timerCount(String name, String... tags) {
        return registry.find(name).tags(tags).timers().stream().mapToLong(t -> t.count()).sum();
    }

    @Test
    void jwtRequestsThenDecisionsValidationJwksFetchAndVerifiedTokenCacheAreCounted() {
        TokenGate gate = gate(jwtKeys());
        String token = TestTokens.jwt().clock(time).sign();

        run(gate, TestRequest.get("/orders").bearer(token), Requirement.allOf("read"));
        run(gate, TestRequest.get("/orders").bearer(token), Requirement.allOf("read"));
        run(gate, TestRequest.get("/orders").bearer(token), Requirement.allOf("admin"));
        run(gate, TestRequest.get("/orders"), Requirement.authenticated());

        assertThat(count(MicrometerObserver.DECISIONS, "outcome", "allow", "error", "none")).isEqualTo(2);
        assertThat(count(MicrometerObserver.DECISIONS, "outcome", "deny", "error", "insufficient_scope")).isEqualTo(1);
        assertThat(count(MicrometerObserver.DECISIONS, "outcome", "deny", "error", "missing_token")).isEqualTo(1);
        assertThat(timerCount(MicrometerObserver.VALIDATION, "kind", "jwt", "result", "ok")).isEqualTo(3);
        assertThat(timerCount(MicrometerObserver.JWKS_FETCH, "result", "ok")).isEqualTo(1);
        assertThat(count(MicrometerObserver.CACHE_GETS, "cache", "verified-tokens", "result", "hit")).isEqualTo(2);
        assertThat(count(MicrometerObserver.CACHE_GETS, "cache", "verified-tokens", "result", "miss")).isEqualTo(1);
        assertThat(count(MicrometerObserver.JWKS_AGE, "issuer", TestTokens.ISSUER)).isGreaterThanOrEqualTo(0);
    }

    @Test
    void jwksDownThenTheFetchAndTheValidationCountAsErrorsAndTheDecisionAsUnavailable() {
        idp.down();
        TokenGate gate = gate(jwtKeys());

        assertThat(run(gate, TestRequest.get("/orders").bearer(TestTokens.jwt().clock(time).sign()),
                Requirement.authenticated())).isEqualTo(503);

        assertThat(timerCount(MicrometerObserver.JWKS_FETCH, "result", "error")).isEqualTo(1);
        assertThat(timerCount(MicrometerObserver.VALIDATION, "kind", "jwt", "result", "error")).isEqualTo(1);
        assertThat(count(MicrometerObserver.DECISIONS, "outcome", "deny", "error", "temporarily_unavailable"))
                .isEqualTo(1);
    }

    @Test
    void keySetAgeInSecondsFollowsTheKeySourcesTicker() {
        MicrometerObserver observer = MicrometerObserver.create(registry);
        JwksKeySource keys = JwksKeySource.builder(idp.jwksUri()).ticker(time).executor(Runnable::run)
                .observer(observer).build();
        TokenGate gate = TokenGate.builder().issuer(JwtValidator.builder().issuer(TestTokens.ISSUER)
                        .audiences(TestTokens.AUDIENCE).keySource(keys))
                .observer(observer).clock(time).callLogSink(e -> { }).build();
        opened.add(gate);
        assertThat(count(MicrometerObserver.JWKS_AGE, "issuer", TestTokens.ISSUER)).isNaN();

        run(gate, TestRequest.get("/orders").bearer(TestTokens.jwt().clock(time).sign()), Requirement.authenticated());
        time.advance(Duration.ofSeconds(90));

        assertThat(count(MicrometerObserver.JWKS_AGE, "issuer", TestTokens.ISSUER)).isEqualTo(90.0);
        assertThat(registry.find(MicrometerObserver.JWKS_AGE).gauge().getId().getBaseUnit()).isEqualTo("seconds");
    }

    /** The README's "Metrics" example: a gate built in code, its key source given the same observer. */
    @Test
    void readmeExampleThenDiscoveryAndJwksFetchOfAKeySourceBuiltInCodeAreTimed() {
        String issuer = idp.baseUri().toString();
        MicrometerObserver metrics = MicrometerObserver.create(registry);
        TokenGate gate = TokenGate.builder()
                .issuer(JwtValidator.builder().issuer(issuer).audiences("exchange-api")
                        .keySource(dev.tokengate.jwks.KeySources.discover(java.net.URI.create(issuer)).observer(metrics).build()))
                .observer(metrics)
                .callLogSink(e -> { })
                .build();
        opened.add(gate);

        assertThat(run(gate, TestRequest.get("/orders").bearer(TestTokens.jwt().issuer(issuer).audience("exchange-api")
                .sign()), Requirement.authenticated())).isEqualTo(200);

        assertThat(timerCount(MicrometerObserver.DISCOVERY, "result", "ok")).isEqualTo(1);
        assertThat(timerCount(MicrometerObserver.JWKS_FETCH, "result", "ok")).isEqualTo(1);
        assertThat(count(MicrometerObserver.JWKS_AGE, "issuer", issuer)).isGreaterThanOrEqualTo(0);
    }

    @Test
    void rateLimitAndAnomalyEventsAreCounted() {
        Map<String, String> keys = jwtKeys();
        keys.put(ConfigKeys.RATE_LIMIT_PER_TOKEN, "2/1m");
        keys.put(ConfigKeys.ANOMALY_MAX_DENIALS, "1/1m");
        TokenGate gate = gate(keys);
        String token = TestTokens.jwt().clock(time).sign();

        run(gate, TestRequest.get("/admin").bearer(token), Requirement.allOf("admin"));
        run(gate, TestRequest.get("/admin").bearer(token), Requirement.allOf("admin"));
        run(gate, TestRequest.get("/orders").bearer(token), Requirement.authenticated());

        assertThat(count(MicrometerObserver.ANOMALIES, "rule", "denials")).isEqualTo(1);
        assertThat(count(MicrometerObserver.RATE_LIMITED)).isEqualTo(1);
        assertThat(count(MicrometerObserver.DECISIONS, "outcome", "rate_limited", "error", "rate_limited")).isEqualTo(1);
    }

    @Test
    void storedTokensThenStoreLookupsAndTheStoreCacheAreMeasuredOnPostgres() throws SQLException {
        String table = "tg_metrics_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        requirePostgres();
        JdbcTokenStore admin = JdbcTokenStore.builder().jdbcUrl(PG_URL).username(PG_USER).table(table).build();
        opened.add(() -> drop(table));
        opened.add(admin);
        admin.createSchema();
        String token = admin.create(TokenKind.ACCESS_TOKEN, "cli", "alice", null, List.of("read"), List.of(), null).token();
        Map<String, String> keys = new LinkedHashMap<>(Map.of(ConfigKeys.STORE_JDBC_URL, PG_URL,
                ConfigKeys.STORE_USERNAME, PG_USER, ConfigKeys.STORE_TABLE, table,
                ConfigKeys.TRACING, "off", ConfigKeys.METRICS, "off"));
        TokenGate gate = gate(keys);
        String unknown = dev.tokengate.store.TokenFormat.of(TokenKind.ACCESS_TOKEN).generate(); // well-formed, never issued

        assertThat(run(gate, TestRequest.get("/orders").bearer(token), Requirement.allOf("read"))).isEqualTo(200);
        assertThat(run(gate, TestRequest.get("/orders").bearer(token), Requirement.allOf("read"))).isEqualTo(200);
        assertThat(run(gate, TestRequest.get("/orders").bearer(unknown), Requirement.allOf("read"))).isEqualTo(401);

        assertThat(timerCount(MicrometerObserver.STORE_LOOKUP, "result", "ok")).isEqualTo(2);
        assertThat(timerCount(MicrometerObserver.VALIDATION, "kind", "store", "result", "ok")).isEqualTo(2);
        assertThat(timerCount(MicrometerObserver.VALIDATION, "kind", "store", "result", "invalid")).isEqualTo(1);
        assertThat(count(MicrometerObserver.CACHE_GETS, "cache", "stored-tokens", "result", "hit")).isEqualTo(1);
        assertThat(count(MicrometerObserver.CACHE_GETS, "cache", "stored-tokens", "result", "miss")).isEqualTo(2);
        assertThat(registry.find(MicrometerObserver.CACHE_GETS).tag("cache", "api-keys").meters()).hasSize(2);
    }

    @Test
    void noTagHoldsATokenSubjectOrClientId() {
        TokenGate gate = gate(jwtKeys());
        String token = TestTokens.jwt().clock(time).sign();
        run(gate, TestRequest.get("/orders").bearer(token), Requirement.allOf("read"));
        run(gate, TestRequest.get("/orders").bearer(token + "x"), Requirement.allOf("read"));

        for (Meter m : registry.getMeters()) {
            m.getId().getTags().forEach(tag -> assertThat(tag.getValue()).as(m.getId().toString())
                    .doesNotContain(token.substring(0, 20)).isNotIn(TestTokens.SUBJECT, TestTokens.CLIENT_ID));
        }
    }

    @Test
    void gateFromKeysWhenMetricsAutoThenItRecordsInTheGlobalRegistryAndOffRecordsNothing() {
        SimpleMeterRegistry global = new SimpleMeterRegistry();
        Metrics.addRegistry(global);
        try {
            Map<String, String> keys = jwtKeys();
            keys.remove(ConfigKeys.METRICS); // auto
            TokenGate auto = TokenGate.builder().config(ConfigSource.of(keys, Map.of(), new Properties()))
                    .clock(time).callLogSink(e -> { }).build();
            opened.add(auto);
            run(auto, TestRequest.get("/orders"), Requirement.authenticated());
            assertThat(global.find(MicrometerObserver.DECISIONS).tag("error", "missing_token").counter().count())
                    .isEqualTo(1);

            keys.put(ConfigKeys.METRICS, "off");
            TokenGate off = TokenGate.builder().config(ConfigSource.of(keys, Map.of(), new Properties()))
                    .clock(time).callLogSink(e -> { }).build();
            opened.add(off);
            run(off, TestRequest.get("/orders"), Requirement.authenticated());
            assertThat(global.find(MicrometerObserver.DECISIONS).tag("error", "missing_token").counter().count())
                    .isEqualTo(1);
        } finally {
            Metrics.removeRegistry(global);
            global.close();
        }
    }

    private static void requirePostgres() {
        try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, null)) {
            c.isValid(5);
        } catch (SQLException e) {
            String reason = "PostgreSQL is not reachable at " + PG_URL + " as " + PG_USER + " (" + e.getMessage() + ")";
            if ("true".equals(System.getenv("REQUIRE_TEST_SERVICES"))) {
                fail(reason + "; REQUIRE_TEST_SERVICES=true, so this fails instead of skipping");
            }
            assumeThat(reason).as(reason).isNull();
        }
    }

    private static void drop(String table) throws SQLException {
        try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("DROP TABLE IF EXISTS " + table + "_revocation");
        }
    }
}
