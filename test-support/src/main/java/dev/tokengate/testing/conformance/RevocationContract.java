package dev.tokengate.testing.conformance;

import dev.tokengate.TokenGate;
import dev.tokengate.control.Revocation;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The revocation list over HTTP: whatever the adapter, a token revoked through {@code TokenGate.revocations()} is
 * refused with 401 {@code invalid_token} on its very next request, although its verification (JWT) or its
 * introspection answer is cached, and everything else goes on.
 */
public abstract class RevocationContract extends ConformanceContract {

    private static final String REVOKED = "error_description=\"This token has been revoked; sign in again or ask its "
            + "issuer for a new one.\"";

    private static RawHttp.Response read(URI base, String token) throws Exception {
        return RawHttp.get(base, GatedApp.READ, "Authorization: Bearer " + token);
    }

    @Test
    void jwtRevokedByJtiIsRefusedOnItsNextRequestThoughCachedAndOthersAreServed() throws Exception {
        TokenGate gate = gate(Map.of()).build();
        URI base = deploy(gate);
        String token = TestTokens.jwt().scope("read").tokenId("revoke-me").sign();
        String other = TestTokens.jwt().scope("read").tokenId("keep-me").sign();
        assertThat(read(base, token).status()).isEqualTo(200);
        assertThat(read(base, token).status()).isEqualTo(200); // its verification is now cached

        gate.revocations().revoke(Revocation.Target.TOKEN_ID, "revoke-me", "laptop stolen", null);

        RawHttp.Response refused = read(base, token);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.challenge()).contains("error=\"invalid_token\"", REVOKED);
        assertThat(refused.body()).contains("\"error\":\"invalid_token\"").doesNotContain("laptop stolen");
        assertThat(read(base, other).status()).isEqualTo(200);
    }

    @Test
    void subjectRevokedThenEveryTokenOfItRefusedUntilLifted() throws Exception {
        TokenGate gate = gate(Map.of()).build();
        URI base = deploy(gate);
        String alice = TestTokens.jwt().subject("alice").scope("read").sign();
        String bob = TestTokens.jwt().subject("bob").scope("read").sign();

        gate.revocations().revoke(Revocation.Target.SUBJECT, "alice", "account locked", Instant.now().plusSeconds(600));

        assertThat(read(base, alice).status()).isEqualTo(401);
        assertThat(read(base, TestTokens.jwt().subject("alice").scope("read").tokenId("another").sign()).status())
                .isEqualTo(401);
        assertThat(read(base, bob).body()).isEqualTo("subject=bob");
        gate.revocations().lift(Revocation.Target.SUBJECT, "alice");
        assertThat(read(base, alice).body()).isEqualTo("subject=alice");
    }

    @Test
    void opaqueTokenRevokedByItsTextIsRefusedThoughItsIntrospectionAnswerIsCached() throws Exception {
        issuer.introspectionAnswer("opaque-to-revoke", "{\"active\":true,\"sub\":\"alice\",\"scope\":\"read\",\"exp\":"
                + Instant.now().plusSeconds(3600).getEpochSecond() + "}");
        TokenGate gate = gate(Map.of()).build();
        URI base = deploy(gate);
        assertThat(read(base, "opaque-to-revoke").status()).isEqualTo(200);

        gate.revocations().revokeTokenText("opaque-to-revoke", "leaked in a ticket", null);

        RawHttp.Response refused = read(base, "opaque-to-revoke");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.challenge()).contains(REVOKED);
    }

    @Test
    void revokedTokenOnAnOpenRouteIsNotChecked() throws Exception {
        TokenGate gate = gate(Map.of()).build();
        URI base = deploy(gate);
        String token = TestTokens.jwt().scope("read").tokenId("revoked-open").sign();
        gate.revocations().revoke(Revocation.Target.TOKEN_ID, "revoked-open", "gone", null);
        assertThat(RawHttp.get(base, GatedApp.OPEN, "Authorization: Bearer " + token).status()).isEqualTo(200);
        assertThat(RawHttp.get(base, GatedApp.ADMIN, "Authorization: Bearer " + token).status()).isEqualTo(401);
    }
}
