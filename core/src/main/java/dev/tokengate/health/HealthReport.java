package dev.tokengate.health;

import dev.tokengate.health.UpstreamHealth.Status;
import dev.tokengate.internal.Json;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The health of every upstream one gate depends on, at one moment: what {@code TokenGate.health()} answers and a
 * readiness endpoint serves as {@link #toJson() JSON}.
 *
 * @param checkedAt when the report was made, by the gate's clock
 * @param upstreams each upstream, in the gate's order: issuers, introspection, token database, shared state
 */
public record HealthReport(Instant checkedAt, List<Entry> upstreams) {

    /**
     * A report; the list is copied.
     *
     * @param checkedAt when the report was made
     * @param upstreams each upstream
     * @throws NullPointerException when a part is missing
     */
    public HealthReport {
        Objects.requireNonNull(checkedAt, "checkedAt");
        upstreams = List.copyOf(upstreams);
    }

    /**
     * One upstream as the gate lists it.
     *
     * @param name     which one, e.g. {@code issuer https://idp.example.com}, {@code token database}
     * @param required whether tokens go unchecked while it is down (the gate answers 503); shared state in
     *                 {@code fail-open} mode is not required
     * @param health   its health, as its component reports it
     */
    public record Entry(String name, boolean required, UpstreamHealth health) {

        /**
         * One upstream.
         *
         * @param name     which one
         * @param required whether tokens go unchecked while it is down
         * @param health   its health
         * @throws NullPointerException when a part is missing
         */
        public Entry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(health, "health");
        }

        /** Whether this upstream is required and down. */
        boolean failsReadiness() {
            return required && health.status() == Status.DOWN;
        }
    }

    /**
     * The gate's status: {@link Status#DOWN} when a required upstream is down; {@link Status#DEGRADED} when one is
     * degraded or an upstream that is not required is down; {@link Status#UNKNOWN} when one has not been contacted
     * yet; {@link Status#UP} otherwise (also when there is no upstream at all).
     *
     * @return the overall status
     */
    public Status status() {
        if (upstreams.stream().anyMatch(Entry::failsReadiness)) {
            return Status.DOWN;
        }
        if (upstreams.stream().map(e -> e.health().status()).anyMatch(s -> s == Status.DEGRADED || s == Status.DOWN)) {
            return Status.DEGRADED;
        }
        if (upstreams.stream().anyMatch(e -> e.health().status() == Status.UNKNOWN)) {
            return Status.UNKNOWN;
        }
        return Status.UP;
    }

    /**
     * Whether the gate can check tokens: no required upstream is down (degraded and not yet contacted ones count as
     * ready).
     *
     * @return true when ready
     */
    public boolean ready() {
        return upstreams.stream().noneMatch(Entry::failsReadiness);
    }

    /**
     * The required upstreams that are down.
     *
     * @return them, in the report's order; empty when {@link #ready()}
     */
    public List<Entry> down() {
        return upstreams.stream().filter(Entry::failsReadiness).toList();
    }

    /**
     * One line for people: {@code ready}, or which required upstreams are down and why.
     *
     * @return the line
     */
    public String summary() {
        List<Entry> down = down();
        if (down.isEmpty()) {
            return "ready";
        }
        return "not ready: " + down.stream().map(e -> "required upstream " + e.name() + " (" + e.health().kind() + " "
                        + e.health().target() + ") is down: " + e.health().problem().map(HealthReport::describe)
                        .orElse("no error recorded"))
                .collect(Collectors.joining("; "));
    }

    /**
     * When this upstream last answered, by the report's clock.
     *
     * @param entry one of this report's entries
     * @return the instant, if it ever answered
     */
    public Optional<Instant> lastSuccess(Entry entry) {
        return entry.health().sinceLastSuccess().map(checkedAt::minus);
    }

    /**
     * The report as one JSON object: {@code status}, {@code ready}, {@code summary}, {@code checked_at} and
     * {@code upstreams}, each with {@code name}, {@code kind}, {@code target}, {@code status}, {@code required},
     * {@code last_success} (ISO-8601, or {@code null}), {@code last_error} and {@code error_kind}
     * ({@code outage} or {@code configuration}; both {@code null} while up) and {@code detail}.
     *
     * @return the JSON text, on one line
     */
    public String toJson() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Entry e : upstreams) {
            UpstreamHealth h = e.health();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", e.name());
            m.put("kind", h.kind());
            m.put("target", h.target());
            m.put("status", h.status().value());
            m.put("required", e.required());
            m.put("last_success", lastSuccess(e).map(Instant::toString).orElse(null));
            m.put("last_error", h.problem().map(UpstreamHealth.Problem::message).orElse(null));
            m.put("error_kind", h.problem().map(p -> p.cause().value()).orElse(null));
            m.put("detail", h.detail());
            list.add(m);
        }
        return Json.object()
                .put("status", status().value())
                .put("ready", ready())
                .put("summary", summary())
                .put("checked_at", checkedAt.toString())
                .put("upstreams", list)
                .toJson();
    }

    private static String describe(UpstreamHealth.Problem p) {
        return (p.cause() == UpstreamHealth.Cause.CONFIGURATION ? "configuration error: " : "") + p.message();
    }
}
