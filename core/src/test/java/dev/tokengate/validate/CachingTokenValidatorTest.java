package dev.tokengate.validate;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tokengate.ConfigurationException;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.TokenValidator;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.VerifiedToken;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CachingTokenValidatorTest {

    private static final Instant START = Instant.parse("2026-11-29T10:00:00Z");

    private final FakeTime time = new FakeTime(START);
    private final Map<String, Integer> calls = new ConcurrentHashMap<>();
    /** How long after "now" (at validation time) the delegate's tokens expire; null for no exp. */
    private Duration tokenLifetime = Duration.ofMinutes(30);
    private RuntimeException failure;

    private final TokenValidator delegate = token -> {
        calls.merge(token, 1, Integer::sum);
        if (failure != null) {
            throw failure;
        }
        return VerifiedToken.builder(VerifiedToken.Kind.INTROSPECTED)
                .subject("sub-" + token)
                .expiresAt(tokenLifetime == null ? null : time.instant().plus(tokenLifetime))
                .build();
    };

    private CachingTokenValidator.Builder cache() {
        return CachingTokenValidator.builder(delegate).ticker(time).clock(time);
    }

    private int callsFor(String token) {
        return calls.getOrDefault(token, 0);
    }

    @Test
    void validateWhenSeenAgainThenServedFromCacheWithoutDelegateCall() {
        CachingTokenValidator validator = cache().build();

        VerifiedToken first = validator.validate("token-a");
        VerifiedToken second = validator.validate("token-a");

        assertThat(second).isSameAs(first);
        assertThat(callsFor("token-a")).isEqualTo(1);
    }

    @Test
    void validateWhenOnlyTheCaseOfOneLetterDiffersThenEachValidated() {
        for (boolean singleFlight : new boolean[] {false, true}) {
            CachingTokenValidator v = cache().singleFlight(singleFlight).build();
            String token = "opaque-Abc-" + singleFlight;

            assertThat(v.validate(token).subject()).contains("sub-" + token);
            assertThat(v.validate("opaque-abc-" + singleFlight).subject()).contains("sub-opaque-abc-" + singleFlight);
            assertThat(callsFor("opaque-abc-" + singleFlight)).isEqualTo(1);
        }
    }

    @Test
    void validateWhenNoExpThenRememberedAtMostTheTimeToLiveWithoutExpiry() {
        tokenLifetime = null;
        CachingTokenValidator validator = cache().maxTimeToLive(Duration.ofMinutes(10))
                .maxTimeToLiveWithoutExpiry(Duration.ofSeconds(30)).build();
        validator.validate("token-a");

        time.advance(Duration.ofSeconds(29));
        validator.validate("token-a");
        assertThat(callsFor("token-a")).isEqualTo(1);
        time.advance(Duration.ofSeconds(1));
        validator.validate("token-a");
        assertThat(callsFor("token-a")).isEqualTo(2);
    }

    @Test
    void validateWhenExpThenTheTimeToLiveWithoutExpiryDoesNotApply() {
        tokenLifetime = Duration.ofMinutes(30);
        CachingTokenValidator validator = cache().maxTimeToLive(Duration.ofMinutes(10))
                .maxTimeToLiveWithoutExpiry(Duration.ofSeconds(30)).build();
        validator.validate("token-a");

        time.advance(Duration.ofMinutes(9));
        validator.validate("token-a");
        assertThat(callsFor("token-a")).isEqualTo(1);
    }

    @Test
    void builderWhenTimeToLiveWithoutExpiryNotPositiveThenConfigurationException() {
        assertThatThrownBy(() -> cache().maxTimeToLiveWithoutExpiry(Duration.ZERO))
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.getMessage()).contains("maxTimeToLiveWithoutExpiry"));
    }

    @Test
    void validateWhenDifferentTokensThenEachValidated() {
        CachingTokenValidator validator = cache().build();

        assertThat(validator.validate("token-a").subject()).contains("sub-token-a");
        assertThat(validator.validate("token-b").subject()).contains("sub-token-b");
        assertThat(callsFor("token-a") + callsFor("token-b")).isEqualTo(2);
    }

    @Test
    void validateWhenTokenReachesExpThenEntryGone() {
        tokenLifetime = Duration.ofMinutes(2);
        CachingTokenValidator validator = cache().maxTimeToLive(Duration.ofMinutes(5)).build();
        validator.validate("token-a");

        time.advance(Duration.ofMinutes(2).minusSeconds(1));
        validator.validate("token-a");
        assertThat(callsFor("token-a")).isEqualTo(1);

        time.advance(Duration.ofSeconds(1));
        validator.validate("token-a");
        assertThat(callsFor("token-a")).isEqualTo(2);
    }

    @Test
    void validateWhenMaxTimeToLiveShorterThanExpThenEntryGoneAtMaxTimeToLive() {
        CachingTokenValidator validator = cache().maxTimeToLive(Duration.ofMinutes(1)).build();
        validator.validate("token-a");

        time.advance(Duration.ofSeconds(59));
        validator.validate("token-a");
        time.advance(Duration.ofSeconds(1));
        validator.validate("token-a");

        assertThat(callsFor("token-a")).isEqualTo(2);
    }

    @Test
    void validateWhenTokenHasNoExpThenEntryLivesMaxTimeToLive() {
        tokenLifetime = null;
        CachingTokenValidator validator = cache().maxTimeToLive(Duration.ofMinutes(3)).build();
        validator.validate("token-a");

        time.advance(Duration.ofMinutes(3).minusNanos(1));
        validator.validate("token-a");
        assertThat(callsFor("token-a")).isEqualTo(1);
        time.advance(Duration.ofNanos(1));
        validator.validate("token-a");
        assertThat(callsFor("token-a")).isEqualTo(2);
    }

    @Test
    void validateWhenDelegateAcceptsAnAlreadyExpiredTokenThenItIsNotCached() {
        tokenLifetime = Duration.ofSeconds(-30); // accepted within the delegate's leeway
        CachingTokenValidator validator = cache().build();

        validator.validate("token-a");
        validator.validate("token-a");

        assertThat(callsFor("token-a")).isEqualTo(2);
        assertThat(validator.size()).isZero();
    }

    @Test
    void validateWhenWallClockPassesExpBeforeTickerThenCachedEntryNotServed() {
        tokenLifetime = Duration.ofMinutes(2);
        CachingTokenValidator validator = cache().build();
        validator.validate("token-a");

        time.advanceClockOnly(Duration.ofMinutes(3));
        validator.validate("token-a");
        assertThat(callsFor("token-a")).isEqualTo(2);

        validator.validate("token-a");
        assertThat(callsFor("token-a")).as("the fresh answer (exp two minutes on) replaced the stale one").isEqualTo(2);
    }

    @Test
    void validateWhenWallClockReachesExpAtAWholeMillisecondThenNotServedFromThatMillisecond() {
        tokenLifetime = Duration.ofMillis(5);
        CachingTokenValidator validator = cache().build();
        validator.validate("token-a");

        time.advanceClockOnly(Duration.ofMillis(4));
        validator.validate("token-a");
        assertThat(callsFor("token-a")).isEqualTo(1);
        time.advanceClockOnly(Duration.ofMillis(1));
        validator.validate("token-a");
        assertThat(callsFor("token-a")).isEqualTo(2);
    }

    @Test
    void validateWhenExpFallsWithinAMillisecondThenServedUntilThatMillisecondIsOver() {
        tokenLifetime = Duration.ofNanos(1_500_000);
        CachingTokenValidator validator = cache().build();
        validator.validate("token-a");

        time.advanceClockOnly(Duration.ofMillis(1));
        validator.validate("token-a");
        assertThat(callsFor("token-a")).as("1 ms before exp at 1.5 ms: served").isEqualTo(1);
        time.advanceClockOnly(Duration.ofMillis(1));
        validator.validate("token-a");
        assertThat(callsFor("token-a")).as("at 2 ms, past exp").isEqualTo(2);
    }

    @Test
    void sizeWhenEntriesExpiredThenNoLongerCounted() {
        CachingTokenValidator validator = cache().maxTimeToLive(Duration.ofMinutes(1)).build();
        validator.validate("token-a");
        validator.validate("token-b");
        assertThat(validator.size()).isEqualTo(2);

        time.advance(Duration.ofMinutes(1));

        assertThat(validator.size()).isZero();
    }

    @Test
    void createThenDefaultsRememberAToken() {
        tokenLifetime = null; // the system clock is not the test's
        CachingTokenValidator validator = CachingTokenValidator.create(delegate);

        assertThat(validator.validate("token-a").subject()).contains("sub-token-a");
        assertThat(validator.validate("token-a").subject()).contains("sub-token-a");

        assertThat(callsFor("token-a")).isEqualTo(1);
        assertThat(validator).hasToString("CachingTokenValidator[maxTimeToLive=PT5M, delegate=" + delegate + "]");
    }

    @Test
    void validateWhenTokensLongerThanTheReusedBufferThenEachRememberedApart() throws Exception {
        CachingTokenValidator validator = cache().build();
        // On a thread of its own, whose reused buffer starts at its initial size whatever other tests left in theirs
        java.util.concurrent.FutureTask<Void> onANewThread = new java.util.concurrent.FutureTask<>(() -> {
            for (int length : new int[] {1023, 1024, 1025, 4096, 40_000}) {
                String a = "a".repeat(length - 1) + "x";
                String b = "a".repeat(length - 1) + "y";

                assertThat(validator.validate(a).subject()).contains("sub-" + a);
                assertThat(validator.validate(b).subject()).contains("sub-" + b);
                assertThat(validator.validate(a).subject()).contains("sub-" + a);
                assertThat(validator.validate("short").subject()).contains("sub-short");

                assertThat(callsFor(a)).as("length %d", length).isEqualTo(1);
                assertThat(callsFor(b)).as("length %d", length).isEqualTo(1);
            }
            return null;
        });
        Thread thread = new Thread(onANewThread, "long-tokens");
        thread.start();
        onANewThread.get(30, TimeUnit.SECONDS);
        assertThat(callsFor("short")).isEqualTo(1);
    }

    @Test
    void digestKeyWhenDigestsDifferInAnyOneByteThenDifferentKeys() {
        byte[] digest = new byte[32];
        for (int i = 0; i < digest.length; i++) {
            digest[i] = (byte) (i * 37 + 11);
        }
        CachingTokenValidator.DigestKey key = CachingTokenValidator.DigestKey.of(digest);
        assertThat(CachingTokenValidator.DigestKey.of(digest.clone())).isEqualTo(key).hasSameHashCodeAs(key);
        for (int i = 0; i < digest.length; i++) {
            byte[] other = digest.clone();
            other[i] ^= 0x01;
            assertThat(CachingTokenValidator.DigestKey.of(other)).as("byte %d", i).isNotEqualTo(key);
        }
        assertThat(key).isNotEqualTo(null).isNotEqualTo("DigestKey");
    }

    @Test
    void digestKeyHashCodesOfDifferentTokensAreSpread() throws Exception {
        java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
        Set<Integer> hashes = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            byte[] digest = sha256.digest(("token-" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            hashes.add(CachingTokenValidator.DigestKey.of(digest).hashCode());
        }
        assertThat(hashes).hasSizeGreaterThan(990);
    }

    @Test
    void digestKeyToStringShowsTheStartOfTheDigestOnly() {
        byte[] digest = new byte[32];
        digest[0] = (byte) 0xAB;
        digest[7] = 0x01;
        digest[31] = 0x7F;

        assertThat(CachingTokenValidator.DigestKey.of(digest)).hasToString("DigestKey[ab00000000000001\u2026]");
    }

    @Test
    void validateWhenDelegateRejectsThenFailureNotCached() {
        CachingTokenValidator validator = cache().build();
        failure = new InvalidTokenException("The token's signature is invalid");

        assertThatThrownBy(() -> validator.validate("token-a")).isSameAs(failure);
        assertThatThrownBy(() -> validator.validate("token-a")).isSameAs(failure);
        assertThat(callsFor("token-a")).isEqualTo(2);
        assertThat(validator.size()).isZero();
    }

    @Test
    void validateWhenUpstreamUnavailableThenPassesThroughAndNotCached() {
        CachingTokenValidator validator = cache().build();
        failure = new UpstreamUnavailableException("introspection down", URI.create("https://as.example/introspect"));

        assertThatThrownBy(() -> validator.validate("token-a")).isSameAs(failure);
        failure = null;
        assertThat(validator.validate("token-a").subject()).contains("sub-token-a");
        assertThat(callsFor("token-a")).isEqualTo(2);
    }

    @Test
    void validateWhenMoreTokensThanMaximumSizeThenSizeBoundHolds() {
        CachingTokenValidator validator = cache().maximumSize(10).build();

        for (int i = 0; i < 100; i++) {
            validator.validate("token-" + i);
        }

        assertThat(validator.size()).isLessThanOrEqualTo(10);
    }

    @Test
    void validateWhenSpecGivenThenItsSizeBoundHolds() {
        CachingTokenValidator validator = cache().spec("maximumSize=5,initialCapacity=8").build();

        for (int i = 0; i < 50; i++) {
            validator.validate("token-" + i);
        }

        assertThat(validator.size()).isLessThanOrEqualTo(5);
    }

    @Test
    void validateWhenConcurrentFirstUseThenEveryCallerVerifiedAndLaterCallsHit() throws Exception {
        CachingTokenValidator validator = cache().build();
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<VerifiedToken>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return validator.validate("token-a");
                }));
            }
            start.countDown();
            for (Future<VerifiedToken> result : results) {
                assertThat(result.get(10, TimeUnit.SECONDS).subject()).contains("sub-token-a");
            }
        } finally {
            pool.shutdownNow();
        }
        int afterRace = callsFor("token-a");

        validator.validate("token-a");

        assertThat(afterRace).isBetween(1, threads);
        assertThat(callsFor("token-a")).isEqualTo(afterRace);
    }

    @Test
    void validateWhenSingleFlightAndConcurrentFirstUseThenExactlyOneDelegateCall() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger delegateCalls = new AtomicInteger();
        TokenValidator slow = token -> {
            delegateCalls.incrementAndGet();
            await(release);
            return delegate.validate(token);
        };
        CachingTokenValidator validator = CachingTokenValidator.builder(slow).ticker(time).clock(time)
                .singleFlight(true).build();

        AtomicInteger arrived = new AtomicInteger();
        List<Future<VerifiedToken>> results = concurrently(50, () -> {
            arrived.incrementAndGet();
            return validator.validate("token-a");
        });
        waitUntil(() -> arrived.get() == 50 && delegateCalls.get() >= 1);
        Thread.sleep(50); // lets the last arrivals reach the cache (and, were it broken, call the delegate)
        release.countDown();

        VerifiedToken first = results.get(0).get(10, TimeUnit.SECONDS);
        for (Future<VerifiedToken> result : results) {
            assertThat(result.get(10, TimeUnit.SECONDS)).isSameAs(first);
        }
        assertThat(delegateCalls).hasValue(1);
    }

    @Test
    void validateWhenSingleFlightCallFailsThenEveryWaiterGetsSameExceptionAndNothingCached() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger delegateCalls = new AtomicInteger();
        UpstreamUnavailableException down = new UpstreamUnavailableException("introspection down",
                URI.create("https://as.example/introspect"));
        TokenValidator slow = token -> {
            delegateCalls.incrementAndGet();
            await(release);
            if (failure != null) {
                throw failure;
            }
            return delegate.validate(token);
        };
        failure = down;
        CachingTokenValidator validator = CachingTokenValidator.builder(slow).ticker(time).clock(time)
                .singleFlight(true).build();

        AtomicInteger arrived = new AtomicInteger();
        List<Future<VerifiedToken>> results = concurrently(20, () -> {
            arrived.incrementAndGet();
            return validator.validate("token-a");
        });
        waitUntil(() -> arrived.get() == 20 && delegateCalls.get() >= 1);
        Thread.sleep(50); // lets the last arrivals reach the cache and wait for the one call
        release.countDown();
        for (Future<VerifiedToken> result : results) {
            assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS)).hasCause(down);
        }
        assertThat(delegateCalls).hasValue(1);
        assertThat(validator.size()).isZero();

        failure = null;
        assertThat(validator.validate("token-a").subject()).contains("sub-token-a");
        assertThat(delegateCalls).hasValue(2);
    }

    @Test
    void validateWhenSingleFlightCallThrowsAnErrorThenTheWaiterGetsThatVeryError() throws Exception {
        NoClassDefFoundError error = new NoClassDefFoundError("com/example/IntrospectionDriver");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger delegateCalls = new AtomicInteger();
        CachingTokenValidator validator = CachingTokenValidator.builder(token -> {
            delegateCalls.incrementAndGet();
            entered.countDown();
            await(release);
            throw error;
        }).singleFlight(true).ticker(time).clock(time).build();
        List<Throwable> thrown = java.util.Collections.synchronizedList(new ArrayList<>());
        Runnable call = () -> {
            try {
                validator.validate("token-a");
            } catch (Throwable t) {
                thrown.add(t);
            }
        };

        Thread first = new Thread(call, "first");
        first.start();
        await(entered);
        Thread waiter = new Thread(call, "waiter");
        waiter.start();
        waitUntil(() -> waiter.getState() == Thread.State.WAITING); // parked on the first caller's result
        release.countDown();
        first.join(10_000);
        waiter.join(10_000);

        assertThat(thrown).hasSize(2).allSatisfy(t -> assertThat(t).isSameAs(error));
        assertThat(delegateCalls).hasValue(1);
        assertThat(validator.size()).isZero();
    }

    @Test
    void validateWhenSingleFlightThenEntryStillGoneAtExp() {
        tokenLifetime = Duration.ofSeconds(90);
        CachingTokenValidator validator = cache().singleFlight(true).build();
        validator.validate("token-a");

        time.advance(Duration.ofSeconds(89));
        validator.validate("token-a");
        assertThat(callsFor("token-a")).isEqualTo(1);
        time.advance(Duration.ofSeconds(1));
        validator.validate("token-a");
        assertThat(callsFor("token-a")).isEqualTo(2);
    }

    @Test
    void validateWhenSingleFlightAndWallClockPassesExpBeforeTickerThenCalledAgain() {
        tokenLifetime = Duration.ofMinutes(2);
        CachingTokenValidator validator = cache().singleFlight(true).build();
        validator.validate("token-a");

        time.advanceClockOnly(Duration.ofMinutes(3));
        validator.validate("token-a");

        assertThat(callsFor("token-a")).isEqualTo(2);
    }

    @Test
    void validateWhenSingleFlightAndTokenAlreadyExpiredThenNotCached() {
        tokenLifetime = Duration.ofSeconds(-1);
        CachingTokenValidator validator = cache().singleFlight(true).build();

        validator.validate("token-a");
        validator.validate("token-a");

        assertThat(callsFor("token-a")).isEqualTo(2);
        assertThat(validator.size()).isZero();
    }

    @Test
    void validateWhenNegativeTimeToLiveThenRejectionRememberedThatLong() {
        failure = new InvalidTokenException("The token is not active", "active");
        CachingTokenValidator validator = cache().negativeTimeToLive(Duration.ofSeconds(10)).build();

        assertThatThrownBy(() -> validator.validate("token-a")).isSameAs(failure);
        time.advance(Duration.ofSeconds(9));
        assertThatThrownBy(() -> validator.validate("token-a")).isSameAs(failure);
        assertThat(callsFor("token-a")).isEqualTo(1);

        time.advance(Duration.ofSeconds(1));
        failure = null;
        assertThat(validator.validate("token-a").subject()).contains("sub-token-a");
        assertThat(callsFor("token-a")).isEqualTo(2);
    }

    @Test
    void validateWhenNegativeTimeToLiveAndSingleFlightThenRejectionRemembered() {
        failure = new InvalidTokenException("The token is not active", "active");
        CachingTokenValidator validator = cache().singleFlight(true).negativeTimeToLive(Duration.ofSeconds(10)).build();

        assertThatThrownBy(() -> validator.validate("token-a")).isSameAs(failure);
        assertThatThrownBy(() -> validator.validate("token-a")).isSameAs(failure);
        assertThat(callsFor("token-a")).isEqualTo(1);

        time.advance(Duration.ofSeconds(10));
        assertThatThrownBy(() -> validator.validate("token-a")).isSameAs(failure);
        assertThat(callsFor("token-a")).isEqualTo(2);
    }

    @Test
    void validateWhenNegativeTimeToLiveAndUpstreamUnavailableThenNotRemembered() {
        failure = new UpstreamUnavailableException("introspection down", URI.create("https://as.example/introspect"));
        CachingTokenValidator validator = cache().singleFlight(true).negativeTimeToLive(Duration.ofSeconds(10)).build();

        assertThatThrownBy(() -> validator.validate("token-a")).isSameAs(failure);
        assertThatThrownBy(() -> validator.validate("token-a")).isSameAs(failure);

        assertThat(callsFor("token-a")).isEqualTo(2);
        assertThat(validator.size()).isZero();
    }

    @Test
    void negativeTimeToLiveWhenNegativeThenConfigurationException() {
        assertThatThrownBy(() -> cache().negativeTimeToLive(Duration.ofSeconds(-1)))
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.key()).isEqualTo("negativeTimeToLive"));
    }

    @Test
    void buildWhenNegativeTimeToLiveExceedsMaxTimeToLiveThenConfigurationException() {
        assertThatThrownBy(() -> cache().maxTimeToLive(Duration.ofMinutes(1)).negativeTimeToLive(Duration.ofMinutes(2))
                .build())
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.key()).isEqualTo("negativeTimeToLive"));
    }

    @Test
    void buildWhenNegativeTimeToLiveEqualsMaxTimeToLiveThenRejectionRememberedThatLong() {
        failure = new InvalidTokenException("The token is not active", "active");
        CachingTokenValidator validator = cache().maxTimeToLive(Duration.ofSeconds(10))
                .negativeTimeToLive(Duration.ofSeconds(10)).build();

        assertThatThrownBy(() -> validator.validate("token-a")).isSameAs(failure);
        time.advance(Duration.ofSeconds(9));
        assertThatThrownBy(() -> validator.validate("token-a")).isSameAs(failure);
        assertThat(callsFor("token-a")).isEqualTo(1);
    }

    private static <T> List<Future<T>> concurrently(int callers, java.util.concurrent.Callable<T> call) {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        List<Future<T>> results = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            results.add(pool.submit(call));
        }
        pool.shutdown();
        return results;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in 10 s");
            }
            Thread.yield(); // polls the condition, bounded by the deadline; no fixed wait
            Thread.onSpinWait();
        }
    }

    @Test
    void validateWhenTokenNotAsciiThenDelegatedEveryTime() {
        CachingTokenValidator validator = cache().build();

        assertThat(validator.validate("t\u00f6ken").subject()).contains("sub-t\u00f6ken");
        assertThat(validator.validate("t\u00f6ken").subject()).contains("sub-t\u00f6ken");

        assertThat(callsFor("t\u00f6ken")).isEqualTo(2);
        assertThat(validator.size()).isZero();
    }

    @Test
    void validateWhenRealJwtThenSignatureCheckedOnceAndExpHonoured() {
        AtomicInteger lookups = new AtomicInteger();
        Clock clock = time;
        JwtValidator jwt = JwtValidator.builder().issuer(TestTokens.ISSUER).audiences(TestTokens.AUDIENCE)
                .keySource(keyId -> {
                    lookups.incrementAndGet();
                    return TestKeys.keySource(TestKeys.rsa()).keys(keyId);
                }).clock(clock).leeway(Duration.ZERO).build();
        CachingTokenValidator validator = CachingTokenValidator.builder(jwt).ticker(time).clock(time).build();
        String token = TestTokens.jwt().clock(clock).sign();

        validator.validate(token);
        validator.validate(token);
        assertThat(lookups).hasValue(1);

        time.advance(TestTokens.LIFETIME);
        assertThatThrownBy(() -> validator.validate(token)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void validateWhenCachedJwtRespeltWithStrayBitsThenRefusedNotServedAsAnotherEntry() {
        AtomicInteger lookups = new AtomicInteger();
        JwtValidator jwt = JwtValidator.builder().issuer(TestTokens.ISSUER).audiences(TestTokens.AUDIENCE)
                .keySource(keyId -> {
                    lookups.incrementAndGet();
                    return TestKeys.keySource(TestKeys.rsa()).keys(keyId);
                }).clock(time).build();
        CachingTokenValidator validator = CachingTokenValidator.builder(jwt).ticker(time).clock(time).build();
        String token = TestTokens.jwt().clock(time).sign();
        int dot = token.lastIndexOf('.');
        String respelt = token.substring(0, dot + 1) + TestTokens.withStrayBits(token.substring(dot + 1));

        validator.validate(token);
        assertThatThrownBy(() -> validator.validate(respelt))
                .isInstanceOf(InvalidTokenException.class).hasMessage("The token is not a JWT");
        validator.validate(token);

        assertThat(lookups).as("refused before any key lookup; the original served from the cache").hasValue(1);
        assertThat(validator.size()).isEqualTo(1);
    }

    @Test
    void validateWhenOnlyKindSetThenOtherKindsAnsweredButNotRemembered() {
        AtomicInteger calls = new AtomicInteger();
        VerifiedToken introspected = VerifiedToken.builder(VerifiedToken.Kind.INTROSPECTED).subject("alice").build();
        CachingTokenValidator validator = CachingTokenValidator.builder(t -> {
            calls.incrementAndGet();
            return introspected;
        }).onlyKind(VerifiedToken.Kind.JWT).ticker(time).clock(time).build();

        assertThat(validator.validate("tok")).isSameAs(introspected);
        assertThat(validator.validate("tok")).isSameAs(introspected);

        assertThat(calls).hasValue(2);
        assertThat(validator.size()).isZero();
    }

    @Test
    void maximumSizeWhenNotPositiveThenConfigurationException() {
        assertThatThrownBy(() -> cache().maximumSize(0))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("maximumSize"));
    }

    @Test
    void maximumSizeWhenOneThenOneTokenKept() {
        CachingTokenValidator validator = cache().maximumSize(1).build();

        validator.validate("token-a");
        validator.validate("token-a");

        assertThat(callsFor("token-a")).isEqualTo(1);
        validator.validate("token-b");
        assertThat(validator.size()).isEqualTo(1);
    }

    @Test
    void buildWhenSpecWithoutSizeBoundThenMaximumSizeBoundsIt() {
        CachingTokenValidator validator = cache().spec("initialCapacity=8").maximumSize(5).build();

        for (int i = 0; i < 50; i++) {
            validator.validate("token-" + i);
        }

        assertThat(validator.size()).isLessThanOrEqualTo(5);
    }

    @Test
    void buildWhenSpecWithoutSizeBoundAndNoMaximumSizeThenDefaultBound() {
        CachingTokenValidator validator = cache().spec("initialCapacity=8").build();

        for (int i = 0; i < CachingTokenValidator.DEFAULT_MAXIMUM_SIZE + 100; i++) {
            validator.validate("token-" + i);
        }

        assertThat(validator.size()).isBetween(CachingTokenValidator.DEFAULT_MAXIMUM_SIZE - 100,
                CachingTokenValidator.DEFAULT_MAXIMUM_SIZE);
    }

    @Test
    void maxTimeToLiveWhenZeroThenConfigurationException() {
        assertThatThrownBy(() -> cache().maxTimeToLive(Duration.ZERO))
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.key()).isEqualTo("maxTimeToLive"));
    }

    @Test
    void specWhenLifetimeKeyThenConfigurationException() {
        for (String spec : Set.of("expireAfterWrite=10m", "maximumSize=10,expireAfterAccess=1m", "refreshAfterWrite=1m",
                "maximumWeight=100")) {
            assertThatThrownBy(() -> cache().spec(spec))
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("spec"));
        }
    }

    @Test
    void specWhenMalformedThenConfigurationException() {
        assertThatThrownBy(() -> cache().spec("maximumSize=lots"))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("spec"));
    }

    @Test
    void buildWhenSpecAndMaximumSizeBothBoundSizeThenConfigurationException() {
        assertThatThrownBy(() -> cache().spec("maximumSize=10").maximumSize(20).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("maximumSize"));
    }

}
