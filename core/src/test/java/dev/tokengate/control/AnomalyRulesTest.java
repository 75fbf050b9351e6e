package dev.tokengate.control;

import dev.tokengate.ConfigurationException;
import dev.tokengate.ErrorResponse;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.IpRange;
import dev.tokengate.Outcome;
import dev.tokengate.TokenGate;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.log.CallEvent;
import dev.tokengate.log.Fingerprints;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestRequest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each anomaly rule through a gate: when it fires, what is logged, marked, revoked, and told to the listeners. */
class AnomalyRulesTest {

    /** The DB-IP Lite country database the build downloads (see the parent pom: download-maven-plugin). */
    static final Path DBIP = Path.of("target/geoip/package/dbip-country.mmdb");

    private static final String READ = "read.token.of.alice";
    private static final String OPAQUE = "opaque.token.without.id";
    private static final String RESTRICTED = "restricted.token.value";
    private static final Instant NOW = Instant.parse("2029-03-01T09:30:00Z");

    private final FakeTime time = new FakeTime(NOW);
    private final List<CallEvent> events = new ArrayList<>();
    private final List<Anomaly> anomalies = new ArrayList<>();

    private static VerifiedToken validate(String token) {
        return switch (token) {
            case READ -> VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("alice").clientId("portfolio-tracker")
                    .tokenId("jti-read-1").scopes(List.of("read")).expiresAt(NOW.plus(Duration.ofHours(1))).build();
            case OPAQUE -> VerifiedToken.builder(VerifiedToken.Kind.INTROSPECTED).subject("bob").scopes(List.of("read"))
                    .build();
            case RESTRICTED -> VerifiedToken.builder(VerifiedToken.Kind.STORED).subject("bot").tokenId("42")
                    .scopes(List.of("read")).allowedAddresses(List.of(IpRange.parse("203.0.113.0/24"))).build();
            default -> throw new InvalidTokenException("The token's signature does not verify.", "signature");
        };
    }

    private TokenGate gate(AnomalyRules.Builder rules) {
        return gate(rules, TokenGate.Mode.ENFORCE);
    }

    private TokenGate gate(AnomalyRules.Builder rules, TokenGate.Mode mode) {
        return TokenGate.builder().validator(AnomalyRulesTest::validate).callLogSink(events::add).clock(time)
                .mode(mode).anomalyRules(rules).anomalyListener(anomalies::add).build();
    }

    /** One request; its status (200 when admitted). */
    private static int call(TokenGate gate, String token, String address, Requirement requirement) {
        TokenGate.Call call = gate.begin(TestRequest.get("/api/account/balances").bearer(token)
                .remoteAddress(address));
        int status = 200;
        try {
            if (call.authorize(requirement) instanceof Outcome.Rejected r) {
                ErrorResponse response = call.errorResponse(r.error());
                status = response.status();
            }
            return status;
        } finally {
            call.finish(status);
        }
    }

    private static int read(TokenGate gate, String token, String address) {
        return call(gate, token, address, Requirement.allOf("read"));
    }

    private CallEvent lastEvent() {
        return events.get(events.size() - 1);
    }

    // ---- networks

