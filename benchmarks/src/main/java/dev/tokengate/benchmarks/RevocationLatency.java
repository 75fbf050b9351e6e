package dev.tokengate.benchmarks;

import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.control.Revocation;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.servlet.TokenGateFilter;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Revocation latency on one node, over HTTP: a client calls a route behind {@link TokenGateFilter} on embedded Jetty
 * with a JWT, in a loop, as fast as it can (its verification cached after the first call); the main thread revokes
 * the token's {@code jti} through {@code TokenGate.revocations()}. Measured per round: the time from the start of
 * the revoke call to the end of the client's first refused (401) response, and the number of responses served with
 * 200 to requests the client sent after the revoke call returned (must be 0). {@value #ROUNDS} rounds, one fresh
 * token each.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.tokengate.benchmarks.RevocationLatency [ROUNDS]}; prints p50, p99 and
 * max, and exits 1 if any request sent after a revocation returned was served.
 */
public final class RevocationLatency {

    static final int ROUNDS = 100;

    private RevocationLatency() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : ROUNDS;
        try (LoopbackIssuer jwks = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa())).cacheControl("max-age=3600")) {
            TokenGate gate = TokenGate.builder()
                    .issuer(JwtValidator.builder().issuer(TestTokens.ISSUER).audiences(TestTokens.AUDIENCE)
                            .keySource(KeySources.jwks(jwks.jwksUri()).build()))
                    .callLogSink(event -> { }).build();
            Server server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            server.addConnector(connector);
            ServletContextHandler context = new ServletContextHandler();
            context.setContextPath("/");
            context.addFilter(new FilterHolder(new TokenGateFilter(gate, UrlRules.parse("/* = read"))), "/*",
                    EnumSet.of(DispatcherType.REQUEST));
            context.addServlet(new ServletHolder(new HttpServlet() {
                @Override
                protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                    resp.getWriter().write("ok");
                }
            }), "/*");
            server.setHandler(context);
            server.start();
            try {
                URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/balances");
                measure(gate, uri, rounds);
            } finally {
                server.stop();
                gate.close();
            }
        }
    }

    private static void measure(TokenGate gate, URI uri, int rounds) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<Long> micros = new ArrayList<>();
        int servedAfterRevoke = 0;
        for (int round = -10; round < rounds; round++) { // ten rounds of warm-up, not counted
            String jti = "latency-" + round;
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer " + TestTokens.jwt().scope("read").tokenId(jti).sign()).build();
            CountDownLatch warm = new CountDownLatch(2);
            CountDownLatch refused = new CountDownLatch(1);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong refusedAt = new AtomicLong();
            AtomicLong revokedAt = new AtomicLong(Long.MAX_VALUE);
            AtomicInteger servedLate = new AtomicInteger();
            Thread caller = new Thread(() -> {
                while (!stop.get()) {
                    long sent = System.nanoTime();
                    int status;
                    try {
                        status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    if (status == 200) {
                        if (sent > revokedAt.get()) {
                            servedLate.incrementAndGet();
                        }
                        warm.countDown();
                    } else if (status == 401) {
                        refusedAt.compareAndSet(0, System.nanoTime());
                        refused.countDown();
                    }
                }
            }, "caller");
            caller.start();
            if (!warm.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the token was not served twice");
            }
            long start = System.nanoTime();
            gate.revocations().revoke(Revocation.Target.TOKEN_ID, jti, "latency round " + round, null);
            revokedAt.set(System.nanoTime());
            boolean seen = refused.await(30, TimeUnit.SECONDS);
            stop.set(true);
            caller.join();
            if (!seen) {
                throw new IllegalStateException("round " + round + ": the revoked token was still served after 30 s");
            }
            if (round >= 0) {
                micros.add((refusedAt.get() - start) / 1_000);
                servedAfterRevoke += servedLate.get();
            }
        }
        Collections.sort(micros);
        System.out.printf(Locale.ROOT, "revocation latency over HTTP, %d rounds: p50 %d µs, p99 %d µs, max %d µs; "
                        + "requests sent after a revoke returned and still served: %d%n", rounds, percentile(micros, 50),
                percentile(micros, 99), micros.get(micros.size() - 1), servedAfterRevoke);
        if (servedAfterRevoke > 0) {
            System.exit(1);
        }
    }

    private static long percentile(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, index));
    }
}
