package dev.tokengate.testing.conformance;

import dev.tokengate.config.ConfigKeys;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 6750 §3: what an {@code insufficient_scope} answer says about the scopes a route requires. */
public abstract class ChallengeContract extends ConformanceContract {

    @Test
    void requestWhenScopeMissingThen403NamingTheScopeEverywhere() throws Exception {
        RawHttp.Response r = RawHttp.get(base(), GatedApp.ADMIN, "Authorization: Bearer " + jwt("read"));

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.challenge()).startsWith("Bearer realm=\"" + REALM + "\", error=\"insufficient_scope\", error_description=\"")
                .contains("admin").endsWith(", scope=\"admin\"");
        assertThat(r.body()).contains("\"required_scope\":\"admin\"");
    }

    @Test
    void requestWhenScopesWithheldThen403NamingTheScopeNowhere() throws Exception {
        URI withheld = deploy(Map.of(ConfigKeys.CHALLENGE_INCLUDE_SCOPE, "false"));

        RawHttp.Response r = RawHttp.get(withheld, GatedApp.ADMIN, "Authorization: Bearer " + jwt("read"));

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.challenge()).startsWith("Bearer realm=\"" + REALM + "\", error=\"insufficient_scope\", error_description=\"")
                .doesNotContain("scope=").doesNotContain("admin");
        assertThat(r.headers("Content-Type")).singleElement().asString().startsWith("application/problem+json");
        assertThat(r.body()).contains("\"error\":\"insufficient_scope\"").doesNotContain("admin")
                .doesNotContain("required_scope");
    }
}
