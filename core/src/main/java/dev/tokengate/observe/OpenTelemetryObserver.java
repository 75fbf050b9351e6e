package dev.tokengate.observe;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * A {@link GateObserver} that records OpenTelemetry spans (API only): {@code tokengate.validate} around each token
 * validation, and {@code tokengate.jwks.fetch}, {@code tokengate.discovery}, {@code tokengate.introspection} and
 * {@code tokengate.store.lookup} around each upstream call, each a child of the span current when it starts (the
 * request's server span, then the validation's), and current itself while it lasts.
 *
 * <p>Attributes: {@value #KIND} (the validation's {@code jwt}, {@code introspection}, {@code store} or
 * {@code custom}), {@value #RESULT} ({@code ok}, {@code invalid} or {@code error}, which also sets the span's status
 * to error) and, on an upstream call, {@value #TARGET} (the endpoint, or the token table). Never a token, a subject or
 * a client id.
 *
 * <p>{@link #create()} follows {@link GlobalOpenTelemetry}: it records nothing until an SDK (or the Java agent) has
 * registered one, and never registers the no-op instance itself, so an SDK set up after the gate is still used.
 * Needs {@code io.opentelemetry:opentelemetry-api} on the class path; a gate built from keys adds this observer when
 * it is there ({@code tokengate.tracing=auto}).
 */
public final class OpenTelemetryObserver implements GateObserver {

    /** The instrumentation scope name of the spans. */
    public static final String INSTRUMENTATION_NAME = "dev.tokengate";
    /** The attribute holding a validation's kind. */
    public static final String KIND = "tokengate.validation.kind";
    /** The attribute holding how the work ended. */
    public static final String RESULT = "tokengate.result";
    /** The attribute holding the upstream's endpoint (a URI) or the token table. */
    public static final String TARGET = "tokengate.upstream.target";

    private static final AttributeKey<String> KIND_KEY = AttributeKey.stringKey(KIND);
    private static final AttributeKey<String> RESULT_KEY = AttributeKey.stringKey(RESULT);
    private static final AttributeKey<String> TARGET_KEY = AttributeKey.stringKey(TARGET);

    /** The given instance's tracer; {@code null} to follow {@link GlobalOpenTelemetry}. */
    private final Tracer fixed;
    /** The global instance's tracer, once one is registered. */
    private volatile Tracer global;

    private OpenTelemetryObserver(Tracer fixed) {
        this.fixed = fixed;
    }

    /**
     * Spans through the {@link GlobalOpenTelemetry} instance, once one is registered; none before.
     *
     * @return the observer
     */
    public static OpenTelemetryObserver create() {
        return new OpenTelemetryObserver(null);
    }

    /**
     * Spans through this OpenTelemetry instance.
     *
     * @param openTelemetry the instance (an SDK, or the no-op)
     * @return the observer
     */
    public static OpenTelemetryObserver create(OpenTelemetry openTelemetry) {
        return new OpenTelemetryObserver(Objects.requireNonNull(openTelemetry, "openTelemetry")
                .getTracer(INSTRUMENTATION_NAME));
    }

    @Override
    public Observation validating(ValidationKind kind) {
        Tracer tracer = tracer();
        if (tracer == null) {
            return Observation.NONE;
        }
        return start(tracer.spanBuilder("tokengate.validate").setSpanKind(SpanKind.INTERNAL)
                .setAttribute(KIND_KEY, kind.value()));
    }

    @Override
    public Observation calling(Upstream upstream, String target) {
        Tracer tracer = tracer();
        if (tracer == null) {
            return Observation.NONE;
        }
        return start(tracer.spanBuilder(spanName(upstream)).setSpanKind(SpanKind.CLIENT)
                .setAttribute(TARGET_KEY, target));
    }

    @Override
    public Executor propagating(Executor executor) {
        return Context.taskWrapping(executor);
    }

    static String spanName(Upstream upstream) {
        return switch (upstream) {
            case JWKS -> "tokengate.jwks.fetch";
            case DISCOVERY -> "tokengate.discovery";
            case INTROSPECTION -> "tokengate.introspection";
            case STORE -> "tokengate.store.lookup";
        };
    }

    private static Observation start(io.opentelemetry.api.trace.SpanBuilder builder) {
        Span span = builder.startSpan();
        Scope scope = span.makeCurrent();
        return new Observation() {
            private boolean ended;

            @Override
            public void end(Result result) {
                if (ended) {
                    return;
                }
                ended = true;
                span.setAttribute(RESULT_KEY, result.value());
                if (result == Result.ERROR) {
                    span.setStatus(StatusCode.ERROR);
                }
                scope.close();
                span.end();
            }
        };
    }

    private Tracer tracer() {
        if (fixed != null) {
            return fixed;
        }
        Tracer t = global;
        if (t == null && GlobalOpenTelemetry.isSet()) {
            t = GlobalOpenTelemetry.get().getTracer(INSTRUMENTATION_NAME);
            global = t;
        }
        return t;
    }

    @Override
    public String toString() {
        return fixed != null ? "OpenTelemetryObserver[given]" : "OpenTelemetryObserver[global]";
    }
}
