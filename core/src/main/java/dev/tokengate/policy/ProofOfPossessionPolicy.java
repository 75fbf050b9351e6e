package dev.tokengate.policy;

import dev.tokengate.BearerError;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.VerifiedToken;
import dev.tokengate.extract.Extraction;
import dev.tokengate.jwt.DpopVerifier;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The built-in policy that verifies proofs of possession; see {@link TokenPolicies#proofOfPossession(DpopVerifier)}.
 * A token bound to a DPoP key ({@code cnf.jkt}) needs the {@code DPoP} scheme and a proof signed by that key; a
 * token sent with the {@code DPoP} scheme needs such a binding; a token bound to a client certificate
 * ({@code cnf.x5t#S256}, RFC 8705) needs the request's mutual-TLS certificate to match; any other binding is refused.
 */
final class ProofOfPossessionPolicy implements TokenPolicy {

    static final ProofOfPossessionPolicy INSTANCE = new ProofOfPossessionPolicy(null);

    /** The confirmation claim (RFC 7800) of a token bound to a key: {@code x5t#S256} (mTLS), {@code jkt} (DPoP), …. */
    static final String CONFIRMATION = "cnf";
    /** The confirmation member of a DPoP-bound token (RFC 9449 §6). */
    static final String JKT = "jkt";
    /** The confirmation member of a certificate-bound token (RFC 8705 §3.1). */
    static final String X5T_S256 = "x5t#S256";
    /** The confirmation methods of IANA's "JWT Confirmation Methods" registry (RFC 7800, 8705, 9203, 9449). */
    static final Set<String> CONFIRMATION_METHODS = Set.of("jwk", "jwe", "jku", "kid", X5T_S256, "osc", JKT);
    /** The call-log mark of a request whose client certificate was checked against its token. */
    static final String MTLS_MARK = "mtls";
    /** The call-log mark of a request whose DPoP proof was verified. */
    static final String DPOP_MARK = "dpop";
    /** The call-log mark of a request refused because the shared state (here the replay cache) was unreachable. */
    static final String SHARED_UNAVAILABLE_MARK = "shared_state_unavailable";

    /** The proof verifier, or {@code null} when DPoP is off. */
    private final DpopVerifier dpop;

    ProofOfPossessionPolicy(DpopVerifier dpop) {
        this.dpop = dpop != null && dpop.mode() != DpopVerifier.Mode.OFF ? dpop : null;
    }

    @Override
    public PolicyDecision check(VerifiedToken token, RequestFacts request) {
        DpopVerifier.Mode gateMode = dpop == null ? DpopVerifier.Mode.OFF : dpop.mode();
        DpopVerifier.Mode routeMode = request.requirement().dpop().orElse(gateMode);
        if (dpop == null && routeMode != DpopVerifier.Mode.OFF) {
            // the adapters refuse such a route at start-up; a requirement built in code reaches here: fail closed
            return PolicyDecision.deny(BearerError.unavailable("The server could not check the DPoP proof; try "
                    + "again shortly."), "the route requires '+ dpop " + routeMode.value() + "' but "
                    + dev.tokengate.config.ConfigKeys.DPOP + "=off: no DPoP proof can be verified");
        }
        DpopVerifier dpop = routeMode == DpopVerifier.Mode.OFF ? null : this.dpop;
        if (dpop == null && Extraction.DPOP.equals(request.scheme())) {
            return marked(BearerError.invalidToken("This resource does not accept the DPoP scheme; send the token "
                    + "as 'Authorization: Bearer <token>'."), "sent with the DPoP scheme to a route with '+ dpop off'");
        }
        Object cnf = token.claims().get(CONFIRMATION);
        Map<?, ?> confirmation = cnf instanceof Map<?, ?> c ? c : Map.of();
        Object jkt = dpop != null ? confirmation.get(JKT) : null;
        Object x5t = confirmation.get(X5T_S256);
        // RFC 7800 §3.1: cnf holds one key. Refused unless a method checked here names it, and no other method does;
        // other members (Keycloak's "kc-jkt-type": "DPoP" beside jkt) describe the binding and are ignored.
        boolean unverifiable = cnf != null && (!(cnf instanceof Map<?, ?>) || (jkt == null && x5t == null));
        for (Object member : confirmation.keySet()) {
            unverifiable |= CONFIRMATION_METHODS.contains(member)
                    && !(X5T_S256.equals(member) || (dpop != null && JKT.equals(member)));
        }
        if (unverifiable) {
            // A binding this API does not verify: a bound token is never a bearer token.
            return PolicyDecision.deny(BearerError.invalidToken("This token is bound to a key (cnf) and needs a proof "
                            + "of possession, which this API does not accept; it cannot be used as a bearer token."),
                    "the token is bound to a key (cnf) and was sent with the " + request.scheme()
                            + " scheme, without a verified proof of possession");
        }
        if (x5t != null) {
            PolicyDecision certificate = checkCertificate(x5t, request);
            if (certificate instanceof PolicyDecision.Deny) {
                return certificate;
            }
        }
        if (dpop != null && Extraction.DPOP.equals(request.scheme())) {
            return checkDpop(dpop, jkt, request, x5t != null);
        }
        if (jkt != null) {
            return marked(BearerError.invalidToken("This token is bound to a DPoP key and cannot be used "
                            + "as a bearer token: send 'Authorization: DPoP <token>' with a DPoP proof signed by that key."),
                    "the token is bound to a DPoP key (cnf.jkt) and was sent with the " + request.scheme()
                            + " scheme, without a proof");
        }
        if (routeMode == DpopVerifier.Mode.REQUIRED) {
            return marked(BearerError.invalidToken("This resource accepts only DPoP-bound tokens: ask the "
                            + "authorization server for one and send it as 'Authorization: DPoP <token>' with a proof."),
                    (gateMode == DpopVerifier.Mode.REQUIRED && request.requirement().dpop().isEmpty()
                            ? "tokengate.dpop=required" : "the route requires '+ dpop required'")
                            + " and the token is not DPoP-bound (sent as " + request.scheme() + ")");
        }
        return x5t != null ? PolicyDecision.allowMarked(MTLS_MARK) : PolicyDecision.allow();
    }

    /** RFC 8705 §3: the token's {@code cnf.x5t#S256} is the SHA-256 of the client certificate's DER. */
    private static PolicyDecision checkCertificate(Object x5t, RequestFacts request) {
        if (request.clientCertificate().isEmpty()) {
            return new PolicyDecision.Deny(BearerError.invalidToken("This token is bound to a client certificate: "
                    + "call over mutual TLS with that certificate."), "the token is bound to a certificate "
                    + "(cnf.x5t#S256) and the request has no client certificate", List.of(MTLS_MARK));
        }
        String thumbprint;
        try {
            thumbprint = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(request.clientCertificate().get().getEncoded()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("the JVM cannot hash the client certificate", e);
        }
        if (!(x5t instanceof String bound) || !MessageDigest.isEqual(bound.getBytes(StandardCharsets.US_ASCII),
                thumbprint.getBytes(StandardCharsets.US_ASCII))) {
            return new PolicyDecision.Deny(BearerError.invalidToken("This token is bound to another client "
                    + "certificate than the one this connection presents."), "the client certificate's SHA-256 "
                    + "does not match the token's cnf.x5t#S256", List.of(MTLS_MARK));
        }
        return PolicyDecision.allow();
    }

    private static PolicyDecision checkDpop(DpopVerifier dpop, Object jkt, RequestFacts request,
                                            boolean certificateChecked) {
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
            if (e.claim().filter(DpopVerifier.NONCE_CLAIM::equals).isPresent()) {
                // RFC 9449 §8: the gate's answer carries the current nonce in the DPoP-Nonce header
                return new PolicyDecision.Deny(BearerError.useDpopNonce(e.getMessage()),
                        "the DPoP proof has no current server nonce", List.of(DPOP_MARK));
            }
            return denyProof(e.getMessage(), "invalid DPoP proof (" + e.claim().orElse("proof") + "): " + e.getMessage());
        } catch (UpstreamUnavailableException e) {
            return new PolicyDecision.Deny(BearerError.unavailable("The server cannot check DPoP proofs for replay "
                    + "right now; try again shortly with a new proof.", e.nextAttemptIn().orElseThrow()),
                    e.getMessage() + " (fail-closed)", List.of(DPOP_MARK, SHARED_UNAVAILABLE_MARK));
        }
        if (!(jkt instanceof String bound)) {
            return marked(BearerError.invalidToken("This token is not bound to a DPoP key; send it as "
                            + "'Authorization: Bearer <token>', or ask for a DPoP-bound token."),
                    "sent with the DPoP scheme, but the token has no cnf.jkt");
        }
        if (!MessageDigest.isEqual(bound.getBytes(StandardCharsets.US_ASCII),
                thumbprint.getBytes(StandardCharsets.US_ASCII))) {
            return denyProof("The DPoP proof is signed by a key other than the one the token is bound to; sign it "
                    + "with the token's key.", "the proof's key thumbprint does not match the token's cnf.jkt");
        }
        PolicyDecision.Allow allowed = (PolicyDecision.Allow) PolicyDecision.allowMarked(DPOP_MARK);
        return certificateChecked ? allowed.withMark(MTLS_MARK) : allowed;
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
