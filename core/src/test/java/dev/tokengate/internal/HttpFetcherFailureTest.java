package dev.tokengate.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How a fetch that fails is described, an interrupted one, the redirect hint and stopping a client. */
class HttpFetcherFailureTest {

    private static HttpFetcher fetcher() {
        return new HttpFetcher(HttpClient.newHttpClient(), Duration.ofSeconds(3), 1024);
    }

    @Test
    void describeSaysWhatKindOfFailureItWas() {
        HttpFetcher fetcher = fetcher();

        assertThat(fetcher.describe(new java.io.UncheckedIOException(new IOException("x",
                new HttpFetcher.ResponseTooLargeException(1024)))))
                .isEqualTo("failed: response body larger than 1024 bytes (maxResponseBytes)");
        assertThat(fetcher.describe(new java.net.http.HttpConnectTimeoutException("HTTP connect timed out")))
                .isEqualTo("failed: connect timed out (HttpConnectTimeoutException: HTTP connect timed out)");
        assertThat(fetcher.describe(new java.net.http.HttpTimeoutException("request timed out")))
                .isEqualTo("timed out after 3000 ms");
        assertThat(fetcher.describe(new ConnectException("Connection refused")))
                .isEqualTo("failed: cannot connect (ConnectException: Connection refused)");
        assertThat(fetcher.describe(new ConnectException())).isEqualTo("failed: cannot connect (ConnectException, "
                + "without a message: the connection was refused or dropped; check that the server is up at that host "
                + "and port)");
        assertThat(fetcher.describe(new IOException("stream reset"))).isEqualTo("failed: IOException: stream reset");
    }

    @Test
    void getWhenTheThreadIsInterruptedThenFailsAndTheInterruptIsKept() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) { // accepts, never answers
            URI uri = URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/jwks");
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> fetcher().get(uri)).isInstanceOf(HttpFetcher.FetchException.class)
                        .hasMessage("GET " + uri + " interrupted");
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void redirectHintOnlyForThreeHundreds() {
        assertThat(HttpFetcher.redirectHint(300)).isEqualTo(" (redirects are not followed: configure the final URI, "
                + "or allow redirects)");
        assertThat(HttpFetcher.redirectHint(399)).isEqualTo(HttpFetcher.redirectHint(300));
        assertThat(HttpFetcher.redirectHint(299)).isEmpty();
        assertThat(HttpFetcher.redirectHint(400)).isEmpty();
    }

    @Test
    void shutdownStopsAClientFromJava21OnlyAndSaysWhetherItDid() {
        HttpClient client = HttpClient.newHttpClient();

        assertThat(HttpFetcher.shutdown(client)).isEqualTo(Runtime.version().feature() >= 21);
    }
}
