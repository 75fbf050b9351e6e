package dev.tokengate.sample;

import dev.tokengate.control.Anomaly;
import dev.tokengate.log.CallEvent;
import dev.tokengate.testing.FakeTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The console's aggregates on a fake clock: minutes and 5-minute slots, their rollover, decisions, bounds, LRU. */
class TokenActivityTest {

    private static final Instant START = Instant.parse("2029-03-01T09:30:00Z");
    private final FakeTime time = new FakeTime(START);
    private final CallLabels labels = new CallLabels();
    private final List<CallEvent> passedOn = new ArrayList<>();
    private final Map<String, String> countries = Map.of("8.8.8.8", "US", "193.0.6.139", "NL");
    private TokenActivity activity = new TokenActivity(3, labels,
            address -> Optional.ofNullable(countries.get(address)), time, passedOn::add);

    private static final int ALLOWED = TokenActivity.Decision.ALLOWED.ordinal();
    private static final int SCOPE = TokenActivity.Decision.DENIED_SCOPE.ordinal();
    private static final int LIMITED = TokenActivity.Decision.RATE_LIMITED.ordinal();
    private static final int REFUSED = TokenActivity.Decision.REFUSED.ordinal();

    private CallEvent call(String token, String decision, String error, String address) {
        return new CallEvent(time.instant(), "req", Optional.empty(), "GET", "/api/account/balances",
                decision.equals("allow") ? 200 : 403, Duration.ofMillis(3), address,
                decision.equals("allow") ? Optional.of("alice") : Optional.empty(), Optional.empty(),
                Optional.of(CallLabels.fingerprint(token)), List.of(), Optional.empty(), Optional.empty(), decision,
                Optional.ofNullable(error), Optional.empty(), List.of());
    }

    private void allow(String token, String address) {
        activity.accept(call(token, "allow", null, address));
    }

    private TokenActivity.View only() {
        assertThat(activity.account("alice")).hasSize(1);
        return activity.account("alice").get(0);
    }

    @Test
    void countsEachCallInItsMinuteByDecisionAndPassesEveryEventOn() {
        allow("tok-a", "203.0.113.9");
        allow("tok-a", "203.0.113.9");
        activity.accept(call("tok-a", "deny", "insufficient_scope", "203.0.113.9"));
        activity.accept(call("tok-a", "rate_limited", "rate_limited", "203.0.113.9"));
        activity.accept(call("tok-a", "deny", "invalid_token", "203.0.113.9"));

        int[][] hour = only().hour();
        assertThat(hour).hasNumberOfRows(TokenActivity.HOUR_SLOTS);
        assertThat(hour[59]).containsExactly(2, 1, 1, 1); // the current minute, last
        assertThat(Arrays.stream(hour).limit(59).flatMapToInt(Arrays::stream).sum()).isZero();
        assertThat(passedOn).hasSize(5);
    }

    @Test
    void minuteRolloverMovesCallsBackAndAnHourLaterForgetsThem() {
        allow("tok-a", "203.0.113.9");
        time.advance(Duration.ofSeconds(59));
        allow("tok-a", "203.0.113.9");                      // 09:30:59, the same minute
        time.advance(Duration.ofSeconds(1));
        allow("tok-a", "203.0.113.9");                      // 09:31:00, the next
        int[][] hour = only().hour();
        assertThat(hour[58][ALLOWED]).isEqualTo(2);
        assertThat(hour[59][ALLOWED]).isEqualTo(1);

        time.advance(Duration.ofMinutes(58));               // 10:29: 09:30 is the oldest minute shown
        assertThat(only().hour()[0][ALLOWED]).isEqualTo(2);
        assertThat(only().hour()[1][ALLOWED]).isEqualTo(1);
        time.advance(Duration.ofMinutes(1));                // 10:30: 09:30 left the hour
        assertThat(only().hour()[0][ALLOWED]).isEqualTo(1);
        allow("tok-a", "203.0.113.9");                      // reuses 09:30's slot of the ring, counting afresh
        assertThat(only().hour()[59][ALLOWED]).isEqualTo(1);
        assertThat(Arrays.stream(only().hour()).mapToInt(m -> m[ALLOWED]).sum()).isEqualTo(2);
    }

