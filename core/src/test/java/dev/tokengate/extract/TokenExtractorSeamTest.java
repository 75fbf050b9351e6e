package dev.tokengate.extract;

import dev.tokengate.BearerError;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.Outcome;
import dev.tokengate.TokenGate;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.log.CallEvent;
import dev.tokengate.testing.TestRequest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The extract step is a seam: a gate built with another {@link TokenExtractor} uses it instead of RFC 6750's. */
class TokenExtractorSeamTest {

    private final List<CallEvent> events = new ArrayList<>();

    /** A stand-in for another scheme: {@code Authorization: PoP <token>}. */
    private static final TokenExtractor DPOP_LIKE = request -> {
        for (String v : request.headers("Authorization")) {
            if (v.startsWith("PoP ")) {
                return new Extraction.Found(v.substring(4), "PoP", Extraction.Source.AUTHORIZATION_HEADER);
            }
        }
        return new Extraction.Absent();
    };

    private TokenGate gate(TokenExtractor extractor) {
        TokenGate.Builder b = TokenGate.builder().settings(TokenGateConfig.builder()
                        .build())
                .validator(token -> {
                    if (!token.equals("pop-bound")) {
                        throw new InvalidTokenException("unknown token");
                    }
                    return VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("alice").build();
                })
                .callLogSink(events::add);
        return (extractor == null ? b : b.extractor(extractor)).build();
    }

    private Outcome authorize(TokenGate gate, TestRequest request) {
        TokenGate.Call call = gate.begin(request);
        try {
            return call.authorize(Requirement.authenticated());
        } finally {
            call.finish(200);
        }
    }

    @Test
    void authorizeWhenCustomExtractorFindsItsSchemeThenItsTokenIsValidated() {
        Outcome outcome = authorize(gate(DPOP_LIKE), TestRequest.get("/").header("Authorization", "PoP pop-bound"));

        assertThat(outcome).isInstanceOf(Outcome.Authenticated.class);
        assertThat(((Outcome.Authenticated) outcome).token().subject()).contains("alice");
        assertThat(events.get(0).tokenFingerprint()).isPresent();
    }

    @Test
    void authorizeWhenCustomExtractorThenBearerHeaderIsNotItsBusiness() {
        Outcome outcome = authorize(gate(DPOP_LIKE), TestRequest.get("/").bearer("pop-bound"));

        assertThat(outcome).isEqualTo(new Outcome.Rejected(BearerError.missingToken()));
    }

    @Test
    void authorizeWhenDefaultExtractorThenAnotherSchemeIsNoBearerToken() {
        Outcome outcome = authorize(gate(null), TestRequest.get("/").header("Authorization", "PoP pop-bound"));

        assertThat(outcome).isEqualTo(new Outcome.Rejected(BearerError.missingToken()));
    }

    @Test
    void authorizeWhenDefaultExtractorAndDpopSchemeWithoutProofThenInvalidDpopProof() {
        Outcome outcome = authorize(gate(null), TestRequest.get("/").header("Authorization", "DPoP pop-bound"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Rejected.class, r -> assertThat(r.error().code())
                .contains(BearerError.Code.INVALID_DPOP_PROOF));
    }

    @Test
    void dpopExtractorWhenProofHeaderIsRepeatedThenInvalidDpopProof() {
        Extraction e = BearerTokenExtractor.headerOnly().withDpop().extract(TestRequest.get("/")
                .header("Authorization", "DPoP abc").header("DPoP", "a.b.c").header("DPoP", "d.e.f"));

        assertThat(e).isInstanceOfSatisfying(Extraction.Malformed.class, m -> assertThat(m.error().description())
                .contains("more than one DPoP header"));
        assertThat(BearerTokenExtractor.headerOnly().extract(TestRequest.get("/").header("Authorization", "DPoP abc")
                .header("DPoP", "a.b.c"))).as("DPoP off: another scheme").isEqualTo(new Extraction.Absent());
    }

    @Test
    void bearerExtractorWhenTokenFoundThenSchemeIsBearer() {
        Extraction e = BearerTokenExtractor.headerOnly().extract(TestRequest.get("/").bearer("abc"));

        assertThat(e).isEqualTo(new Extraction.Found("abc", Extraction.BEARER, Extraction.Source.AUTHORIZATION_HEADER));
    }
}
