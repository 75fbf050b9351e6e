package dev.tokengate.jwks;

import static dev.tokengate.jwks.Jwks.EC_256;
import static dev.tokengate.jwks.Jwks.RSA_2048;
import static dev.tokengate.jwks.Jwks.ecJwk;
import static dev.tokengate.jwks.Jwks.kids;
import static dev.tokengate.jwks.Jwks.rsaJwk;
import static dev.tokengate.jwks.Jwks.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.tokengate.ConfigurationException;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testkit.LoopbackIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JwksKeySourceTest {

    private static final String K1 = rsaJwk("k1", RSA_2048);
    private static final String K2 = ecJwk("k2", "P-256", EC_256);

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private LoopbackIssuer idp;
    private LogCapture log;

    @BeforeEach
    void setUp() {
        idp = LoopbackIssuer.start().jwks(set(K1));
        log = LogCapture.of(JwksKeySource.class.getName());
    }

    @AfterEach
    void tearDown() {
        log.close();
        idp.close();
    }

    /** A source on the fake clock that refreshes synchronously, so that a test can count requests right after. */
    private JwksKeySource.Builder source() {
        return JwksKeySource.builder(idp.jwksUri()).ticker(nanos::get).executor(Runnable::run);
    }

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    private static Optional<String> kid(String kid) {
        return Optional.of(kid);
    }

    @Test
    void keysWhenFirstCalledThenFetchesLazilyOnceAndCaches() {
        JwksKeySource keys = source().build();
        assertThat(idp.jwksRequests()).isZero();

        assertThat(kids(keys.keys(Optional.empty()))).containsExactly("k1");
        assertThat(kids(keys.keys(kid("k1")))).containsExactly("k1");
        assertThat(idp.jwksRequests()).isEqualTo(1);
    }

    @Test
    void keysWhenKidGivenThenOnlyThatKey() {
        idp.jwks(set(K1, K2));
        JwksKeySource keys = source().build();

        assertThat(kids(keys.keys(kid("k2")))).containsExactly("k2");
        assertThat(kids(keys.keys(Optional.empty()))).containsExactly("k1", "k2");
    }

    @Test
    void prefetchWhenCalledThenFetchesEagerly() {
        JwksKeySource keys = source().build();

        assertThat(keys.prefetch()).isEqualTo(1);
        assertThat(idp.jwksRequests()).isEqualTo(1);
    }

    @Test
    void keysWhenUnknownKidThenRefetchesOncePerInterval() throws Exception {
        // The real executor: refreshes run in the background and the callers wait for the one in flight.
        JwksKeySource keys = JwksKeySource.builder(idp.jwksUri()).ticker(nanos::get).build();
        keys.prefetch();
        idp.resetRequests().delay(Duration.ofMillis(200));

        // a routine fetch does not count: a key rotated just after it is picked up at once
        assertThat(fiftyCallersWithRandomKids(keys)).allSatisfy(found -> assertThat(found).isEmpty());
        assertThat(idp.jwksRequests()).isEqualTo(1);

        advance(Duration.ofSeconds(29));
        assertThat(fiftyCallersWithRandomKids(keys)).allSatisfy(found -> assertThat(found).isEmpty());
        assertThat(idp.jwksRequests()).as("still within the interval").isEqualTo(1);

        advance(Duration.ofSeconds(1));
        assertThat(fiftyCallersWithRandomKids(keys)).allSatisfy(found -> assertThat(found).isEmpty());
        assertThat(idp.jwksRequests()).isEqualTo(2);
    }

    @Test
    void keysWhenUnknownKidRefetchedInBackgroundThenCallerSeesTheRefetchedSet() {
        HttpClient http = HttpClient.newHttpClient();
        // The real executor: the refetch completes on another thread, and its caller must see its result, not the
        // set it replaces (a rotated key would be "unknown", a failing endpoint would look like "no such key").
        for (int i = 0; i < 50; i++) {
            idp.jwks(set(K1)).resetRequests();
            JwksKeySource keys = JwksKeySource.builder(idp.jwksUri()).httpClient(http).ticker(nanos::get).build();
            keys.prefetch();
            idp.jwks(set(K1, K2));
            advance(Duration.ofSeconds(30));

            assertThat(kids(keys.keys(kid("k2")))).as("attempt %d", i).containsExactly("k2");
            assertThat(idp.jwksRequests()).isEqualTo(2);
        }
    }

    @Test
    void keysWhenUnknownKidRefetchFailsInBackgroundThenUpstreamUnavailable() {
        // 30 s after the last fetch a refreshAfterWrite reload (which finds nothing due) races the refetch
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 50; i++) {
            idp.jwksStatus(200).resetRequests();
            JwksKeySource keys = JwksKeySource.builder(idp.jwksUri()).httpClient(http).ticker(nanos::get).build();
            keys.prefetch();
            idp.jwksStatus(500);
            advance(Duration.ofSeconds(30));

            assertThatThrownBy(() -> keys.keys(kid("new"))).as("attempt %d", i)
                    .isInstanceOf(UpstreamUnavailableException.class);
        }
    }

    private static List<List<VerificationKey>> fiftyCallersWithRandomKids(KeySource keys) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<VerificationKey>>> calls = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                calls.add(pool.submit(() -> {
                    start.await();
                    return keys.keys(Optional.of(UUID.randomUUID().toString()));
                }));
            }
            start.countDown();
            List<List<VerificationKey>> results = new ArrayList<>();
            for (Future<List<VerificationKey>> call : calls) {
                results.add(call.get(10, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void keysWhenKeyRotatedThenNewKidPickedUp() {
        JwksKeySource keys = source().build();
        assertThat(kids(keys.keys(kid("k1")))).containsExactly("k1");

        idp.jwks(set(K2));
        advance(Duration.ofSeconds(30));

        assertThat(kids(keys.keys(kid("k2")))).containsExactly("k2");
        assertThat(keys.keys(kid("k1"))).as("retired key").isEmpty();
        assertThat(idp.jwksRequests()).isEqualTo(2);
    }

    @Test
    void keysWhenMaxAgeRunsOutThenRefreshedInBackground() {
        idp.cacheControl("public, max-age=120");
        JwksKeySource keys = source().build();
        keys.prefetch();
        idp.jwks(set(K2));

        advance(Duration.ofSeconds(119));
        assertThat(kids(keys.keys(Optional.empty()))).containsExactly("k1");
        assertThat(idp.jwksRequests()).isEqualTo(1);

        advance(Duration.ofSeconds(2)); // Caffeine looks for a due refresh every second
        keys.keys(Optional.empty()); // triggers the refresh, answered from the old set
        assertThat(idp.jwksRequests()).isEqualTo(2);
        assertThat(kids(keys.keys(Optional.empty()))).containsExactly("k2");
        assertThat(idp.jwksRequests()).as("the refreshed set is kept").isEqualTo(2);
    }

    @Test
    void lifetimeWhenCacheControlThenBoundedByMinAndMax() {
        JwksKeySource keys = source()
                .minCacheTtl(Duration.ofMinutes(1))
                .maxCacheTtl(Duration.ofHours(24))
                .defaultCacheTtl(Duration.ofMinutes(5))
                .build();

        assertThat(keys.lifetime(List.of("max-age=600"))).isEqualTo(Duration.ofMinutes(10).toNanos());
        assertThat(keys.lifetime(List.of("max-age=5"))).isEqualTo(Duration.ofMinutes(1).toNanos());
        assertThat(keys.lifetime(List.of("public, max-age=999999999"))).isEqualTo(Duration.ofHours(24).toNanos());
        assertThat(keys.lifetime(List.of("no-store"))).isEqualTo(Duration.ofMinutes(1).toNanos());
        assertThat(keys.lifetime(List.of("max-age=600, no-cache"))).isEqualTo(Duration.ofMinutes(1).toNanos());
        assertThat(keys.lifetime(List.of())).isEqualTo(Duration.ofMinutes(5).toNanos());
        assertThat(keys.lifetime(List.of("max-age=soon"))).isEqualTo(Duration.ofMinutes(5).toNanos());
    }

    @Test
    void keysWhenMaxAgeBelowMinimumThenMinimumApplies() {
        idp.cacheControl("max-age=1");
        JwksKeySource keys = source().minCacheTtl(Duration.ofMinutes(1)).build();
        keys.prefetch();

        advance(Duration.ofSeconds(59));
        keys.keys(Optional.empty());
        assertThat(idp.jwksRequests()).isEqualTo(1);

        advance(Duration.ofSeconds(2));
        keys.keys(Optional.empty());
        assertThat(idp.jwksRequests()).isEqualTo(2);
    }

    @Test
    void keysWhenEndpointDownThenServesCachedKeysWithinStaleWindow() {
        JwksKeySource keys = source().staleWindow(Duration.ofHours(24)).build();
        keys.prefetch();
        idp.down();

        advance(Duration.ofMinutes(5)); // default lifetime over: the refresh fails
        assertThat(kids(keys.keys(kid("k1")))).containsExactly("k1");
        int afterFirstFailure = idp.jwksRequests();
        assertThat(afterFirstFailure).isGreaterThan(1);

        advance(Duration.ofSeconds(30));
        assertThat(kids(keys.keys(kid("k1")))).containsExactly("k1");
        assertThat(idp.jwksRequests()).as("retry not due before minCacheTtl").isEqualTo(afterFirstFailure);

        advance(Duration.ofSeconds(31));
        assertThat(kids(keys.keys(kid("k1")))).containsExactly("k1");
        assertThat(idp.jwksRequests()).as("retried").isGreaterThan(afterFirstFailure);
        assertThat(warnings()).as("one warning per failure episode").hasSize(1);

        advance(Duration.ofHours(23).plusMinutes(58));
        assertThat(kids(keys.keys(kid("k1")))).containsExactly("k1");

        advance(Duration.ofMinutes(1)); // 24 h since the first failure
        assertThatThrownBy(() -> keys.keys(kid("k1")))
                .isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageContaining(idp.jwksUri().toString());
        assertThat(warnings()).hasSize(1);
    }

    @Test
    void keysWhenEndpointDownAndKidUnknownThenUpstreamUnavailableRatherThanNoSuchKey() {
        JwksKeySource keys = source().build();
        keys.prefetch();
        idp.down();
        advance(Duration.ofSeconds(30));

        assertThatThrownBy(() -> keys.keys(kid("kid-\u202Efrom-the-token")))
                .isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageNotContaining("from-the-token")
                .hasMessageContaining(idp.jwksUri().toString());
        assertThat(kids(keys.keys(kid("k1")))).containsExactly("k1");
    }

    @Test
    void keysWhenEndpointDownAndKidUnknownThenTheErrorSaysWhenTheNextFetchIs() {
        JwksKeySource keys = source().refetchInterval(Duration.ofSeconds(45)).build(); // failing retry: minCacheTtl 1m
        keys.prefetch();
        idp.down();
        advance(Duration.ofSeconds(30));

        assertThatThrownBy(() -> keys.keys(kid("k9"))).isInstanceOfSatisfying(UpstreamUnavailableException.class,
                e -> assertThat(e.nextAttemptIn()).as("the next refetch for an unknown kid").contains(Duration.ofSeconds(45)));
        int requests = idp.jwksRequests();
        advance(Duration.ofSeconds(10));
        assertThatThrownBy(() -> keys.keys(kid("k9"))).isInstanceOfSatisfying(UpstreamUnavailableException.class,
                e -> assertThat(e.nextAttemptIn()).contains(Duration.ofSeconds(35)));
        assertThat(idp.jwksRequests()).as("rate-limited: not fetched in between").isEqualTo(requests);
    }

    @Test
    void keysWhenEndpointDownAndFailingRetryComesFirstThenTheErrorSaysSo() {
        JwksKeySource keys = source().minCacheTtl(Duration.ofSeconds(20)).refetchInterval(Duration.ofSeconds(45)).build();
        keys.prefetch();
        idp.down();
        advance(Duration.ofMinutes(10)); // the set is due: the refresh fails, and retries every minCacheTtl

        assertThatThrownBy(() -> keys.keys(kid("k9"))).isInstanceOfSatisfying(UpstreamUnavailableException.class,
                e -> assertThat(e.nextAttemptIn()).contains(Duration.ofSeconds(20)));
    }

    @Test
    void keysWhenDownAndNothingCachedThenTriedAgainOnTheNextCall() {
        idp.down();
        JwksKeySource keys = source().build();

        assertThatThrownBy(() -> keys.keys(Optional.empty())).isInstanceOfSatisfying(UpstreamUnavailableException.class,
                e -> assertThat(e.nextAttemptIn()).isEmpty());
        int requests = idp.jwksRequests();
        assertThatThrownBy(() -> keys.keys(Optional.empty())).isInstanceOf(UpstreamUnavailableException.class);
        assertThat(idp.jwksRequests()).as("fetched again at once").isGreaterThan(requests);
    }

    @Test
    void keysWhenUnknownKidThenDebugLineShowsItEscapedOnOneLine() {
        JwksKeySource keys = source().build();
        keys.keys(kid("k9\r\nINFO forged line \u202Eevil")); // the capture records DEBUG

        assertThat(log.events()).filteredOn(e -> e.getFormattedMessage().startsWith("Key id"))
                .singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage())
                        .contains("\"k9\\u000D\\u000AINFO forged line \\u202Eevil\"")
                        .doesNotContain("\n", "\r", "\u202E"));
    }

    @Test
    void keysWhenEndpointRecoversThenFailureEpisodeEnds() {
        JwksKeySource keys = source().build();
        keys.prefetch();
        idp.jwksStatus(500);
        advance(Duration.ofMinutes(5));
        keys.keys(Optional.empty());

        idp.jwksStatus(200).jwks(set(K2));
        advance(Duration.ofMinutes(1));
        keys.keys(Optional.empty());

        assertThat(kids(keys.keys(Optional.empty()))).containsExactly("k2");
        assertThat(log.events()).filteredOn(e -> e.getFormattedMessage().contains("answering again")).singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage()).isEqualTo("JWKS " + idp.jwksUri()
                        + " is answering again (1 keys)"));
    }

    @Test
    void keysWhenEndpointNeverFailedThenNoRecoveryLine() {
        JwksKeySource keys = source().build();
        keys.prefetch();
        idp.jwks(set(K2));
        advance(Duration.ofMinutes(5));
        keys.keys(Optional.empty());
        advance(Duration.ofMinutes(5));
        keys.keys(Optional.empty());

        assertThat(idp.jwksRequests()).isEqualTo(3);
        assertThat(log.events()).noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains("answering again"));
    }

    @Test
    void keysWhenDownAndNothingCachedThenUpstreamUnavailableNamingUri() {
        idp.down();
        JwksKeySource keys = source().build();

        assertThatThrownBy(() -> keys.keys(kid("k1")))
                .isInstanceOfSatisfying(UpstreamUnavailableException.class,
                        e -> assertThat(e.upstream()).contains(idp.jwksUri()))
                .hasMessageContaining(idp.jwksUri().toString())
                .hasMessageContaining("no keys cached");

        idp.up();
        assertThat(kids(keys.keys(kid("k1")))).as("a failure is not cached").containsExactly("k1");
    }

    @Test
    void keysWhenStatusNot200ThenUpstreamUnavailableWithStatus() {
        idp.jwksStatus(503);

        assertThatThrownBy(() -> source().build().keys(Optional.empty()))
                .isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageContaining("HTTP 503");
    }

    @Test
    void keysWhenConnectionRefusedThenUpstreamUnavailable() {
        URI closed = idp.jwksUri();
        idp.close();

        assertThatThrownBy(() -> JwksKeySource.builder(closed).build().keys(Optional.empty()))
                .isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageContaining(closed.toString());
    }

    @Test
    void keysWhenNotJsonThenUpstreamUnavailable() {
        idp.jwks("<html>login</html>");

        assertThatThrownBy(() -> source().build().keys(Optional.empty()))
                .isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void keysWhenBodyLargerThanMaxThenUpstreamUnavailable() {
        idp.jwks(set(K1, K1, K1));

        assertThatThrownBy(() -> source().maxResponseBytes(1000).build().keys(Optional.empty()))
                .isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageContaining("larger than 1000 bytes");
    }

    @Test
    void keysWhenEndpointRedirectsThenNotFollowedAndUpstreamUnavailable() {
        try (LoopbackIssuer elsewhere = LoopbackIssuer.start().jwks(set(K1))) {
            idp.redirect(LoopbackIssuer.JWKS_PATH, elsewhere.jwksUri());

            assertThatThrownBy(() -> source().build().keys(Optional.empty()))
                    .isInstanceOf(UpstreamUnavailableException.class)
                    .hasMessageContaining("HTTP 302 (redirects are not followed");
            assertThat(elsewhere.jwksRequests()).isZero();
        }
    }

    @Test
    void keysWhenEndpointRedirectsAndRedirectsAllowedThenFollowed() {
        try (LoopbackIssuer elsewhere = LoopbackIssuer.start().jwks(set(K1))) {
            idp.redirect(LoopbackIssuer.JWKS_PATH, elsewhere.jwksUri());

            assertThat(kids(source().followRedirects(true).build().keys(Optional.empty()))).containsExactly("k1");
            assertThat(elsewhere.jwksRequests()).isEqualTo(1);
        }
    }

    @Test
    void keysWhenDuplicateMemberThenUpstreamUnavailable() {
        idp.jwks("{\"keys\":[" + K1 + "],\"keys\":[]}");

        assertThatThrownBy(() -> source().build().keys(Optional.empty()))
                .isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void keysWhenSlowerThanReadTimeoutThenUpstreamUnavailable() {
        idp.delay(Duration.ofSeconds(2));

        assertThatThrownBy(() -> source().readTimeout(Duration.ofMillis(200)).build().keys(Optional.empty()))
                .isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageContaining("timed out");
    }

    @Test
    void builderWhenBadValueThenFailsNamingSetting() {
        JwksKeySource.Builder builder = source();

        assertThatThrownBy(() -> builder.readTimeout(Duration.ZERO))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.key()).isEqualTo("readTimeout"));
        assertThatThrownBy(() -> builder.maxResponseBytes(0)).hasMessageStartingWith("maxResponseBytes:");
        assertThatThrownBy(() -> builder.staleWindow(Duration.ofSeconds(-1))).hasMessageStartingWith("staleWindow:");
        assertThatThrownBy(() -> builder.httpClient(null)).hasMessageStartingWith("httpClient:");
        assertThatThrownBy(() -> source().minCacheTtl(Duration.ofHours(2)).maxCacheTtl(Duration.ofHours(1)).build())
                .hasMessageStartingWith("minCacheTtl:");
        assertThatThrownBy(() -> JwksKeySource.builder(URI.create("file:///etc/jwks.json")))
                .hasMessageStartingWith("jwksUri:");
    }

    private List<ILoggingEvent> warnings() {
        return log.events().stream().filter(e -> e.getLevel() == Level.WARN).toList();
    }

    @Test
    void keysWhenDownAndNothingCachedThenOneWarningSayingTokensCannotBeVerifiedAndTheFetchFailureInTheError() {
        idp.jwksStatus(503);
        JwksKeySource keys = source().build();

        assertThatThrownBy(() -> keys.keys(Optional.empty())).isInstanceOf(UpstreamUnavailableException.class)
                .hasMessage("JWKS " + idp.jwksUri() + " unavailable and no keys cached: GET " + idp.jwksUri()
                        + " failed: HTTP 503");
        assertThatThrownBy(() -> keys.keys(Optional.empty())).isInstanceOf(UpstreamUnavailableException.class);

        assertThat(warnings()).singleElement().satisfies(e -> assertThat(e.getFormattedMessage()).isEqualTo(
                "JWKS fetch failed, no keys cached, tokens cannot be verified: GET " + idp.jwksUri() + " failed: HTTP 503"));
    }

    @Test
    void keysWhenRefetchForAnUnknownKidFailsThenWarnsOnceThatCachedKeysAreServedAndTheErrorSaysWhy() {
        JwksKeySource keys = source().build();
        keys.prefetch();
        idp.jwksStatus(500);

        assertThatThrownBy(() -> keys.keys(kid("k9"))).isInstanceOf(UpstreamUnavailableException.class)
                .hasMessage("A token's key id is not among the keys cached from " + idp.jwksUri() + " and the JWKS cannot "
                        + "be fetched to look for it: GET " + idp.jwksUri() + " failed: HTTP 500");
        assertThat(kids(keys.keys(kid("k1")))).containsExactly("k1");

        assertThat(warnings()).singleElement().satisfies(e -> assertThat(e.getFormattedMessage()).isEqualTo(
                "JWKS fetch failed, serving the cached keys for up to PT24H from the first failure: GET " + idp.jwksUri()
                        + " failed: HTTP 500"));
    }

    @Test
    void keysWhenTheSetIsDueAndARotatedKidIsAskedForThenFoundInTheRefreshedSetWithoutAnotherFetch() {
        JwksKeySource keys = source().build();
        keys.prefetch();
        idp.jwks(set(K1, K2));
        advance(Duration.ofMinutes(5)); // the default lifetime is over

        assertThat(kids(keys.keys(kid("k2")))).containsExactly("k2");
        assertThat(idp.jwksRequests()).as("the refresh found it: no refetch for an unknown kid").isEqualTo(2);
    }

    @Test
    void keysWhenARefetchForAnUnknownKidIsUnderWayThenAnotherCallerWaitsForItsResult() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean hold = new java.util.concurrent.atomic.AtomicBoolean();
        JwksKeySource keys = source().executor(task -> {
            if (task instanceof java.util.concurrent.CompletableFuture.AsynchronousCompletionTask
                    && hold.compareAndSet(true, false)) { // the refetch: held until both callers wait for it
                new Thread(() -> {
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    task.run();
                }).start();
            } else {
                task.run();
            }
        }).build();
        keys.prefetch();
        idp.jwks(set(K1, K2));
        hold.set(true);

        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            List<Thread> threads = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Future<List<VerificationKey>>> found = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                found.add(callers.submit(() -> {
                    threads.add(Thread.currentThread());
                    return keys.keys(kid("k2"));
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (threads.size() < 2 || !threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING)
                    || found.stream().anyMatch(Future::isDone)) {
                assertThat(System.nanoTime()).as("both callers waiting for the refetch").isLessThan(deadline);
                Thread.yield();
            }
            release.countDown();

            for (Future<List<VerificationKey>> f : found) {
                assertThat(kids(f.get(10, TimeUnit.SECONDS))).containsExactly("k2");
            }
            assertThat(idp.jwksRequests()).isEqualTo(2);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void keysWhenUnknownKidAndStaleWindowShorterThanTheLifetimeThenStillOneRefetchOnly() {
        JwksKeySource keys = source().staleWindow(Duration.ofMinutes(1)).build(); // lifetime 5 min
        keys.prefetch();

        assertThat(keys.keys(kid("k9"))).isEmpty();

        assertThat(idp.jwksRequests()).as("the prefetch and one refetch for the unknown kid").isEqualTo(2);
    }

    @Test
    void lifetimeWhenMaxAgeZeroThenTheMinimum() {
        JwksKeySource keys = source().minCacheTtl(Duration.ofSeconds(30)).build();

        assertThat(keys.lifetime(List.of("max-age=0"))).isEqualTo(Duration.ofSeconds(30).toNanos());
        assertThat(keys.lifetime(List.of("max-age=\"600\""))).isEqualTo(Duration.ofMinutes(10).toNanos());
    }

    @Test
    void keysWhenNoCallsForLongerThanTheLifetimeButWithinTheStaleWindowThenTheKnownKeysAreStillServed() {
        JwksKeySource keys = source().staleWindow(Duration.ofHours(24)).build();
        keys.prefetch();
        idp.down();

        advance(Duration.ofHours(12)); // nobody called since the set's 5 minutes ran out

        assertThat(kids(keys.keys(kid("k1")))).containsExactly("k1");
    }

    @Test
    void builderWhenLimitsEqualThenAccepted() {
        JwksKeySource keys = source().connectTimeout(Duration.ofSeconds(1)).readTimeout(Duration.ofSeconds(3))
                .minCacheTtl(Duration.ofMinutes(10)).maxCacheTtl(Duration.ofMinutes(10))
                .defaultCacheTtl(Duration.ofMinutes(10)).maxResponseBytes(Integer.MAX_VALUE - 8).build();

        assertThat(keys.lifetime(List.of("max-age=60"))).isEqualTo(Duration.ofMinutes(10).toNanos());
        assertThat(keys.lifetime(List.of())).isEqualTo(Duration.ofMinutes(10).toNanos());
        assertThat(keys).hasToString("JwksKeySource[" + idp.jwksUri() + "]");
        assertThat(keys.uri()).isEqualTo(idp.jwksUri());
        assertThatThrownBy(() -> source().maxResponseBytes(Integer.MAX_VALUE - 7))
                .hasMessage("maxResponseBytes: must be below 2 GiB, was " + (Integer.MAX_VALUE - 7L));
        assertThatThrownBy(() -> source().minCacheTtl(Duration.ofMinutes(2)).maxCacheTtl(Duration.ofMinutes(10))
                .defaultCacheTtl(Duration.ofMinutes(1)).build()).hasMessageStartingWith("defaultCacheTtl:");
        assertThatThrownBy(() -> source().minCacheTtl(Duration.ofMinutes(2)).maxCacheTtl(Duration.ofMinutes(10))
                .defaultCacheTtl(Duration.ofMinutes(11)).build()).hasMessageStartingWith("defaultCacheTtl:");
        assertThat(source().minCacheTtl(Duration.ofMinutes(2)).maxCacheTtl(Duration.ofMinutes(10))
                .defaultCacheTtl(Duration.ofMinutes(2)).build().lifetime(List.of())).isEqualTo(Duration.ofMinutes(2).toNanos());
    }
}
