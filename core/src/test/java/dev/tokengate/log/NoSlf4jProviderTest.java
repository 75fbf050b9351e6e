package dev.tokengate.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokengate.Outcome;
import dev.tokengate.TokenGate;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.internal.Json;
import dev.tokengate.log.Loggers;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestRequest;
import dev.tokengate.testing.TestTokens;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

/**
 * Without an SLF4J provider (as on Payara: slf4j-api alone falls back to its no-operation logger), tokengate's log
 * lines and its call log reach {@code java.util.logging}, the server's log, through {@link System.Logger}. Runs in a
 * surefire execution of its own ({@code no-slf4j-provider} in core's pom), whose class path has no Logback.
 */
class NoSlf4jProviderTest {

    /** Every record of the whole class, from before tokengate's first class is loaded. */
    private static final Recorder ALL = new Recorder();
    private static final Logger ROOT = Logger.getLogger("");

    private final Recorder recorder = new Recorder();

    @BeforeAll
    static void recordAll() {
        ROOT.addHandler(ALL);
    }

    @AfterAll
    static void stopRecordingAll() {
        ROOT.removeHandler(ALL);
    }

    @BeforeEach
    void record() {
        ROOT.addHandler(recorder);
    }

    @AfterEach
    void stopRecording() {
        ROOT.removeHandler(recorder);
    }

