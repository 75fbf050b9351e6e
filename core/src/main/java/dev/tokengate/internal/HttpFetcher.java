package dev.tokengate.internal;

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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One bounded HTTP exchange for a JSON document (a GET, or a POST of a form): a total deadline, a body size cap
 * enforced while reading (never an unbounded buffer), and a failure described in words an operator can act on.
 * With {@link #client(Duration, boolean)}, the one HTTP client set-up of tokengate: shared by the JWKS source,
 * discovery and the introspection client. Not API.
 */
public final class HttpFetcher {

    private final HttpClient client;
    private final Duration timeout;
    private final long maxBytes;

    public HttpFetcher(HttpClient client, Duration timeout, long maxBytes) {
        this.client = Objects.requireNonNull(client, "client");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.maxBytes = maxBytes;
    }

    /**
     * The JDK client every tokengate fetch uses unless the application supplies its own: it connects within
     * {@code connectTimeout} and follows no redirect unless {@code followRedirects} (then never from https to
     * http). Not following is the default for JWKS, discovery and introspection alike: a redirect would send the
     * request, and for introspection the client credentials, to an address nobody configured; a 3xx answer is a
     * failed fetch whose message says so ({@link #redirectHint(int)}).
     */
    public static HttpClient client(Duration connectTimeout, boolean followRedirects) {
        return HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(followRedirects ? HttpClient.Redirect.NORMAL : HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Stops a client that tokengate built, so its selector thread ends now rather than when the client is collected:
     * {@code HttpClient.shutdownNow()} on Java 21 and later (looked up by reflection: tokengate compiles for Java 17,
     * where a JDK client has no way to be stopped). Requests still in flight fail. Never throws.
     *
     * @return whether the client was stopped; {@code false} on Java 17
     */
    public static boolean shutdown(HttpClient client) {
        if (SHUTDOWN_NOW == null) {
            return false;
        }
        try {
            SHUTDOWN_NOW.invoke(client);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** {@code HttpClient.shutdownNow()}, or {@code null} before Java 21. */
    private static final java.lang.reflect.Method SHUTDOWN_NOW = shutdownNow();

    private static java.lang.reflect.Method shutdownNow() {
        try {
            return HttpClient.class.getMethod("shutdownNow");
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** For a failed fetch's message: what a 3xx status means here; empty for any other status. */
    public static String redirectHint(int status) {
        return status >= 300 && status < 400
                ? " (redirects are not followed: configure the final URI, or allow redirects)" : "";
    }

    /** The status, headers and, for a 200, the body; the body of any other status is discarded unread. */
    public record Response(int status, HttpHeaders headers, byte[] body) {
    }

    /**
     * GETs {@code uri}.
     *
     * @throws FetchException when no response arrives in time, the connection fails or the body is too large
     */
    public Response get(URI uri) throws FetchException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/json")
                .GET()
                .build();
        return send(request, "GET " + uri);
    }

    /**
     * POSTs an {@code application/x-www-form-urlencoded} body to {@code uri}, with these extra headers.
     *
     * @param form the encoded form; it may hold secrets and never appears in a message
     * @throws FetchException when no response arrives in time, the connection fails or the body is too large
     */
    public Response postForm(URI uri, Map<String, String> headers, String form) throws FetchException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.US_ASCII));
        headers.forEach(builder::header);
        return send(builder.build(), "POST " + uri);
    }

    private Response send(HttpRequest request, String what) throws FetchException {
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request, bodyHandler(maxBytes));
        try {
            // The request timeout covers the response headers only; the deadline here also bounds a slow body.
            HttpResponse<byte[]> response = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new FetchException(what + " timed out after " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new FetchException(what + " interrupted", e);
        } catch (ExecutionException e) {
            throw new FetchException(what + " " + describe(e.getCause()), e.getCause());
        }
    }

    /**
     * The body handler of every exchange: the body of a 200 read up to {@code maxBytes}, any other discarded.
     *
     * <p>Static, so that it holds nothing of this fetcher, and so nothing of its client: the JDK's client keeps
     * the handler of its last exchange reachable from its pooled connection for as long as the connection lives,
     * and on Java 21 and later a client's internals stay reachable until its facade (the {@link HttpClient} this
     * fetcher holds) is collected, from a {@code Cleaner} registered on that facade. A handler that reached the
     * facade would keep it, and the client, alive for good; on an application server, with the client, the
     * undeployed web application's class loader (the exception that {@link #shutdown} leaves in the client names
     * tokengate's classes in its stack trace). The WildFly redeploy test ({@code it-servers}) fails on it.
     */
    static HttpResponse.BodyHandler<byte[]> bodyHandler(long maxBytes) {
        return info -> info.statusCode() == 200
                ? new BoundedBodySubscriber(maxBytes, info.headers().firstValueAsLong("Content-Length").orElse(-1))
                : BodySubscribers.replacing(new byte[0]);
    }

    private static final String NO_MESSAGE = ", without a message";

    /** How a send failed, for the message after {@code GET <uri>}; never a bare {@code null}. */
    String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ResponseTooLargeException) {
                return "failed: " + t.getMessage();
            }
        }
        if (failure instanceof HttpConnectTimeoutException) {
            return "failed: connect timed out (" + reason(failure) + ")";
        }
        if (failure instanceof HttpTimeoutException) {
            return "timed out after " + timeout.toMillis() + " ms";
        }
        if (failure instanceof ConnectException) {
            String reason = reason(failure);
            return "failed: cannot connect (" + reason + (reason.endsWith(NO_MESSAGE)
                    ? ": the connection was refused or dropped; check that the server is up at that host and port)"
                    : ")");
        }
        return "failed: " + reason(failure);
    }

    /**
     * What went wrong, from the cause chain: the first exception in it that has a message, named with its class
     * ({@code ConnectException: Connection refused}); when none has one (the JDK's client throws a
     * {@code ConnectException} without message for a refused connection), the classes of the chain
     * ({@code ConnectException caused by ClosedChannelException}).
     */
    static String reason(Throwable failure) {
        StringBuilder classes = new StringBuilder();
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && !message.isBlank() && (t.getCause() == null || !message.equals(t.getCause().toString()))) {
                return t.getClass().getSimpleName() + ": " + message;
            }
            classes.append(classes.length() == 0 ? "" : " caused by ").append(t.getClass().getSimpleName());
            if (classes.length() > 200) {
                break;
            }
        }
        return classes.append(NO_MESSAGE).toString();
    }

    /** A fetch that produced no usable response; the message says which URI and how. */
    public static class FetchException extends Exception {
        private static final long serialVersionUID = 1L;

        public FetchException(String message, Throwable cause) {
            super(message, cause);
        }

        public FetchException(String message) {
            super(message);
        }
    }

    /** The body is larger than allowed. */
    public static final class ResponseTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        public ResponseTooLargeException(long maxBytes) {
            super("response body larger than " + maxBytes + " bytes (maxResponseBytes)");
        }
    }

    /** Collects at most {@code maxBytes}, cancelling the subscription as soon as more arrive. */
    public static final class BoundedBodySubscriber implements BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final long maxBytes;
        private final long declaredLength;
        private Flow.Subscription subscription;
        private byte[] buffer = new byte[0];
        private int size;

        public BoundedBodySubscriber(long maxBytes, long declaredLength) {
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
