package dev.tokengate.log;

import java.lang.System.Logger.Level;
import java.util.ResourceBundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.helpers.FormattingTuple;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPLoggerFactory;

/**
 * The factory of tokengate's loggers: SLF4J's when SLF4J has a provider (Logback, Log4j 2, slf4j-jdk14, a server's
 * own bridge), else an adapter over the JDK's {@link System.Logger} of the same name, which goes to
 * {@code java.util.logging} (the server's log on Payara, GlassFish, Tomcat) unless the application installed another
 * {@code System.LoggerFinder}. Without it, slf4j-api alone falls back to its no-operation logger and drops every
 * line, the call log included. Decided once per class loader, on first use, with one line saying so when SLF4J has
 * no provider. tokengate's modules log through it rather than {@code LoggerFactory}; a custom {@link CallLogSink} can
 * too, to reach the same log.
 */
public final class Loggers {

    /** Whether SLF4J has a provider: it falls back to its NOP factory (and prints a warning of its own) when not. */
    private static final boolean SLF4J = !(LoggerFactory.getILoggerFactory() instanceof NOPLoggerFactory);

    static {
        if (!SLF4J) {
            System.getLogger("dev.tokengate").log(Level.INFO, "tokengate logs through System.Logger "
                    + "(java.util.logging unless the application replaced it) because no SLF4J provider is present; "
                    + "its call log is the logger tokengate.calls");
        }
    }

    private Loggers() {
    }

    /**
     * The logger named after {@code type}.
     *
     * @param type the class whose name the logger takes
     * @return the logger, SLF4J's when SLF4J has a provider, else one over {@link System.Logger}
     */
    public static Logger logger(Class<?> type) {
        return logger(type.getName());
    }

    /**
     * The logger named {@code name}.
     *
     * @param name the logger's name, e.g. {@code tokengate.calls}
     * @return the logger, SLF4J's when SLF4J has a provider, else one over {@link System.Logger}
     */
    public static Logger logger(String name) {
        return SLF4J ? LoggerFactory.getLogger(name) : new SystemLogger(name);
    }

    /**
     * Whether the loggers are SLF4J's ({@code true}) or adapters over {@link System.Logger} ({@code false}).
     *
     * @return {@code true} when SLF4J has a provider; {@code false} when it has none and would drop every line
     */
    public static boolean throughSlf4j() {
        return SLF4J;
    }

    /**
     * An SLF4J logger over a {@link System.Logger}: levels mapped (TRACE, DEBUG, INFO, WARN as WARNING, ERROR), the
     * message formatted by SLF4J's own {@link MessageFormatter} (a {@code {}} means what it means to SLF4J, a last
     * throwable argument is the throwable), the throwable kept, markers ignored. Immutable and thread-safe.
     *
     * <p>It implements both interfaces itself rather than extend SLF4J's {@code AbstractLogger}: the JDK finds the
     * class and method that logged (which Tomcat's and Payara's formatters print) by skipping the frames of
     * {@code System.Logger} implementations, so with every frame in this class the source is tokengate's class that
     * logged, not an SLF4J helper.
     */
    static final class SystemLogger implements Logger, System.Logger {
        private final System.Logger logger;

        SystemLogger(String name) {
            this.logger = System.getLogger(name);
        }

        @Override
        public String getName() {
            return logger.getName();
        }

        private void format(Level level, String format, Object... arguments) {
            if (logger.isLoggable(level)) {
                FormattingTuple tuple = MessageFormatter.arrayFormat(format, arguments);
                emit(level, tuple.getMessage(), tuple.getThrowable());
            }
        }

        /** Logs {@code message} as it is: no parameters, so no formatter formats it again. */
        private void emit(Level level, String message, Throwable thrown) {
            if (thrown == null) {
                logger.log(level, message);
            } else {
                logger.log(level, message, thrown);
            }
        }

        // System.Logger, for the JDK's frame filter: the same logger

        @Override
        public boolean isLoggable(Level level) {
            return logger.isLoggable(level);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            logger.log(level, bundle, message, thrown);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... parameters) {
            logger.log(level, bundle, format, parameters);
        }

        // org.slf4j.Logger

        @Override
        public boolean isTraceEnabled() {
            return logger.isLoggable(Level.TRACE);
        }

        @Override
        public boolean isTraceEnabled(Marker marker) {
            return logger.isLoggable(Level.TRACE);
        }

        @Override
        public void trace(String message) {
            emit(Level.TRACE, message, null);
        }

        @Override
        public void trace(String format, Object argument) {
            format(Level.TRACE, format, argument);
        }

        @Override
        public void trace(String format, Object first, Object second) {
            format(Level.TRACE, format, first, second);
        }

        @Override
        public void trace(String format, Object... arguments) {
            format(Level.TRACE, format, arguments);
        }

        @Override
        public void trace(String message, Throwable thrown) {
            emit(Level.TRACE, message, thrown);
        }

        @Override
        public void trace(Marker marker, String message) {
            emit(Level.TRACE, message, null);
        }

        @Override
        public void trace(Marker marker, String format, Object argument) {
            format(Level.TRACE, format, argument);
        }

        @Override
        public void trace(Marker marker, String format, Object first, Object second) {
            format(Level.TRACE, format, first, second);
        }

        @Override
        public void trace(Marker marker, String format, Object... arguments) {
            format(Level.TRACE, format, arguments);
        }

        @Override
        public void trace(Marker marker, String message, Throwable thrown) {
            emit(Level.TRACE, message, thrown);
        }

