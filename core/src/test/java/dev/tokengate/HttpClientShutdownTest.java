package dev.tokengate;

import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.jwks.JwksKeySource;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestRequest;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.authorize.Requirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP clients the gate builds (JWKS, discovery, introspection) are stopped when it closes, so their selector
 * threads do not outlive an undeployed application; a client the application gives stays the application's. The
 * JDK can stop a client only from Java 21 on: the build runs this class on a Java 21+ JDK too when one is installed
 * (the {@code jdk21-lifecycle} profile), since the default test run is on Java 17.
 */
class HttpClientShutdownTest {

    private LoopbackIssuer issuer;

    @BeforeEach
    void start() {
        issuer = LoopbackIssuer.start().clientAuthentication(false).jwks(TestKeys.jwksJson(TestKeys.rsa()))
                .introspectionAnswer("{\"active\":true,\"sub\":\"alice\",\"scope\":\"read\"}");
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void closeWhenGateBuiltItsClientsThenTheirThreadsEnd() throws Exception {
        Set<Thread> before = selectorThreads();
        TokenGate gate = TokenGate.builder().config(ConfigSource.of(Map.of(
                ConfigKeys.JWT_ISSUER, TestTokens.ISSUER,
                ConfigKeys.JWT_JWKS_URI, issuer.jwksUri().toString(),
                ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE,
                ConfigKeys.INTROSPECTION_URI, issuer.introspectionUri().toString(),
                ConfigKeys.INTROSPECTION_CLIENT_ID, "api",
                ConfigKeys.INTROSPECTION_CLIENT_SECRET, "secret"), Map.of(), new Properties())).build();
        // A JWT and an opaque token: each client connects once.
        for (String token : new String[] {TestTokens.jwt().sign(), "opaque-token"}) {
            TokenGate.Call call = gate.begin(TestRequest.get("/").bearer(token));
            assertThat(call.authorize(Requirement.authenticated())).isInstanceOf(Outcome.Authenticated.class);
            call.finish(200);
        }
        Set<Thread> ours = selectorThreads();
        ours.removeAll(before);
        assertThat(ours).as("the gate's own clients' selector threads").isNotEmpty();

        gate.close();

        for (Thread t : ours) {
            t.join(10_000); // returns as soon as the thread ends
            assertThat(t.isAlive()).as(t.getName()).isFalse();
        }
    }

    @Test
    void closeWhenApplicationGaveTheClientThenItStaysUsable() throws Exception {
        HttpClient mine = HttpClient.newHttpClient();
        JwksKeySource source = JwksKeySource.builder(issuer.jwksUri()).httpClient(mine).build();
        assertThat(source.keys(Optional.empty())).isNotEmpty();

        source.close();

        HttpResponse<String> r = mine.send(HttpRequest.newBuilder(issuer.jwksUri()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    private static Set<Thread> selectorThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("HttpClient-") && t.getName().endsWith("-SelectorManager"))
                .collect(Collectors.toSet());
    }
}
