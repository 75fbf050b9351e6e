package dev.tokengate.sample;

import dev.tokengate.InvalidTokenException;
import dev.tokengate.TokenValidator;
import dev.tokengate.VerifiedToken;
import dev.tokengate.store.StoredTokenValidator;
import dev.tokengate.store.TokenKind;

import java.util.Objects;
import java.util.Optional;

/**
 * Sends each bearer token to the validator that can decide it: a {@code tgat_} (or mistaken {@code tgak_}) secret
 * to the token database, a JWT to the issuers' keys, anything else to introspection when it is configured.
 * Every token it accepts is remembered in the {@link CallLabels} by fingerprint, so the console can name the calls
 * it made.
 *
 * <p>The stored-token path is deliberately not cached: a token revoked in the console is refused on its next call.
 */
final class TokenRouter implements TokenValidator {

    private final TokenValidator jwt;
    private final StoredTokenValidator stored;
    private final Optional<TokenValidator> introspection;
    private final CallLabels labels;

    TokenRouter(TokenValidator jwt, StoredTokenValidator stored, Optional<TokenValidator> introspection, CallLabels labels) {
        this.jwt = Objects.requireNonNull(jwt, "jwt");
        this.stored = Objects.requireNonNull(stored, "stored");
        this.introspection = Objects.requireNonNull(introspection, "introspection");
        this.labels = Objects.requireNonNull(labels, "labels");
    }

    @Override
    public VerifiedToken validate(String token) {
        VerifiedToken verified;
        if (token.startsWith(TokenKind.ACCESS_TOKEN.prefix()) || token.startsWith(TokenKind.API_KEY.prefix())) {
            verified = stored.validate(token);
        } else if (isJwt(token)) {
            verified = jwt.validate(token);
        } else if (introspection.isPresent()) {
            verified = introspection.get().validate(token);
        } else {
            throw new InvalidTokenException("The token is neither a JWT nor a tokengate access token (tgat_…).");
        }
        labels.remember(token, verified);
        return verified;
    }

    private static boolean isJwt(String token) {
        int first = token.indexOf('.');
        return first > 0 && token.indexOf('.', first + 1) > first + 1 && token.chars().filter(c -> c == '.').count() == 2;
    }

    @Override
    public String toString() {
        return "TokenRouter[jwt=" + jwt + ", stored=" + stored + ", introspection=" + introspection + "]";
    }
}
