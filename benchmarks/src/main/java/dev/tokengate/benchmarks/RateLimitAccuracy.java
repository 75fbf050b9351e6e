package dev.tokengate.benchmarks;

import dev.tokengate.Outcome;
import dev.tokengate.TokenGate;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Rate;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.control.RateLimits;
import dev.tokengate.testing.TestRequest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The rate limiter's accuracy on the wall clock: one token calls a gate with a per-token limit at a steady pace for
 * a while; prints how many calls each window of the limit admitted (windows from the first call) and the most any
 * sliding window of that length admitted, against the configured limit. Not a test: it takes as long as it runs.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.tokengate.benchmarks.RateLimitAccuracy [RATE] [CALLS_PER_SECOND]
 * [SECONDS]}, default {@code 100/1m 20 130}.
 */
public final class RateLimitAccuracy {

    private RateLimitAccuracy() {
    }

    public static void main(String[] args) {
        Rate rate = Rate.parse(args.length > 0 ? args[0] : "100/1m");
        int perSecond = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 130;
        VerifiedToken verified = VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("bot").clientId("bot")
                .expiresAt(Instant.now().plus(Duration.ofDays(1))).build();
        List<Long> admitted = new ArrayList<>();
        int calls = 0;
        try (TokenGate gate = TokenGate.builder().validator(t -> verified).callLogSink(e -> { })
                .rateLimits(RateLimits.builder().perToken(rate).build()).clock(Clock.systemUTC()).build()) {
            long interval = 1_000_000_000L / perSecond;
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            for (long next = start; next < end; next += interval) {
                LockSupport.parkNanos(next - System.nanoTime());
                TokenGate.Call call = gate.begin(TestRequest.get("/api/orders").bearer("bot-token"));
                boolean ok = call.authorize(Requirement.authenticated()) instanceof Outcome.Authenticated;
                call.finish(ok ? 200 : 429);
                calls++;
                if (ok) {
                    admitted.add((System.nanoTime() - start) / 1_000_000L);
                }
            }
        }
        long window = rate.window().toMillis();
        List<Long> perWindow = new ArrayList<>();
        for (long from = 0; from + window <= seconds * 1000L; from += window) {
            long f = from;
            perWindow.add(admitted.stream().filter(t -> t >= f && t < f + window).count());
        }
        long worst = 0;
        for (long s = 0; s + window <= seconds * 1000L; s += 10) {
            long f = s;
            worst = Math.max(worst, admitted.stream().filter(t -> t >= f && t < f + window).count());
        }
        System.out.println("rate-limit accuracy: limit " + rate + ", " + calls + " calls at " + perSecond + "/s over "
                + seconds + " s (wall clock): admitted per window " + perWindow + ", most in any sliding window "
                + worst + ", total " + admitted.size());
    }
}
