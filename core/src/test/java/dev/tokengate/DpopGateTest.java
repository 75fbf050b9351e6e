package dev.tokengate;

import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.config.TokenGateConfig;
import dev.tokengate.jwt.DpopVerifier;
import dev.tokengate.log.CallEvent;
import dev.tokengate.testing.DpopProof;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestRequest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** DPoP through the whole pipeline: extraction, the proof-of-possession step, challenges and the call log. */
class DpopGateTest {

    private static final String BOUND = "dpop.bound.token";
    private static final String PLAIN = "plain.bearer.token";
    /** Bound as Keycloak binds: {@code cnf} = {@code {"jkt": …, "kc-jkt-type": "DPoP"}}. */
    private static final String KEYCLOAK_BOUND = "keycloak.bound.token";
    /** {@code cnf.jkt} beside another confirmation method ({@code jwk}) that the gate does not check. */
    private static final String BOUND_TWICE = "bound.twice.token";
    private static final String URL = "https://api.example.com/app/accounts";
    /** What every 401 challenge names: the metadata of the request's origin. */
    private static final String METADATA = "resource_metadata=\"https://api.example.com/.well-known/oauth-protected-resource\"";

    private final FakeTime time = new FakeTime(Instant.parse("2026-01-01T10:00:00Z"));
    private final List<CallEvent> events = new ArrayList<>();

    private static VerifiedToken validate(String token) {
        VerifiedToken.Builder b = VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("alice")
                .scopes(List.of("read")).expiresAt(Instant.parse("2030-01-01T00:00:00Z"));
        return switch (token) {
            case BOUND -> b.claims(Map.of("cnf", Map.of("jkt", DpopProof.thumbprint(TestKeys.ec256())))).build();
            case KEYCLOAK_BOUND -> b.claims(Map.of("cnf", Map.of("jkt", DpopProof.thumbprint(TestKeys.ec256()),
                    "kc-jkt-type", "DPoP"))).build();
            case BOUND_TWICE -> b.claims(Map.of("cnf", Map.of("jkt", DpopProof.thumbprint(TestKeys.ec256()),
                    "jwk", DpopProof.publicJwk(TestKeys.ec256())))).build();
            case PLAIN -> b.build();
            default -> throw new InvalidTokenException("The token's signature does not verify.", "signature");
        };
    }

    private TokenGate gate(DpopVerifier.Mode mode) {
        return gate(mode, TokenGateConfig.builder());
    }

    private TokenGate gate(DpopVerifier.Mode mode, TokenGateConfig.Builder config) {
        return TokenGate.builder().settings(config.build()).validator(DpopGateTest::validate).clock(time)
                .callLogSink(events::add).dpop(DpopVerifier.builder().mode(mode).algorithms(List.of("ES256", "PS256")))
                .build();
    }

    private DpopProof.Builder proof(String method, String url, String token) {
        return DpopProof.by(TestKeys.ec256()).clock(time).request(method, url).accessToken(token);
    }

    /** One request through {@code authorize}; the error response, or null when admitted. */
    private static ErrorResponse run(TokenGate gate, TestRequest request) {
        TokenGate.Call call = gate.begin(request);
        int status = 200;
        try {
            if (call.authorize(Requirement.allOf("read")) instanceof Outcome.Rejected r) {
                ErrorResponse response = call.errorResponse(r.error());
                status = response.status();
                return response;
            }
            return null;
        } finally {
            call.finish(status);
        }
    }

    private static TestRequest get(String url) {
        return TestRequest.get("/accounts").url(url);
    }

    @Test
    void authorizeWhenBoundTokenComesWithAValidProofThenAdmittedAndMarked() {
        TokenGate gate = gate(DpopVerifier.Mode.ALLOWED);

        assertThat(run(gate, get(URL).dpop(BOUND, proof("GET", URL, BOUND).sign()))).isNull();
        assertThat(events.get(0).marks()).contains("dpop");
    }

    @Test
    void authorizeWhenProofIsReplayedThenInvalidDpopProof() {
        TokenGate gate = gate(DpopVerifier.Mode.ALLOWED);
        String proof = proof("GET", URL, BOUND).sign();
        assertThat(run(gate, get(URL).dpop(BOUND, proof))).isNull();

        ErrorResponse replay = run(gate, get(URL).dpop(BOUND, proof));

        assertThat(replay.status()).isEqualTo(401);
        assertThat(replay.headers().get("WWW-Authenticate"))
                .startsWith("Bearer realm=\"api\", " + METADATA + ", DPoP realm=\"api\", error=\"invalid_dpop_proof\"")
                .contains("used before").endsWith("algs=\"PS256 ES256\"");
    }

