package dev.tokengate.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Captures log events while open, so a test can assert what was, and what was never, logged: every event of the JVM
 * ({@link #start()}: {@code try (LogCapture logs = LogCapture.start()) { … assertThat(logs.text()).doesNotContain(token); }}),
 * or one logger's from DEBUG up ({@link #of(String)}). The project's one log capture.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final Level previousLevel;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(String loggerName, Level level) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        this.previousLevel = logger.getLevel();
        if (level != null) {
            logger.setLevel(level);
        }
        appender.start();
        logger.addAppender(appender);
    }

    /** Captures what reaches the root logger at the configured levels. */
    public static LogCapture start() {
        return new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME, null);
    }

    /** Captures one logger and its children from DEBUG up; its level is restored on {@link #close()}. */
    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName, Level.DEBUG);
    }

    /** The captured events, in order. */
    public List<ILoggingEvent> events() {
        return List.copyOf(appender.list);
    }

    /** Every captured line: formatted message, MDC, key-value pairs and the full text of any throwable. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent e : List.copyOf(appender.list)) {
            StringBuilder sb = new StringBuilder(e.getLoggerName()).append(' ').append(e.getFormattedMessage())
                    .append(' ').append(e.getMDCPropertyMap());
            if (e.getKeyValuePairs() != null) {
                sb.append(' ').append(e.getKeyValuePairs());
            }
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                sb.append(' ').append(t.getClassName()).append(": ").append(t.getMessage());
            }
            lines.add(sb.toString());
        }
        return lines;
    }

    /** The lines of one logger. */
    public List<String> lines(String loggerName) {
        return List.copyOf(appender.list).stream().filter(e -> e.getLoggerName().equals(loggerName))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** The key-value pairs of each event of one logger, in order (an empty map for an event without them). */
    public List<Map<String, Object>> keyValues(String loggerName) {
        List<Map<String, Object>> all = new ArrayList<>();
        for (ILoggingEvent e : List.copyOf(appender.list)) {
            if (e.getLoggerName().equals(loggerName)) {
                Map<String, Object> pairs = new LinkedHashMap<>();
                if (e.getKeyValuePairs() != null) {
                    e.getKeyValuePairs().forEach(p -> pairs.put(p.key, p.value));
                }
                all.add(pairs);
            }
        }
        return all;
    }

    public String text() {
        return String.join("\n", lines());
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(previousLevel);
    }
}
