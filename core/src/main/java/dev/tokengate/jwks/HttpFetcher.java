package dev.tokengate.jwks;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One bounded HTTP GET of a JSON document: a total deadline, a body size cap enforced while reading (never an
 * unbounded buffer), and a failure described in words an operator can act on.
 */
final class HttpFetcher {

    private final HttpClient client;
    private final Duration timeout;
    private final long maxBytes;

    HttpFetcher(HttpClient client, Duration timeout, long maxBytes) {
        this.client = Objects.requireNonNull(client, "client");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.maxBytes = maxBytes;
    }

    /** A JDK client that connects within {@code connectTimeout} and never downgrades https to http on redirect. */
    static HttpClient defaultClient(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** The status, headers and, for a 200, the body; the body of any other status is discarded unread. */
    record Response(int status, HttpHeaders headers, byte[] body) {
    }

    /**
     * GETs {@code uri}.
     *
     * @throws FetchException when no response arrives in time, the connection fails or the body is too large
     */
    Response get(URI uri) throws FetchException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/json")
                .GET()
                .build();
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request, info -> info.statusCode() == 200
                ? new BoundedBodySubscriber(maxBytes, info.headers().firstValueAsLong("Content-Length").orElse(-1))
                : BodySubscribers.replacing(new byte[0]));
        try {
            // The request timeout covers the response headers only; the deadline here also bounds a slow body.
            HttpResponse<byte[]> response = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new FetchException("GET " + uri + " timed out after " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new FetchException("GET " + uri + " interrupted", e);
        } catch (ExecutionException e) {
            throw new FetchException("GET " + uri + " " + describe(e.getCause()), e.getCause());
        }
    }

    private String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ResponseTooLargeException) {
                return "failed: " + t.getMessage();
            }
        }
        if (failure instanceof HttpConnectTimeoutException) {
            return "failed: connect timed out (" + failure.getMessage() + ")";
        }
        if (failure instanceof HttpTimeoutException) {
            return "timed out after " + timeout.toMillis() + " ms";
        }
        if (failure instanceof ConnectException) {
            return "failed: cannot connect (" + failure.getMessage() + ")";
        }
        return "failed: " + failure.getClass().getSimpleName() + " (" + failure.getMessage() + ")";
    }

    /** A fetch that produced no usable response; the message says which URI and how. */
    static final class FetchException extends Exception {
        private static final long serialVersionUID = 1L;

        FetchException(String message, Throwable cause) {
            super(message, cause);
        }

        FetchException(String message) {
            super(message);
        }
    }

    /** The body is larger than allowed. */
    static final class ResponseTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        ResponseTooLargeException(long maxBytes) {
            super("response body larger than " + maxBytes + " bytes (maxResponseBytes)");
        }
    }

    /** Collects at most {@code maxBytes}, cancelling the subscription as soon as more arrive. */
    static final class BoundedBodySubscriber implements BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final long maxBytes;
        private final long declaredLength;
        private Flow.Subscription subscription;
        private byte[] buffer = new byte[0];
        private int size;

        BoundedBodySubscriber(long maxBytes, long declaredLength) {
            this.maxBytes = maxBytes;
            this.declaredLength = declaredLength;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.subscription = s;
            if (declaredLength > maxBytes) {
                s.cancel();
                result.completeExceptionally(new ResponseTooLargeException(maxBytes));
                return;
            }
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                int n = item.remaining();
                if ((long) size + n > maxBytes) {
                    subscription.cancel();
                    buffer = new byte[0];
                    result.completeExceptionally(new ResponseTooLargeException(maxBytes));
                    return;
                }
                if (size + n > buffer.length) {
                    buffer = Arrays.copyOf(buffer, (int) Math.min(maxBytes, Math.max(2L * buffer.length, size + n)));
                }
                item.get(buffer, size, n);
                size += n;
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(Arrays.copyOf(buffer, size));
        }
    }
}
