package dev.tokengate.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * With an SLF4J provider (Logback, on this class path) tokengate's loggers are SLF4J's own, untouched; the case
 * without one is {@link NoSlf4jProviderTest}, in a JVM without Logback.
 */
class LoggersTest {

    @Test
    void loggerWhenSlf4jHasAProviderThenSlf4jsLoggerOfThatName() {
        assertThat(Loggers.throughSlf4j()).isTrue();
        assertThat(Loggers.logger(Slf4jCallLogSink.LOGGER_NAME)).isSameAs(LoggerFactory.getLogger("tokengate.calls"))
                .isInstanceOf(ch.qos.logback.classic.Logger.class);
        assertThat(Loggers.logger(LoggersTest.class).getName()).isEqualTo("dev.tokengate.log.LoggersTest");
    }
}
