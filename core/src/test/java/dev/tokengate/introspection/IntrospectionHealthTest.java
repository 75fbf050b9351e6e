package dev.tokengate.introspection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.health.UpstreamHealth;
import dev.tokengate.health.UpstreamHealth.Cause;
import dev.tokengate.health.UpstreamHealth.Status;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testkit.LoopbackIssuer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The introspection endpoint's health against a real loopback endpoint: from the last call, never a call of its own. */
class IntrospectionHealthTest {

    private final LoopbackIssuer server = LoopbackIssuer.start().clientAuthentication(false);
    private final FakeTime time = new FakeTime(Instant.parse("2026-01-01T00:00:00Z"));
    private final IntrospectionValidator introspection = IntrospectionValidator.builder(server.introspectionUri())
            .clientId("orders-api").clientSecret("s3cret-value").clock(time).ticker(time).build();

    @AfterEach
    void stop() {
        introspection.close();
        server.close();
    }

    @Test
    void healthBeforeAnyCallThenUnknownAndNoCallMade() {
        UpstreamHealth h = introspection.health();

        assertThat(h.status()).isEqualTo(Status.UNKNOWN);
        assertThat(h.kind()).isEqualTo("introspection");
        assertThat(h.target()).isEqualTo(server.introspectionUri().toString());
        assertThat(server.introspections()).isZero();
    }

    @Test
    void probeThenAsksAboutAMadeUpTokenAndIsUp() {
        UpstreamHealth h = introspection.probe();

        assertThat(h.status()).isEqualTo(Status.UP);
        assertThat(server.introspections()).isEqualTo(1);
        assertThat(server.lastRequest().token()).startsWith("tokengate-probe-").hasSizeGreaterThan(30);
        time.advance(Duration.ofSeconds(42));
        assertThat(introspection.health().sinceLastSuccess()).contains(Duration.ofSeconds(42));
        assertThat(server.introspections()).as("health reads the last call").isEqualTo(1);
    }

    @Test
    void healthWhenTheEndpointRefusesOurCredentialsThenAConfigurationErrorWithoutTheSecret() {
        server.introspectionAnswer(401, "application/json", "{\"error\":\"invalid_client\"}");

        UpstreamHealth h = introspection.probe();

        assertThat(h.status()).isEqualTo(Status.DOWN);
        assertThat(h.problem()).hasValueSatisfying(p -> {
            assertThat(p.cause()).isEqualTo(Cause.CONFIGURATION);
            assertThat(p.message()).contains("HTTP 401", "check client-id, client-secret and auth-method")
                    .doesNotContain("s3cret-value");
        });
    }

    @Test
    void healthWhenARequestFindsTheEndpointDownThenDownWithoutTheTokenThenUpAfterAnAnswer() {
        introspection.probe();
        server.down();
        String token = "opaque-token-value-1234567890";

        assertThatThrownBy(() -> introspection.validate(token)).isInstanceOf(UpstreamUnavailableException.class);
        UpstreamHealth down = introspection.health();

        assertThat(down.status()).isEqualTo(Status.DOWN);
        assertThat(down.problem()).hasValueSatisfying(p -> {
            assertThat(p.cause()).isEqualTo(Cause.OUTAGE);
            assertThat(p.message()).startsWith("Token introspection unavailable: ").doesNotContain(token);
        });

        server.up();
        assertThatThrownBy(() -> introspection.validate("another-token-value-0987654321x"))
                .isInstanceOf(dev.tokengate.InvalidTokenException.class); // active:false: refused, but answered
        assertThat(introspection.health().status()).isEqualTo(Status.UP);
    }
}