        @Override
        public boolean isDebugEnabled() {
            return logger.isLoggable(Level.DEBUG);
        }

        @Override
        public boolean isDebugEnabled(Marker marker) {
            return logger.isLoggable(Level.DEBUG);
        }

        @Override
        public void debug(String message) {
            emit(Level.DEBUG, message, null);
        }

        @Override
        public void debug(String format, Object argument) {
            format(Level.DEBUG, format, argument);
        }

        @Override
        public void debug(String format, Object first, Object second) {
            format(Level.DEBUG, format, first, second);
        }

        @Override
        public void debug(String format, Object... arguments) {
            format(Level.DEBUG, format, arguments);
        }

        @Override
        public void debug(String message, Throwable thrown) {
            emit(Level.DEBUG, message, thrown);
        }

        @Override
        public void debug(Marker marker, String message) {
            emit(Level.DEBUG, message, null);
        }

        @Override
        public void debug(Marker marker, String format, Object argument) {
            format(Level.DEBUG, format, argument);
        }

        @Override
        public void debug(Marker marker, String format, Object first, Object second) {
            format(Level.DEBUG, format, first, second);
        }

        @Override
        public void debug(Marker marker, String format, Object... arguments) {
            format(Level.DEBUG, format, arguments);
        }

        @Override
        public void debug(Marker marker, String message, Throwable thrown) {
            emit(Level.DEBUG, message, thrown);
        }

        @Override
        public boolean isInfoEnabled() {
            return logger.isLoggable(Level.INFO);
        }

        @Override
        public boolean isInfoEnabled(Marker marker) {
            return logger.isLoggable(Level.INFO);
        }

        @Override
        public void info(String message) {
            emit(Level.INFO, message, null);
        }

        @Override
        public void info(String format, Object argument) {
            format(Level.INFO, format, argument);
        }

        @Override
        public void info(String format, Object first, Object second) {
            format(Level.INFO, format, first, second);
        }

        @Override
        public void info(String format, Object... arguments) {
            format(Level.INFO, format, arguments);
        }

        @Override
        public void info(String message, Throwable thrown) {
            emit(Level.INFO, message, thrown);
        }

        @Override
        public void info(Marker marker, String message) {
            emit(Level.INFO, message, null);
        }

        @Override
        public void info(Marker marker, String format, Object argument) {
            format(Level.INFO, format, argument);
        }

        @Override
        public void info(Marker marker, String format, Object first, Object second) {
            format(Level.INFO, format, first, second);
        }

        @Override
        public void info(Marker marker, String format, Object... arguments) {
            format(Level.INFO, format, arguments);
        }

        @Override
        public void info(Marker marker, String message, Throwable thrown) {
            emit(Level.INFO, message, thrown);
        }

        @Override
        public boolean isWarnEnabled() {
            return logger.isLoggable(Level.WARNING);
        }

        @Override
        public boolean isWarnEnabled(Marker marker) {
            return logger.isLoggable(Level.WARNING);
        }

        @Override
        public void warn(String message) {
            emit(Level.WARNING, message, null);
        }

        @Override
        public void warn(String format, Object argument) {
            format(Level.WARNING, format, argument);
        }

        @Override
        public void warn(String format, Object first, Object second) {
            format(Level.WARNING, format, first, second);
        }

        @Override
        public void warn(String format, Object... arguments) {
            format(Level.WARNING, format, arguments);
        }

        @Override
        public void warn(String message, Throwable thrown) {
            emit(Level.WARNING, message, thrown);
        }

        @Override
        public void warn(Marker marker, String message) {
            emit(Level.WARNING, message, null);
        }

        @Override
        public void warn(Marker marker, String format, Object argument) {
            format(Level.WARNING, format, argument);
        }

        @Override
        public void warn(Marker marker, String format, Object first, Object second) {
            format(Level.WARNING, format, first, second);
        }

        @Override
        public void warn(Marker marker, String format, Object... arguments) {
            format(Level.WARNING, format, arguments);
        }

        @Override
        public void warn(Marker marker, String message, Throwable thrown) {
            emit(Level.WARNING, message, thrown);
        }

        @Override
        public boolean isErrorEnabled() {
            return logger.isLoggable(Level.ERROR);
        }

        @Override
        public boolean isErrorEnabled(Marker marker) {
            return logger.isLoggable(Level.ERROR);
        }

        @Override
        public void error(String message) {
            emit(Level.ERROR, message, null);
        }

        @Override
        public void error(String format, Object argument) {
            format(Level.ERROR, format, argument);
        }

        @Override
        public void error(String format, Object first, Object second) {
            format(Level.ERROR, format, first, second);
        }

        @Override
        public void error(String format, Object... arguments) {
            format(Level.ERROR, format, arguments);
        }

        @Override
        public void error(String message, Throwable thrown) {
            emit(Level.ERROR, message, thrown);
        }

        @Override
        public void error(Marker marker, String message) {
            emit(Level.ERROR, message, null);
        }

        @Override
        public void error(Marker marker, String format, Object argument) {
            format(Level.ERROR, format, argument);
        }

        @Override
        public void error(Marker marker, String format, Object first, Object second) {
            format(Level.ERROR, format, first, second);
        }

        @Override
        public void error(Marker marker, String format, Object... arguments) {
            format(Level.ERROR, format, arguments);
        }

        @Override
        public void error(Marker marker, String message, Throwable thrown) {
            emit(Level.ERROR, message, thrown);
        }
    }
}
