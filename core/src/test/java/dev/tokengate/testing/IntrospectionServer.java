package dev.tokengate.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real RFC 7662 introspection endpoint on loopback that serves scripted answers: a body, status and
 * {@code Content-Type} for all tokens or per token, an optional delay, an outage, and a record of every request
 * (its {@code Authorization} header and form parameters) with call counts.
 *
 * <pre>{@code
 * try (IntrospectionServer as = IntrospectionServer.start()) {
 *     as.answer("opaque-1", "{\"active\":true,\"sub\":\"alice\"}");
 *     ... IntrospectionValidator.builder(as.uri()) ...
 *     assertThat(as.calls()).isEqualTo(1);
 *     assertThat(as.lastRequest().form()).containsEntry("token_type_hint", "access_token");
 * }
 * }</pre>
 *
 * <p>Defaults: every token is answered {@code 200 {"active":false}}; any path but {@link #PATH} answers 404.
 * Setters return {@code this} and take effect for the next request. Thread-safe.
 */
public final class IntrospectionServer implements AutoCloseable {

    /** The path of the introspection endpoint. */
    public static final String PATH = "/introspect";

    /** One scripted answer. */
    public record Answer(int status, String contentType, String body) {
    }

    /** One request as received. */
    public record Request(String method, String path, Optional<String> authorization, String contentType,
            Map<String, String> form) {

        /** The {@code token} form parameter. */
        public String token() {
            return form.get("token");
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Answer> perToken = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> callsPerToken = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();

    private volatile Answer answer = new Answer(200, "application/json", "{\"active\":false}");
    private volatile Duration delay = Duration.ZERO;
    private volatile boolean down;
    private volatile URI redirect;

    private IntrospectionServer() throws IOException {
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "introspection-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server on {@code 127.0.0.1} and a free port. */
    public static IntrospectionServer start() {
        try {
            return new IntrospectionServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The endpoint, {@code http://127.0.0.1:port/introspect}. */
    public URI uri() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort() + PATH);
    }

    /** Answers every token not scripted by {@link #answer(String, String)} with 200 and this JSON. */
    public IntrospectionServer answer(String json) {
        return answer(200, "application/json", json);
    }

    /** Answers every token not scripted per token with this status, content type and body. */
    public IntrospectionServer answer(int status, String contentType, String body) {
        this.answer = new Answer(status, contentType, body);
        return this;
    }

    /** Answers this token with 200 and this JSON. */
    public IntrospectionServer answer(String token, String json) {
        perToken.put(token, new Answer(200, "application/json", json));
        return this;
    }

    /** Waits this long before answering (default zero): to outlast a client's timeout, or to overlap calls. */
    public IntrospectionServer delay(Duration delay) {
        this.delay = delay;
        return this;
    }

    /**
     * Answers every call (still counted) with {@code 307 Temporary Redirect} to this location, which a client that
     * follows redirects would POST the same form to; {@code null} answers normally again.
     */
    public IntrospectionServer redirectTo(URI location) {
        this.redirect = location;
        return this;
    }

    /** Closes every connection without an answer (still counted) until {@link #up()}. */
    public IntrospectionServer down() {
        this.down = true;
        return this;
    }

    /** Answers again after {@link #down()}. */
    public IntrospectionServer up() {
        this.down = false;
        return this;
    }

    /** How many requests reached {@link #PATH}. */
    public int calls() {
        return calls.get();
    }

    /** How many requests reached {@link #PATH} for this token. */
    public int calls(String token) {
        AtomicInteger count = callsPerToken.get(token);
        return count == null ? 0 : count.get();
    }

    /** Every request received, in order of arrival. */
    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    /** The last request received. */
    public Request lastRequest() {
        if (requests.isEmpty()) {
            throw new IllegalStateException("no request received");
        }
        return requests.get(requests.size() - 1);
    }

    /** Stops the server at once, abandoning requests in progress. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> form = parseForm(body);
            requests.add(new Request(exchange.getRequestMethod(), path,
                    Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")),
                    exchange.getRequestHeaders().getFirst("Content-Type"), form));
            if (!path.equals(PATH)) {
                send(exchange, new Answer(404, "application/json", "{\"error\":\"not found\"}"));
                return;
            }
            calls.incrementAndGet();
            String token = form.getOrDefault("token", "");
            callsPerToken.computeIfAbsent(token, t -> new AtomicInteger()).incrementAndGet();
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
            URI location = redirect;
            if (location != null) {
                exchange.getResponseHeaders().set("Location", location.toString());
                exchange.sendResponseHeaders(307, -1);
                return;
            }
            send(exchange, perToken.getOrDefault(token, answer));
        }
    }

    private static Map<String, String> parseForm(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            String[] kv = pair.split("=", 2);
            form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return form;
    }

    private static void send(HttpExchange exchange, Answer answer) throws IOException {
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", answer.contentType());
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
