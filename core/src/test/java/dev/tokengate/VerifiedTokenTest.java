package dev.tokengate;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The verified token as an application sees it: its fields, its name, equality, and a builder that can be reused. */
class VerifiedTokenTest {

    private static final Instant ISSUED = Instant.parse("2026-11-30T10:00:00Z");
    private static final Instant EXPIRES = Instant.parse("2026-11-30T10:05:00Z");

    private static VerifiedToken.Builder alice() {
        return VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("alice").clientId("trading-app")
                .issuer("https://issuer.example").audiences(List.of("https://api.example")).scopes(List.of("read", "trade"))
                .issuedAt(ISSUED).expiresAt(EXPIRES).tokenId("jti-1").claims(Map.of("sub", "alice"))
                .allowedAddresses(List.of(IpRange.parse("203.0.113.0/24")));
    }

    @Test
    void equalsWhenEveryFieldEqualThenEqualWithTheSameHashCode() {
        VerifiedToken token = alice().build();

        assertThat(token).isEqualTo(token).isEqualTo(alice().build()).hasSameHashCodeAs(alice().build());
        assertThat(token).isNotEqualTo("alice").isNotEqualTo(null);
    }

    @Test
    void equalsWhenAnyOneFieldDiffersThenNotEqual() {
        VerifiedToken token = alice().build();
        Map<String, UnaryOperator<VerifiedToken.Builder>> changes = Map.ofEntries(
                Map.entry("kind", b -> VerifiedToken.builder(VerifiedToken.Kind.INTROSPECTED).subject("alice")
                        .clientId("trading-app").issuer("https://issuer.example").audiences(List.of("https://api.example"))
                        .scopes(List.of("read", "trade")).issuedAt(ISSUED).expiresAt(EXPIRES).tokenId("jti-1")
                        .claims(Map.of("sub", "alice")).allowedAddresses(List.of(IpRange.parse("203.0.113.0/24")))),
                Map.entry("subject", b -> b.subject("bob")),
                Map.entry("clientId", b -> b.clientId("other-app")),
                Map.entry("issuer", b -> b.issuer("https://other.example")),
                Map.entry("audiences", b -> b.audiences(List.of("https://other-api.example"))),
                Map.entry("scopes", b -> b.scopes(List.of("read"))),
                Map.entry("issuedAt", b -> b.issuedAt(ISSUED.plusSeconds(1))),
                Map.entry("expiresAt", b -> b.expiresAt(EXPIRES.plusSeconds(1))),
                Map.entry("tokenId", b -> b.tokenId("jti-2")),
                Map.entry("claims", b -> b.claims(Map.of("sub", "alice", "acr", "mfa"))),
                Map.entry("allowedAddresses", b -> b.allowedAddresses(List.of(IpRange.parse("198.51.100.0/24")))));

        changes.forEach((field, change) -> assertThat(change.apply(alice()).build()).as(field).isNotEqualTo(token));
    }

    @Test
    void hashCodeWhenSubjectOrExpiryDiffersThenDiffers() {
        assertThat(alice().build().hashCode()).isNotEqualTo(alice().subject("bob").build().hashCode())
                .isNotEqualTo(alice().expiresAt(EXPIRES.plusSeconds(60)).build().hashCode());
    }

    @Test
    void hasScopeOnlyForAGrantedScope() {
        VerifiedToken token = alice().build();

        assertThat(token.hasScope("trade")).isTrue();
        assertThat(token.hasScope("withdraw")).isFalse();
        assertThat(token.hasScope("TRADE")).as("scopes are case-sensitive (RFC 6749 §3.3)").isFalse();
    }

    @Test
    void getNameIsTheSubjectOrElseTheClient() {
        assertThat(alice().build().getName()).isEqualTo("alice");
        assertThat(alice().subject(null).build().getName()).isEqualTo("trading-app");
        assertThatThrownBy(() -> alice().subject(null).clientId(null).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a verified token needs a subject or a client id");
    }

    @Test
    void toStringShowsWhoForWhatAndUntilWhenButNoClaims() {
        assertThat(alice().claims(Map.of("secret_hint", "x")).build()).hasToString("VerifiedToken[kind=JWT, "
                + "subject=alice, clientId=trading-app, issuer=https://issuer.example, scopes=[read, trade], "
                + "expiresAt=2026-11-30T10:05:00Z]");
    }

    @Test
    void builderSettersReplaceWhatWasSetBefore() {
        VerifiedToken token = alice().audiences(List.of("https://other-api.example")).scopes(List.of("admin"))
                .claims(Map.of("acr", "mfa")).allowedAddresses(List.of(IpRange.parse("198.51.100.0/24")))
                .build();

        assertThat(token.audiences()).containsExactly("https://other-api.example");
        assertThat(token.scopes()).containsExactly("admin");
        assertThat(token.claims()).containsExactly(Map.entry("acr", "mfa"));
        assertThat(token.allowedAddresses()).containsExactly(IpRange.parse("198.51.100.0/24"));
    }

    @Test
    void builderWhenReusedThenTheTokenBuiltBeforeIsUnchanged() {
        VerifiedToken.Builder builder = alice();
        VerifiedToken first = builder.build();

        VerifiedToken second = builder.scopes(List.of("admin")).claims(Map.of("acr", "mfa")).build();

        assertThat(first.scopes()).containsExactly("read", "trade");
        assertThat(first.claims()).containsExactly(Map.entry("sub", "alice"));
        assertThat(second.scopes()).containsExactly("admin");
        assertThat(first.claim("sub")).contains("alice");
        assertThat(first.claim("acr")).isEmpty();
    }

    @Test
    void scopesKeepTheirOrderDropDuplicatesAndBehaveAsASetWhateverTheirNumber() {
        VerifiedToken few = VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("a")
                .scopes(List.of("trade", "read", "trade", "withdraw")).build();
        assertThat(few.scopes()).containsExactly("trade", "read", "withdraw");
        assertThat(few.scopes()).isEqualTo(java.util.Set.of("read", "trade", "withdraw"))
                .hasSameHashCodeAs(java.util.Set.of("read", "trade", "withdraw"));
        assertThat(few.hasScope("read")).isTrue();
        assertThat(few.hasScope("admin")).isFalse();
        assertThat(few.scopes().contains(null)).isFalse();
        assertThatThrownBy(() -> few.scopes().add("admin")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> few.scopes().iterator().remove()).isInstanceOf(UnsupportedOperationException.class);

        List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add("s" + (i % 20));
        }
        VerifiedToken lots = VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("a").scopes(many).build();
        assertThat(lots.scopes()).hasSize(20).startsWith("s0", "s1", "s2").contains("s19");
        assertThatThrownBy(() -> lots.scopes().add("admin")).isInstanceOf(UnsupportedOperationException.class);
    }

}
