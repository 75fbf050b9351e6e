package dev.tokengate.control;

/**
 * An application's hook on the anomaly rules: told of each {@link Anomaly} a gate detects (a token used from too
 * many networks, from a new country, or refused too often), after the rule's action was taken. Registered with
 * {@code TokenGate.Builder#anomalyListener}.
 *
 * <p>Called on the request thread that detected the anomaly, once per anomaly (not once per request while a token
 * stays anomalous); it must be quick and thread-safe. An exception it throws is logged and does not change the
 * request's answer.
 */
@FunctionalInterface
public interface AnomalyListener {

    /**
     * Learns of an anomaly and of the action taken ({@link Anomaly#action()}).
     *
     * @param anomaly what was detected, with the triggering request's id, the token's fingerprint and the action
     */
    void detected(Anomaly anomaly);
}
