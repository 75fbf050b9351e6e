package dev.tokengate;

import dev.tokengate.log.CallEvent;
import dev.tokengate.log.CallLogSink;
import dev.tokengate.log.DenialSummary;
import dev.tokengate.testing.FakeTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A flood of unauthenticated denials from one address is one summary line; nothing else is left out unasked. */
class CallLogLimiterTest {

    private static final Instant START = Instant.parse("2026-11-30T12:00:00Z");

    private final FakeTime time = new FakeTime(START);
    private final List<CallEvent> events = new ArrayList<>();
    private final List<DenialSummary> summaries = new ArrayList<>();
    private final CallLogSink capturing = new CallLogSink() {
        @Override
        public void accept(CallEvent event) {
            events.add(event);
        }

        @Override
        public void summary(DenialSummary summary) {
            summaries.add(summary);
        }
    };

    private CallLogLimiter limiter(boolean logOpenRoutes, int limit) {
        return new CallLogLimiter(capturing, logOpenRoutes, limit, Duration.ofSeconds(60), time);
    }

    private static CallEvent event(String address, String decision, String error, String subject) {
        return new CallEvent(START, "r", "GET", "/api", decision.equals("deny") ? 401 : 200, Duration.ZERO, address,
                Optional.ofNullable(subject), Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
                Optional.empty(), decision, Optional.ofNullable(error), Optional.empty());
    }

    @Test
    void acceptWhenFloodFromOneAddressThenLimitLoggedAndTheRestOneSummaryWhenTheWindowEnds() {
        CallLogLimiter limiter = limiter(true, 100);
        for (int i = 0; i < 150; i++) {
            limiter.accept(event("203.0.113.9", "deny", i % 3 == 0 ? "invalid_token" : "missing_token", null));
        }
        assertThat(events).hasSize(100);
        assertThat(summaries).isEmpty();

        time.advance(Duration.ofSeconds(61));
        limiter.accept(event("198.51.100.1", "allow", null, "alice"));

        assertThat(summaries).singleElement().satisfies(s -> {
            assertThat(s.clientAddress()).isEqualTo("203.0.113.9");
            assertThat(s.logged()).isEqualTo(100);
            assertThat(s.leftOut()).isEqualTo(50);
            assertThat(s.errors()).isEqualTo(Map.of("invalid_token", 16, "missing_token", 34));
            assertThat(s.windowStart()).isEqualTo(START);
            assertThat(s.windowEnd()).isEqualTo(START.plusSeconds(61));
        });
        assertThat(events).hasSize(101);
    }

    @Test
    void acceptWhenNewWindowThenLimitStartsAgain() {
        CallLogLimiter limiter = limiter(true, 2);
        for (int i = 0; i < 5; i++) {
            limiter.accept(event("203.0.113.9", "deny", "missing_token", null));
        }
        time.advance(Duration.ofSeconds(60));
        for (int i = 0; i < 5; i++) {
            limiter.accept(event("203.0.113.9", "deny", "missing_token", null));
        }
        assertThat(events).hasSize(4);
        assertThat(summaries).singleElement().satisfies(s -> assertThat(s.leftOut()).isEqualTo(3));
    }

    @Test
    void acceptWhenDenialsCarryAnIdentityOrAreAllowedThenAlwaysLogged() {
        CallLogLimiter limiter = limiter(true, 1);
        for (int i = 0; i < 10; i++) {
            limiter.accept(event("203.0.113.9", "deny", "insufficient_scope", "alice"));
            limiter.accept(event("203.0.113.9", "deny", "rate_limited", "bob"));
            limiter.accept(event("203.0.113.9", "allow", null, "carol"));
        }
        assertThat(events).hasSize(30);
        limiter.flush();
        assertThat(summaries).isEmpty();
    }

    @Test
    void acceptWhenReportOnlyThenWouldDenyCountsAsADenial() {
        CallLogLimiter limiter = limiter(true, 1);
        limiter.accept(event("203.0.113.9", "would_deny", "invalid_token", null));
        limiter.accept(event("203.0.113.9", "would_deny", "invalid_token", null));
        limiter.flush();
        assertThat(events).hasSize(1);
        assertThat(summaries).singleElement().satisfies(s -> assertThat(s.leftOut()).isEqualTo(1));
    }

    @Test
    void acceptWhenOpenRoutesSkippedThenPermitEventsLeftOutOthersKept() {
        CallLogLimiter limiter = limiter(false, 0);
        limiter.accept(event("203.0.113.9", "permit", null, null));
        limiter.accept(event("203.0.113.9", "allow", null, "alice"));
        limiter.accept(event("203.0.113.9", "deny", "missing_token", null));
        assertThat(events).extracting(CallEvent::decision).containsExactly("allow", "deny");
    }

    @Test
    void flushWhenWindowStillOpenThenSummarisedNotLost() {
        CallLogLimiter limiter = limiter(true, 1);
        limiter.accept(event("203.0.113.9", "deny", "missing_token", null));
        limiter.accept(event("203.0.113.9", "deny", "missing_token", null));
        limiter.flush();
        limiter.flush();
        assertThat(summaries).singleElement().satisfies(s -> assertThat(s.leftOut()).isEqualTo(1));
    }