    @Test
    void logsWhenNoSlf4jProviderThenOneLineSaysSoOnce() {
        Loggers.logger("dev.tokengate.test.once").info("first");
        Loggers.logger(NoSlf4jProviderTest.class).info("second");

        assertThat(ALL.from("dev.tokengate")).singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.INFO);
            assertThat(r.getMessage()).isEqualTo("tokengate logs through System.Logger (java.util.logging unless the "
                    + "application replaced it) because no SLF4J provider is present; its call log is the logger "
                    + "tokengate.calls");
        });
    }

    @Test
    void gateWhenNoSlf4jProviderThenCallLogAndWarningReachJavaUtilLogging() {
        assertThat(LoggerFactory.getILoggerFactory()).as("this class path has no SLF4J provider")
                .isInstanceOf(NOPLoggerFactory.class);
        String octKey = Json.write(Map.of("kty", "oct", "kid", "shared-secret", "k", "c2VjcmV0LXNlY3JldC1zZWNyZXQ"));
        String jwks = "{\"keys\":[" + octKey + "," + Json.write(TestKeys.jwk(TestKeys.rsa(), true)) + "]}";
        String token = TestTokens.jwt().sign();
        String forged = TestTokens.jwt().subject("mallory").signedWith(TestKeys.untrustedRsa()).sign();
        String jwksUri;

        try (LoopbackIssuer idp = LoopbackIssuer.start().jwks(jwks);
             TokenGate gate = TokenGate.builder().config(ConfigSource.of(Map.of(
                     ConfigKeys.JWT_ISSUER, TestTokens.ISSUER,
                     ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE,
                     ConfigKeys.JWT_JWKS_URI, idp.jwksUri().toString()), Map.of(), new Properties())).build()) {
            jwksUri = idp.jwksUri().toString();
            TokenGate.Call allowed = gate.begin(TestRequest.get("/orders").bearer(token)
                    .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
            assertThat(allowed.authenticate()).isInstanceOf(Outcome.Authenticated.class);
            allowed.finish(200);
            TokenGate.Call denied = gate.begin(TestRequest.get("/orders/7").bearer(forged));
            assertThat(denied.authenticate()).isInstanceOf(Outcome.Rejected.class);
            denied.finish(401);
        }

        assertThat(recorder.from("tokengate.calls")).hasSize(2).allSatisfy(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.INFO);
            assertThat(r.getSourceClassName()).as("the class that logged, for formatters that print it")
                    .isEqualTo("dev.tokengate.log.Slf4jCallLogSink");
        });
        assertThat(recorder.from("tokengate.calls").get(0).getMessage()).startsWith("{\"time\":\"")
                .contains("\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"", "\"path\":\"/orders\"", "\"status\":200", "\"subject\":\"alice\"", "\"decision\":\"allow\"");
        assertThat(recorder.from("tokengate.calls").get(1).getMessage())
                .contains("\"path\":\"/orders/7\"", "\"status\":401", "\"decision\":\"deny\"", "\"error\":\"invalid_token\"");
        assertThat(recorder.from("dev.tokengate.jwks.JwkSetParser")).anySatisfy(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.WARNING);
            assertThat(r.getSourceClassName()).isEqualTo("dev.tokengate.jwks.JwkSetParser");
            assertThat(r.getSourceMethodName()).isEqualTo("parseKey");
            assertThat(r.getMessage()).isEqualTo("Skipping kid 'shared-secret' of " + jwksUri
                    + ": symmetric (oct) keys do not belong in a public JWK set");
        });
        assertThat(recorder.records).extracting(LogRecord::getMessage).allSatisfy(m -> assertThat(m)
                .doesNotContain(token).doesNotContain(forged));
    }

    @Test
    void loggerWhenNoSlf4jProviderThenLevelsMappedMessageFormattedThrowableKept() {
        org.slf4j.Logger logger = Loggers.logger("dev.tokengate.test.levels");
        Logger.getLogger("dev.tokengate.test.levels").setLevel(Level.ALL);

        logger.trace("t {}", 1);
        logger.debug("d {} {}", 1, 2);
        logger.info("i {} {} {}", 1, 2, 3);
        logger.warn("w {}", "x", new IllegalStateException("boom"));
        logger.error("e {}", (Object) null);
        logger.warn("no arguments {}");
        logger.info(org.slf4j.MarkerFactory.getMarker("AUDIT"), "a marker is ignored: {}", "x");

        assertThat(Loggers.throughSlf4j()).isFalse();
        assertThat(logger).isInstanceOf(Loggers.SystemLogger.class);
        assertThat(logger.getName()).isEqualTo("dev.tokengate.test.levels");
        assertThat(recorder.from("dev.tokengate.test.levels")).extracting(LogRecord::getLevel, LogRecord::getMessage)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Level.FINER, "t 1"),
                        org.assertj.core.groups.Tuple.tuple(Level.FINE, "d 1 2"),
                        org.assertj.core.groups.Tuple.tuple(Level.INFO, "i 1 2 3"),
                        org.assertj.core.groups.Tuple.tuple(Level.WARNING, "w x"),
                        org.assertj.core.groups.Tuple.tuple(Level.SEVERE, "e null"),
                        org.assertj.core.groups.Tuple.tuple(Level.WARNING, "no arguments {}"),
                        org.assertj.core.groups.Tuple.tuple(Level.INFO, "a marker is ignored: x"));
        assertThat(recorder.from("dev.tokengate.test.levels").get(3).getThrown())
                .isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(recorder.from("dev.tokengate.test.levels")).extracting(LogRecord::getSourceMethodName)
                .containsOnly("loggerWhenNoSlf4jProviderThenLevelsMappedMessageFormattedThrowableKept");
        assertThat(recorder.from("dev.tokengate.test.levels")).extracting(LogRecord::getParameters)
                .as("formatted once, by SLF4J's rules, never again by java.util.logging's").containsOnlyNulls();
    }

    @Test
    void loggerWhenLevelOffInJavaUtilLoggingThenDisabledAndNothingRecorded() {
        org.slf4j.Logger logger = Loggers.logger("dev.tokengate.test.quiet");
        Logger.getLogger("dev.tokengate.test.quiet").setLevel(Level.WARNING);

        logger.info("not this");
        logger.warn("this");

        assertThat(logger.isInfoEnabled()).isFalse();
        assertThat(logger.isWarnEnabled()).isTrue();
        assertThat(recorder.from("dev.tokengate.test.quiet")).extracting(LogRecord::getMessage).containsExactly("this");
    }

    /** A {@code java.util.logging} handler that keeps every record. */
    private static final class Recorder extends Handler {
        private final List<LogRecord> records = new CopyOnWriteArrayList<>();

        Recorder() {
            setLevel(Level.ALL);
        }

        @Override
        public void publish(LogRecord record) {
            record.getSourceClassName(); // inferred from the stack now, as a formatter would
            records.add(record);
        }

        List<LogRecord> from(String logger) {
            return records.stream().filter(r -> logger.equals(r.getLoggerName())).toList();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