    @Test
    void dayIsCountedInFiveMinuteSlotsForTwentyFourHours() {
        allow("tok-a", "203.0.113.9");                      // 09:30
        time.advance(Duration.ofMinutes(4));
        activity.accept(call("tok-a", "deny", "insufficient_scope", "203.0.113.9")); // 09:34, the same slot
        time.advance(Duration.ofMinutes(1));
        allow("tok-a", "203.0.113.9");                      // 09:35, the next
        int[][] day = only().day();
        assertThat(day).hasNumberOfRows(TokenActivity.DAY_SLOTS);
        assertThat(day[286]).containsExactly(1, 1, 0, 0);
        assertThat(day[287]).containsExactly(1, 0, 0, 0);
        assertThat(TokenActivity.slotStart(activity.nowMinute(), 288, 5, 287)).isEqualTo(Instant.parse("2029-03-01T09:35:00Z"));
        assertThat(TokenActivity.slotStart(activity.nowMinute(), 288, 5, 0)).isEqualTo(Instant.parse("2029-02-28T09:40:00Z"));

        time.advance(Duration.ofHours(24).minusMinutes(5)); // 09:30 the next day: the 09:30 slot is a day old
        assertThat(Arrays.stream(only().day()).flatMapToInt(Arrays::stream).sum()).isEqualTo(1);
        assertThat(only().hour()[59]).containsExactly(0, 0, 0, 0);
    }

    @Test
    void lateEventOlderThanTheRingIsNotCountedInTheWrongSlot() {
        CallEvent old = call("tok-a", "allow", null, "203.0.113.9");
        time.advance(Duration.ofMinutes(60));
        allow("tok-a", "203.0.113.9");                      // 10:30 takes 09:30's slot
        activity.accept(old);                               // arrives late, stamped 09:30
        assertThat(Arrays.stream(only().hour()).mapToInt(m -> m[ALLOWED]).sum()).isEqualTo(1);
    }

    @Test
    void networksAsTheRuleCountsThemAndCountriesWithFirstAndLastSeen() {
        allow("tok-a", "203.0.113.9");
        time.advance(Duration.ofMinutes(3));
        allow("tok-a", "203.0.113.200");                    // the same /24
        allow("tok-a", "8.8.8.8");
        allow("tok-a", "2001:db8:1:2::7");
        TokenActivity.View v = only();
        assertThat(v.networks()).extracting(TokenActivity.Seen::value)
                .containsExactly("203.0.113.0/24", "8.8.8.0/24", v.networks().get(2).value());
        assertThat(v.networks().get(2).value()).endsWith("/48");
        assertThat(v.networks().get(0)).isEqualTo(new TokenActivity.Seen("203.0.113.0/24", START,
                START.plus(Duration.ofMinutes(3)), 2));
        assertThat(v.countries()).containsExactly(new TokenActivity.Seen("US", START.plus(Duration.ofMinutes(3)),
                START.plus(Duration.ofMinutes(3)), 1));
    }

    @Test
    void networksPerTokenAreBoundedTheLeastRecentlySeenForgottenFirst() {
        allow("tok-a", "198.51.100.1");
        for (int i = 0; i < 40; i++) {
            time.advance(Duration.ofSeconds(1));
            allow("tok-a", "10.0." + i + ".1");
        }
        time.advance(Duration.ofSeconds(1));
        TokenActivity.View v = only();
        assertThat(v.networks()).hasSize(TokenActivity.MAX_NETWORKS);
        assertThat(v.networks()).extracting(TokenActivity.Seen::value).doesNotContain("198.51.100.0/24")
                .contains("10.0.39.0/24", "10.0.24.0/24").doesNotContain("10.0.23.0/24");
    }

