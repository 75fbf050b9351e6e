package dev.tokengate.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;

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
}
