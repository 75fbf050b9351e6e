package dev.tokengate;

import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.log.CallEvent;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestRequest;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Without the OpenTelemetry API on the class path (most applications): a gate built from keys, tracing left at
 * {@code auto}, validates as ever. Run by core's {@code no-opentelemetry} surefire execution only, which leaves the
 * OpenTelemetry jars out.
 */
class NoOpenTelemetryTest {

    @Test
    void gateWhenTheOpenTelemetryApiIsAbsentThenTracingAutoRecordsNothingAndRequestsPass() {
        assertThatThrownBy(() -> Class.forName("io.opentelemetry.api.GlobalOpenTelemetry"))
                .as("this test runs without the OpenTelemetry API").isInstanceOf(ClassNotFoundException.class);
        List<CallEvent> events = new ArrayList<>();
        try (LoopbackIssuer idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
             TokenGate gate = TokenGate.builder().config(ConfigSource.of(Map.of(
                             ConfigKeys.JWT_ISSUER, TestTokens.ISSUER, ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE,
                             ConfigKeys.JWT_JWKS_URI, idp.jwksUri().toString()), Map.of(), new Properties()))
                     .callLogSink(events::add).build()) {
            TokenGate.Call call = gate.begin(TestRequest.get("/orders").bearer(TestTokens.jwt().sign()));
            Outcome outcome = call.authorize(Requirement.allOf("read"));
            call.finish(200);

            assertThat(outcome).isInstanceOf(Outcome.Authenticated.class);
            assertThat(events).singleElement().extracting(CallEvent::decision).isEqualTo("allow");
        }
    }
}
