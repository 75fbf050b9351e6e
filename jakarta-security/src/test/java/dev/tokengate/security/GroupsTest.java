package dev.tokengate.security;

import dev.tokengate.VerifiedToken;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where the container's roles come from: the token's scopes, or a claim path. */
class GroupsTest {

    private static VerifiedToken token(Map<String, ?> claims) {
        return VerifiedToken.builder(VerifiedToken.Kind.JWT).subject("alice").scopes(List.of("read", "trade"))
                .claims(claims).build();
    }

    @Test
    void ofWhenScopesThenTheTokensScopes() {
        assertThat(Groups.scopes().of(token(Map.of()))).containsExactlyInAnyOrder("read", "trade");
    }

    @Test
    void ofWhenANestedClaimPathThenItsStrings() {
        VerifiedToken t = token(Map.of("realm_access", Map.of("roles", List.of("admin", "auditor", 7, " "))));

        assertThat(Groups.claim("realm_access.roles").of(t)).containsExactlyInAnyOrder("admin", "auditor");
    }

    @Test
    void ofWhenTheClaimIsASpaceSeparatedStringThenItsNames() {
        assertThat(Groups.claim("groups").of(token(Map.of("groups", " a  b\tc ")))).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void ofWhenThePathIsMissingOrNotAnObjectThenNoGroups() {
        VerifiedToken t = token(Map.of("realm_access", "not an object", "n", 3));

        assertThat(Groups.claim("realm_access.roles").of(t)).isEmpty();
        assertThat(Groups.claim("absent.roles").of(t)).isEmpty();
        assertThat(Groups.claim("n").of(t)).isEmpty();
    }

    @Test
    void claimWhenNotAPathThenTheErrorShowsOne() {
        assertThatThrownBy(() -> Groups.claim("realm_access..roles")).hasMessageContaining("e.g. realm_access.roles");
        assertThatThrownBy(() -> Groups.claim("a b")).isInstanceOf(IllegalArgumentException.class);
    }
}
