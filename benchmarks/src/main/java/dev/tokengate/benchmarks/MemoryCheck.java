package dev.tokengate.benchmarks;

import dev.tokengate.TokenValidator;
import dev.tokengate.jwt.IssuerRouter;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.validate.CachingTokenValidator;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Memory: streams distinct valid HS256 tokens (HS256 so that signing a million of them takes seconds, not an hour;
 * the cache holds the same {@code VerifiedToken} whatever the algorithm) through tokengate's default stack
 * (verified-token cache of {@value CachingTokenValidator#DEFAULT_MAXIMUM_SIZE} entries over the JWT validator), and
 * reports the used heap after a full GC: at the start, once the cache is full (as many tokens as its bound), and at
 * the end. The cache stays within its bounds when the end figure is about the full-cache figure.
 *
 * <p>Usage: {@code java -Xmx256m -cp benchmarks.jar dev.tokengate.benchmarks.MemoryCheck [TOKENS]}.
 */
public final class MemoryCheck {

    private MemoryCheck() {
    }

    public static void main(String[] args) throws Exception {
        long total = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        long bound = CachingTokenValidator.DEFAULT_MAXIMUM_SIZE;
        TokenValidator validator = CachingTokenValidator.create(IssuerRouter.create(JwtValidator.builder()
                .issuer(BenchTokens.ISSUER)
                .audiences(BenchTokens.AUDIENCE)
                .type("at+jwt")
                .hmacSecret(BenchTokens.HMAC_SECRET)
                .build()));
        long start = usedAfterGc();
        long full = 0;
        long began = System.nanoTime();
        Instant now = Instant.now();
        for (long i = 1; i <= total; i++) {
            String token = TestTokens.jwt().signedWithHmac("HS256", BenchTokens.HMAC_SECRET).keyId(BenchTokens.HMAC_KEY_ID)
                    .type("at+jwt").issuedAt(now).expiresAt(now.plus(BenchTokens.LIFETIME))
                    .subject(UUID.randomUUID().toString()).sign();
            validator.validate(token);
            if (i == bound) {
                full = usedAfterGc();
            }
        }
        long seconds = Duration.ofNanos(System.nanoTime() - began).toSeconds();
        Thread.sleep(1000); // let Caffeine's asynchronous maintenance finish its last evictions
        long end = usedAfterGc();
        System.out.printf("memory: %,d distinct tokens in %d s; cache bound %,d entries; heap used after full GC: "
                        + "start %.1f MB, cache full (%,d tokens) %.1f MB, end %.1f MB (max heap %.0f MB); "
                        + "end - full = %+.1f MB%n",
                total, seconds, bound, mb(start), bound, mb(full), mb(end),
                mb(Runtime.getRuntime().maxMemory()), mb(end - full));
        System.out.printf("memory: about %.0f bytes per cached token ((full - start) / %,d)%n",
                (double) (full - start) / bound, bound);
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
