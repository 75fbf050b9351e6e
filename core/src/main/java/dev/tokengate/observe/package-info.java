/**
 * Observation of a gate: the {@link dev.tokengate.observe.GateObserver} SPI that the pipeline and its upstream
 * components report decisions, validations, upstream calls, key-set ages, cache statistics, rate-limit and anomaly
 * events to, and the OpenTelemetry span observer. Metrics are in {@code tokengate-micrometer}.
 */
package dev.tokengate.observe;
