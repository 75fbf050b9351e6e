package dev.tokengate.sample;

import dev.tokengate.ConfigurationException;
import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.control.GeoIpCountries;
import dev.tokengate.health.StartupCheck;
import dev.tokengate.jaxrs.TokenGateFeature;
import dev.tokengate.log.Slf4jCallLogSink;
import dev.tokengate.sample.legacy.StatementServlet;
import dev.tokengate.servlet.TokenGateFilter;
import dev.tokengate.store.JdbcTokenStore;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.ee11.webapp.WebAppContext;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.servlet.ServletContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The sample app: a small exchange-account API on embedded Jetty 12.1 (ee11), protected by tokengate.
 *
 * <ul>
 *   <li>{@code /api/*}, {@code /health}: Jakarta REST on Jersey, protected by the {@link TokenGateFeature} and
 *       the {@code @RequiresScopes} / {@code @Open} annotations ({@link TradingResource}, {@link HealthResource});</li>
 *   <li>{@code /health/ready}: the gate's health report, 503 while a required upstream is down
 *       ({@link ReadinessServlet}; open and not in the call log);</li>
 *   <li>{@code /legacy/*}: plain servlets protected only by the {@code TokenGateFilter} declared in
 *       {@code legacy-webapp/WEB-INF/web.xml};</li>
 *   <li>{@code /console/}: the token console ({@link ConsolePages}, {@link ConsoleResource});</li>
 *   <li>{@code /demo-issuer/*}: the {@link DemoIssuer}, unless {@code tokengate.jwt.issuer} names a real one;</li>
 *   <li>{@code /metrics}: the meters of both gates (the API's and the legacy area's, each recording in Micrometer's
 *       global registry: {@code tokengate.metrics=auto}) in Prometheus format, open and not in the call log.</li>
 * </ul>
 * The API and the legacy area accept the issuer's JWTs and the console's personal access tokens ({@code tgat_…}),
 * which live in the database: embedded H2 in memory, or {@code tokengate.store.jdbc-url} (PostgreSQL). Every request to the API
 * leaves one JSON line on the {@code tokengate.calls} logger (stdout and {@code logs/calls.jsonl}).
 */
public final class SampleApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SampleApp.class);
    /** How many call-log events the console's "recent calls" view keeps. */
    static final int RECENT_CALLS = 500;
    /** The app's own {@code tokengate.rate-limit.per-token}, which the setting replaces. */
    static final String DEFAULT_RATE_LIMIT_PER_TOKEN = "60/1m";

    private final Server server;
    private final URI baseUri;
    private final DemoIssuer demoIssuer;
    private final Database database;
    private final TokenGate gate;
    private final Path overrideDescriptor;
    private final PrometheusMeterRegistry metrics;

    private SampleApp(Server server, URI baseUri, DemoIssuer demoIssuer, Database database, TokenGate gate,
                      Path overrideDescriptor, PrometheusMeterRegistry metrics) {
        this.metrics = metrics;
        this.server = server;
        this.baseUri = baseUri;
        this.demoIssuer = demoIssuer;
        this.database = database;
        this.gate = gate;
        this.overrideDescriptor = overrideDescriptor;
    }

    /**
     * Starts the app.
     *
     * @param host     the interface to bind, e.g. {@code localhost}
     * @param port     the port, 0 for any free one
     * @param settings {@code tokengate.*} settings at the lowest precedence (system properties and environment win)
     */
    public static SampleApp start(String host, int port, Map<String, String> settings) throws Exception {
        return start(host, port, settings, Clock.systemUTC());
    }

    /** The same with another clock, for tests that let tokens expire without waiting. */
    static SampleApp start(String host, int port, Map<String, String> settings, Clock clock) throws Exception {
        return start(host, port, settings, clock, Ticker.systemTicker());
    }

    /** The same with another ticker too, for tests that let the issuer's cached keys age without waiting. */
    static SampleApp start(String host, int port, Map<String, String> settings, Clock clock, Ticker ticker)
            throws Exception {
        SampleSettings sample = new SampleSettings(settings);
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        // Jetty keeps recent header fields per connection and, by default, finds them again ignoring case: a request
        // whose Authorization differs from an earlier one on the same connection only in case would be handed the
        // earlier token. Tokens are case-sensitive secrets.
        http.setHeaderCacheCaseSensitive(true);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        connector.open(); // bind now: the demo issuer's URL needs the real port
        URI base = URI.create("http://" + ("0.0.0.0".equals(host) ? "localhost" : host) + ":" + connector.getLocalPort());

        Database db = null;
        TokenGate gate = null;
        Path override = null;
        // Both gates are built from keys: with tokengate.metrics=auto (TOKENGATE_METRICS=off turns it off) each records
        // in Micrometer's global registry, which this Prometheus registry joins until the app closes.
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Metrics.addRegistry(metrics);
        try {
            db = Database.open(sample.get(SampleSettings.STORE_JDBC_URL).orElse(null),
                    sample.get(SampleSettings.STORE_USERNAME).orElse(null),
                    sample.get(SampleSettings.STORE_PASSWORD).orElse(null), clock,
                    sample.get(ConfigKeys.STORE_TABLE).orElse(JdbcTokenStore.DEFAULT_TABLE), sample.source());

            Map<String, String> params = new HashMap<>(settings);
            params.putIfAbsent(ConfigKeys.REALM, "sample");
            if (db.embedded()) {
                params.put(ConfigKeys.STORE_JDBC_URL, db.url());
            }
            // The anomaly walkthrough: loopback is a trusted proxy, so X-Forwarded-For plays clients on other
            // networks, and a token used from more than 3 networks in 10 minutes is revoked. TOKENGATE_* variables
            // (TOKENGATE_TRUSTED_PROXIES, TOKENGATE_FORWARDED_HEADER, TOKENGATE_ANOMALY_MAX_NETWORKS,
            // TOKENGATE_ANOMALY_ACTION) override each of these.
            params.putIfAbsent(ConfigKeys.TRUSTED_PROXIES, "127.0.0.1/32");
            params.putIfAbsent(ConfigKeys.FORWARDED_HEADER, "x-forwarded-for");
            params.putIfAbsent(ConfigKeys.ANOMALY_MAX_NETWORKS, "3/10m");
            params.putIfAbsent(ConfigKeys.ANOMALY_ACTION, "revoke");
            // A bot may call once a second on average; TOKENGATE_RATE_LIMIT_PER_TOKEN (or the system property, or the
            // settings given) replaces it. Not lower: the console polls its recent calls every 5 s with its session.
            params.putIfAbsent(ConfigKeys.RATE_LIMIT_PER_TOKEN, DEFAULT_RATE_LIMIT_PER_TOKEN);
            DemoIssuer demo = null;
            if (!sample.externalIssuer()) {
                demo = new DemoIssuer(base + "/demo-issuer", clock, db.tokens(), db.refreshTokens());
                params.put(ConfigKeys.JWT_ISSUER, demo.issuer());
                params.put(ConfigKeys.JWT_AUDIENCE, DemoIssuer.AUDIENCE);
                params.put(ConfigKeys.JWT_JWKS_URI, demo.jwksUri());
                params.put(ConfigKeys.JWT_TYPE, "at+jwt");
                params.put(ConfigKeys.JWT_ALGORITHMS, "RS256");
            }
            // The pipeline the configuration describes: JWTs checked against the issuer's keys, tgat_ tokens looked
            // up in the token database (the app's own store, which the console also issues from and which records
            // their use), other opaque tokens introspected (tokengate.introspection.*). Every call is logged as a
            // JSON line and kept for the console's recent calls.
            CallLabels labels = new CallLabels();
            // The console's charts: each token's calls per minute and per 5 minutes, networks and countries (with the
            // anomaly rules' country database, when one is set), fed by the same events.
            Function<String, Optional<String>> countryOf = sample.get(ConfigKeys.ANOMALY_GEOIP_DATABASE)
                    .map(file -> (Function<String, Optional<String>>) GeoIpCountries.open(Path.of(file))::country)
                    .orElse(address -> Optional.empty());
            TokenActivity activity = new TokenActivity(TokenActivity.DEFAULT_MAX_TOKENS, labels, countryOf, clock,
                    new Slf4jCallLogSink());
            RecentCalls recent = new RecentCalls(RECENT_CALLS, labels, activity);
            Anomalies anomalies = new Anomalies();
            // With the demo issuer, the issuer is this very server, which answers only once started: the start-up
            // check (tokengate.startup.check, TOKENGATE_STARTUP_CHECK) then runs after the start, below.
            StartupCheck startupCheck = sample.get(ConfigKeys.STARTUP_CHECK).map(StartupCheck::parse)
                    .orElse(StartupCheck.OFF);
            TokenGate.Builder gateBuilder = TokenGate.builder().config(ConfigSource.of(params)).tokenStore(db.tokens())
                    .callLogSink(recent).clock(clock).ticker(ticker).anomalyListener(anomalies).anomalyListener(activity);
            if (demo != null) {
                gateBuilder.startupCheck(StartupCheck.OFF);
            }
            gate = gateBuilder.build();
            if (demo != null) {
                demo.revocations(gate.revocations()); // a token revoked at /demo-issuer/revoke is refused at once
            }
            Runnable flushUsage = db.tokens()::flush;

            Ledger ledger = new Ledger(db, clock);
            ResourceConfig api = new ResourceConfig()
                    .property(ServerProperties.WADL_FEATURE_DISABLE, true)
                    .register(new TokenGateFeature(gate))
                    .register(new TradingResource(ledger))
                    .register(new HealthResource())
                    .register(new ConsoleResource(db.tokens(), flushUsage, recent, labels, clock, gate.revocations(),
                            activity, gate.rateLimitUsage()))
                    .register(anomalies)
                    .register(new ConsolePages())
                    .register(new Problems.BadRequestMapper())
                    .register(new Problems.ConflictMapper())
                    .register(new Problems.WebApplicationMapper())
                    .register(new Problems.DatabaseUnavailableMapper())
                    .register(new Problems.TokenDatabaseUnavailableMapper())
                    .register(new Problems.UnexpectedMapper());

            ServletContextHandler main = new ServletContextHandler();
            main.setContextPath("/");
            // The servlet filter in front starts each API call with the servlet request (it knows the client's
            // address, which Jakarta REST does not expose) and permits everything; the JAX-RS layer joins that call
            // and decides by the annotations. One call-log event per request, with the final decision and status.
            FilterHolder gateFilter = new FilterHolder(new TokenGateFilter(gate, UrlRules.parse("/* = permit")));
            for (String path : new String[] {"/api/*", "/console/api/*", "/health"}) {
                main.addFilter(gateFilter, path, EnumSet.of(DispatcherType.REQUEST));
            }
            main.addServlet(new ServletHolder("jersey", new ServletContainer(api)), "/*");
            main.addServlet(new ServletHolder("metrics", new MetricsServlet(metrics)), "/metrics");
            main.addServlet(new ServletHolder("readiness", new ReadinessServlet(gate)), "/health/ready");
            if (demo != null) {
                main.addServlet(new ServletHolder("demo-issuer", demo), "/demo-issuer/*");
            }

            override = overrideDescriptor(params);
            WebAppContext legacy = legacyArea(server, override, ledger);

            ContextHandlerCollection contexts = new ContextHandlerCollection(main);
            server.setHandler(contexts);
            server.start();
            if (demo != null) {
                startupCheck.apply(gate.checkUpstreams());
            }
            // The legacy area's filter builds its own gate, whose start-up check (if on) needs the issuer answering.
            contexts.addHandler(legacy);
            legacy.start();
            if (!legacy.isAvailable()) {
                throw new IllegalStateException("the legacy area (/legacy) did not start; see the log above");
            }
            return new SampleApp(server, base, demo, db, gate, override, metrics);
        } catch (Exception | Error e) {
            try {
                server.stop();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            if (gate != null) {
                gate.close();
            }
            if (db != null) {
                db.close();
            }
            if (override != null) {
                Files.deleteIfExists(override);
            }
            Metrics.removeRegistry(metrics);
            metrics.close();
            throw e;
        }
    }

    /** The legacy web application: its own web.xml, the app's issuer settings laid over it, and the ledger. */
    private static WebAppContext legacyArea(Server server, Path override, Ledger ledger) throws URISyntaxException {
        WebAppContext legacy = new WebAppContext();
        legacy.setContextPath("/legacy");
        // from the jar (or the class path in tests); the mount lives as long as the server, which stops the context first
        legacy.setBaseResource(ResourceFactory.of(server).newResource(SampleApp.class.getResource("/legacy-webapp/").toURI()));
        legacy.addOverrideDescriptor(override.toUri().toString());
        legacy.setParentLoaderPriority(true);
        legacy.setThrowUnavailableOnStartupException(true);
        legacy.setAttribute(StatementServlet.LEDGER_ATTRIBUTE, ledger);
        return legacy;
    }

    /**
     * A Jetty override descriptor that gives the legacy area's tokengate filter the same core settings as the API
     * (issuer, audience, keys, token database; not the realm, which its web.xml sets), as init-params. Written
     * owner-readable only (it may hold the database password given in the settings) and deleted on close.
     */
    private static Path overrideDescriptor(Map<String, String> params) throws IOException {
        StringBuilder xml = new StringBuilder("""
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                  <filter>
                    <filter-name>tokengate</filter-name>
                    <filter-class>dev.tokengate.servlet.TokenGateFilter</filter-class>
                """);
        new TreeMap<>(params).forEach((k, v) -> {
            if (ConfigKeys.ALL.contains(k) && !k.equals(ConfigKeys.REALM)) {
                xml.append("    <init-param><param-name>").append(k).append("</param-name><param-value>")
                        .append(escape(v)).append("</param-value></init-param>\n");
            }
        });
        xml.append("  </filter>\n</web-app>\n");
        Path file = Files.createTempFile("tokengate-sample-legacy-", "-override-web.xml");
        file.toFile().deleteOnExit();
        Files.writeString(file, xml);
        return file;
    }

    private static String escape(String v) {
        return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    public URI baseUri() {
        return baseUri;
    }

    /** The demo issuer, when the app runs one. */
    public Optional<DemoIssuer> demoIssuer() {
        return Optional.ofNullable(demoIssuer);
    }

    Database database() {
        return database;
    }

    /** The API's gate (its revocation list, for tests that watch revocations arrive from another node). */
    TokenGate gate() {
        return gate;
    }

    /** Stops accepting requests, lets running ones finish, writes pending token usage and closes the database. */
    @Override
    public void close() throws Exception {
        try {
            server.stop();
        } finally {
            gate.close();
            database.close();
            Files.deleteIfExists(overrideDescriptor);
            Metrics.removeRegistry(metrics);
            metrics.close();
        }
    }

    public static void main(String[] args) throws Exception {
        SLF4JBridgeHandler.removeHandlersForRootLogger(); // Jersey logs through java.util.logging
        SLF4JBridgeHandler.install();
        int port;
        try {
            port = Integer.parseInt(Optional.ofNullable(System.getenv("PORT")).orElse("8080").strip());
        } catch (NumberFormatException e) {
            System.err.println("tokengate sample app: PORT must be a number, e.g. PORT=8081");
            System.exit(2);
            return;
        }
        String host = Optional.ofNullable(System.getenv("HOST")).orElse("localhost");
        SampleApp app;
        try {
            app = start(host, port, Map.of());
        } catch (ConfigurationException e) {
            System.err.println("tokengate sample app: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        } catch (IOException e) {
            System.err.println("tokengate sample app: cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "); set PORT to a free port, e.g. PORT=8081");
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                app.close();
                System.out.println("tokengate sample app stopped.");
            } catch (Exception e) {
                System.err.println("tokengate sample app: error while stopping: " + e);
            }
        }, "tokengate-sample-shutdown"));
        LOG.info("tokengate sample app on {} (database: {})", app.baseUri(), app.database.describe());
        System.out.println(banner(app));
        app.server.join();
    }

    static String banner(SampleApp app) {
        String base = app.baseUri().toString();
        StringBuilder sb = new StringBuilder("\n  tokengate sample app: " + base + "\n");
        sb.append("  Token console:  ").append(base).append("/console/\n");
        sb.append("  Metrics:        ").append(base).append("/metrics (Prometheus format)\n");
        if (app.demoIssuer().isPresent()) {
            sb.append("  DEMO issuer at ").append(base).append("/demo-issuer (throw-away key, published secrets: not for real use)\n")
              .append("  Demo user ").append(DemoIssuer.USER).append(" / ").append(DemoIssuer.PASSWORD)
              .append("; clients portfolio-tracker:tracker-secret (read), trading-bot:bot-secret (read trade)\n\n")
              .append("  Get a read-only token and call the API:\n")
              .append("    READ=$(curl -s -u portfolio-tracker:tracker-secret -d grant_type=client_credentials \\\n")
              .append("           ").append(base).append("/demo-issuer/token | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')\n")
              .append("    curl -i ").append(base).append("/api/account/balances -H \"Authorization: Bearer $READ\"\n");
        } else {
            sb.append("  Trusting the configured issuer(s); the demo issuer is off.\n");
        }
        sb.append("  Database: ").append(app.database.describe()).append("\n");
        sb.append("  Stop with Ctrl-C.\n");
        return sb.toString();
    }
}
