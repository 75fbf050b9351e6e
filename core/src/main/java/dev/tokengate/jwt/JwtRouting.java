package dev.tokengate.jwt;

import dev.tokengate.TokenValidator;
import dev.tokengate.VerifiedToken;

import java.util.Set;

/**
 * The JWT branch of an API that has some JWT issuers' tokens introspected: parses each JWT once, strictly, and by
 * its (unverified) {@code iss} sends it either to introspection, as the raw token, or, parsed, to the
 * {@link IssuerRouter}, whose validator verifies that very parse. A token the strict parser refuses goes nowhere.
 * Not API.
 */
final class JwtRouting implements TokenValidator {

    private final IssuerRouter issuers;
    private final TokenValidator introspection;
    private final Set<String> introspectedIssuers;

    JwtRouting(IssuerRouter issuers, TokenValidator introspection, Set<String> introspectedIssuers) {
        this.issuers = issuers;
        this.introspection = introspection;
        this.introspectedIssuers = Set.copyOf(introspectedIssuers);
    }

    @Override
    public VerifiedToken validate(String token) {
        ParsedJwt jwt = ParsedJwt.parse(token);
        if (jwt.issuer().filter(introspectedIssuers::contains).isPresent()) {
            return introspection.validate(token);
        }
        return issuers.validate(jwt);
    }

    @Override
    public String toString() {
        return "JwtRouting[introspected issuers=" + introspectedIssuers + ", " + issuers + "]";
    }
}
