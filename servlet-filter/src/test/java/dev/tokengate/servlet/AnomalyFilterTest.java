package dev.tokengate.servlet;

import dev.tokengate.testing.jetty.TestServer;
import dev.tokengate.TokenGate;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.control.Anomaly;
import dev.tokengate.log.CallEvent;
import dev.tokengate.testing.CapturingSink;
import dev.tokengate.testing.LogCapture;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The anomaly rules through the real filter in a real Jetty, configured by init-params: loopback is the trusted
 * proxy, and its {@code X-Forwarded-For} plays clients on other networks and in other countries (DB-IP Lite).
 */
class AnomalyFilterTest {

    private static final String RULES = "GET /api/accounts/* = read; /api/admin/* = admin";

    private final CapturingSink sink = new CapturingSink();
    private final List<Anomaly> anomalies = Collections.synchronizedList(new ArrayList<>());
    private LogCapture logs;
    private TestServer server;

    @BeforeEach
    void captureLogs() {
        logs = LogCapture.start();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
            assertThat(logs.text()).doesNotContain(StubTokens.READ).doesNotContain(StubTokens.ADMIN);
        } finally {
            logs.close();
        }
    }

    private void start(Map<String, String> anomalyParams) throws Exception {
        FilterHolder filter = new FilterHolder(new TokenGateFilter(source -> TokenGate.builder().config(source)
                .validator(StubTokens.validator()).callLogSink(sink).anomalyListener(anomalies::add).build()));
        filter.setInitParameter(ConfigKeys.JWT_ISSUER, "https://issuer.test/");
        filter.setInitParameter(ConfigKeys.JWT_AUDIENCE, "https://api.test");
        filter.setInitParameter(TokenGateFilter.RULES, RULES);
        filter.setInitParameter(ConfigKeys.TRUSTED_PROXIES, "127.0.0.1/32");
        filter.setInitParameter(ConfigKeys.FORWARDED_HEADER, "x-forwarded-for");
        anomalyParams.forEach(filter::setInitParameter);
        ServletContextHandler context = new ServletContextHandler("/app");
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new LegacyServlet()), "/*");
        server = TestServer.start(context);
    }

    private HttpResponse<String> get(String path, String token, String forwardedFor) throws Exception {
        return forwardedFor == null
                ? server.get("/app" + path, "Authorization", "Bearer " + token)
                : server.get("/app" + path, "Authorization", "Bearer " + token, "X-Forwarded-For", forwardedFor);
    }

    /** The next {@code n} call-log events (each request's is written as it ends, maybe after its response). */
    private List<CallEvent> events(int n) throws InterruptedException {
        List<CallEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(sink.next());
        }
        return events;
    }

    @Test
    void networksWhenLogThenTheFourthNetworkIsMarkedInTheCallLogAndWarned() throws Exception {
        start(Map.of(ConfigKeys.ANOMALY_MAX_NETWORKS, "3/10m"));
        for (String client : List.of("198.51.100.7", "203.0.113.9", "192.0.2.1", "100.64.0.1")) {
            assertThat(get("/api/accounts/1", StubTokens.READ, client).statusCode()).isEqualTo(200);
        }
        List<CallEvent> events = events(4);
        assertThat(events).extracting(CallEvent::clientAddress)
                .containsExactly("198.51.100.7", "203.0.113.9", "192.0.2.1", "100.64.0.1");
        assertThat(events.get(3).marks()).containsExactly("anomaly:networks");
        assertThat(logs.lines("tokengate.calls")).last().satisfies(l -> assertThat(l)
                .contains("\"marks\":[\"anomaly:networks\"]"));
        assertThat(logs.lines("dev.tokengate.control.AnomalyRules")).singleElement()
                .satisfies(l -> assertThat(l).contains("tokengate anomaly networks", "subject alice", "action log"));
        assertThat(anomalies).singleElement().satisfies(a -> assertThat(a.seen()).hasSize(4));
    }

    @Test
    void networksWhenRevokeThenTheFourthNetworkIsRefusedAndTheTokenStaysRevoked() throws Exception {
        start(Map.of(ConfigKeys.ANOMALY_MAX_NETWORKS, "3/10m", ConfigKeys.ANOMALY_ACTION, "revoke"));
        for (String client : List.of("198.51.100.7", "203.0.113.9", "192.0.2.1")) {
            assertThat(get("/api/accounts/1", StubTokens.READ, client).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> fourth = get("/api/accounts/1", StubTokens.READ, "100.64.0.1");
        assertThat(fourth.statusCode()).isEqualTo(401);
        assertThat(fourth.headers().firstValue("X-Legacy")).as("the application was not called").isEmpty();
        assertThat(fourth.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("error=\"invalid_token\"", "unusual way"));
        assertThat(get("/api/accounts/1", StubTokens.READ, "198.51.100.7").statusCode()).isEqualTo(401);
        List<CallEvent> events = events(5);
        assertThat(events.get(3).marks()).containsExactly("anomaly:networks", "revoked");
        assertThat(events.get(4).marks()).containsExactly("revoked");
        assertThat(events.get(4).reason()).hasValueSatisfying(r -> assertThat(r).contains("anomaly networks"));
        assertThat(anomalies).singleElement().satisfies(a -> assertThat(a.action()).isEqualTo(Anomaly.Action.REVOKE));
        assertThat(get("/api/accounts/1", StubTokens.ADMIN, "100.64.0.1").statusCode())
                .as("another token is not affected").isEqualTo(200);
    }

    @Test
    void countriesWhenANewCountryThenMarked() throws Exception {
        start(Map.of(ConfigKeys.ANOMALY_GEOIP_DATABASE,
                Path.of("target/geoip/package/dbip-country.mmdb").toString()));
        assertThat(get("/api/accounts/1", StubTokens.READ, "8.8.8.8").statusCode()).isEqualTo(200);      // US
        assertThat(get("/api/accounts/1", StubTokens.READ, "193.0.6.139").statusCode()).isEqualTo(200);  // NL
        assertThat(events(2)).extracting(CallEvent::marks).containsExactly(List.of(), List.of("anomaly:countries"));
        assertThat(anomalies).singleElement().satisfies(a -> assertThat(a.seen()).containsExactly("US", "NL"));
    }

    @Test
    void denialsWhenARevokeTokenProbesAdminThenRevoked() throws Exception {
        start(Map.of(ConfigKeys.ANOMALY_MAX_DENIALS, "2/1m", ConfigKeys.ANOMALY_ACTION, "revoke"));
        for (int i = 0; i < 3; i++) {
            assertThat(get("/api/admin/users", StubTokens.READ, null).statusCode()).isEqualTo(403);
        }
        events(3); // denials are counted as each request ends, before its call-log event is written
        assertThat(anomalies).singleElement().satisfies(a -> assertThat(a.rule()).isEqualTo(Anomaly.Rule.DENIALS));
        assertThat(get("/api/accounts/1", StubTokens.READ, null).statusCode()).isEqualTo(401);
        assertThat(events(1)).last().satisfies(e -> assertThat(e.marks()).containsExactly("revoked"));
    }
}
