package dev.tokengate.sample;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The app's own logback.xml (not the tests'): the call log goes to a rolling file under LOG_DIR, one JSON line each. */
class CallLogFileTest {

    @Test
    void callLogLinesGoToCallsJsonlUnderLogDir(@TempDir Path dir) throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.putProperty("LOG_DIR", dir.toString());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(SampleApp.class.getResource("/logback.xml"));
        try {
            context.getLogger("tokengate.calls").info("{\"path\":\"/api/orders\",\"status\":201}");
            context.getLogger("dev.tokengate.sample").info("not a call");
        } finally {
            context.stop();
        }
        assertThat(Files.readAllLines(dir.resolve("calls.jsonl"))).containsExactly("{\"path\":\"/api/orders\",\"status\":201}");
    }
}
