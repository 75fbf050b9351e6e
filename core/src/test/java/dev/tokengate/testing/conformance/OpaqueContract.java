package dev.tokengate.testing.conformance;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 7662 §2.2: what an introspection answer must say for its opaque token to be served. */
public abstract class OpaqueContract extends ConformanceContract {

    /** An active answer for alice with {@code scope}, expiring in an hour, plus {@code members} (",\"k\":v" pairs). */
    protected static String active(String scope, String members) {
        return "{\"active\":true,\"sub\":\"alice\",\"scope\":\"" + scope + "\",\"exp\":"
                + Instant.now().plusSeconds(3600).getEpochSecond() + members + "}";
    }

    @Test
    void requestWhenCaseVariantOfCachedTokenOnSameConnectionThenIntrospectedAndInvalidToken() throws Exception {
        String token = "caseOpaque-7fQ2xLm";
        String variant = "caseopaque-7fQ2xLm"; // one letter's case changed: a token the authorization server does not know
        introspection.answer(token, active("read", ""));

        try (RawHttp.Connection connection = RawHttp.connect(base())) {
            assertThat(connection.get(GatedApp.READ, "Authorization: Bearer " + token).status()).isEqualTo(200);
            assertThat(connection.get(GatedApp.READ, "Authorization: Bearer " + token).status()).isEqualTo(200);
            RawHttp.Response r = connection.get(GatedApp.READ, "Authorization: Bearer " + variant);

            assertThat(r.status()).isEqualTo(401);
            assertThat(r.challenge()).contains("error=\"invalid_token\"");
        }
        assertThat(introspection.calls(token)).isEqualTo(1);
        assertThat(introspection.calls(variant)).isEqualTo(1);
    }
}
