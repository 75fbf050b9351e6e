package dev.tokengate.policy;

import dev.tokengate.BearerError;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.VerifiedToken;
import dev.tokengate.extract.Extraction;
import dev.tokengate.jwt.DpopVerifier;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The built-in policy that verifies proofs of possession; see {@link TokenPolicies#proofOfPossession(DpopVerifier)}.
 * A token bound to a DPoP key ({@code cnf.jkt}) needs the {@code DPoP} scheme and a proof signed by that key; a
 * token sent with the {@code DPoP} scheme needs such a binding; any other binding ({@code x5t#S256}, …) is refused.
 */
final class ProofOfPossessionPolicy implements TokenPolicy {

    static final ProofOfPossessionPolicy INSTANCE = new ProofOfPossessionPolicy(null);

    /** The confirmation claim (RFC 7800) of a token bound to a key: {@code x5t#S256} (mTLS), {@code jkt} (DPoP), …. */
    static final String CONFIRMATION = "cnf";
    /** The confirmation member of a DPoP-bound token (RFC 9449 §6). */
    static final String JKT = "jkt";
    /** The call-log mark of a request whose DPoP proof was verified. */
    static final String DPOP_MARK = "dpop";

    /** The proof verifier, or {@code null} when DPoP is off. */
    private final DpopVerifier dpop;

    ProofOfPossessionPolicy(DpopVerifier dpop) {
        this.dpop = dpop != null && dpop.mode() != DpopVerifier.Mode.OFF ? dpop : null;
    }

    @Override
    public PolicyDecision check(VerifiedToken token, RequestFacts request) {
        Object cnf = token.claims().get(CONFIRMATION);
        Object jkt = cnf instanceof Map<?, ?> c ? c.get(JKT) : null;
        if (dpop != null && Extraction.DPOP.equals(request.scheme())) {
            return checkDpop(jkt, cnf, request);
        }
        if (jkt != null && dpop != null) {
            return marked(BearerError.invalidToken("This token is bound to a DPoP key and cannot be used "
                            + "as a bearer token: send 'Authorization: DPoP <token>' with a DPoP proof signed by that key."),
                    "the token is bound to a DPoP key (cnf.jkt) and was sent with the " + request.scheme()
                            + " scheme, without a proof");
        }
        if (cnf != null) {
            // A binding this API does not verify: a bound token is never a bearer token.
            return PolicyDecision.deny(BearerError.invalidToken("This token is bound to a key (cnf) and needs a proof "
                            + "of possession, which this API does not accept; it cannot be used as a bearer token."),
                    "the token is bound to a key (cnf) and was sent with the " + request.scheme()
                            + " scheme, without a verified proof of possession");
        }
        if (dpop != null && dpop.mode() == DpopVerifier.Mode.REQUIRED) {
            return marked(BearerError.invalidToken("This API accepts only DPoP-bound tokens: ask the "
                            + "authorization server for one and send it as 'Authorization: DPoP <token>' with a proof."),
                    "tokengate.dpop=required and the token is not DPoP-bound (sent as " + request.scheme() + ")")
                    ;
        }
        return PolicyDecision.allow();
    }

    private PolicyDecision checkDpop(Object jkt, Object cnf, RequestFacts request) {
        List<String> proofs = request.headers(DpopVerifier.HEADER);
        if (proofs.size() != 1) {
            return denyProof("The request needs exactly one DPoP header with a proof made for it.",
                    proofs.size() + " DPoP headers");
        }
        if (request.url().isEmpty() || request.tokenHash().isEmpty()) {
            return PolicyDecision.deny(BearerError.unavailable("The server could not check the DPoP proof; try "
                    + "again shortly."), "internal error: the adapter does not tell the request URL; DPoP proofs "
                    + "cannot be checked");
        }
        String thumbprint;
        try {
            thumbprint = dpop.verify(proofs.get(0), request.method(), request.url().get(),
                    java.util.HexFormat.of().parseHex(request.tokenHash().get()));
        } catch (InvalidTokenException e) {
            return denyProof(e.getMessage(), "invalid DPoP proof (" + e.claim().orElse("proof") + "): " + e.getMessage());
        }
        if (!(jkt instanceof String bound)) {
            return marked(BearerError.invalidToken("This token is not bound to a DPoP key; send it as "
                            + "'Authorization: Bearer <token>', or ask for a DPoP-bound token."),
                    "sent with the DPoP scheme, but the token has no cnf.jkt"
                            + (cnf != null ? " (it is bound otherwise)" : ""));
        }
        if (!MessageDigest.isEqual(bound.getBytes(StandardCharsets.US_ASCII),
                thumbprint.getBytes(StandardCharsets.US_ASCII))) {
            return denyProof("The DPoP proof is signed by a key other than the one the token is bound to; sign it "
                    + "with the token's key.", "the proof's key thumbprint does not match the token's cnf.jkt");
        }
        if (cnf instanceof Map<?, ?> c && c.size() > 1) {
            return PolicyDecision.deny(BearerError.invalidToken("This token is also bound to another key (cnf) whose "
                    + "proof this API does not verify."), "cnf has members besides jkt: " + c.keySet());
        }
        return PolicyDecision.allowMarked(DPOP_MARK);
    }

    private static PolicyDecision marked(BearerError error, String reason) {
        return new PolicyDecision.Deny(error, reason, List.of(DPOP_MARK));
    }

    private static PolicyDecision denyProof(String description, String reason) {
        return new PolicyDecision.Deny(BearerError.invalidDpopProof(description), reason, List.of(DPOP_MARK));
    }

    @Override
    public String toString() {
        return "proof of possession";
    }
}
