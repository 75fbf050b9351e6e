package dev.tokengate;

import dev.tokengate.control.SharedControl;
import dev.tokengate.health.HealthCheck;
import dev.tokengate.health.HealthReport;
import dev.tokengate.health.UpstreamHealth;
import dev.tokengate.jwt.JwtValidator;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The upstreams of one gate, named, in a fixed order: each issuer's key source (when it reaches out: a JWKS endpoint,
 * discovery), the introspection endpoint, the token database, the shared state. Not API: {@link TokenGate#health()}
 * and {@link TokenGate#checkUpstreams()} read them.
 */
final class Upstreams {

    private record Named(String name, boolean required, HealthCheck check) {
    }

    private final List<Named> all;
    private final Clock clock;

    private Upstreams(List<Named> all, Clock clock) {
        this.all = List.copyOf(all);
        this.clock = clock;
    }

    /** What the built validators and the shared state reach out to; a part that is no {@link HealthCheck} is left out. */
    static Upstreams of(Validators.Built built, SharedControl shared, Clock clock) {
        List<Named> all = new ArrayList<>();
        for (JwtValidator issuer : built.issuers()) {
            issuer.keySource().filter(HealthCheck.class::isInstance).ifPresent(keys ->
                    all.add(new Named("issuer " + issuer.issuer(), true, (HealthCheck) keys)));
        }
        built.introspection().ifPresent(i -> all.add(new Named("introspection", true, i)));
        built.store().filter(HealthCheck.class::isInstance)
                .ifPresent(s -> all.add(new Named("token database", true, (HealthCheck) s)));
        if (shared instanceof HealthCheck check) {
            all.add(new Named("shared state", shared.failClosed(), check));
        }
        return new Upstreams(all, clock);
    }

    HealthReport health() {
        return report(HealthCheck::health);
    }

    HealthReport probe() {
        return report(HealthCheck::probe);
    }

    private HealthReport report(Function<HealthCheck, UpstreamHealth> look) {
        List<HealthReport.Entry> entries = new ArrayList<>(all.size());
        for (Named n : all) {
            UpstreamHealth h;
            try {
                h = look.apply(n.check());
            } catch (RuntimeException e) {
                h = new UpstreamHealth("unknown", n.check().getClass().getName(), UpstreamHealth.Status.DOWN,
                        java.util.Optional.of(UpstreamHealth.Problem.outage("its health check failed: " + e)),
                        java.util.Optional.empty(), "tokengate could not read its health");
            }
            entries.add(new HealthReport.Entry(n.name(), n.required(), h));
        }
        return new HealthReport(clock.instant(), entries);
    }
}