    @Test
    void tokensAreBoundedTheLeastRecentlyUsedForgottenFirst() {
        allow("tok-a", "203.0.113.9");
        allow("tok-b", "203.0.113.9");
        allow("tok-c", "203.0.113.9");
        allow("tok-a", "203.0.113.9");                      // a is used again: b is now the eldest
        allow("tok-d", "203.0.113.9");
        assertThat(activity.size()).isEqualTo(3);
        assertThat(activity.account("alice")).extracting(TokenActivity.View::fingerprint)
                .containsExactlyInAnyOrder(CallLabels.fingerprint("tok-a"), CallLabels.fingerprint("tok-c"),
                        CallLabels.fingerprint("tok-d"));
    }

    @Test
    void consoleTokenCountedByIdAcrossRotationAndItsRefusalsStayInTheAccount() {
        labels.rememberIssued("tok-old", "trading bot", "id-1");
        labels.rememberIssued("tok-new", "trading bot", "id-1");
        allow("tok-old", "203.0.113.9");
        allow("tok-new", "203.0.113.9");
        activity.accept(call("tok-new", "deny", "invalid_token", "203.0.113.9")); // no subject: revoked
        TokenActivity.View v = activity.token("id-1").orElseThrow();
        assertThat(v.name()).hasValue("trading bot");
        assertThat(v.fingerprint()).isEqualTo(CallLabels.fingerprint("tok-new"));
        assertThat(v.hour()[59][ALLOWED]).isEqualTo(2);
        assertThat(v.hour()[59][REFUSED]).isEqualTo(1);
        assertThat(activity.account("alice")).hasSize(1);
        assertThat(activity.account("bob")).isEmpty();
    }

    @Test
    void automaticRevocationKeepsRuleReasonNetworksAndMoment() {
        labels.rememberIssued("tok-a", "trading bot", "id-1");
        allow("tok-a", "203.0.113.9");
        activity.detected(anomaly("tok-a", Anomaly.Action.LOG));
        assertThat(activity.token("id-1").orElseThrow().autoRevocation()).isEmpty();
        time.advance(Duration.ofSeconds(5));
        activity.detected(anomaly("tok-a", Anomaly.Action.REVOKE));
        assertThat(activity.token("id-1").orElseThrow().autoRevocation()).hasValue(new TokenActivity.AutoRevocation(
                "networks", "anomaly networks: used from 4 networks within 10m (at most 3 allowed)",
                List.of("127.0.0.0/24", "198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24"), START.plusSeconds(5)));
    }

    @Test
    void callsWithoutTokenAndTheConsolesOwnCallsAreNotCounted() {
        activity.accept(new CallEvent(time.instant(), "r", "GET", "/api/account/balances", 401, Duration.ZERO,
                "203.0.113.9", Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
                Optional.empty(), "deny", Optional.of("missing_token"), Optional.empty()));
        CallEvent console = call("tok-a", "allow", null, "127.0.0.1");
        activity.accept(new CallEvent(console.time(), "r", Optional.empty(), "GET", "/console/api/tokens", 200,
                Duration.ZERO, "127.0.0.1", Optional.of("alice"), Optional.empty(), console.tokenFingerprint(),
                List.of(), Optional.empty(), Optional.empty(), "allow", Optional.empty(), Optional.empty(), List.of()));
        assertThat(activity.size()).isZero();
        assertThat(passedOn).hasSize(2);
    }

    @Test
    void maxTokensMustBePositive() {
        assertThatThrownBy(() -> new TokenActivity(0, labels, a -> Optional.empty(), time, e -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxTokens must be positive, was 0");
    }

    private Anomaly anomaly(String token, Anomaly.Action action) {
        return new Anomaly(Anomaly.Rule.NETWORKS, time.instant(), "req", CallLabels.fingerprint(token),
                Optional.of("alice"), Optional.empty(), "192.0.2.1",
                List.of("127.0.0.0/24", "198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24"), 4,
                "anomaly networks: used from 4 networks within 10m (at most 3 allowed)", action);
    }
}
