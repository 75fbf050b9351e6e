package dev.tokengate.jaxrs;

import dev.tokengate.testing.jetty.TestServer;
import dev.tokengate.TokenGate;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.control.Anomaly;
import dev.tokengate.control.Revocation;
import dev.tokengate.log.CallEvent;
import dev.tokengate.testing.CapturingSink;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The anomaly rules through the feature in a real Jakarta REST runtime on a real Jetty, configured by
 * {@code tokengate.anomaly.*} keys with the action {@code revoke}: loopback is the trusted proxy, and its
 * {@code X-Forwarded-For} header plays clients on other networks and in other countries (DB-IP Lite). Each runtime
 * runs it through a subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AnomalyContractTest {

    private LoopbackIssuer idp;
    private TokenGate gate;
    private TestServer server;
    private final CapturingSink sink = new CapturingSink();
    private final List<Anomaly> anomalies = Collections.synchronizedList(new ArrayList<>());
    private final List<String> tokensSent = new ArrayList<>();
    private LogCapture logs;

    abstract JaxrsRuntime runtime();

    @BeforeAll
    void start() throws Exception {
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
        Map<String, String> params = new LinkedHashMap<>();
        params.put(ConfigKeys.JWT_ISSUER, TestTokens.ISSUER);
        params.put(ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE);
        params.put(ConfigKeys.JWT_JWKS_URI, idp.jwksUri().toString());
        params.put(ConfigKeys.TRUSTED_PROXIES, "127.0.0.1/32");
        params.put(ConfigKeys.FORWARDED_HEADER, "x-forwarded-for");
        params.put(ConfigKeys.ANOMALY_MAX_NETWORKS, "3/10m");
        params.put(ConfigKeys.ANOMALY_MAX_DENIALS, "2/10m");
        params.put(ConfigKeys.ANOMALY_GEOIP_DATABASE, Path.of("target/geoip/package/dbip-country.mmdb").toString());
        params.put(ConfigKeys.ANOMALY_ACTION, "revoke");
        gate = TokenGate.builder().config(ConfigSource.of(params, Map.of(), new Properties())).callLogSink(sink)
                .anomalyListener(anomalies::add).build();
        server = ServletContexts.serve(context -> runtime().deploy(context,
                Resources.application(new TokenGateFeature(gate), new ArrayList<>(), Map.of())));
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        gate.close();
        idp.close();
    }

    @BeforeEach
    void clear() {
        sink.drain();
        anomalies.clear();
        tokensSent.clear();
        logs = LogCapture.start();
    }

    @AfterEach
    void noTokenInLogs() {
        try {
            String text = logs.text();
            for (String token : tokensSent) {
                for (String fragment : TestTokens.fragmentsOf(token)) {
                    assertThat(text).doesNotContain(fragment);
                }
            }
        } finally {
            logs.close();
        }
    }

    private String token(String scope) {
        String t = TestTokens.jwt().scope(scope).sign();
        tokensSent.add(t);
        return t;
    }

    private HttpResponse<String> get(String path, String token, String forwardedFor) throws Exception {
        HttpRequest.Builder b = server.request(path).GET().header("Authorization", "Bearer " + token);
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        return server.send(b);
    }

    @Test
    void tokenUsedFromAFourthNetworkIsRevokedAndTheRequestRefused() throws Exception {
        String read = token("read");
        for (String client : List.of("198.51.100.7", "203.0.113.9", "192.0.2.1")) {
            assertThat(get("/class-scoped/inherits", read, client).statusCode()).isEqualTo(200);
            sink.next();
        }
        HttpResponse<String> fourth = get("/class-scoped/inherits", read, "100.64.0.1");
        assertThat(fourth.statusCode()).as(fourth.body()).isEqualTo(401);
        assertThat(fourth.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("error=\"invalid_token\""));
        CallEvent e = sink.next();
        assertThat(e.clientAddress()).isEqualTo("100.64.0.1");
        assertThat(e.marks()).containsExactly("anomaly:networks", "revoked");
        assertThat(anomalies).singleElement().satisfies(a -> {
            assertThat(a.rule()).isEqualTo(Anomaly.Rule.NETWORKS);
            assertThat(a.action()).isEqualTo(Anomaly.Action.REVOKE);
            assertThat(a.seen()).hasSize(4);
        });
        assertThat(gate.revocations().list()).anySatisfy(r -> {
            assertThat(r.target()).isEqualTo(Revocation.Target.TOKEN_ID);
            assertThat(r.reason()).startsWith("anomaly networks: used from 4 networks within 10m");
        });

        HttpResponse<String> again = get("/class-scoped/inherits", read, "198.51.100.7");
        assertThat(again.statusCode()).isEqualTo(401);
        assertThat(sink.next().marks()).containsExactly("revoked");
    }

    @Test
    void tokenUsedFromANewCountryIsRevoked() throws Exception {
        String read = token("read");
        assertThat(get("/class-scoped/inherits", read, "8.8.8.8").statusCode()).isEqualTo(200);          // US
        assertThat(get("/class-scoped/inherits", read, null).statusCode()).isEqualTo(200);               // loopback
        HttpResponse<String> r = get("/class-scoped/inherits", read, "193.0.6.139");                     // NL
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(anomalies).singleElement().satisfies(a -> {
            assertThat(a.rule()).isEqualTo(Anomaly.Rule.COUNTRIES);
            assertThat(a.seen()).containsExactly("US", "NL");
        });
        sink.drain();
    }

    @Test
    void tokenProbingOtherScopesIsRevokedAfterTheThirdRefusal() throws Exception {
        String read = token("read");
        for (int i = 0; i < 3; i++) {
            assertThat(get("/class-scoped/replaced", read, null).statusCode()).isEqualTo(403); // needs admin
            sink.next(); // denials are counted as each request ends, before its call-log event is written
        }
        assertThat(anomalies).singleElement().satisfies(a -> assertThat(a.rule()).isEqualTo(Anomaly.Rule.DENIALS));
        HttpResponse<String> r = get("/class-scoped/inherits", read, null);
        assertThat(r.statusCode()).isEqualTo(401);
        sink.drain();
    }
}
