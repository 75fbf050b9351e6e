package dev.tokengate.jwks;

import static dev.tokengate.jwks.Jwks.RSA_2048;
import static dev.tokengate.jwks.Jwks.rsaJwk;
import static dev.tokengate.jwks.Jwks.set;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokengate.health.UpstreamHealth;
import dev.tokengate.health.UpstreamHealth.Cause;
import dev.tokengate.health.UpstreamHealth.Status;
import dev.tokengate.testkit.LoopbackIssuer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The health of the key sources, against a real JWKS / discovery server on loopback and a fake ticker: each status
 * transition, read from the cache without calling the identity provider on every look.
 */
class KeySourceHealthTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final LoopbackIssuer idp = LoopbackIssuer.start().jwks(set(rsaJwk("k1", RSA_2048)));

    @AfterEach
    void stop() {
        idp.close();
    }

    /** Lifetime 1 min (no Cache-Control: default 5 min, capped here), stale window 10 min, refreshes run inline. */
    private JwksKeySource jwks() {
        return JwksKeySource.builder(idp.jwksUri()).ticker(nanos::get).executor(Runnable::run)
                .defaultCacheTtl(Duration.ofMinutes(1)).staleWindow(Duration.ofMinutes(10)).build();
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void healthWhenNothingFetchedYetThenUnknownAndOneFetchStarted() {
        JwksKeySource keys = jwks();

        UpstreamHealth first = keys.health();

        assertThat(first.status()).isEqualTo(Status.UNKNOWN);
        assertThat(first.kind()).isEqualTo("jwks");
        assertThat(first.target()).isEqualTo(idp.jwksUri().toString());
        assertThat(idp.jwksRequests()).as("a first fetch started in the background (inline here)").isEqualTo(1);
        assertThat(keys.health().status()).isEqualTo(Status.UP);
        assertThat(idp.jwksRequests()).isEqualTo(1);
    }

    @Test
    void healthWhenFetchedThenUpWithTheKeyCountAndNoFurtherRequest() {
        JwksKeySource keys = jwks();
        keys.prefetch();
        advance(Duration.ofSeconds(20));

        UpstreamHealth h = keys.health();
        for (int i = 0; i < 20; i++) {
            keys.health();
        }

        assertThat(h.status()).isEqualTo(Status.UP);
        assertThat(h.problem()).isEmpty();
        assertThat(h.sinceLastSuccess()).contains(Duration.ofSeconds(20));
        assertThat(h.detail()).isEqualTo("1 usable key(s), fetched PT20S ago");
        assertThat(idp.jwksRequests()).as("probes read the cache").isEqualTo(1);
    }

    @Test
    void healthWhenRefreshFailsThenDegradedWithinTheStaleWindowThenDownThenUpAgain() {
        JwksKeySource keys = jwks();
        keys.prefetch();
        idp.down();
        advance(Duration.ofMinutes(1)); // due a refresh

        UpstreamHealth degraded = keys.health(); // starts the refresh, as a request would; it fails

        assertThat(degraded.status()).isEqualTo(Status.DEGRADED);
        assertThat(degraded.problem()).hasValueSatisfying(p -> {
            assertThat(p.cause()).isEqualTo(Cause.OUTAGE);
            assertThat(p.message()).startsWith("GET " + idp.jwksUri() + " failed");
        });
        assertThat(degraded.detail()).isEqualTo("serving 1 cached key(s); the endpoint has failed for PT0S, the keys "
                + "are dropped in PT10M unless a fetch succeeds");
        assertThat(degraded.sinceLastSuccess()).contains(Duration.ofMinutes(1));
        int requests = idp.jwksRequests();
        for (int i = 0; i < 20; i++) {
            assertThat(keys.health().status()).isEqualTo(Status.DEGRADED);
        }
        assertThat(idp.jwksRequests()).as("no retry before min-cache-ttl, however often it is looked at")
                .isEqualTo(requests);

        advance(Duration.ofMinutes(10)); // the stale window has run out
        UpstreamHealth down = keys.health();

        assertThat(down.status()).isEqualTo(Status.DOWN);
        assertThat(down.problem()).map(UpstreamHealth.Problem::message).hasValueSatisfying(
                m -> assertThat(m).startsWith("GET " + idp.jwksUri() + " failed"));
        assertThat(down.detail()).startsWith("the cached keys were dropped");
        assertThat(down.sinceLastSuccess()).contains(Duration.ofMinutes(11));

        idp.up();
        advance(Duration.ofMinutes(1));
        keys.health(); // nothing cached: a fetch is started (inline here), at most once per min-cache-ttl
        assertThat(keys.health().status()).isEqualTo(Status.UP);
    }

    @Test
    void probeWhenTheEndpointIsDownThenDownWithTheErrorAndNothingCached() {
        idp.down();

        UpstreamHealth h = jwks().probe();

        assertThat(h.status()).isEqualTo(Status.DOWN);
        assertThat(h.sinceLastSuccess()).isEmpty();
        assertThat(h.problem()).map(UpstreamHealth.Problem::message).hasValueSatisfying(
                m -> assertThat(m).contains(idp.jwksUri().toString()));
        assertThat(h.detail()).isEqualTo("no keys cached; tokens cannot be verified");
    }

    private DiscoveryKeySource discovery() {
        return DiscoveryKeySource.builder(idp.baseUri()).ticker(nanos::get)
                .jwks(j -> j.executor(Runnable::run)).build();
    }

    @Test
    void probeWhenDiscoveredThenUpNamingTheDiscoveredJwks() {
        UpstreamHealth h = discovery().probe();

        assertThat(h.status()).isEqualTo(Status.UP);
        assertThat(h.kind()).isEqualTo("discovery");
        assertThat(h.target()).isEqualTo(idp.jwksUri().toString());
        assertThat(h.detail()).endsWith("(JWKS discovered from " + idp.baseUri() + ")");
    }

    @Test
    void probeWhenNeitherDiscoveryDocumentExistsThenAConfigurationErrorNamingJwksUri() {
        idp.openIdConfiguration(false).authorizationServerMetadata(false);

        UpstreamHealth h = discovery().probe();

        assertThat(h.status()).isEqualTo(Status.DOWN);
        assertThat(h.problem()).hasValueSatisfying(p -> {
            assertThat(p.cause()).isEqualTo(Cause.CONFIGURATION);
            assertThat(p.message()).isEqualTo("Discovery for issuer " + idp.baseUri() + " failed: issuer " + idp.baseUri()
                    + " publishes no discovery document (HTTP 404 at " + idp.baseUri() + idp.openIdConfigurationPath()
                    + " and at " + idp.baseUri() + idp.authorizationServerMetadataPath() + "); set tokengate.jwt.jwks-uri"
                    + " to its JWKS endpoint, or correct the issuer URL (tokengate.jwt.issuer)");
        });
    }

    @Test
    void probeWhenTheDocumentNamesAnotherIssuerThenAConfigurationError() {
        idp.discoveredIssuer(idp.baseUri() + "/");

        UpstreamHealth h = discovery().probe();

        assertThat(h.status()).isEqualTo(Status.DOWN);
        assertThat(h.problem()).map(UpstreamHealth.Problem::cause).contains(Cause.CONFIGURATION);
    }

    @Test
    void probeWhenTheIssuerIsDownThenAnOutageNotAConfigurationError() {
        idp.down();

        UpstreamHealth h = discovery().probe();

        assertThat(h.status()).isEqualTo(Status.DOWN);
        assertThat(h.problem()).map(UpstreamHealth.Problem::cause).contains(Cause.OUTAGE);
        assertThat(h.target()).isEqualTo(idp.baseUri() + "/.well-known/openid-configuration");
    }

    @Test
    void healthWhenDiscoveredKeysGoStaleThenDegraded() {
        DiscoveryKeySource keys = discovery();
        keys.prefetch();
        idp.down();
        advance(Duration.ofMinutes(5)); // the default lifetime

        assertThat(keys.health().status()).isEqualTo(Status.DEGRADED);
        assertThat(keys.health().kind()).isEqualTo("discovery");
        assertThat(keys.keys(Optional.empty())).hasSize(1);
    }
}
