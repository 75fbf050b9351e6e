package dev.tokengate.jwt;

import dev.tokengate.ConfigurationException;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.TokenValidator;
import dev.tokengate.VerifiedToken;
import dev.tokengate.internal.LogSafe;
import dev.tokengate.log.Loggers;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;

/**
 * A {@link TokenValidator} that hands each JWT to the {@link JwtValidator} of the issuer named in its
 * (still unverified) {@code iss} claim, so one API can trust several issuers.
 *
 * <p>The token is parsed once ({@link ParsedJwt}); the chosen validator verifies that parse, it does not parse
 * again. A token whose issuer is missing or not trusted is rejected before any key is looked up, so an untrusted
 * issuer can never make the API fetch keys. The chosen validator then verifies everything, {@code iss}
 * included. Immutable and thread-safe.
 */
public final class IssuerRouter implements TokenValidator {

    private static final Logger LOG = Loggers.logger(IssuerRouter.class);

    private final Map<String, JwtValidator> validators;

    private IssuerRouter(Map<String, JwtValidator> validators) {
        this.validators = Map.copyOf(validators);
    }

    /**
     * A router over these validators, keyed by {@link JwtValidator#issuer()}.
     *
     * @param validators one validator per trusted issuer
     * @return the router
     * @throws ConfigurationException when there are none, or two share an issuer
     */
    public static IssuerRouter create(JwtValidator... validators) {
        return create(Arrays.asList(Objects.requireNonNull(validators, "validators")));
    }

    /**
     * A router over these validators, keyed by {@link JwtValidator#issuer()}.
     *
     * @param validators one validator per trusted issuer
     * @return the router
     * @throws ConfigurationException when there are none, or two share an issuer
     */
    public static IssuerRouter create(Collection<JwtValidator> validators) {
        if (validators == null || validators.isEmpty()) {
            throw new ConfigurationException("issuers", "name at least one trusted issuer");
        }
        Map<String, JwtValidator> byIssuer = new LinkedHashMap<>();
        for (JwtValidator validator : validators) {
            Objects.requireNonNull(validator, "validator");
            if (byIssuer.putIfAbsent(validator.issuer(), validator) != null) {
                throw new ConfigurationException("issuers", "the issuer " + validator.issuer() + " is configured twice");
            }
        }
        return new IssuerRouter(byIssuer);
    }

    /**
     * The trusted issuers.
     *
     * @return the issuers, unmodifiable
     */
    public Set<String> issuers() {
        return validators.keySet();
    }

    @Override
    public VerifiedToken validate(String token) {
        Objects.requireNonNull(token, "token");
        return validate(ParsedJwt.parse(token));
    }

    /**
     * Validates a token already parsed (by a router that read its {@code iss} first): the issuer's
     * {@link JwtValidator} verifies these very bytes and reads the claims from them, with no second parse.
     */
    VerifiedToken validate(ParsedJwt jwt) {
        Objects.requireNonNull(jwt, "jwt");
        String issuer = jwt.issuer()
                .orElseThrow(() -> new InvalidTokenException("The token has no issuer (iss)", "iss"));
        JwtValidator validator = validators.get(issuer);
        if (validator == null) {
            LOG.debug("The token's issuer {} is not among the trusted issuers {}", LogSafe.escape(issuer), issuers());
            throw new InvalidTokenException("The token's issuer is not accepted by this API", "iss");
        }
        return validator.validate(jwt);
    }

    /**
     * This router with the JWTs of some issuers sent to introspection instead: each JWT is still parsed once,
     * strictly, here; by its (unverified) {@code iss} it goes, as the raw token, to {@code introspection}, or,
     * parsed, to this router, whose validator verifies that very parse. A token the strict parser refuses goes
     * nowhere.
     *
     * @param introspection       the introspection validator
     * @param introspectedIssuers the issuers whose JWTs it decides; empty for this router as it is
     * @return a validator that routes by issuer; this router when {@code introspectedIssuers} is empty
     */
    public TokenValidator introspecting(TokenValidator introspection, Set<String> introspectedIssuers) {
        return introspectedIssuers.isEmpty() ? this : new JwtRouting(this, introspection, introspectedIssuers);
    }

    @Override
    public String toString() {
        return "IssuerRouter" + validators.keySet();
    }
}
