package dev.tokengate.servlet;

import dev.tokengate.InvalidTokenException;
import dev.tokengate.TokenValidator;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.VerifiedToken;

import java.net.URI;
import java.time.Instant;
import java.util.List;

/**
 * Fixed opaque test tokens and a validator that knows them: a stand-in for the JWT validator, so that these tests
 * exercise the filter inside a real container and nothing else. Tests of real JWTs use core's
 * {@link dev.tokengate.testing.TestTokens} instead.
 */
final class StubTokens {

    /** Alice, scope {@code read}. */
    static final String READ = "tOk3n-alice-read.Zm9vYmFy";
    /** Bob, scope {@code trade}. */
    static final String TRADE = "tOk3n-bob-trade.YmF6cXV4";
    /** Carol, scopes {@code read} and {@code admin}. */
    static final String ADMIN = "tOk3n-carol-admin.cXV1eA";
    /** A token whose issuer cannot be reached. */
    static final String UPSTREAM_DOWN = "tOk3n-upstream-down.ZG93bg";
    /** Any other token is invalid. */
    static final String BAD = "tOk3n-forged.ZXZpbA";

    private StubTokens() {
    }

    static TokenValidator validator() {
        return token -> switch (token) {
            case READ -> verified("alice", "read");
            case TRADE -> verified("bob", "trade");
            case ADMIN -> verified("carol", "read", "admin");
            case UPSTREAM_DOWN -> throw new UpstreamUnavailableException("JWKS endpoint unreachable",
                    URI.create("https://issuer.test/jwks"));
            default -> throw new InvalidTokenException("The token's signature does not verify.", "signature");
        };
    }

    static VerifiedToken verified(String subject, String... scopes) {
        return VerifiedToken.builder(VerifiedToken.Kind.JWT)
                .subject(subject)
                .clientId("client-" + subject)
                .issuer("https://issuer.test/")
                .scopes(List.of(scopes))
                .expiresAt(Instant.now().plusSeconds(300))
                .build();
    }
}
