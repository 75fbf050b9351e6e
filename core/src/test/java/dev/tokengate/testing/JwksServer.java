package dev.tokengate.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback that plays an identity provider's key endpoints for tests: a settable JWKS at
 * {@code /jwks}, an OpenID Connect discovery document and an RFC 8414 authorization server metadata document,
 * with settable status, {@code Cache-Control}, delay and outage, and a request count per path.
 *
 * <pre>{@code
 * try (JwksServer idp = JwksServer.start()) {
 *     idp.jwks("{\"keys\":[...]}").cacheControl("max-age=60");
 *     KeySource keys = JwksKeySource.builder(idp.uri()).build();
 *     ...
 *     assertThat(idp.requests("/jwks")).isEqualTo(1);
 * }
 * }</pre>
 *
 * <p>Defaults: the JWKS is {@code {"keys":[]}} with status 200 and no {@code Cache-Control}; both discovery
 * documents are served, naming {@link #issuer()} and {@link #uri()}; any other path answers 404. Setters return
 * {@code this} and take effect for the next request. Thread-safe.
 */
public final class JwksServer implements AutoCloseable {

    /** The path of the JWKS. */
    public static final String JWKS_PATH = "/jwks";

    private final HttpServer server;
    private final ExecutorService executor;
    private final String issuerPath;
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    private volatile String jwks = "{\"keys\":[]}";
    private volatile int status = 200;
    private volatile String cacheControl;
    private volatile Duration delay = Duration.ZERO;
    private volatile boolean down;
    private volatile boolean openIdConfiguration = true;
    private volatile boolean authorizationServerMetadata = true;
    private volatile String discoveredIssuer;
    private volatile String discoveredJwksUri;
    private final Map<String, URI> redirects = new ConcurrentHashMap<>();

    private JwksServer(String issuerPath) throws IOException {
        this.issuerPath = issuerPath;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "jwks-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server on {@code 127.0.0.1} and a free port, with issuer {@code http://127.0.0.1:port}. */
    public static JwksServer start() {
        return start("");
    }

    /**
     * Starts a server whose issuer has a path, e.g. {@code "/tenant"} for {@code http://127.0.0.1:port/tenant}:
     * discovery is then served at {@code /tenant/.well-known/openid-configuration} and (RFC 8414 §3)
     * {@code /.well-known/oauth-authorization-server/tenant}.
     */
    public static JwksServer start(String issuerPath) {
        if (!issuerPath.isEmpty() && (!issuerPath.startsWith("/") || issuerPath.endsWith("/"))) {
            throw new IllegalArgumentException("issuerPath must be empty or start, and not end, with '/'");
        }
        try {
            return new JwksServer(issuerPath);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JWKS URI, {@code http://127.0.0.1:port/jwks}. */
    public URI uri() {
        return URI.create(base() + JWKS_PATH);
    }

    /** The issuer, {@code http://127.0.0.1:port} plus the issuer path, without a trailing slash. */
    public URI issuer() {
        return URI.create(base() + issuerPath);
    }

    /** The path of the OpenID Connect discovery document for {@link #issuer()}. */
    public String openIdConfigurationPath() {
        return issuerPath + "/.well-known/openid-configuration";
    }

    /** The path of the RFC 8414 metadata document for {@link #issuer()}. */
    public String authorizationServerMetadataPath() {
        return "/.well-known/oauth-authorization-server" + issuerPath;
    }

    /** Serves this JSON at {@code /jwks} from now on. */
    public JwksServer jwks(String json) {
        this.jwks = json;
        return this;
    }

    /** Answers {@code /jwks} with this status (default 200); the JWKS body is sent only with 200. */
    public JwksServer status(int status) {
        this.status = status;
        return this;
    }

    /** Sends this {@code Cache-Control} value with {@code /jwks}; {@code null} sends none (the default). */
    public JwksServer cacheControl(String cacheControl) {
        this.cacheControl = cacheControl;
        return this;
    }

    /** Waits this long before answering any request (default zero), to outlast a client's timeout. */
    public JwksServer delay(Duration delay) {
        this.delay = delay;
        return this;
    }

    /**
     * Stops answering: every request (still counted) has its connection closed without a response, as an
     * identity provider that is down behind a load balancer. {@link #up()} undoes it.
     */
    public JwksServer down() {
        this.down = true;
        return this;
    }

    /** Answers again after {@link #down()}. */
    public JwksServer up() {
        this.down = false;
        return this;
    }

    /** Whether to serve the OpenID Connect discovery document (default yes); when not, its path is a 404. */
    public JwksServer openIdConfiguration(boolean served) {
        this.openIdConfiguration = served;
        return this;
    }

    /** Whether to serve the RFC 8414 metadata document (default yes); when not, its path is a 404. */
    public JwksServer authorizationServerMetadata(boolean served) {
        this.authorizationServerMetadata = served;
        return this;
    }

    /** The {@code issuer} the discovery documents claim, to test a mismatch; default {@link #issuer()}. */
    public JwksServer discoveredIssuer(String issuer) {
        this.discoveredIssuer = issuer;
        return this;
    }

    /** The {@code jwks_uri} the discovery documents name, to test one that is refused; default {@link #uri()}. */
    public JwksServer discoveredJwksUri(String jwksUri) {
        this.discoveredJwksUri = jwksUri;
        return this;
    }

    /**
     * Answers requests for this path (e.g. {@link #JWKS_PATH} or {@link #openIdConfigurationPath()}), still
     * counted, with {@code 302 Found} to this location; {@code null} answers that path normally again.
     */
    public JwksServer redirect(String path, URI location) {
        if (location == null) {
            redirects.remove(path);
        } else {
            redirects.put(path, location);
        }
        return this;
    }

    /** How many requests arrived for this path (query ignored), answered or not. */
    public int requests(String path) {
        AtomicInteger count = requests.get(path);
        return count == null ? 0 : count.get();
    }

    /** How many requests arrived for {@code /jwks}. */
    public int jwksRequests() {
        return requests(JWKS_PATH);
    }

    /** Forgets all request counts. */
    public JwksServer resetRequests() {
        requests.clear();
        return this;
    }

    /** Stops the server at once, abandoning requests in progress. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private String base() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            if (!delay.isZero()) {
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (down) {
                return; // closing the exchange before any response closes the connection
            }
            URI location = redirects.get(path);
            if (location != null) {
                exchange.getResponseHeaders().set("Location", location.toString());
                exchange.sendResponseHeaders(302, -1);
            } else if (path.equals(JWKS_PATH)) {
                if (cacheControl != null) {
                    exchange.getResponseHeaders().set("Cache-Control", cacheControl);
                }
                int s = status;
                send(exchange, s, s == 200 ? jwks : "{\"error\":\"status " + s + "\"}");
            } else if (openIdConfiguration && path.equals(openIdConfigurationPath())
                    || authorizationServerMetadata && path.equals(authorizationServerMetadataPath())) {
                String issuer = discoveredIssuer != null ? discoveredIssuer : issuer().toString();
                String jwksUri = discoveredJwksUri != null ? discoveredJwksUri : uri().toString();
                send(exchange, 200, "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + jwksUri + "\"}");
            } else {
                send(exchange, 404, "{\"error\":\"not found\"}");
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
