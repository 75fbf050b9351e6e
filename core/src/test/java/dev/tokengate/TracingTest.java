package dev.tokengate;

import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.observe.OpenTelemetryObserver;
import dev.tokengate.testkit.LoopbackIssuer;

import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestRequest;
import dev.tokengate.testing.TestTokens;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OpenTelemetry spans of a real SDK (in-memory exporter) around validation and each upstream call, against real
 * discovery, JWKS and introspection endpoints on loopback: nested under the request's span, never carrying a token.
 */
class TracingTest {

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
            .build();
    private final LoopbackIssuer idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        idp.close();
        sdk.close();
        GlobalOpenTelemetry.resetForTest();
    }

    private TokenGate gate(Map<String, String> keys, boolean givenObserver) {
        TokenGate.Builder builder = TokenGate.builder().config(ConfigSource.of(keys, Map.of(), new Properties()))
                .callLogSink(e -> { });
        if (givenObserver) {
            builder.observer(OpenTelemetryObserver.create(sdk));
        }
        TokenGate gate = builder.build();
        opened.add(gate);
        return gate;
    }

    private Map<String, String> discovering() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put(ConfigKeys.JWT_ISSUER, idp.baseUri().toString());
        keys.put(ConfigKeys.JWT_AUDIENCE, TestTokens.AUDIENCE);
        keys.put(ConfigKeys.METRICS, "off");
        return keys;
    }

    /** Runs the request inside a server span, as an instrumented server would. */
    private SpanData request(TokenGate gate, String token) {
        Span server = sdk.getTracer("test-server").spanBuilder("GET /orders").setSpanKind(SpanKind.SERVER).startSpan();
        try (Scope ignored = server.makeCurrent()) {
            TokenGate.Call call = gate.begin(TestRequest.get("/orders").bearer(token));
            int status = 200;
            try {
                if (call.authorize(Requirement.authenticated()) instanceof Outcome.Rejected r) {
                    status = call.errorResponse(r.error()).status();
                }
            } finally {
                call.finish(status);
            }
        } finally {
            server.end();
        }
        return span("GET /orders");
    }

    private SpanData span(String name) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow(
                () -> new AssertionError("no span " + name + " among " + exporter.getFinishedSpanItems()));
    }

    private void assertNothingNames(String token) {
        for (SpanData s : exporter.getFinishedSpanItems()) {
            assertThat(s.getAttributes().asMap().values()).as(s.getName())
                    .allSatisfy(v -> assertThat(String.valueOf(v)).doesNotContain(token).doesNotContain(TestTokens.SUBJECT));
            assertThat(s.getName()).doesNotContain(token);
        }
    }

    @Test
    void validateWhenKeysAreDiscoveredThenDiscoveryAndJwksFetchNestUnderTheValidationUnderTheRequest() {
        TokenGate gate = gate(discovering(), true);
        String token = TestTokens.jwt().issuer(idp.baseUri().toString()).sign();

        SpanData server = request(gate, token);

        SpanData validate = span("tokengate.validate");
        SpanData discovery = span("tokengate.discovery");
        SpanData fetch = span("tokengate.jwks.fetch");
        assertThat(validate.getParentSpanId()).isEqualTo(server.getSpanId());
        assertThat(validate.getTraceId()).isEqualTo(server.getTraceId());
        assertThat(discovery.getParentSpanId()).isEqualTo(validate.getSpanId());
        assertThat(fetch.getParentSpanId()).as("the fetch runs on the key source's executor, in the request's context")
                .isEqualTo(validate.getSpanId());
        assertThat(validate.getAttributes().asMap()).containsEntry(
                io.opentelemetry.api.common.AttributeKey.stringKey(OpenTelemetryObserver.KIND), "jwt");
        assertThat(validate.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(OpenTelemetryObserver.RESULT)))
                .isEqualTo("ok");
        assertThat(fetch.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(fetch.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(OpenTelemetryObserver.TARGET)))
                .isEqualTo(idp.jwksUri().toString());
        assertNothingNames(token);
    }

    @Test
    void validateWhenTheJwksIsDownThenTheSpansEndInError() {
        idp.down();
        TokenGate gate = gate(discovering(), true);
        String token = TestTokens.jwt().issuer(idp.baseUri().toString()).sign();

        request(gate, token);

        assertThat(span("tokengate.validate").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(span("tokengate.discovery").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertNothingNames(token);
    }

    @Test
    void validateWhenOpaqueThenTheIntrospectionCallNestsUnderTheValidation() throws Exception {
        try (LoopbackIssuer as = LoopbackIssuer.start().clientAuthentication(false)) {
            as.introspectionAnswer("{\"active\":true,\"sub\":\"alice\",\"scope\":\"read\"}");
            TokenGate gate = gate(Map.of(ConfigKeys.INTROSPECTION_URI, as.introspectionUri().toString(),
                    ConfigKeys.INTROSPECTION_CLIENT_ID, "orders-api", ConfigKeys.INTROSPECTION_CLIENT_SECRET, "s3cret",
                    ConfigKeys.METRICS, "off"), true);

            request(gate, "opaque-token-value-1");

            SpanData validate = span("tokengate.validate");
            assertThat(span("tokengate.introspection").getParentSpanId()).isEqualTo(validate.getSpanId());
            assertThat(validate.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(OpenTelemetryObserver.KIND)))
                    .isEqualTo("introspection");
            assertNothingNames("opaque-token-value-1");
            assertNothingNames("s3cret");
        }
    }

    @Test
    void tracingAutoWhenNoSdkIsRegisteredThenNoSpansAndTheGlobalIsLeftForTheApplicationToSet() {
        TokenGate gate = gate(discovering(), false); // tokengate.tracing unset: auto

        request(gate, TestTokens.jwt().issuer(idp.baseUri().toString()).sign());
        assertThat(exporter.getFinishedSpanItems()).extracting(SpanData::getName).containsExactly("GET /orders");
        assertThat(GlobalOpenTelemetry.isSet()).isFalse();

        GlobalOpenTelemetry.set(sdk); // the application registers its SDK after the gate started
        exporter.reset();
        request(gate, TestTokens.jwt().issuer(idp.baseUri().toString()).tokenId("another").sign());

        assertThat(exporter.getFinishedSpanItems()).extracting(SpanData::getName)
                .contains("tokengate.validate", "GET /orders");
    }

    @Test
    void tracingOffThenNoSpansEvenWithARegisteredSdk() {
        GlobalOpenTelemetry.set(sdk);
        Map<String, String> keys = discovering();
        keys.put(ConfigKeys.TRACING, "off");
        TokenGate gate = gate(keys, false);

        request(gate, TestTokens.jwt().issuer(idp.baseUri().toString()).sign());

        assertThat(exporter.getFinishedSpanItems()).extracting(SpanData::getName).containsExactly("GET /orders");
    }
}