    @Test
    void networksWhenFourthNetworkInWindowThenLoggedMarkedAndToldOnce() {
        TokenGate gate = gate(AnomalyRules.builder().maxNetworks(3, Duration.ofMinutes(10)));
        try (LogCapture logs = LogCapture.start()) {
            assertThat(read(gate, READ, "198.51.100.7")).isEqualTo(200);
            assertThat(read(gate, READ, "198.51.100.200")).isEqualTo(200); // the same /24
            assertThat(read(gate, READ, "203.0.113.9")).isEqualTo(200);
            assertThat(read(gate, READ, "192.0.2.1")).isEqualTo(200);
            assertThat(anomalies).isEmpty();
            assertThat(lastEvent().marks()).isEmpty();

            time.advance(Duration.ofMinutes(1));
            assertThat(read(gate, READ, "100.64.0.1")).isEqualTo(200); // log: the request goes on
            assertThat(lastEvent().marks()).containsExactly("anomaly:networks");
            assertThat(anomalies).singleElement().satisfies(a -> {
                assertThat(a.rule()).isEqualTo(Anomaly.Rule.NETWORKS);
                assertThat(a.action()).isEqualTo(Anomaly.Action.LOG);
                assertThat(a.count()).isEqualTo(4);
                assertThat(a.seen()).containsExactlyInAnyOrder("198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24",
                        "100.64.0.0/24");
                assertThat(a.subject()).contains("alice");
                assertThat(a.clientId()).contains("portfolio-tracker");
                assertThat(a.clientAddress()).isEqualTo("100.64.0.1");
                assertThat(a.tokenFingerprint()).isEqualTo(Fingerprints.fingerprint(Fingerprints.sha256(READ)));
                assertThat(a.time()).isEqualTo(NOW.plus(Duration.ofMinutes(1)));
            });
            assertThat(logs.lines(AnomalyRules.class.getName())).singleElement().satisfies(line -> assertThat(line)
                    .startsWith("tokengate anomaly networks: token " + anomalies.get(0).tokenFingerprint())
                    .contains("used from 4 networks within 10m (at most 3 allowed)").contains("action log"));

            assertThat(read(gate, READ, "198.51.100.7")).isEqualTo(200); // still over: marked, not told again
            assertThat(lastEvent().marks()).containsExactly("anomaly:networks");
            assertThat(anomalies).hasSize(1);
            assertThat(gate.revocations().list()).isEmpty();
            assertThat(logs.text()).doesNotContain(READ);
        }
    }

    @Test
    void networksWhenOlderUsesLeaveTheWindowThenNoAnomaly() {
        TokenGate gate = gate(AnomalyRules.builder().maxNetworks(2, Duration.ofMinutes(10)));
        read(gate, READ, "198.51.100.7");
        read(gate, READ, "203.0.113.9");
        time.advance(Duration.ofMinutes(10)); // both now out of the window
        assertThat(read(gate, READ, "192.0.2.1")).isEqualTo(200);
        assertThat(read(gate, READ, "100.64.0.1")).isEqualTo(200);
        assertThat(anomalies).isEmpty();
        time.advance(Duration.ofMinutes(9));
        read(gate, READ, "198.51.100.7");
        assertThat(anomalies).singleElement().satisfies(a -> assertThat(a.seen())
                .containsExactlyInAnyOrder("192.0.2.0/24", "100.64.0.0/24", "198.51.100.0/24"));
    }

    @Test
    void networksWhenIpv6ThenOne48IsOneNetwork() {
        TokenGate gate = gate(AnomalyRules.builder().maxNetworks(1, Duration.ofMinutes(10)));
        read(gate, READ, "2001:db8:1:1::1");
        read(gate, READ, "[2001:db8:1:ffff::2]"); // the same /48
        assertThat(anomalies).isEmpty();
        read(gate, READ, "2001:db8:2::1");
        assertThat(anomalies).singleElement().satisfies(a -> assertThat(a.seen())
                .containsExactlyInAnyOrder("2001:db8:1:0:0:0:0:0/48", "2001:db8:2:0:0:0:0:0/48"));
    }

    @Test
    void networksWhenTokensDifferThenCountedApart() {
        TokenGate gate = gate(AnomalyRules.builder().maxNetworks(1, Duration.ofMinutes(10)));
        read(gate, READ, "198.51.100.7");
        read(gate, OPAQUE, "203.0.113.9");
        assertThat(anomalies).isEmpty();
    }

    @Test
    void networksWhenActionRevokeThenTriggeringRequestRefusedAndTokenRevokedByJti() {
        TokenGate gate = gate(AnomalyRules.builder().maxNetworks(3, Duration.ofMinutes(10))
                .action(Anomaly.Action.REVOKE));
        for (String address : List.of("198.51.100.7", "203.0.113.9", "192.0.2.1")) {
            assertThat(read(gate, READ, address)).isEqualTo(200);
        }
        assertThat(read(gate, READ, "100.64.0.1")).isEqualTo(401);
        CallEvent refused = lastEvent();
        assertThat(refused.decision()).isEqualTo("deny");
        assertThat(refused.errorCode()).contains("invalid_token");
        assertThat(refused.marks()).containsExactly("anomaly:networks", "revoked");
        assertThat(refused.reason()).hasValueSatisfying(r -> assertThat(r)
                .isEqualTo("anomaly networks: used from 4 networks within 10m (at most 3 allowed); token revoked"));
        assertThat(gate.revocations().list()).singleElement().satisfies(r -> {
            assertThat(r.target()).isEqualTo(Revocation.Target.TOKEN_ID);
            assertThat(r.value()).isEqualTo("jti-read-1");
            assertThat(r.reason()).isEqualTo("anomaly networks: used from 4 networks within 10m (at most 3 allowed)");
            assertThat(r.expiresAt()).contains(NOW.plus(Duration.ofHours(1)));
        });
        assertThat(anomalies).singleElement().satisfies(a -> assertThat(a.action()).isEqualTo(Anomaly.Action.REVOKE));

        assertThat(read(gate, READ, "198.51.100.7")).isEqualTo(401); // from a known network too: revoked
        assertThat(lastEvent().marks()).containsExactly("revoked");
    }