    @Test
    void acceptWhenMoreAddressesThanTrackedThenTheOthersAreLoggedOneByOne() {
        CallLogLimiter limiter = limiter(true, 1);
        for (int i = 0; i < CallLogLimiter.MAX_ADDRESSES; i++) {
            limiter.accept(event("10.0." + (i / 256) + "." + (i % 256), "deny", "missing_token", null));
        }
        for (int i = 0; i < 3; i++) {
            limiter.accept(event("203.0.113.9", "deny", "missing_token", null));
        }
        assertThat(events).hasSize(CallLogLimiter.MAX_ADDRESSES + 3);
    }

    @Test
    void wrapWhenNothingLeftOutThenTheSinkItself() {
        assertThat(CallLogLimiter.wrap(capturing, true, 0, Duration.ofSeconds(60), time)).isSameAs(capturing);
        assertThat(CallLogLimiter.wrap(capturing, false, 0, Duration.ofSeconds(60), time)).isInstanceOf(CallLogLimiter.class);
    }

    private static final String FLOODER = "203.0.113.9";
    private static final String OTHER = "198.51.100.1";

    private void at(CallLogLimiter limiter, int second, String address) {
        time.advance(Duration.between(time.instant(), START.plusSeconds(second)));
        limiter.accept(address.equals(OTHER) ? event(OTHER, "allow", null, "alice")
                : event(address, "deny", "invalid_token", null));
    }

    @Test
    void acceptWhenTheAddressComesBackExactlyOneWindowAfterItsWindowStartedThenThatWindowIsSummarisedAndANewOneCounts() {
        CallLogLimiter limiter = limiter(true, 1);
        at(limiter, 0, OTHER);    // the first sweep; the next is due at 60 s
        at(limiter, 30, FLOODER); // logged: the flooder's window starts
        at(limiter, 31, FLOODER); // left out
        at(limiter, 60, OTHER);   // the sweep: the flooder's window has not ended
        assertThat(summaries).isEmpty();

        at(limiter, 90, FLOODER); // the flooder's window ended at 90 s: summarised now; this denial is logged
        assertThat(summaries).singleElement().satisfies(s -> {
            assertThat(s.clientAddress()).isEqualTo(FLOODER);
            assertThat(s.windowStart()).isEqualTo(START.plusSeconds(30));
            assertThat(s.windowEnd()).isEqualTo(START.plusSeconds(90));
            assertThat(s.logged()).isEqualTo(1);
            assertThat(s.errors()).isEqualTo(Map.of("invalid_token", 1));
        });
        at(limiter, 91, FLOODER); // left out, in the new window
        limiter.flush();

        assertThat(events).extracting(CallEvent::clientAddress).containsExactly(OTHER, FLOODER, OTHER, FLOODER);
        assertThat(summaries).hasSize(2).last().satisfies(s -> {
            assertThat(s.windowStart()).isEqualTo(START.plusSeconds(90));
            assertThat(s.logged()).isEqualTo(1);
            assertThat(s.leftOut()).isEqualTo(1);
        });
    }

    @Test
    void acceptWhenAnyAddressComesExactlyOneWindowAfterAFloodStartedThenTheFloodIsSummarised() {
        CallLogLimiter limiter = limiter(true, 1);
        at(limiter, 0, FLOODER);
        at(limiter, 0, FLOODER);

        at(limiter, 60, OTHER);

        assertThat(summaries).singleElement().satisfies(s -> {
            assertThat(s.clientAddress()).isEqualTo(FLOODER);
            assertThat(s.windowEnd()).isEqualTo(START.plusSeconds(60));
        });
    }

    @Test
    void acceptWhenSweepingThenOnlyWindowsThatHaveEndedAreSummarised() {
        CallLogLimiter limiter = limiter(true, 1);
        at(limiter, 0, FLOODER);
        at(limiter, 0, FLOODER);
        at(limiter, 50, "192.0.2.50");
        at(limiter, 50, "192.0.2.50");

        at(limiter, 60, OTHER);

        assertThat(summaries).extracting(DenialSummary::clientAddress).containsExactly(FLOODER);
        limiter.flush();
        assertThat(summaries).extracting(DenialSummary::clientAddress).containsExactly(FLOODER, "192.0.2.50");
    }

    @Test
    void acceptWhenWindowsEndBetweenSweepsThenTheSweepOverAllAddressesStillRunsOncePerWindowOnly() {
        CallLogLimiter limiter = limiter(true, 1);
        at(limiter, 0, OTHER);    // sweeps; the next sweep is due at 60 s
        at(limiter, 30, FLOODER);
        at(limiter, 30, FLOODER);
        at(limiter, 60, OTHER);   // sweeps; the next is due at 120 s

        at(limiter, 95, OTHER);   // the flooder's window ended at 90 s, but no sweep is due
        assertThat(summaries).isEmpty();

        at(limiter, 120, OTHER);
        assertThat(summaries).singleElement().satisfies(s -> assertThat(s.windowEnd()).isEqualTo(START.plusSeconds(120)));
    }

    @Test
    void summaryWhenGivenOneThenPassedToTheSink() {
        DenialSummary summary = new DenialSummary(START, START.plusSeconds(60), FLOODER, 1, 2, Map.of("invalid_token", 2));

        limiter(true, 1).summary(summary);

        assertThat(summaries).containsExactly(summary);
    }
}