    @Test
    void authorizeWhenTheSharedReplayCacheIsUnreachableAndFailsClosedThen503WithRetryAfter() {
        TokenGate gate = TokenGate.builder().validator(DpopGateTest::validate).clock(time).callLogSink(events::add)
                .dpop(DpopVerifier.builder().sharedReplayCache((key, expiresAt) -> {
                    throw new IllegalStateException("Redis is down");
                }, true)).build();

        ErrorResponse r = run(gate, get(URL).dpop(BOUND, proof("GET", URL, BOUND).sign()));

        assertThat(r.status()).isEqualTo(503);
        assertThat(r.headers()).containsEntry("Retry-After", "5");
        assertThat(r.headers()).as("a server fault, not the client's: no challenge").doesNotContainKey("WWW-Authenticate");
        assertThat(events.get(0).marks()).contains("dpop", "shared_state_unavailable");
        assertThat(events.get(0).reason()).hasValueSatisfying(v -> assertThat(v).contains("Redis is down"));
    }

    @Test
    void authorizeWhenBoundTokenIsSentAsBearerThenInvalidToken() {
        ErrorResponse r = run(gate(DpopVerifier.Mode.ALLOWED), get(URL).bearer(BOUND));

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.headers().get("WWW-Authenticate")).startsWith("Bearer realm=\"api\", error=\"invalid_token\"")
                .contains("bound to a DPoP key").endsWith(", DPoP realm=\"api\", " + METADATA + ", algs=\"PS256 ES256\"");
    }

    @Test
    void authorizeWhenCnfHasAMemberBesideJktThatIsNoConfirmationMethodThenTheProofDecides() {
        TokenGate gate = gate(DpopVerifier.Mode.ALLOWED);

        assertThat(run(gate, get(URL).dpop(KEYCLOAK_BOUND, proof("GET", URL, KEYCLOAK_BOUND).sign()))).isNull();
        assertThat(run(gate, get(URL).bearer(KEYCLOAK_BOUND)).headers().get("WWW-Authenticate"))
                .contains("error=\"invalid_token\"", "bound to a DPoP key");
        String otherKey = DpopProof.by(TestKeys.ec384()).clock(time).request("GET", URL).accessToken(KEYCLOAK_BOUND)
                .signedWith("ES384").sign();
        assertThat(run(TokenGate.builder().validator(DpopGateTest::validate).clock(time).build(),
                get(URL).dpop(KEYCLOAK_BOUND, otherKey)).headers().get("WWW-Authenticate"))
                .contains("error=\"invalid_dpop_proof\"", "other than the one");
    }

    @Test
    void authorizeWhenCnfNamesAConfirmationMethodBesideJktThatIsNotCheckedThenInvalidToken() {
        ErrorResponse r = run(gate(DpopVerifier.Mode.ALLOWED),
                get(URL).dpop(BOUND_TWICE, proof("GET", URL, BOUND_TWICE).sign()));

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.headers().get("WWW-Authenticate")).contains("error=\"invalid_token\"", "bound to a key (cnf)");
    }

    @Test
    void authorizeWhenProofIsSignedByAnotherKeyThanTheBindingThenInvalidDpopProof() {
        String proof = DpopProof.by(TestKeys.ec384()).clock(time).request("GET", URL).accessToken(BOUND)
                .signedWith("ES384").sign();
        TokenGate gate = TokenGate.builder().validator(DpopGateTest::validate).clock(time).callLogSink(events::add)
                .build(); // default: every asymmetric algorithm

        ErrorResponse r = run(gate, get(URL).dpop(BOUND, proof));

        assertThat(r.headers().get("WWW-Authenticate")).contains("error=\"invalid_dpop_proof\"", "other than the one");
        assertThat(events.get(0).reason()).hasValueSatisfying(v -> assertThat(v).contains("cnf.jkt"));
    }

    @Test
    void authorizeWhenProofNamesAnotherUrlOrMethodOrTokenThenInvalidDpopProof() {
        TokenGate gate = gate(DpopVerifier.Mode.ALLOWED);

        assertThat(run(gate, get(URL).dpop(BOUND, proof("GET", URL + "/7", BOUND).sign())).headers()
                .get("WWW-Authenticate")).contains("invalid_dpop_proof", "htu");
        assertThat(run(gate, get(URL).dpop(BOUND, proof("DELETE", URL, BOUND).sign())).headers()
                .get("WWW-Authenticate")).contains("invalid_dpop_proof", "htm");
        assertThat(run(gate, get(URL).dpop(BOUND, proof("GET", URL, PLAIN).sign())).headers()
                .get("WWW-Authenticate")).contains("invalid_dpop_proof", "ath");
    }

    @Test
    void authorizeWhenUnboundTokenIsSentWithDpopThenInvalidToken() {
        ErrorResponse r = run(gate(DpopVerifier.Mode.ALLOWED), get(URL).dpop(PLAIN, proof("GET", URL, PLAIN).sign()));

        assertThat(r.headers().get("WWW-Authenticate")).contains("DPoP realm=\"api\", error=\"invalid_token\"",
                "not bound to a DPoP key");
    }

    @Test
    void authorizeWhenDpopSchemeHasNoProofHeaderThenInvalidDpopProof() {
        ErrorResponse r = run(gate(DpopVerifier.Mode.ALLOWED), get(URL).header("Authorization", "DPoP " + BOUND));

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.headers().get("WWW-Authenticate")).contains("error=\"invalid_dpop_proof\"", "no DPoP header");
    }

    @Test
    void authorizeWhenDpopIsRequiredThenBearerIsRefusedAndOnlyTheDpopChallengeIsSent() {
        TokenGate gate = gate(DpopVerifier.Mode.REQUIRED);

        ErrorResponse bearer = run(gate, get(URL).bearer(PLAIN));
        ErrorResponse none = run(gate, get(URL));

        assertThat(bearer.headers().get("WWW-Authenticate")).startsWith("DPoP realm=\"api\", error=\"invalid_token\"")
                .contains("only DPoP-bound tokens");
        assertThat(none.headers().get("WWW-Authenticate")).isEqualTo("DPoP realm=\"api\", " + METADATA + ", algs=\"PS256 ES256\"");
        assertThat(run(gate, get(URL).dpop(BOUND, proof("GET", URL, BOUND).sign()))).isNull();
    }

    @Test
    void authorizeWhenDpopIsOffThenTheSchemeIsNotRecognisedAndBoundTokensAreRefused() {
        TokenGate gate = gate(DpopVerifier.Mode.OFF);

        ErrorResponse dpop = run(gate, get(URL).dpop(BOUND, proof("GET", URL, BOUND).sign()));
        ErrorResponse bearer = run(gate, get(URL).bearer(BOUND));

        assertThat(dpop.headers().get("WWW-Authenticate")).isEqualTo("Bearer realm=\"api\", " + METADATA);
        assertThat(bearer.headers().get("WWW-Authenticate")).startsWith("Bearer realm=\"api\", error=\"invalid_token\"")
                .contains("bound to a key (cnf)").doesNotContain("DPoP");
        assertThat(run(gate, get(URL).bearer(PLAIN))).isNull();
    }

    @Test
    void authorizeBehindATrustedProxyThenHtuIsTheForwardedUrl() {
        TokenGateConfig.Builder proxied = TokenGateConfig.builder().trustedProxies(List.of("10.0.0.0/8"))
                .forwardedHeader(TokenGateConfig.ForwardedHeader.X_FORWARDED_FOR);
        TokenGate gate = gate(DpopVerifier.Mode.ALLOWED, proxied);
        String internal = "http://10.0.0.5:8080/app/accounts";
        String external = "https://api.example.com/app/accounts";

        TestRequest viaProxy = TestRequest.get("/accounts").url(internal).remoteAddress("10.0.0.1")
                .header("X-Forwarded-For", "198.51.100.7").header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "api.example.com");
        assertThat(run(gate, viaProxy.dpop(BOUND, proof("GET", external, BOUND).sign()))).isNull();

        TestRequest notFromProxy = TestRequest.get("/accounts").url(internal).remoteAddress("198.51.100.9")
                .header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "api.example.com");
        assertThat(run(gate, notFromProxy.dpop(BOUND, proof("GET", external, BOUND).sign())).headers()
                .get("WWW-Authenticate")).as("an untrusted peer's forwarding headers are ignored").contains("htu");
    }

    @Test
    void authorizeBehindATrustedProxyWithForwardedThenTheFirstTrustedProxysElementNamesTheUrl() {
        TokenGateConfig.Builder proxied = TokenGateConfig.builder().trustedProxies(List.of("10.0.0.0/8"))
                .forwardedHeader(TokenGateConfig.ForwardedHeader.FORWARDED);
        TokenGate gate = gate(DpopVerifier.Mode.ALLOWED, proxied);
        // the client forged an element; the edge proxy (10.0.0.2) appended the real one, the inner proxy its own
        TestRequest request = TestRequest.get("/accounts").url("http://10.0.0.5:8080/app/accounts").remoteAddress("10.0.0.1")
                .header("Forwarded", "for=203.0.113.66;host=evil.example.com;proto=https, "
                        + "for=198.51.100.7;host=api.example.com;proto=https, for=10.0.0.2;host=inner;proto=http");

        assertThat(run(gate, request.dpop(BOUND, proof("GET", URL, BOUND).sign()))).isNull();
    }

    @Test
    void keysConfigureTheModeThroughTheGate() {
        TokenGate gate = TokenGate.builder().config(ConfigSource.of(Map.of(ConfigKeys.DPOP, "required",
                ConfigKeys.JWT_ISSUER, "https://issuer.example.com", ConfigKeys.JWT_AUDIENCE, "api",
                ConfigKeys.JWT_JWKS_FILE, jwksFile()))).validator(DpopGateTest::validate).clock(time)
                .callLogSink(events::add).build();

        assertThat(run(gate, get(URL).bearer(PLAIN)).headers().get("WWW-Authenticate")).startsWith("DPoP ");
    }

    private static String jwksFile() {
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("jwks", ".json");
            java.nio.file.Files.writeString(file, TestKeys.jwksJson(TestKeys.ec256()));
            file.toFile().deleteOnExit();
            return file.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