    @Test
    void networksWhenTokenHasNoIdThenRevokedByHash() {
        TokenGate gate = gate(AnomalyRules.builder().maxNetworks(1, Duration.ofMinutes(10))
                .action(Anomaly.Action.REVOKE));
        read(gate, OPAQUE, "198.51.100.7");
        assertThat(read(gate, OPAQUE, "203.0.113.9")).isEqualTo(401);
        assertThat(gate.revocations().list()).singleElement().satisfies(r -> {
            assertThat(r.target()).isEqualTo(Revocation.Target.TOKEN);
            assertThat(r.value()).isEqualTo(Fingerprints.hex(Fingerprints.sha256(OPAQUE)));
            assertThat(r.expiresAt()).isEmpty();
        });
    }

    @Test
    void networksWhenRevocationLiftedThenNotRefusedAgainUntilItCrossesAgain() {
        TokenGate gate = gate(AnomalyRules.builder().maxNetworks(1, Duration.ofMinutes(10))
                .action(Anomaly.Action.REVOKE));
        read(gate, READ, "198.51.100.7");
        assertThat(read(gate, READ, "203.0.113.9")).isEqualTo(401);
        assertThat(gate.revocations().lift(Revocation.Target.TOKEN_ID, "jti-read-1")).isTrue();
        assertThat(read(gate, READ, "203.0.113.9")).isEqualTo(200);
        assertThat(lastEvent().marks()).containsExactly("anomaly:networks");
        assertThat(anomalies).hasSize(1);
    }

    @Test
    void networksWhenReportOnlyThenActionRevokeRevokesNothing() {
        TokenGate gate = gate(AnomalyRules.builder().maxNetworks(1, Duration.ofMinutes(10))
                .action(Anomaly.Action.REVOKE), TokenGate.Mode.REPORT_ONLY);
        read(gate, READ, "198.51.100.7");
        assertThat(read(gate, READ, "203.0.113.9")).isEqualTo(200);
        assertThat(lastEvent().decision()).isEqualTo("would_deny");
        assertThat(lastEvent().reason()).hasValueSatisfying(r -> assertThat(r).endsWith("; would be revoked"));
        assertThat(gate.revocations().list()).isEmpty();
        assertThat(anomalies).singleElement().satisfies(a -> {
            assertThat(a.action()).isEqualTo(Anomaly.Action.LOG);
            assertThat(a.description()).endsWith("(report-only: not revoked)");
        });
    }

    @Test
    void networkIsThe24OrThe48TheRuleCounts() {
        assertThat(AnomalyRules.network("203.0.113.9")).hasValue("203.0.113.0/24");
        assertThat(AnomalyRules.network("2001:db8:1:2::7")).hasValue(AnomalyRules.network("2001:db8:1:ffff::1").orElseThrow())
                .hasValueSatisfying(n -> assertThat(n).endsWith("/48"));
        assertThat(AnomalyRules.network("not-an-address")).isEmpty();
    }

    @Test
    void networksWhenAddressIsNotALiteralThenIgnored() {
        TokenGate gate = gate(AnomalyRules.builder().maxNetworks(1, Duration.ofMinutes(10)));
        read(gate, READ, "unknown");
        read(gate, READ, "198.51.100.7");
        assertThat(anomalies).isEmpty();
    }

