package dev.tokengate.servlet;

import dev.tokengate.testing.jetty.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.testing.CapturingSink;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestTokens;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real {@link TokenGateFilter} in a real Jetty, in front of {@link LegacyServlet}, with the validators that
 * {@code TokenGate.create} builds from configuration (cache → issuer router → JWT validator → key source): nothing
 * is stubbed but the call-log sink, which also writes the JSON call log. It captures every log line of the JVM
 * while open and remembers every token it sent, so a test can assert that none was ever logged.
 *
 * <p>Routes: {@code GET /app/api/*} needs scope {@code read}; {@code /app/api/public/*} is open; anything else is
 * denied.
 */
final class GatedApp implements AutoCloseable {

    static final String RULES = "GET /api/* = read; /api/public/* = permit";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CapturingSink sink;
    private final List<String> tokensSent = Collections.synchronizedList(new ArrayList<>());
    private final LogCapture logs = LogCapture.start();
    private final TestServer server;
    private int callsRead;

    private GatedApp(CapturingSink sink, FilterHolder filter) throws Exception {
        this.sink = sink;
        ServletContextHandler context = new ServletContextHandler("/app");
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new LegacyServlet()), "/*");
        try {
            server = TestServer.start(context);
        } catch (Exception e) {
            logs.close();
            throw e;
        }
    }

    /** The init-params of an API that trusts {@link TestTokens#ISSUER} with the keys at {@code idp}'s JWKS URI. */
    static Map<String, String> settings(LoopbackIssuer idp) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put(ConfigKeys.JWT_ISSUER, TestTokens.ISSUER);
        params.put(ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE);
        params.put(ConfigKeys.JWT_JWKS_URI, idp.jwksUri().toString());
        params.put(TokenGateFilter.RULES, RULES);
        return params;
    }

    /** The filter configured by these init-params in its {@code init}, as a {@code web.xml} declaration would be. */
    static GatedApp start(Map<String, String> initParams) throws Exception {
        return start(initParams, Map.of(), new Properties());
    }

    /** The same, under this environment and these system properties (instead of the JVM's). */
    static GatedApp start(Map<String, String> initParams, Map<String, String> environment, Properties systemProperties)
            throws Exception {
        CapturingSink sink = new CapturingSink();
        FilterHolder holder = new FilterHolder(new TokenGateFilter(source -> TokenGate.builder().config(source).callLogSink(sink).build(),
                environment, systemProperties));
        initParams.forEach(holder::setInitParameter);
        return new GatedApp(sink, holder);
    }

    /** The filter constructed with the pipeline this gate builder describes (built here, with the capturing sink). */
    static GatedApp start(TokenGate.Builder gateBuilder) throws Exception {
        return start(gateBuilder, RULES);
    }

    /** The same with these URL rules. */
    static GatedApp start(TokenGate.Builder gateBuilder, String rules) throws Exception {
        CapturingSink sink = new CapturingSink();
        TokenGate gate = gateBuilder.callLogSink(sink).build();
        return new GatedApp(sink, new FilterHolder(new TokenGateFilter(gate, UrlRules.parse(rules))));
    }

    /** {@code GET /app} + path with the token in the {@code Authorization} header. */
    HttpResponse<String> get(String path, String token) throws Exception {
        tokensSent.add(token);
        return server.get("/app" + path, "Authorization", "Bearer " + token);
    }

    /** {@code GET /app} + path without a token. */
    HttpResponse<String> getWithoutToken(String path) throws Exception {
        return server.get("/app" + path);
    }

    /** {@code GET /app} + path with {@code Authorization: DPoP <token>} and the {@code DPoP} proof header. */
    HttpResponse<String> getWithDpop(String path, String token, String proof) throws Exception {
        tokensSent.add(token);
        tokensSent.add(proof);
        return server.get("/app" + path, "Authorization", "DPoP " + token, "DPoP", proof);
    }

    /** The URL the client calls for {@code /app} + path: what a DPoP proof's {@code htu} names. */
    String url(String path) {
        return server.base().resolve("/app" + path).toString();
    }

    /**
     * The next line of the {@code tokengate.calls} log as JSON, once its request has finished (a call is logged
     * just after its response is written).
     */
    JsonNode nextCall() throws Exception {
        sink.next();
        List<String> lines = logs.lines("tokengate.calls");
        assertThat(lines).as("tokengate.calls lines").hasSizeGreaterThan(callsRead);
        return JSON.readTree(lines.get(callsRead++));
    }

    /** Asserts that no token sent, nor any long part of one, appears in any log line (STYLE rule 17). */
    void assertNoTokenLogged() {
        String text = logs.text();
        List<String> sent;
        synchronized (tokensSent) {
            sent = List.copyOf(tokensSent);
        }
        for (String token : sent) {
            for (String fragment : TestTokens.fragmentsOf(token)) {
                assertThat(text).as("the log (%d lines)", logs.lines().size()).doesNotContain(fragment);
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            server.close();
        } finally {
            logs.close();
        }
    }
}
