package dev.tokengate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokengate.TokenGate;
import dev.tokengate.health.HealthReport;
import dev.tokengate.health.UpstreamHealth;
import dev.tokengate.health.UpstreamHealth.Status;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.redis.testing.RedisServerProcess;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared state in the gate's health report, on a Redis server of the test's own that it stops: required (and
 * then failing readiness) in {@code fail-closed} mode only.
 */
class RedisHealthTest {

    private RedisServerProcess server;
    private LoopbackIssuer idp;

    @BeforeEach
    void start() throws Exception {
        server = RedisServerProcess.create();
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    }

    @AfterEach
    void stop() throws Exception {
        idp.close();
        server.close();
    }

    private TokenGate gate(RedisSettings.OnFailure onFailure) {
        return TokenGate.builder()
                .issuer(JwtValidator.builder().issuer(TestTokens.ISSUER).audiences(TestTokens.AUDIENCE)
                        .keySource(KeySources.jwks(idp.jwksUri()).build()))
                .sharedControl(RedisControl.connect(RedisSettings.of(server.uri()).withKeyPrefix("health:")
                        .withOnFailure(onFailure), Clock.systemUTC()))
                .build();
    }

    @Test
    void healthWhenRedisStopsInFailOpenThenDownButNotRequiredSoTheGateIsDegradedAndReady() throws Exception {
        try (TokenGate gate = gate(RedisSettings.OnFailure.FAIL_OPEN)) {
            gate.checkUpstreams(); // fetches the keys, so that the issuer is up
            HealthReport.Entry up = gate.health().upstreams().get(1);
            assertThat(up.name()).isEqualTo("shared state");
            assertThat(up.required()).isFalse();
            assertThat(up.health().status()).isEqualTo(Status.UP);
            assertThat(up.health().kind()).isEqualTo("redis");
            assertThat(up.health().detail()).startsWith("fail-open");

            server.stop();
            HealthReport report = gate.health();

            UpstreamHealth redis = report.upstreams().get(1).health();
            assertThat(redis.status()).isEqualTo(Status.DOWN);
            assertThat(redis.problem()).map(UpstreamHealth.Problem::message)
                    .hasValueSatisfying(m -> assertThat(m).startsWith("Redis did not answer PING: "));
            assertThat(redis.sinceLastSuccess()).isPresent();
            assertThat(report.status()).isEqualTo(Status.DEGRADED);
            assertThat(report.ready()).isTrue();
        }
    }

    @Test
    void failOpenIsAnOptInThatTheStartUpLogNamesAndFailClosedTheDefault() {
        try (LogCapture logs = LogCapture.of(RedisControl.class.getName());
             RedisControl open = RedisControl.connect(RedisSettings.of(server.uri())
                     .withOnFailure(RedisSettings.OnFailure.FAIL_OPEN), Clock.systemUTC())) {
            assertThat(logs.lines(RedisControl.class.getName())).anySatisfy(line -> assertThat(line)
                    .startsWith("tokengate.redis.on-failure=fail-open: ").contains("revoked on another node"));
        }
        try (LogCapture logs = LogCapture.of(RedisControl.class.getName());
             RedisControl closed = RedisControl.connect(RedisSettings.of(server.uri()), Clock.systemUTC())) {
            assertThat(RedisSettings.of(server.uri()).onFailure()).isEqualTo(RedisSettings.OnFailure.FAIL_CLOSED);
            assertThat(logs.lines(RedisControl.class.getName())).noneSatisfy(line -> assertThat(line).contains("fail-open"));
        }
    }

    @Test
    void healthWhenRedisStopsInFailClosedThenTheGateIsNotReady() throws Exception {
        try (TokenGate gate = gate(RedisSettings.OnFailure.FAIL_CLOSED)) {
            gate.checkUpstreams();
            assertThat(gate.health().ready()).isTrue();

            server.stop();
            HealthReport report = gate.health();

            assertThat(report.upstreams().get(1).required()).isTrue();
            assertThat(report.ready()).isFalse();
            assertThat(report.summary()).startsWith("not ready: required upstream shared state (redis ");
        }
    }
}
