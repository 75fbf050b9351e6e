package dev.tokengate.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.Authenticator;
import java.net.ConnectException;
import java.net.CookieHandler;
import java.net.InetAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpFetcherTest {

    @Test
    void getWhenConnectionRefusedThenMessageNamesTheCauseNotNull() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        HttpClient client = HttpFetcher.client(Duration.ofSeconds(5), false);
        try {
            HttpFetcher fetcher = new HttpFetcher(client, Duration.ofSeconds(10), 1024);
            URI uri = URI.create("http://127.0.0.1:" + port + "/jwks");

            assertThatThrownBy(() -> fetcher.get(uri))
                    .isInstanceOf(HttpFetcher.FetchException.class)
                    .hasMessageStartingWith("GET " + uri + " failed: cannot connect (")
                    .hasMessageContaining("ConnectException")
                    .message().doesNotContain("null");
        } finally {
            HttpFetcher.shutdown(client);
        }
    }

    @Test
    void reasonWhenChainHasAMessageThenFirstMessageWithItsClass() {
        ConnectException failure = new ConnectException();
        failure.initCause(new IOException("Connection refused"));

        assertThat(HttpFetcher.reason(failure)).isEqualTo("IOException: Connection refused");
    }

    @Test
    void reasonWhenNoExceptionInTheChainHasAMessageThenTheirClasses() {
        ConnectException failure = new ConnectException();
        failure.initCause(new ClosedChannelException());

        assertThat(HttpFetcher.reason(failure))
                .isEqualTo("ConnectException caused by ClosedChannelException, without a message");
    }

    @Test
    void reasonWhenMessageOnlyRepeatsTheCauseThenTheCauseItself() {
        IOException cause = new IOException("stream reset");
        RuntimeException failure = new RuntimeException(cause); // message: "java.io.IOException: stream reset"

        assertThat(HttpFetcher.reason(failure)).isEqualTo("IOException: stream reset");
    }

    /**
     * The JDK's client keeps the body handler of an exchange reachable from its pooled connection, and on Java 21+
     * keeps its internals until the {@link HttpClient} facade is collected (a {@code Cleaner} on the facade): a
     * handler that reaches the fetcher, and so the facade, keeps the client and, on a server, the undeployed web
     * application alive for good (found by the WildFly redeploy test in it-servers, on Java 25).
     */
    @Test
    void sendWhenExchangeStartsThenItsBodyHandlerHoldsNeitherTheFetcherNorItsClient() throws Exception {
        RecordingClient client = new RecordingClient();
        HttpFetcher fetcher = new HttpFetcher(client, Duration.ofSeconds(1), 1024);

        assertThatThrownBy(() -> fetcher.get(URI.create("http://127.0.0.1:1/jwks")))
                .isInstanceOf(HttpFetcher.FetchException.class);

        assertThat(client.handlers).hasSize(1);
        assertThat(fieldValues(client.handlers.get(0))).noneMatch(v -> v == fetcher || v instanceof HttpClient);
    }

    private static List<Object> fieldValues(Object o) throws IllegalAccessException {
        List<Object> values = new ArrayList<>();
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                f.setAccessible(true);
                values.add(f.get(o));
            }
        }
        return values;
    }

    /** A client that records the body handler of each exchange and fails it at once. */
    private static final class RecordingClient extends HttpClient {
        final List<HttpResponse.BodyHandler<?>> handlers = new ArrayList<>();

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
            handlers.add(handler);
            return CompletableFuture.failedFuture(new IOException("recorded, not sent"));
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                                HttpResponse.PushPromiseHandler<T> push) {
            return sendAsync(request, handler);
        }

        @Override
        public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
            throw new IOException("not used");
        }

        @Override
        public Optional<CookieHandler> cookieHandler() {
            return Optional.empty();
        }

        @Override
        public Optional<Duration> connectTimeout() {
            return Optional.empty();
        }

        @Override
        public Redirect followRedirects() {
            return Redirect.NEVER;
        }

        @Override
        public Optional<ProxySelector> proxy() {
            return Optional.empty();
        }

        @Override
        public SSLContext sslContext() {
            return null;
        }

        @Override
        public SSLParameters sslParameters() {
            return null;
        }

        @Override
        public Optional<Authenticator> authenticator() {
            return Optional.empty();
        }

        @Override
        public Version version() {
            return Version.HTTP_1_1;
        }

        @Override
        public Optional<Executor> executor() {
            return Optional.empty();
        }
    }
}
