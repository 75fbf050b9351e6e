package dev.tokengate.jwks;

import static dev.tokengate.jwks.Jwks.RSA_2048;
import static dev.tokengate.jwks.Jwks.kids;
import static dev.tokengate.jwks.Jwks.rsaJwk;
import static dev.tokengate.jwks.Jwks.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokengate.ConfigurationException;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.testing.JwksServer;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DiscoveryKeySourceTest {

    private final AtomicLong nanos = new AtomicLong();
    private JwksServer idp;

    @AfterEach
    void tearDown() {
        if (idp != null) {
            idp.close();
        }
    }

    private DiscoveryKeySource.Builder source() {
        return KeySources.discover(idp.issuer()).ticker(nanos::get);
    }

    @Test
    void keysWhenOpenIdConfigurationThenUsesItsJwksUri() {
        idp = JwksServer.start().jwks(set(rsaJwk("k1", RSA_2048)));
        DiscoveryKeySource keys = source().build();
        assertThat(idp.requests(idp.openIdConfigurationPath())).as("lazy").isZero();

        assertThat(kids(keys.keys(Optional.of("k1")))).containsExactly("k1");
        assertThat(keys.jwksUri()).contains(idp.uri());
        assertThat(idp.requests("/.well-known/openid-configuration")).isEqualTo(1);
        assertThat(idp.requests(idp.authorizationServerMetadataPath())).isZero();

        keys.keys(Optional.of("k1"));
        assertThat(idp.requests("/.well-known/openid-configuration")).as("discovered once").isEqualTo(1);
    }

    @Test
    void keysWhenOpenIdConfigurationMissingThenFallsBackToRfc8414() {
        idp = JwksServer.start().jwks(set(rsaJwk("k1", RSA_2048))).openIdConfiguration(false);

        assertThat(kids(source().build().keys(Optional.empty()))).containsExactly("k1");
        assertThat(idp.requests("/.well-known/oauth-authorization-server")).isEqualTo(1);
    }

    @Test
    void keysWhenIssuerHasPathThenWellKnownPathsFollowOidcAndRfc8414() {
        idp = JwksServer.start("/tenant").jwks(set(rsaJwk("k1", RSA_2048))).openIdConfiguration(false);

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
        idp = JwksServer.start().discoveredIssuer("https://evil.example.com");

        assertThatThrownBy(() -> source().build().keys(Optional.empty()))
                .isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageContaining("https://evil.example.com")
                .hasMessageContaining(idp.issuer().toString());
        assertThat(idp.jwksRequests()).isZero();
    }

    @Test
    void keysWhenNeitherDocumentThenUpstreamUnavailableAndRetriedAfterInterval() {
        idp = JwksServer.start().jwks(set(rsaJwk("k1", RSA_2048)))
                .openIdConfiguration(false).authorizationServerMetadata(false);
        DiscoveryKeySource keys = source().retryInterval(Duration.ofSeconds(30)).build();

        assertThatThrownBy(() -> keys.keys(Optional.empty()))
                .isInstanceOfSatisfying(UpstreamUnavailableException.class,
                        e -> assertThat(e.upstream()).contains(idp.issuer()))
                .hasMessageContaining("HTTP 404");
        assertThatThrownBy(() -> keys.keys(Optional.empty())).isInstanceOf(UpstreamUnavailableException.class);
        assertThat(idp.requests("/.well-known/openid-configuration")).as("not retried yet").isEqualTo(1);

        idp.openIdConfiguration(true);
        nanos.addAndGet(Duration.ofSeconds(30).toNanos());
        assertThat(kids(keys.keys(Optional.empty()))).containsExactly("k1");
    }

    @Test
    void keysWhenDiscoveryFailsThenTheErrorSaysWhenItIsRetried() {
        idp = JwksServer.start().down();
        DiscoveryKeySource keys = source().retryInterval(Duration.ofSeconds(30)).build();

        assertThatThrownBy(() -> keys.keys(Optional.empty())).isInstanceOfSatisfying(UpstreamUnavailableException.class,
                e -> assertThat(e.nextAttemptIn()).contains(Duration.ofSeconds(30)));
        nanos.addAndGet(Duration.ofSeconds(12).toNanos());
        assertThatThrownBy(() -> keys.keys(Optional.empty())).isInstanceOfSatisfying(UpstreamUnavailableException.class,
                e -> assertThat(e.nextAttemptIn()).contains(Duration.ofSeconds(18)));
    }

    @Test
    void keysWhenDiscoveryDownThenUpstreamUnavailable() {
        idp = JwksServer.start().down();

        assertThatThrownBy(() -> source().build().prefetch())
                .isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageContaining(idp.issuer().toString());
    }

    @Test
    void keysWhenDiscoveryDocumentRedirectsThenNotFollowedAndUpstreamUnavailable() {
        idp = JwksServer.start().jwks(set(rsaJwk("k1", RSA_2048)));
        try (JwksServer elsewhere = JwksServer.start().discoveredIssuer(idp.issuer().toString())) {
            idp.redirect(idp.openIdConfigurationPath(), URI.create(elsewhere.issuer() + elsewhere.openIdConfigurationPath()));

            assertThatThrownBy(() -> source().build().prefetch())
                    .isInstanceOf(UpstreamUnavailableException.class)
                    .hasMessageContaining("HTTP 302 (redirects are not followed");
            assertThat(elsewhere.requests(elsewhere.openIdConfigurationPath())).isZero();
        }
    }

    @Test
    void keysWhenDiscoveredJwksRedirectsThenNotFollowedUnlessAllowed() {
        idp = JwksServer.start();
        try (JwksServer elsewhere = JwksServer.start().jwks(set(rsaJwk("k1", RSA_2048)))) {
            idp.redirect(JwksServer.JWKS_PATH, elsewhere.uri());

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
        idp = JwksServer.start().jwks(set(rsaJwk("k1", RSA_2048)));

        assertThatThrownBy(() -> source().maxResponseBytes(40).build().prefetch())
                .isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageContaining("larger than 40 bytes");
        assertThat(idp.jwksRequests()).isZero();
    }

    @Test
    void buildWhenJwksSettingsBadThenFailsAtBuild() {
        idp = JwksServer.start();

        assertThatThrownBy(() -> source().jwks(j -> j.minCacheTtl(Duration.ofDays(2))).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("minCacheTtl:");
        assertThatThrownBy(() -> KeySources.discover(URI.create("https://idp.example.com?x=1")))
                .hasMessageStartingWith("issuer:");
    }
}
