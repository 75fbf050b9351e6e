package dev.tokengate;

import dev.tokengate.authorize.Requirement;
import dev.tokengate.store.IssuedToken;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.TokenKind;
import dev.tokengate.testing.TestRequest;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's "Issuing your own API tokens" example, compiled and run on H2. */
class ReadmeStoreExampleTest {

    @Test
    void issuingYourOwnTokensExampleFromTheReadme() {
        JdbcDataSource yourPooledDataSource = new JdbcDataSource();
        yourPooledDataSource.setURL("jdbc:h2:mem:readme-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");

        // --- README: Issuing your own API tokens ---
        JdbcTokenStore store = JdbcTokenStore.builder().dataSource(yourPooledDataSource).build();
        store.createSchema();                                   // or run dev/tokengate/store/schema-postgresql.sql
        IssuedToken t = store.create(TokenKind.ACCESS_TOKEN, "trading bot", "alice", null,
                List.of("trade"), List.of(IpRange.parse("203.0.113.0/24")), Instant.now().plus(Duration.ofDays(90)));
        t.token();                                              // tgat_… : shown to the user once, never stored
        TokenGate gate = TokenGate.builder().tokenStore(store).build();
        // --- end of README example ---

        String id = t.metadata().id();
        assertThat(t.token()).startsWith("tgat_").hasSize(54);
        assertThat(store.list("alice")).extracting(s -> s.id()).containsExactly(id);
        TokenGate.Call call = gate.begin(TestRequest.get("/orders").bearer(t.token()).remoteAddress("203.0.113.5"));
        assertThat(call.authorize(Requirement.allOf("trade"))).isInstanceOf(Outcome.Authenticated.class);
        call.finish(200);
        IssuedToken rotated = store.rotate(id);
        assertThat(store.get(id).orElseThrow().replacedBy()).contains(rotated.metadata().id()); // in its grace period
        assertThat(store.get(id).orElseThrow().revokedAt()).isEmpty();
        assertThat(rotated.token()).isNotEqualTo(t.token());
        gate.close();
    }
}