    @Test
    void sketchKeepsAtMostLimitPlusOneNetworks() {
        AnomalyPolicy.Sketch sketch = new AnomalyPolicy.Sketch(Optional.of(Anomaly.Limit.of(3, Duration.ofMinutes(10), 100)),
                Optional.empty());
        AnomalyPolicy.Sketch.Seen seen = null;
        for (int i = 0; i < 1000; i++) {
            seen = sketch.network(Addresses.network("10." + (i / 256) + "." + (i % 256) + ".1").getAsLong(),
                    NOW.toEpochMilli() + i, Anomaly.Limit.of(3, Duration.ofMinutes(10), 100));
        }
        assertThat(seen.count()).isEqualTo(4);
        assertThat(seen.crossed()).isFalse(); // crossed once, at the 4th
        assertThat(seen.items()).containsExactlyInAnyOrder("10.3.228.0/24", "10.3.229.0/24", "10.3.230.0/24",
                "10.3.231.0/24");
    }

    @Test
    void stateIsBoundedByMaxTrackedTokens() {
        AnomalyRules rules = AnomalyRules.builder().maxNetworks(1, Duration.ofMinutes(10)).maxTrackedTokens(1).build();
        assertThat(rules.policy(Revocations.inMemory(time), List.of(), true)).isPresent();
        TokenGate gate = gate(AnomalyRules.builder().maxNetworks(1, Duration.ofMinutes(10)).maxTrackedTokens(10));
        for (int i = 0; i < 200; i++) { // invalid tokens never reach the rules; valid ones do
            read(gate, i % 2 == 0 ? READ : OPAQUE, "198.51.100.7");
        }
        assertThat(anomalies).isEmpty();
    }

    // ---- countries (DB-IP Lite: 8.8.8.8 US, 193.0.6.139 NL, 81.2.69.160 GB)

    @Test
    void countriesWhenNewCountryThenLoggedAndMarkedOncePerCountry() {
        TokenGate gate = gate(AnomalyRules.builder().geoipDatabase(DBIP));
        assertThat(read(gate, READ, "8.8.8.8")).isEqualTo(200);       // US: the first country
        assertThat(read(gate, READ, "10.1.2.3")).isEqualTo(200);      // a private address has no country
        assertThat(read(gate, READ, "127.0.0.1")).isEqualTo(200);
        assertThat(anomalies).isEmpty();
        assertThat(read(gate, READ, "193.0.6.139")).isEqualTo(200);   // NL: new
        assertThat(lastEvent().marks()).containsExactly("anomaly:countries");
        assertThat(anomalies).singleElement().satisfies(a -> {
            assertThat(a.rule()).isEqualTo(Anomaly.Rule.COUNTRIES);
            assertThat(a.seen()).containsExactly("US", "NL");
            assertThat(a.description()).isEqualTo("anomaly countries: used from NL after only US");
        });
        assertThat(read(gate, READ, "8.8.8.8")).isEqualTo(200);       // US again: known
        assertThat(read(gate, READ, "193.0.6.139")).isEqualTo(200);
        assertThat(lastEvent().marks()).isEmpty();
        assertThat(read(gate, READ, "81.2.69.160")).isEqualTo(200);   // GB: new again
        assertThat(anomalies).hasSize(2);
        assertThat(anomalies.get(1).seen()).containsExactly("US", "NL", "GB");
    }

    @Test
    void whenEveryRuleFlagsOneRequestThenItCarriesTheFirstTwoMarks() {
        TokenGate gate = gate(AnomalyRules.builder().geoipDatabase(DBIP).maxNetworks(1, Duration.ofMinutes(10))
                .maxDenials(1, Duration.ofMinutes(10)));
        assertThat(call(gate, READ, "8.8.8.8", Requirement.allOf("trade"))).isEqualTo(403);
        assertThat(call(gate, READ, "8.8.8.8", Requirement.allOf("trade"))).isEqualTo(403);
        assertThat(read(gate, READ, "8.8.8.8")).isEqualTo(200);
        assertThat(lastEvent().marks()).containsExactly("anomaly:denials");
        assertThat(read(gate, READ, "193.0.6.139")).isEqualTo(200);   // a second network, in NL
        assertThat(lastEvent().marks()).containsExactly("anomaly:networks", "anomaly:countries");
        assertThat(anomalies).extracting(Anomaly::rule)
                .containsExactly(Anomaly.Rule.DENIALS, Anomaly.Rule.NETWORKS, Anomaly.Rule.COUNTRIES);
    }

