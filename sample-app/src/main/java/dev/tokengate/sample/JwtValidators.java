package dev.tokengate.sample;

import dev.tokengate.CachingTokenValidator;
import dev.tokengate.IssuerConfig;
import dev.tokengate.TokenGateConfig;
import dev.tokengate.TokenValidator;
import dev.tokengate.jwks.KeySource;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.IssuerRouter;
import dev.tokengate.jwt.JwtValidator;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The JWT half of the app's {@link TokenRouter}, assembled from the configured issuers the way
 * {@code TokenGate.create(config)} assembles it (cache → issuer router → validator per issuer → keys), because the
 * app replaces the pipeline's validator with its router.
 */
final class JwtValidators {

    private JwtValidators() {
    }

    static TokenValidator create(TokenGateConfig config, Clock clock) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(config.jwksConnectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        List<JwtValidator> validators = new ArrayList<>();
        for (IssuerConfig issuer : config.issuers()) {
            JwtValidator.Builder b = JwtValidator.builder()
                    .issuer(issuer.issuer())
                    .algorithms(issuer.algorithms().toArray(String[]::new))
                    .leeway(issuer.clockSkew())
                    .clock(clock);
            if (issuer.allowAnyAudience()) {
                b.allowAnyAudience();
            } else {
                b.audiences(issuer.audiences());
            }
            KeySource keys = keys(issuer, config, http);
            if (keys != null) {
                b.keySource(keys);
            } else {
                b.hmacSecretFromEnv(issuer.hmacSecretEnv().orElseThrow());
            }
            issuer.type().ifPresent(b::type);
            issuer.scopeClaim().ifPresent(b::scopeClaim);
            if (!issuer.requiredClaims().isEmpty()) {
                b.requiredClaims(issuer.requiredClaims().toArray(String[]::new));
            }
            validators.add(b.build());
        }
        return CachingTokenValidator.builder(IssuerRouter.create(validators))
                .spec(config.cacheSpec())
                .maxTimeToLive(config.cacheMaxTtl())
                .clock(clock)
                .build();
    }

    private static KeySource keys(IssuerConfig issuer, TokenGateConfig config, HttpClient http) {
        return switch (issuer.keysFrom()) {
            case JWKS_URI -> KeySources.jwks(issuer.jwksUri().orElseThrow()).httpClient(http)
                    .readTimeout(config.jwksReadTimeout()).refetchInterval(config.jwksRefetchInterval())
                    .staleWindow(config.jwksStaleWindow()).build();
            case DISCOVERY -> KeySources.discover(URI.create(issuer.issuer())).httpClient(http)
                    .readTimeout(config.jwksReadTimeout())
                    .jwks(j -> j.readTimeout(config.jwksReadTimeout()).refetchInterval(config.jwksRefetchInterval())
                            .staleWindow(config.jwksStaleWindow()))
                    .build();
            case PUBLIC_KEY_FILE -> KeySources.pem(issuer.keyFile().orElseThrow());
            case JWKS_FILE -> KeySources.jwksFile(issuer.keyFile().orElseThrow());
            case CUSTOM -> issuer.keySource().orElseThrow();
            case HMAC_SECRET_ENV -> null;
        };
    }
}
