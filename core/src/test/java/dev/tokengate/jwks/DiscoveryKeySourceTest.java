package dev.tokengate.jwks;

import static dev.tokengate.jwks.Jwks.RSA_2048;
import static dev.tokengate.jwks.Jwks.kids;
import static dev.tokengate.jwks.Jwks.rsaJwk;
import static dev.tokengate.jwks.Jwks.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokengate.ConfigurationException;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.internal.HttpFetcher;
import dev.tokengate.testkit.LoopbackIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DiscoveryKeySourceTest {

    private final AtomicLong nanos = new AtomicLong();
    private LoopbackIssuer idp;

    @AfterEach
    void tearDown() {
        if (idp != null) {
            idp.close();
        }
    }

    private DiscoveryKeySource.Builder source() {
        return KeySources.discover(idp.baseUri()).ticker(nanos::get);
    }

    @Test
    void keysWhenOpenIdConfigurationThenUsesItsJwksUri() {
        idp = LoopbackIssuer.start().jwks(set(rsaJwk("k1", RSA_2048)));
        DiscoveryKeySource keys = source().build();
        assertThat(idp.requests(idp.openIdConfigurationPath())).as("lazy").isZero();

        assertThat(kids(keys.keys(Optional.of("k1")))).containsExactly("k1");
        assertThat(keys.jwksUri()).contains(idp.jwksUri());
        assertThat(idp.requests("/.well-known/openid-configuration")).isEqualTo(1);
        assertThat(idp.requests(idp.authorizationServerMetadataPath())).isZero();

        keys.keys(Optional.of("k1"));
        assertThat(idp.requests("/.well-known/openid-configuration")).as("discovered once").isEqualTo(1);
    }

    @Test
    void keysWhenOpenIdConfigurationMissingThenFallsBackToRfc8414() {
        idp = LoopbackIssuer.start().jwks(set(rsaJwk("k1", RSA_2048))).openIdConfiguration(false);

        assertThat(kids(source().build().keys(Optional.empty()))).containsExactly("k1");
        assertThat(idp.requests("/.well-known/oauth-authorization-server")).isEqualTo(1);
    }

    @Test
    void keysWhenIssuerHasPathThenWellKnownPathsFollowOidcAndRfc8414() {
        idp = LoopbackIssuer.builder().issuerPath("/tenant").start().jwks(set(rsaJwk("k1", RSA_2048))).openIdConfiguration(false);

        assertThat(kids(source().build().keys(Optional.empty()))).containsExactly("k1");
        assertThat(idp.requests("/tenant/.well-known/openid-configuration")).isEqualTo(1);
        assertThat(idp.requests("/.well-known/oauth-authorization-server/tenant")).isEqualTo(1);
    }

    @Test
    void wellKnownWhenIssuerHasPathThenRfc8414InsertsBeforePath() {
        URI issuer = URI.create("https://idp.example.com/tenant/a");

        assertThat(OidcDiscovery.openIdConfiguration(issuer))
                .hasToString("https://idp.example.com/tenant/a/.well-known/openid-configuration");
        assertThat(OidcDiscovery.authorizationServerMetadata(issuer))
                .hasToString("https://idp.example.com/.well-known/oauth-authorization-server/tenant/a");
        assertThat(OidcDiscovery.authorizationServerMetadata(URI.create("https://idp.example.com/")))
                .hasToString("https://idp.example.com/.well-known/oauth-authorization-server");
        assertThat(OidcDiscovery.openIdConfiguration(URI.create("https://idp.example.com/")))
                .hasToString("https://idp.example.com/.well-known/openid-configuration");
    }

    @Test
    void keysWhenDocumentNamesAnotherIssuerThenFailsShowingBoth() {
        idp = LoopbackIssuer.start().discoveredIssuer("https://evil.example.com");

        assertThatThrownBy(() -> source().build().keys(Optional.empty()))
                .isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageContaining("https://evil.example.com")
                .hasMessageContaining(idp.baseUri().toString());
        assertThat(idp.jwksRequests()).isZero();
    }

    @Test
    void keysWhenNeitherDocumentThenUpstreamUnavailableAndRetriedAfterInterval() {
        idp = LoopbackIssuer.start().jwks(set(rsaJwk("k1", RSA_2048)))
                .openIdConfiguration(false).authorizationServerMetadata(false);
        DiscoveryKeySource keys = source().retryInterval(Duration.ofSeconds(30)).build();

        assertThatThrownBy(() -> keys.keys(Optional.empty()))
                .isInstanceOfSatisfying(UpstreamUnavailableException.class,
                        e -> assertThat(e.upstream()).contains(idp.baseUri()))
                .hasMessageContaining("HTTP 404");
        assertThatThrownBy(() -> keys.keys(Optional.empty())).isInstanceOf(UpstreamUnavailableException.class);
        assertThat(idp.requests("/.well-known/openid-configuration")).as("not retried yet").isEqualTo(1);

        idp.openIdConfiguration(true);
        nanos.addAndGet(Duration.ofSeconds(30).toNanos());
        assertThat(kids(keys.keys(Optional.empty()))).containsExactly("k1");
    }

    @Test
    void keysWhenDiscoveryFailsThenTheErrorSaysWhenItIsRetried() {
        idp = LoopbackIssuer.start().down();
        DiscoveryKeySource keys = source().retryInterval(Duration.ofSeconds(30)).build();

        assertThatThrownBy(() -> keys.keys(Optional.empty())).isInstanceOfSatisfying(UpstreamUnavailableException.class,
                e -> assertThat(e.nextAttemptIn()).contains(Duration.ofSeconds(30)));
        nanos.addAndGet(Duration.ofSeconds(12).toNanos());
        assertThatThrownBy(() -> keys.keys(Optional.empty())).isInstanceOfSatisfying(UpstreamUnavailableException.class,
                e -> assertThat(e.nextAttemptIn()).contains(Duration.ofSeconds(18)));
    }

    @Test
    void keysWhenDiscoveryDownThenUpstreamUnavailable() {
        idp = LoopbackIssuer.start().down();

        assertThatThrownBy(() -> source().build().prefetch())
                .isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageContaining(idp.baseUri().toString());
    }

    @Test
    void keysWhenDiscoveryDocumentRedirectsThenNotFollowedAndUpstreamUnavailable() {
        idp = LoopbackIssuer.start().jwks(set(rsaJwk("k1", RSA_2048)));
        try (LoopbackIssuer elsewhere = LoopbackIssuer.start().discoveredIssuer(idp.baseUri().toString())) {
            idp.redirect(idp.openIdConfigurationPath(), URI.create(elsewhere.baseUri() + elsewhere.openIdConfigurationPath()));

            assertThatThrownBy(() -> source().build().prefetch())
                    .isInstanceOf(UpstreamUnavailableException.class)
                    .hasMessageContaining("HTTP 302 (redirects are not followed");
            assertThat(elsewhere.requests(elsewhere.openIdConfigurationPath())).isZero();
        }
    }

    @Test
    void keysWhenDiscoveredJwksRedirectsThenNotFollowedUnlessAllowed() {
        idp = LoopbackIssuer.start();
        try (LoopbackIssuer elsewhere = LoopbackIssuer.start().jwks(set(rsaJwk("k1", RSA_2048)))) {
            idp.redirect(LoopbackIssuer.JWKS_PATH, elsewhere.jwksUri());

            assertThatThrownBy(() -> source().build().prefetch())
                    .isInstanceOf(UpstreamUnavailableException.class)
                    .hasMessageContaining("HTTP 302 (redirects are not followed");
            assertThat(elsewhere.jwksRequests()).isZero();

            assertThat(kids(source().followRedirects(true).build().keys(Optional.empty()))).containsExactly("k1");
            assertThat(elsewhere.jwksRequests()).isEqualTo(1);
        }
    }

    @Test
    void keysWhenDiscoveryDocumentLargerThanMaxThenUpstreamUnavailable() {
        idp = LoopbackIssuer.start().jwks(set(rsaJwk("k1", RSA_2048)));

        assertThatThrownBy(() -> source().maxResponseBytes(40).build().prefetch())
                .isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageContaining("larger than 40 bytes");
        assertThat(idp.jwksRequests()).isZero();
    }

    @Test
    void buildWhenJwksSettingsBadThenFailsAtBuild() {
        idp = LoopbackIssuer.start();

        assertThatThrownBy(() -> source().jwks(j -> j.minCacheTtl(Duration.ofDays(2))).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("minCacheTtl:");
        assertThatThrownBy(() -> KeySources.discover(URI.create("https://idp.example.com?x=1")))
                .hasMessageStartingWith("issuer:");
    }

    private static HttpFetcher fetcher() {
        return new HttpFetcher(HttpClient.newHttpClient(), Duration.ofSeconds(5), 100_000);
    }

    @Test
    void jwksUriWhenHttpIssuerThenAnHttpsOrHttpJwksUriIsAcceptedAndNothingElse() throws Exception {
        idp = LoopbackIssuer.start().discoveredJwksUri("https://keys.example.com/jwks");
        assertThat(OidcDiscovery.jwksUri(idp.baseUri(), fetcher())).hasToString("https://keys.example.com/jwks");

        idp.discoveredJwksUri("http://keys.example.com/jwks");
        assertThat(OidcDiscovery.jwksUri(idp.baseUri(), fetcher())).hasToString("http://keys.example.com/jwks");

        for (String refused : new String[] {"ftp://keys.example.com/jwks", "/jwks", "https:///jwks"}) {
            idp.discoveredJwksUri(refused);
            assertThatThrownBy(() -> OidcDiscovery.jwksUri(idp.baseUri(), fetcher())).as(refused)
                    .isInstanceOf(HttpFetcher.FetchException.class)
                    .hasMessage("discovery document " + idp.baseUri() + idp.openIdConfigurationPath() + " has jwks_uri '"
                            + refused + "', which is not an absolute http(s) URI");
        }
    }

    @Test
    void keysWhenNeitherDocumentThenTheErrorNamesBothLocations() {
        idp = LoopbackIssuer.start().openIdConfiguration(false).authorizationServerMetadata(false);

        assertThatThrownBy(() -> source().build().prefetch()).isInstanceOf(UpstreamUnavailableException.class)
                .hasMessage("Discovery for issuer " + idp.baseUri() + " failed: issuer " + idp.baseUri()
                        + " publishes no discovery document (HTTP 404 at " + idp.baseUri() + idp.openIdConfigurationPath()
                        + " and at " + idp.baseUri() + idp.authorizationServerMetadataPath() + "); set "
                        + "tokengate.jwt.jwks-uri to its JWKS endpoint, or correct the issuer URL (tokengate.jwt.issuer)");
    }

    @Test
    void keysWhenTheFirstDocumentFailsOtherwiseThenTheErrorNamesItAlone() {
        idp = LoopbackIssuer.start();
        idp.redirect(idp.openIdConfigurationPath(), URI.create("http://127.0.0.1:1/elsewhere"));

        assertThatThrownBy(() -> source().build().prefetch()).isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageEndingWith("failed: GET " + idp.baseUri() + idp.openIdConfigurationPath() + " failed: HTTP 302"
                        + HttpFetcher.redirectHint(302));
    }

    @Test
    void keysWhenDiscoveryFailedAMomentAgoOnALongRunningTickerThenNotRetriedYet() {
        idp = LoopbackIssuer.start().jwks(set(rsaJwk("k1", RSA_2048))).openIdConfiguration(false)
                .authorizationServerMetadata(false);
        nanos.set(TimeUnit.DAYS.toNanos(3)); // a ticker that has been running for days, as System.nanoTime() may
        DiscoveryKeySource keys = source().retryInterval(Duration.ofSeconds(30)).build();
        assertThatThrownBy(keys::prefetch).isInstanceOf(UpstreamUnavailableException.class);

        idp.openIdConfiguration(true);
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThatThrownBy(keys::prefetch).isInstanceOfSatisfying(UpstreamUnavailableException.class,
                e -> assertThat(e.nextAttemptIn()).contains(Duration.ofSeconds(20)));
        assertThat(idp.requests(idp.openIdConfigurationPath())).isEqualTo(1);

        nanos.addAndGet(Duration.ofSeconds(20).toNanos());
        assertThat(keys.prefetch()).isEqualTo(1);
    }

    @Test
    void prefetchThenDiscoversAndFetchesTheKeysNow() {
        idp = LoopbackIssuer.start().jwks(set(rsaJwk("k1", RSA_2048), rsaJwk("k2", RSA_2048)));
        DiscoveryKeySource keys = source().httpClient(HttpClient.newHttpClient()).connectTimeout(Duration.ofSeconds(1))
                .readTimeout(Duration.ofSeconds(3)).maxResponseBytes(Integer.MAX_VALUE - 8).build();

        assertThat(keys.prefetch()).isEqualTo(2);
        assertThat(idp.jwksRequests()).isEqualTo(1);
        assertThat(keys.issuer()).isEqualTo(idp.baseUri());
        assertThat(keys).hasToString("DiscoveryKeySource[" + idp.baseUri() + "]");
        assertThatThrownBy(() -> source().maxResponseBytes(Integer.MAX_VALUE - 7))
                .hasMessage("maxResponseBytes: must be below 2 GiB, was " + (Integer.MAX_VALUE - 7L));
    }

    @Test
    void keysWhenConcurrentFirstCallersThenOneDiscovery() throws Exception {
        idp = LoopbackIssuer.start().jwks(set(rsaJwk("k1", RSA_2048))).delay(Duration.ofMillis(500));
        DiscoveryKeySource keys = source().build();
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            Future<List<VerificationKey>> first = callers.submit(() -> keys.keys(Optional.of("k1")));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (idp.requests(idp.openIdConfigurationPath()) == 0) { // the first caller is discovering
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.yield();
            }
            java.util.concurrent.atomic.AtomicReference<Thread> second = new java.util.concurrent.atomic.AtomicReference<>();
            Future<List<VerificationKey>> next = callers.submit(() -> {
                second.set(Thread.currentThread());
                return keys.keys(Optional.of("k1"));
            });
            while (!first.isDone() && (second.get() == null || second.get().getState() != Thread.State.BLOCKED)) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.yield();
            }

            assertThat(kids(first.get(10, TimeUnit.SECONDS))).containsExactly("k1");
            assertThat(kids(next.get(10, TimeUnit.SECONDS))).containsExactly("k1");
            assertThat(idp.requests(idp.openIdConfigurationPath())).isEqualTo(1);
        } finally {
            callers.shutdownNow();
        }
    }
}
