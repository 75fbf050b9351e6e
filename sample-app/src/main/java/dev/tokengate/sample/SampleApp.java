package dev.tokengate.sample;

import dev.tokengate.ConfigKeys;
import dev.tokengate.ConfigSource;
import dev.tokengate.ConfigurationException;
import dev.tokengate.TokenGate;
import dev.tokengate.TokenGateConfig;
import dev.tokengate.servlet.TokenGateFilter;
import dev.tokengate.servlet.UrlRules;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Clock;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The sample app: a small exchange-account API on embedded Jetty 12, protected by {@link TokenGateFilter}, with
 * a demo issuer when no real issuer is configured. {@code java -jar tokengate-sample-app.jar}; {@code PORT}
 * (default 8080) and every {@code TOKENGATE_*} variable apply.
 */
public final class SampleApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SampleApp.class);

    /** The URL rules, exactly as a legacy team would write them in web.xml. */
    static final String RULES = String.join("\n",
            "/health = permit",
            "/demo-issuer/* = permit",
            "GET /api/me = authenticated",
            "GET /api/account/* = read",
            "GET /api/orders = read",
            "POST /api/orders = trade");

    private final Server server;
    private final URI baseUri;
    private final DemoIssuer demoIssuer;

    private SampleApp(Server server, URI baseUri, DemoIssuer demoIssuer) {
        this.server = server;
        this.baseUri = baseUri;
        this.demoIssuer = demoIssuer;
    }

    /**
     * Starts the app.
     *
     * @param host     the interface to bind, e.g. {@code localhost}
     * @param port     the port, 0 for any free one
     * @param settings {@code tokengate.*} settings at the lowest precedence (system properties and environment win)
     */
    public static SampleApp start(String host, int port, Map<String, String> settings) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        connector.open(); // bind now: the demo issuer's URL needs the real port
        URI base = URI.create("http://" + ("0.0.0.0".equals(host) ? "localhost" : host) + ":" + connector.getLocalPort());

        Map<String, String> params = new HashMap<>(settings);
        params.putIfAbsent(ConfigKeys.REALM, "sample");
        ConfigSource probe = ConfigSource.of(params);
        DemoIssuer demo = null;
        if (probe.get(ConfigKeys.JWT_ISSUER).isEmpty()) {
            demo = new DemoIssuer(base + "/demo-issuer", Clock.systemUTC());
            params.put(ConfigKeys.JWT_ISSUER, demo.issuer());
            params.put(ConfigKeys.JWT_AUDIENCE, DemoIssuer.AUDIENCE);
            params.put(ConfigKeys.JWT_TYPE, "at+jwt");
        }
        TokenGateConfig config = TokenGateConfig.from(ConfigSource.of(params), Set.of());
        TokenGate gate = TokenGate.create(config);

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addFilter(new FilterHolder(new TokenGateFilter(gate, UrlRules.parse(RULES))), "/*",
                EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new HealthServlet()), "/health");
        context.addServlet(new ServletHolder(new ApiServlet()), "/api/*");
        if (demo != null) {
            context.addServlet(new ServletHolder(demo), "/demo-issuer/*");
        }
        server.setHandler(context);
        server.setStopAtShutdown(true);
        server.start();
        return new SampleApp(server, base, demo);
    }

    public URI baseUri() {
        return baseUri;
    }

    /** The demo issuer, when the app runs one. */
    public Optional<DemoIssuer> demoIssuer() {
        return Optional.ofNullable(demoIssuer);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(Optional.ofNullable(System.getenv("PORT")).orElse("8080"));
        String host = Optional.ofNullable(System.getenv("HOST")).orElse("localhost");
        SampleApp app;
        try {
            app = start(host, port, Map.of());
        } catch (ConfigurationException e) {
            System.err.println("tokengate sample app: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        } catch (java.io.IOException e) {
            System.err.println("tokengate sample app: cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "); set PORT to a free port, e.g. PORT=8081");
            System.exit(2);
            return;
        }
        LOG.info("tokengate sample app on {}", app.baseUri());
        System.out.println(banner(app));
        app.server.join();
    }

    static String banner(SampleApp app) {
        String base = app.baseUri().toString();
        StringBuilder sb = new StringBuilder("\n  tokengate sample app: " + base + "\n");
        if (app.demoIssuer().isPresent()) {
            sb.append("  DEMO issuer at ").append(base).append("/demo-issuer (throw-away key, demo secrets: not for real use)\n\n")
              .append("  Get a read-only token and call the API:\n")
              .append("    TOKEN=$(curl -s -u portfolio-tracker:tracker-secret -d grant_type=client_credentials \\\n")
              .append("            ").append(base).append("/demo-issuer/token | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')\n")
              .append("    curl -i ").append(base).append("/api/account/balances -H \"Authorization: Bearer $TOKEN\"\n")
              .append("  A token that may trade: -u trading-bot:bot-secret\n");
        } else {
            sb.append("  Trusting the configured issuer(s); the demo issuer is off.\n");
        }
        sb.append("  Stop with Ctrl-C.\n");
        return sb.toString();
    }
}
