package dev.tokengate.internal;

import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.LogCapture;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A failure repeated on every request is one WARN per episode, a summary per interval, one INFO on recovery. */
class WarningEpisodeTest {

    private static final String LOGGER = "dev.tokengate.test.episode";

    private final FakeTime time = new FakeTime(Instant.parse("2026-11-30T12:00:00Z"));
    private final WarningEpisode episode = new WarningEpisode(LoggerFactory.getLogger(LOGGER), "JWKS down", time,
            Duration.ofSeconds(60));

    @Test
    void failureWhenRepeatedThenOneWarnThenOneSummaryPerIntervalThenOneRecoveryLine() {
        try (LogCapture logs = LogCapture.start()) {
            for (int i = 0; i < 5_000; i++) {
                episode.failure("connection refused");
            }
            assertThat(warnOrInfo(logs)).containsExactly(
                    "JWKS down: connection refused (repeats are counted and summarised every 60 s until it recovers)");

            time.advance(Duration.ofSeconds(60));
            episode.failure("connection refused");
            episode.failure("connection refused");
            time.advance(Duration.ofSeconds(30));
            episode.failure("timed out");
            episode.recovered();
            episode.recovered();

            assertThat(warnOrInfo(logs)).containsExactly(
                    "JWKS down: connection refused (repeats are counted and summarised every 60 s until it recovers)",
                    "JWKS down: still failing, 5000 more time(s) since the last line; the latest: connection refused",
                    "JWKS down: working again (2 more failure(s) since the last line)");
        }
    }

    @Test
    void failureWhenAfterRecoveryThenANewEpisodeStartsWithAWarn() {
        try (LogCapture logs = LogCapture.start()) {
            episode.failure("a");
            episode.recovered();
            episode.failure("b");
            assertThat(warnOrInfo(logs)).hasSize(3).last().asString().startsWith("JWKS down: b (");
        }
    }

    @Test
    void recoveredWhenNoEpisodeThenSilent() {
        try (LogCapture logs = LogCapture.start()) {
            episode.recovered();
            assertThat(warnOrInfo(logs)).isEmpty();
        }
    }

    /** Leaves out the DEBUG line each repeat writes ("what: detail"): only what an operator sees by default. */
    private static List<String> warnOrInfo(LogCapture logs) {
        return logs.lines(LOGGER).stream()
                .filter(l -> !l.equals("JWKS down: connection refused") && !l.equals("JWKS down: timed out"))
                .toList();
    }
}
