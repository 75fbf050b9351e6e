package dev.tokengate;

import dev.tokengate.jwks.KeySource;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.IssuerRouter;
import dev.tokengate.jwt.JwtValidator;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Assembles the validators a {@link TokenGateConfig} describes, in a fixed order:
 * {@code CachingTokenValidator → IssuerRouter → JwtValidator per issuer → KeySource per issuer}.
 * Not API.
 */
final class ValidatorStack {

    private static final Pattern CACHE_OFF = Pattern.compile("(^|.*,)\\s*maximumSize\\s*=\\s*0\\s*(,.*|$)");

    private ValidatorStack() {
    }

    static TokenValidator create(TokenGateConfig config, Clock clock) {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(config.jwksConnectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        List<JwtValidator> validators = new ArrayList<>();
        for (IssuerConfig issuer : config.issuers()) {
            validators.add(jwtValidator(issuer, keySource(issuer, config, http), clock));
        }
        TokenValidator router = IssuerRouter.create(validators);
        if (CACHE_OFF.matcher(config.cacheSpec()).matches()) {
            return router;
        }
        return CachingTokenValidator.builder(router)
                .spec(config.cacheSpec())
                .maxTimeToLive(config.cacheMaxTtl())
                .clock(clock)
                .build();
    }

    private static JwtValidator jwtValidator(IssuerConfig issuer, KeySource keys, Clock clock) {
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
        return b.build();
    }

    /** The issuer's key source; {@code null} for an HMAC issuer, which has none. */
    private static KeySource keySource(IssuerConfig issuer, TokenGateConfig config, HttpClient http) {
        return switch (issuer.keysFrom()) {
            case JWKS_URI -> KeySources.jwks(issuer.jwksUri().orElseThrow())
                    .httpClient(http)
                    .readTimeout(config.jwksReadTimeout())
                    .refetchInterval(config.jwksRefetchInterval())
                    .staleWindow(config.jwksStaleWindow())
                    .build();
            case DISCOVERY -> KeySources.discover(URI.create(issuer.issuer()))
                    .httpClient(http)
                    .readTimeout(config.jwksReadTimeout())
                    .jwks(j -> j.readTimeout(config.jwksReadTimeout())
                            .refetchInterval(config.jwksRefetchInterval())
                            .staleWindow(config.jwksStaleWindow()))
                    .build();
            case PUBLIC_KEY_FILE -> KeySources.pem(issuer.keyFile().orElseThrow());
            case JWKS_FILE -> KeySources.jwksFile(issuer.keyFile().orElseThrow());
            case CUSTOM -> issuer.keySource().orElseThrow();
            case HMAC_SECRET_ENV -> null;
        };
    }
}
