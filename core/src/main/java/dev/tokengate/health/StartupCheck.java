package dev.tokengate.health;

import dev.tokengate.ConfigurationException;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.internal.Settings;
import dev.tokengate.log.Loggers;
import org.slf4j.Logger;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What a gate does at start-up about its upstreams ({@value ConfigKeys#STARTUP_CHECK}): nothing ({@link #OFF}, the
 * default: every upstream is contacted on first use, so an identity provider that is down never fails start-up), or
 * contact each now (fetch discovery and keys, ask introspection about a made-up token, open a database connection)
 * and log what fails ({@link #WARN}) or refuse to start when a required upstream fails ({@link #FAIL}).
 */
public enum StartupCheck {
    /** No check at start-up (the default). */
    OFF("off"),
    /** Contacts each upstream and logs a warning for each that fails; starts anyway. */
    WARN("warn"),
    /** Contacts each upstream; a required one that fails stops start-up with a {@link ConfigurationException}. */
    FAIL("fail");

    private static final Logger LOG = Loggers.logger(StartupCheck.class);

    private final String value;

    StartupCheck(String value) {
        this.value = value;
    }

    /**
     * The mode as configured.
     *
     * @return {@code off}, {@code warn} or {@code fail}
     */
    public String value() {
        return value;
    }

    /**
     * Reads {@code off}, {@code warn} or {@code fail} (any case).
     *
     * @param text the configured value
     * @return the mode
     * @throws ConfigurationException naming {@value ConfigKeys#STARTUP_CHECK} for any other value
     */
    public static StartupCheck parse(String text) {
        Objects.requireNonNull(text, "text");
        return Settings.named(values(), StartupCheck::value, text).orElseThrow(() -> new ConfigurationException(
                ConfigKeys.STARTUP_CHECK, "'" + text + "' is not a start-up check; write off, warn or fail"));
    }

    /**
     * Acts on the report of a check just made ({@code TokenGate.checkUpstreams()}): {@link #OFF} does nothing;
     * {@link #WARN} logs each upstream that failed; {@link #FAIL} logs those that are not required and throws for
     * the required ones. An upstream that answered is logged at INFO.
     *
     * @param report the report of the check
     * @throws ConfigurationException naming {@value ConfigKeys#STARTUP_CHECK} in {@link #FAIL} mode when a required
     *                                upstream failed, with each one's error and what to do
     */
    public void apply(HealthReport report) {
        if (this == OFF) {
            return;
        }
        for (HealthReport.Entry e : report.upstreams()) {
            UpstreamHealth h = e.health();
            if (h.status() == UpstreamHealth.Status.UP) {
                LOG.info("tokengate start-up check: {} ({} {}) answers: {}", e.name(), h.kind(), h.target(), h.detail());
            } else if (this == WARN || !e.required()) {
                LOG.warn("tokengate start-up check: {} ({} {}) is {}: {}{}", e.name(), h.kind(), h.target(),
                        h.status().value(), describe(h), this == WARN ? "; starting anyway (" + ConfigKeys.STARTUP_CHECK
                                + "=warn)" : "; not required, starting anyway");
            }
        }
        if (this == FAIL) {
            List<HealthReport.Entry> failed = report.upstreams().stream()
                    .filter(e -> e.required() && e.health().status() != UpstreamHealth.Status.UP).toList();
            if (!failed.isEmpty()) {
                throw new ConfigurationException(ConfigKeys.STARTUP_CHECK, "=fail and " + failed.size()
                        + " required upstream(s) failed: " + failed.stream().map(e -> e.name() + " (" + e.health().kind()
                                + " " + e.health().target() + "): " + describe(e.health()))
                        .collect(Collectors.joining("; "))
                        + ". Fix what each says, or set " + ConfigKeys.STARTUP_CHECK + "=warn to start anyway");
            }
        }
    }

    private static String describe(UpstreamHealth h) {
        return h.problem().map(p -> (p.cause() == UpstreamHealth.Cause.CONFIGURATION ? "configuration error: " : "")
                + p.message()).orElse(h.detail());
    }

    @Override
    public String toString() {
        return value;
    }
}
