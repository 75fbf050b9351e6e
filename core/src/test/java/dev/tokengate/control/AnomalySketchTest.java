package dev.tokengate.control;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The anomaly rules' parts on their own: the {@code N/duration} limits (bounds, messages, windows as text) and the
 * per-token sketch (its windows to the millisecond, its bounded memory of networks, countries and denials).
 */
class AnomalySketchTest {

    private static Anomaly.Limit limit(int max, Duration window) {
        return Anomaly.Limit.of(max, window, 100);
    }

    @Test
    void limitParsesNPerDurationAndShowsItAsWritten() {
        Anomaly.Limit l = Anomaly.Limit.parse(" 3 /10m ", 10);
        assertThat(l.max()).isEqualTo(3);
        assertThat(l.window()).isEqualTo(Duration.ofMinutes(10));
        assertThat(l).hasToString("3/10m");
        assertThat(Anomaly.Limit.parse("1/7d", 1)).hasToString("1/7d");
        assertThat(Anomaly.Limit.parse("10/10", 10).window()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void limitRejectsWhatIsNotNPerDurationSayingWhy() {
        for (String notLimit : new String[] {"3", "/10m", "3/", " /10m", "3/ ", ""}) {
            assertThatThrownBy(() -> Anomaly.Limit.parse(notLimit, 10)).as(notLimit)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'" + notLimit + "' is not N/duration; write e.g. 3/10m");
        }
        assertThatThrownBy(() -> Anomaly.Limit.parse("x/10m", 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'x/10m': N must be a whole number; write e.g. 3/10m")
                .hasCauseInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> Anomaly.Limit.parse("0/10m", 10))
                .hasMessage("the limit must be from 1 to 10, not 0");
        assertThatThrownBy(() -> Anomaly.Limit.parse("11/10m", 10))
                .hasMessage("the limit must be from 1 to 10, not 11");
        assertThat(Anomaly.Limit.parse("10/10m", 10).max()).isEqualTo(10);
        assertThat(Anomaly.Limit.parse("1/10m", 10).max()).isEqualTo(1);
        assertThatThrownBy(() -> Anomaly.Limit.parse(null, 10)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void limitWindowIsPositiveAndAtMostSevenDays() {
        assertThat(limit(1, Duration.ofDays(7)).window()).isEqualTo(Duration.ofDays(7));
        assertThat(limit(1, Duration.ofMillis(1)).window()).isEqualTo(Duration.ofMillis(1));
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofMillis(-1), Duration.ofDays(7).plusMillis(1),
                null}) {
            assertThatThrownBy(() -> limit(1, bad)).as(String.valueOf(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the window must be positive and at most 7 days, not " + bad);
        }
    }

    @Test
    void windowsAreShownInTheLargestWholeUnit() {
        assertThat(Anomaly.Limit.text(Duration.ofDays(2))).isEqualTo("2d");
        assertThat(Anomaly.Limit.text(Duration.ofHours(25))).isEqualTo("25h");
        assertThat(Anomaly.Limit.text(Duration.ofHours(3))).isEqualTo("3h");
        assertThat(Anomaly.Limit.text(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(Anomaly.Limit.text(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Anomaly.Limit.text(Duration.ofSeconds(60))).isEqualTo("1m");
        assertThat(Anomaly.Limit.text(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Anomaly.Limit.text(Duration.ofMillis(1000))).isEqualTo("1s");
        assertThat(Anomaly.Limit.text(Duration.ofMillis(7))).isEqualTo("7ms");
    }

    @Test
    void denialsAreCountedWithinTheWindowToTheMillisecondAndReportedOnceWhenCrossed() {
        Anomaly.Limit two = limit(2, Duration.ofMillis(1000));
        AnomalyPolicy.Sketch s = new AnomalyPolicy.Sketch(Optional.empty(), Optional.of(two));
        assertThat(s.denialsOver(0, two)).isFalse(); // none yet
        assertThat(s.denial(1000, two)).isZero();
        assertThat(s.denial(1500, two)).isZero();
        assertThat(s.denialsOver(1500, two)).isFalse();
        assertThat(s.denial(1999, two)).isEqualTo(3); // crosses: 1000, 1500, 1999 within 1 s
        assertThat(s.denialsOver(1999, two)).isTrue();
        assertThat(s.denial(1999, two)).isZero(); // still over (1500, 1999, 1999): told once
        assertThat(s.denialsOver(2499, two)).isTrue(); // 1500 is within (1499, 2499]
        assertThat(s.denialsOver(2500, two)).isFalse(); // 1500 has left the window
        assertThat(s.denial(2600, two)).isEqualTo(3); // 1999, 1999, 2600: crossed again
        assertThat(s.denialsOver(2999, two)).isFalse(); // only 2600 remains
        assertThat(s.denial(3000, two)).isZero();
        assertThat(s.denial(3001, two)).isEqualTo(3); // 2600, 3000, 3001
    }

    @Test
    void denialsOverIsFalseOnceTheWindowHasPassedSoTheNextCrossingIsReported() {
        Anomaly.Limit one = limit(1, Duration.ofMillis(100));
        AnomalyPolicy.Sketch s = new AnomalyPolicy.Sketch(Optional.empty(), Optional.of(one));
        assertThat(s.denial(0, one)).isZero();
        assertThat(s.denial(10, one)).isEqualTo(2);
        assertThat(s.denialsOver(105, one)).isFalse(); // only 10 is left in (5, 105]: resets
        assertThat(s.denial(106, one)).isEqualTo(2); // 10 and 106: a new crossing, reported
    }

    @Test
    void networksAreCountedWithinTheWindowAndTheLeastRecentlySeenMakesRoom() {
        Anomaly.Limit two = limit(2, Duration.ofMillis(1000));
        AnomalyPolicy.Sketch s = new AnomalyPolicy.Sketch(Optional.of(two), Optional.empty());
        long a = Addresses.network("192.0.2.1").getAsLong();
        long b = Addresses.network("198.51.100.1").getAsLong();
        long c = Addresses.network("203.0.113.1").getAsLong();
        long d = Addresses.network("2001:db8:1::1").getAsLong();
        assertThat(s.network(a, 1000, two)).isNull();
        assertThat(s.network(b, 1100, two)).isNull();
        assertThat(s.network(a, 1200, two)).isNull(); // a seen again: still two networks
        AnomalyPolicy.Sketch.Seen seen = s.network(c, 1300, two);
        assertThat(seen.items()).containsExactly("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24");
        assertThat(seen.count()).isEqualTo(3);
        assertThat(seen.crossed()).isTrue();
        AnomalyPolicy.Sketch.Seen again = s.network(d, 1400, two); // full: b (1100) makes room
        assertThat(again.items()).containsExactly("192.0.2.0/24", "2001:db8:1:0:0:0:0:0/48", "203.0.113.0/24");
        assertThat(again.crossed()).isFalse();
        // at 2200 a (last seen 1200) has left the window (since = 1200, exclusive): c and d remain
        assertThat(s.network(c, 2200, two)).isNull();
        AnomalyPolicy.Sketch.Seen third = s.network(b, 2299, two); // a new crossing
        assertThat(third.items()).containsExactly("2001:db8:1:0:0:0:0:0/48", "203.0.113.0/24", "198.51.100.0/24");
        assertThat(third.crossed()).isTrue();
    }

    @Test
    void aNetworkSeenAgainKeepsItsLatestTime() {
        Anomaly.Limit one = limit(1, Duration.ofMillis(1000));
        AnomalyPolicy.Sketch s = new AnomalyPolicy.Sketch(Optional.of(one), Optional.empty());
        long a = Addresses.network("192.0.2.1").getAsLong();
        long b = Addresses.network("198.51.100.1").getAsLong();
        assertThat(s.network(a, 1000, one)).isNull();
        assertThat(s.network(a, 1900, one)).isNull();
        assertThat(s.network(a, 1500, one)).isNull(); // out of order: 1900 stays
        // at 2800 a was last seen at 1900, within the window: two networks
        assertThat(s.network(b, 2800, one)).isNotNull();
    }

    private static SharedAnomalyState.Recorded answer(boolean crossed, Object... valueAndTime) {
        List<SharedAnomalyState.Seen> entries = new java.util.ArrayList<>();
        for (int i = 0; i < valueAndTime.length; i += 2) {
            entries.add(new SharedAnomalyState.Seen((String) valueAndTime[i], (Long) valueAndTime[i + 1]));
        }
        return new SharedAnomalyState.Recorded(entries, crossed, false);
    }

    @Test
    void withSharedStateANetworkIsReportedWhenNewOrDueAndWithItEveryNetworkAsDue() {
        Anomaly.Limit three = limit(3, Duration.ofMillis(1000));
        AnomalyPolicy.Sketch s = new AnomalyPolicy.Sketch(Optional.of(three), Optional.empty());
        long a = Addresses.network("192.0.2.1").getAsLong();
        long b = Addresses.network("198.51.100.1").getAsLong();
        AnomalyPolicy.Sketch.Report first = s.recordNetwork(a, 1000, three, 500);
        assertThat(first.seen()).containsExactly(new SharedAnomalyState.Seen("192.0.2.0/24", 1000));
        assertThat(first.overBefore()).isFalse();
        assertThat(s.recordNetwork(a, 1499, three, 500)).as("reported 499 ms ago: not due").isNull();
        s.unreport(first); // that report failed: due again, with its latest use
        AnomalyPolicy.Sketch.Report again = s.recordNetwork(b, 1600, three, 500);
        assertThat(again.seen()).containsExactly(new SharedAnomalyState.Seen("192.0.2.0/24", 1499),
                new SharedAnomalyState.Seen("198.51.100.0/24", 1600));
        assertThat(s.recordNetwork(a, 1700, three, 500)).isNull();
        assertThat(s.recordNetwork(a, 2000, three, 500)).as("reported at 1499, 501 ms ago").isNotNull()
                .satisfies(r -> assertThat(r.seen()).containsExactly(new SharedAnomalyState.Seen("192.0.2.0/24",
                        2000)));
    }

    @Test
    void theSharedAnswerIsMergedAndOnlyItsCrossingOfATokenNotOverHereIsReported() {
        Anomaly.Limit three = limit(3, Duration.ofMillis(1000));
        AnomalyPolicy.Sketch s = new AnomalyPolicy.Sketch(Optional.of(three), Optional.empty());
        long a = Addresses.network("192.0.2.1").getAsLong();
        AnomalyPolicy.Sketch.Report report = s.recordNetwork(a, 1000, three, 500);
        assertThat(s.merge(answer(false, "192.0.2.0/24", 1000L, "2001:db8:1:0:0:0:0:0/48", 990L,
                "not a network", 995L), report, 1000, three)).as("two networks: under the limit").isNull();
        AnomalyPolicy.Sketch.Seen over = s.merge(answer(true, "198.51.100.0/24", 1001L, "203.0.113.0/24", 1002L,
                "192.0.2.0/24", 1000L), report, 1002, three);
        assertThat(over.count()).isEqualTo(4);
        assertThat(over.items()).containsExactlyInAnyOrder("192.0.2.0/24", "2001:db8:1:0:0:0:0:0/48",
                "198.51.100.0/24", "203.0.113.0/24");
        assertThat(over.crossed()).isTrue();
        assertThat(s.networks(1003, three, false)).as("a repeat call: over, not crossed").isNotNull()
                .satisfies(seen -> assertThat(seen.crossed()).isFalse());
        AnomalyPolicy.Sketch.Report overHere = s.recordNetwork(Addresses.network("100.64.0.1").getAsLong(), 1004,
                three, 500);
        assertThat(overHere.overBefore()).isTrue();
        assertThat(s.merge(answer(true, "100.64.0.0/24", 1004L), overHere, 1004, three).crossed())
                .as("over here already (Redis lost the others): not reported again").isFalse();
        assertThat(s.networks(2003, three, false)).as("only 100.64.0.0/24 (1004) is left").isNull();
    }

    @Test
    void aSharedStateThatHoldsLessThanThisNodeKnowsLetsThisNodeReportTheCrossing() {
        Anomaly.Limit one = limit(1, Duration.ofMillis(1000));
        AnomalyPolicy.Sketch s = new AnomalyPolicy.Sketch(Optional.of(one), Optional.empty());
        AnomalyPolicy.Sketch.Report first = s.recordNetwork(Addresses.network("192.0.2.1").getAsLong(), 1000, one,
                500);
        assertThat(s.merge(answer(false, "192.0.2.0/24", 1000L), first, 1000, one)).isNull();
        AnomalyPolicy.Sketch.Report second = s.recordNetwork(Addresses.network("198.51.100.1").getAsLong(), 1100,
                one, 500);
        assertThat(second.seen()).as("192.0.2.0/24 was reported 100 ms ago").hasSize(1);
        assertThat(s.merge(answer(false, "198.51.100.0/24", 1100L), second, 1100, one))
                .as("Redis lost 192.0.2.0/24 (restarted empty): two networks here, none crossed there")
                .satisfies(seen -> assertThat(seen.crossed()).isTrue());
        AnomalyPolicy.Sketch other = new AnomalyPolicy.Sketch(Optional.of(one), Optional.empty());
        AnomalyPolicy.Sketch.Report third = other.recordNetwork(Addresses.network("203.0.113.1").getAsLong(), 1200,
                one, 500);
        assertThat(other.merge(answer(false, "203.0.113.0/24", 1200L, "198.51.100.0/24", 1100L, "192.0.2.0/24",
                1000L), third, 1200, one)).as("over there already: another node reported it")
                .satisfies(seen -> assertThat(seen.crossed()).isFalse());
    }

    @Test
    void aFullSketchKeepsItsMoreRecentNetworksOverOlderOnesFromTheSharedAnswer() {
        Anomaly.Limit one = limit(1, Duration.ofMillis(1000));
        AnomalyPolicy.Sketch s = new AnomalyPolicy.Sketch(Optional.of(one), Optional.empty());
        s.network(Addresses.network("192.0.2.1").getAsLong(), 1000, one);
        AnomalyPolicy.Sketch.Report report = s.recordNetwork(Addresses.network("198.51.100.1").getAsLong(), 1100,
                one, 500);
        AnomalyPolicy.Sketch.Seen seen = s.merge(answer(false, "203.0.113.0/24", 900L, "100.64.0.0/24", 1050L),
                report, 1100, one);
        assertThat(seen.items()).as("100.64.0.0/24 (1050) replaces 192.0.2.0/24 (1000); 203.0.113.0/24 (900) is "
                + "older than both").containsExactlyInAnyOrder("100.64.0.0/24", "198.51.100.0/24");
    }

    @Test
    void sharedDenialsCountWhenTheyAreMoreThanThisNodesAndTheirCrossingIsReportedOnce() {
        Anomaly.Limit two = limit(2, Duration.ofMillis(1000));
        AnomalyPolicy.Sketch s = new AnomalyPolicy.Sketch(Optional.empty(), Optional.of(two));
        assertThat(s.recordSharedDenial(1000, two)).isFalse();
        assertThat(s.mergeDenials(answer(false, "n1-1", 900L, "n2-1", 1000L), false, 1000, two)).isZero();
        assertThat(s.denialsOver(1000, two)).isFalse();
        assertThat(s.recordSharedDenial(1100, two)).isFalse();
        assertThat(s.mergeDenials(answer(true, "n1-2", 1100L, "n2-1", 1000L, "n1-1", 900L), false, 1100, two))
                .isEqualTo(3);
        assertThat(s.denialsOver(1899, two)).as("900, 1000, 1100: three of every node's, two of this one's")
                .isTrue();
        assertThat(s.denialsOver(1900, two)).isFalse(); // 900 has left the window
        assertThat(s.recordSharedDenial(1950, two)).isFalse();
        assertThat(s.denials(1950, two, true)).as("Redis down: this node's three, a crossing of its own")
                .isEqualTo(3);
    }

    @Test
    void withSharedStateACountryKnownHereIsNotAskedForAndOneAddedToTheOthersIsTold() {
        AnomalyPolicy.Sketch s = new AnomalyPolicy.Sketch(Optional.empty(), Optional.empty());
        assertThat(s.newCountry("DE")).as("the first here").isEmpty();
        assertThat(s.mergeCountries(new SharedAnomalyState.Recorded(List.of(new SharedAnomalyState.Seen("DE", 5),
                new SharedAnomalyState.Seen("FR", 4), new SharedAnomalyState.Seen("US", 3)), false, true), "DE"))
                .as("added to FR and US, seen on other nodes").containsExactly("US", "FR", "DE");
        assertThat(s.newCountry("FR")).as("learned from the answer: known here").isNull();
        assertThat(s.newCountry("DE")).isNull();
        assertThat(s.newCountry("JP")).as("new here: the local list, for when Redis is down")
                .containsExactly("US", "FR", "DE", "JP");
        assertThat(s.mergeCountries(new SharedAnomalyState.Recorded(List.of(new SharedAnomalyState.Seen("JP", 6),
                new SharedAnomalyState.Seen("DE", 5)), false, false), "JP")).as("another node added it first")
                .isNull();
        assertThat(s.mergeCountries(new SharedAnomalyState.Recorded(List.of(new SharedAnomalyState.Seen("BR", 7)),
                false, true), "BR")).as("the token's first anywhere").isNull();
        for (String c : List.of("C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8")) {
            s.newCountry(c);
        }
        assertThat(s.newCountry("US")).as("bounded: the oldest were forgotten").isNotNull();
    }

    @Test
    void countriesAreToldWhenNewAndKeptMostRecentLast() {
        AnomalyPolicy.Sketch s = new AnomalyPolicy.Sketch(Optional.empty(), Optional.empty());
        assertThat(s.country("DE")).isNull(); // the first is not an anomaly
        assertThat(s.country("DE")).isNull();
        assertThat(s.country("FR")).isEqualTo(List.of("DE", "FR"));
        assertThat(s.country("US")).isEqualTo(List.of("DE", "FR", "US"));
        assertThat(s.country("DE")).isNull(); // known: moves to the end
        assertThat(s.country("JP")).isEqualTo(List.of("FR", "US", "DE", "JP"));
        assertThat(s.country("FR")).isNull();
        assertThat(s.country("BR")).isEqualTo(List.of("US", "DE", "JP", "FR", "BR"));
    }

    @Test
    void countriesBeyondTheMostKeptForgetTheLeastRecent() {
        AnomalyPolicy.Sketch s = new AnomalyPolicy.Sketch(Optional.empty(), Optional.empty());
        int max = AnomalyRules.MAX_COUNTRIES;
        for (int i = 0; i < max; i++) {
            s.country("C" + i);
        }
        List<String> told = s.country("NEW");
        assertThat(told).hasSize(max).startsWith("C1").endsWith("C" + (max - 1), "NEW");
        assertThat(s.country("C0")).as("forgotten, so new again").isNotNull().endsWith("NEW", "C0");
        assertThat(s.country("NEW")).isNull();
    }

    @Test
    void whenNetworksWereLastSeenAtTheSameTimeTheFirstKeptMakesRoom() {
        Anomaly.Limit two = limit(2, Duration.ofMillis(1000));
        AnomalyPolicy.Sketch s = new AnomalyPolicy.Sketch(Optional.of(two), Optional.empty());
        s.network(Addresses.network("192.0.2.1").getAsLong(), 1000, two);
        s.network(Addresses.network("198.51.100.1").getAsLong(), 1000, two);
        s.network(Addresses.network("203.0.113.1").getAsLong(), 1000, two);
        AnomalyPolicy.Sketch.Seen seen = s.network(Addresses.network("100.64.0.1").getAsLong(), 1000, two);
        assertThat(seen.items()).containsExactly("100.64.0.0/24", "198.51.100.0/24", "203.0.113.0/24");
    }

    @Test
    void rulesAndActionsAreNamedAsConfigured() {
        assertThat(Anomaly.Rule.NETWORKS.value()).isEqualTo("networks");
        assertThat(Anomaly.Rule.DENIALS.mark()).isEqualTo("anomaly:denials");
        assertThat(Anomaly.Rule.COUNTRIES).hasToString("countries");
        assertThat(Anomaly.Action.REVOKE.value()).isEqualTo("revoke");
        assertThat(Anomaly.Action.parse(" LOG ")).isEqualTo(Anomaly.Action.LOG);
        assertThat(Anomaly.Action.LOG).hasToString("log");
        assertThatThrownBy(() -> Anomaly.Action.parse("block"))
                .hasMessage("'block' is not an anomaly action; write log or revoke");
    }

    @Test
    void thePolicyLetsARequestWithoutATokenHashThroughAndNamesItself() {
        var policy = AnomalyRules.builder().maxNetworks(1, Duration.ofMinutes(1)).build()
                .policy(Revocations.inMemory(java.time.Clock.systemUTC()), List.of(), true).orElseThrow();
        assertThat(policy).hasToString("anomaly rules");
        var request = dev.tokengate.policy.RequestFacts.builder().requestId("r").method("GET").path("/")
                .clientAddress("192.0.2.1").time(java.time.Instant.EPOCH)
                .requirement(dev.tokengate.authorize.Requirement.allOf("read")).build();
        var token = dev.tokengate.VerifiedToken.builder(dev.tokengate.VerifiedToken.Kind.JWT).subject("a").build();
        assertThat(policy.check(token, request)).isEqualTo(dev.tokengate.policy.PolicyDecision.allow());
        assertThat(RateLimits.none().policy(java.time.Clock.systemUTC()).toString())
                .isEqualTo("rate limits " + RateLimits.none());
    }
}