    @Test
    void countriesWhenIpv6ThenLookedUpToo() {
        TokenGate gate = gate(AnomalyRules.builder().geoipDatabase(DBIP).action(Anomaly.Action.REVOKE));
        assertThat(read(gate, READ, "2001:67c:2e8::1")).isEqualTo(200);  // NL
        assertThat(read(gate, READ, "193.0.6.139")).isEqualTo(200);      // NL over IPv4
        assertThat(read(gate, READ, "8.8.8.8")).isEqualTo(401);          // US: new, revoked
        assertThat(lastEvent().marks()).containsExactly("anomaly:countries", "revoked");
        assertThat(gate.revocations().list()).singleElement().satisfies(r -> assertThat(r.reason())
                .isEqualTo("anomaly countries: used from US after only NL"));
    }

    @Test
    void countriesWhenDatabaseUnreadableThenConfigurationNamesTheKey() throws Exception {
        Path notADatabase = Files.createTempFile("tokengate", ".mmdb");
        Files.writeString(notADatabase, "not a database");
        assertThatThrownBy(() -> TokenGate.builder().config(source(Map.of(ConfigKeys.ANOMALY_GEOIP_DATABASE,
                notADatabase.toString()))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(ConfigKeys.ANOMALY_GEOIP_DATABASE)
                .hasMessageContaining("as a MaxMind .mmdb");
        assertThatThrownBy(() -> TokenGate.builder().config(source(Map.of(ConfigKeys.ANOMALY_GEOIP_DATABASE,
                "/nonexistent/country.mmdb"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(ConfigKeys.ANOMALY_GEOIP_DATABASE)
                .hasMessageContaining("not a readable file");
    }

    // ---- denials

    @Test
    void denialsWhenScopeRefusalsOverLimitThenLoggedAndLaterRequestsMarked() {
        TokenGate gate = gate(AnomalyRules.builder().maxDenials(3, Duration.ofMinutes(1)));
        for (int i = 0; i < 3; i++) {
            assertThat(call(gate, READ, "198.51.100.7", Requirement.allOf("trade"))).isEqualTo(403);
        }
        assertThat(anomalies).isEmpty();
        assertThat(read(gate, READ, "198.51.100.7")).isEqualTo(200);
        assertThat(lastEvent().marks()).isEmpty();
        assertThat(call(gate, READ, "198.51.100.7", Requirement.allOf("withdraw"))).isEqualTo(403);
        assertThat(anomalies).singleElement().satisfies(a -> {
            assertThat(a.rule()).isEqualTo(Anomaly.Rule.DENIALS);
            assertThat(a.count()).isEqualTo(4);
            assertThat(a.description()).isEqualTo("anomaly denials: refused 4 times (insufficient scope or IP range) "
                    + "within 1m (at most 3 allowed)");
        });
        assertThat(read(gate, READ, "198.51.100.7")).isEqualTo(200);
        assertThat(lastEvent().marks()).containsExactly("anomaly:denials");
        time.advance(Duration.ofMinutes(1));
        assertThat(read(gate, READ, "198.51.100.7")).isEqualTo(200);
        assertThat(lastEvent().marks()).isEmpty();
    }

    @Test
    void denialsWhenActionRevokeThenTokenRevokedAfterTheTriggeringRefusal() {
        TokenGate gate = gate(AnomalyRules.builder().maxDenials(2, Duration.ofMinutes(1))
                .action(Anomaly.Action.REVOKE));
        call(gate, READ, "198.51.100.7", Requirement.allOf("trade"));
        call(gate, READ, "198.51.100.7", Requirement.allOf("trade"));
        assertThat(gate.revocations().list()).isEmpty();
        assertThat(call(gate, READ, "198.51.100.7", Requirement.allOf("withdraw"))).isEqualTo(403);
        assertThat(gate.revocations().list()).singleElement().satisfies(r -> assertThat(r.reason())
                .startsWith("anomaly denials: refused 3 times"));
        assertThat(read(gate, READ, "198.51.100.7")).isEqualTo(401);
        assertThat(lastEvent().marks()).containsExactly("revoked");
    }

    @Test
    void denialsCountIpRangeRefusalsButNotOthers() {
        TokenGate gate = gate(AnomalyRules.builder().maxDenials(1, Duration.ofMinutes(1)));
        assertThat(read(gate, RESTRICTED, "198.51.100.7")).isEqualTo(401);
        assertThat(lastEvent().marks()).containsExactly("address");
        assertThat(anomalies).isEmpty();
        assertThat(read(gate, "not.a.valid.token", "198.51.100.7")).isEqualTo(401); // invalid: never counted
        assertThat(read(gate, RESTRICTED, "192.0.2.1")).isEqualTo(401);
        assertThat(anomalies).singleElement().satisfies(a -> assertThat(a.subject()).contains("bot"));
    }

    // ---- configuration

    private static ConfigSource source(Map<String, String> params) {
        return ConfigSource.of(params, Map.of(), new Properties());
    }

    @Test
    void configReadsEveryKey() {
        AnomalyRules rules = AnomalyRules.config(source(Map.of(ConfigKeys.ANOMALY_MAX_NETWORKS, "3/10m",
                ConfigKeys.ANOMALY_MAX_DENIALS, "5 / 1m", ConfigKeys.ANOMALY_GEOIP_DATABASE, DBIP.toString(),
                ConfigKeys.ANOMALY_ACTION, "REVOKE"))).build();
        assertThat(rules.action()).isEqualTo(Anomaly.Action.REVOKE);
        assertThat(rules.toString()).contains("networks 3/10m", "denials 5/1m", "country ipvAll (dbip-country.mmdb");
    }

    @Test
    void configWhenNoAnomalyKeyThenNoRuleAndNoPolicy() {
        AnomalyRules rules = AnomalyRules.config(source(Map.of())).build();
        assertThat(rules.enabled()).isFalse();
        assertThat(rules.action()).isEqualTo(Anomaly.Action.LOG);
        assertThat(rules.policy(Revocations.inMemory(time), List.of(), true)).isEmpty();
    }

    @Test
    void configWhenMalformedThenTheKeyIsNamed() {
        for (String bad : List.of("3", "/10m", "3/", "three/10m", "0/10m", "101/10m", "3/0s", "3/8d", "3/soon")) {
            assertThatThrownBy(() -> AnomalyRules.config(source(Map.of(ConfigKeys.ANOMALY_MAX_NETWORKS, bad))))
                    .as(bad).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining(ConfigKeys.ANOMALY_MAX_NETWORKS);
        }
        assertThatThrownBy(() -> AnomalyRules.config(source(Map.of(ConfigKeys.ANOMALY_ACTION, "block"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(ConfigKeys.ANOMALY_ACTION)
                .hasMessageContaining("write log or revoke");
        assertThatThrownBy(() -> AnomalyRules.builder().maxDenials(0, Duration.ofMinutes(1)))
                .hasMessageStartingWith("maxDenials: ");
    }

    @Test
    void configThroughTheGateBuilderTurnsTheRuleOn() {
        TokenGate gate = TokenGate.builder().validator(AnomalyRulesTest::validate).callLogSink(events::add).clock(time)
                .config(source(Map.of(ConfigKeys.ANOMALY_MAX_NETWORKS, "1/1m",
                        ConfigKeys.ANOMALY_ACTION, "revoke")))
                .anomalyListener(anomalies::add).build();
        read(gate, READ, "198.51.100.7");
        assertThat(read(gate, READ, "203.0.113.9")).isEqualTo(401);
        assertThat(anomalies).hasSize(1);
    }

    @Test
    void listenerThatThrowsIsLoggedAndTheOthersAreStillTold() {
        List<Anomaly> seen = new ArrayList<>();
        TokenGate gate = TokenGate.builder().validator(AnomalyRulesTest::validate).callLogSink(events::add).clock(time)
                .anomalyRules(AnomalyRules.builder().maxNetworks(1, Duration.ofMinutes(1)))
                .anomalyListener(a -> {
                    throw new IllegalStateException("listener down");
                })
                .anomalyListener(seen::add).build();
        try (LogCapture logs = LogCapture.start()) {
            read(gate, READ, "198.51.100.7");
            assertThat(read(gate, READ, "203.0.113.9")).isEqualTo(200);
            assertThat(seen).hasSize(1);
            assertThat(logs.text()).contains("listener down");
        }
    }
}
