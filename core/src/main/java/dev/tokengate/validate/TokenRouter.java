package dev.tokengate.validate;

import dev.tokengate.InvalidTokenException;
import dev.tokengate.TokenValidator;
import dev.tokengate.VerifiedToken;
import dev.tokengate.observe.GateObserver;
import dev.tokengate.observe.GateObserver.ValidationKind;
import dev.tokengate.observe.Observation;
import dev.tokengate.store.TokenKind;

import java.util.Optional;

/**
 * Sends each token to the one validator that can decide it, by its shape: a JWT (three or five dot-separated
 * parts) to JWT validation (which sends the JWTs of issuers listed for introspection on to introspection, see
 * {@code IssuerRouter.introspecting}), or to introspection when no JWT issuer is configured; a {@code tgat_…} token to the token
 * store; any other opaque token to introspection. No token is tried twice, and this router parses none: the
 * shape is read from the characters. Not API.
 */
final class TokenRouter implements TokenValidator {

    private static final String BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private final Optional<TokenValidator> jwt;
    private final Optional<TokenValidator> store;
    private final Optional<TokenValidator> introspection;
    private final GateObserver observer;

    TokenRouter(Optional<TokenValidator> jwt, Optional<TokenValidator> store, Optional<TokenValidator> introspection) {
        this(jwt, store, introspection, GateObserver.none());
    }

    TokenRouter(Optional<TokenValidator> jwt, Optional<TokenValidator> store, Optional<TokenValidator> introspection,
                GateObserver observer) {
        this.jwt = jwt;
        this.store = store;
        this.introspection = introspection;
        this.observer = observer;
    }

    @Override
    public VerifiedToken validate(String token) {
        if (isJwtShaped(token)) {
            if (jwt.isPresent()) {
                return observed(ValidationKind.JWT, jwt.get(), token);
            }
            if (introspection.isPresent()) {
                return observed(ValidationKind.INTROSPECTION, introspection.get(), token);
            }
            throw new InvalidTokenException("This API does not accept JWTs; send a token it issued");
        }
        if (store.isPresent() && token.startsWith(TokenKind.ACCESS_TOKEN.prefix())) {
            return observed(ValidationKind.STORE, store.get(), token);
        }
        if (introspection.isPresent()) {
            return observed(ValidationKind.INTROSPECTION, introspection.get(), token);
        }
        if (token.startsWith(TokenKind.API_KEY.prefix())) {
            throw new InvalidTokenException("This is an API key, not an access token: send it in the API key header");
        }
        throw new InvalidTokenException("The token is not a JWT");
    }

    /**
     * One validation, reported to the observer (a JWT of an issuer listed for introspection counts as {@code jwt}:
     * its introspection call is reported on its own).
     */
    static VerifiedToken observed(GateObserver observer, ValidationKind kind, TokenValidator validator, String token) {
        Observation observation = observer.validating(kind);
        try {
            VerifiedToken verified = validator.validate(token);
            observation.end(Observation.Result.OK);
            return verified;
        } catch (InvalidTokenException e) {
            observation.end(Observation.Result.INVALID);
            throw e;
        } catch (RuntimeException | Error e) { // an UpstreamUnavailableException (503) or a fault
            observation.end(Observation.Result.ERROR);
            throw e;
        }
    }

    private VerifiedToken observed(ValidationKind kind, TokenValidator validator, String token) {
        return observed(observer, kind, validator, token);
    }

    /**
     * Three parts (JWS) or five (JWE, which the JWT validator refuses with its own message), the first of which, read
     * as base64url, begins with a JSON object: <code>{</code> after optional JSON whitespace, so that a header
     * written as <code>{ "alg"</code> or <code>\n{</code> is a JWT as much as <code>{"alg"</code> ({@code eyJ}) is.
     * Read from the characters only, on every request, cache hits included: the dots are found with
     * {@code String.indexOf}, a vectorised intrinsic, and the first part is read only up to its first significant
     * byte. The JWT parser then decides, strictly, whether it is one.
     */
    static boolean isJwtShaped(String token) {
        int dots = 0;
        for (int dot = token.indexOf('.'); dot >= 0 && dots < 5; dot = token.indexOf('.', dot + 1)) {
            dots++;
        }
        return (dots == 2 || dots == 4) && beginsWithJsonObject(token);
    }

    private static boolean beginsWithJsonObject(String token) {
        int bits = 0;
        int pending = 0;
        for (int i = 0; i < token.length(); i++) {
            int value = BASE64URL.indexOf(token.charAt(i));
            if (value < 0) {
                return false; // the first part ended (or is not base64url) before any significant byte
            }
            bits = (bits << 6 | value) & 0x3FFF;
            pending += 6;
            if (pending >= 8) {
                pending -= 8;
                int b = bits >> pending & 0xFF;
                if (b == '{') {
                    return true;
                }
                if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                    return false;
                }
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "TokenRouter[jwt=" + jwt.isPresent() + ", store=" + store.isPresent() + ", introspection="
                + introspection.isPresent() + "]";
    }
}
