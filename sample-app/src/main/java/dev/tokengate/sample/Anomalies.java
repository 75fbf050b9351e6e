package dev.tokengate.sample;

import dev.tokengate.control.Anomaly;
import dev.tokengate.control.AnomalyListener;
import dev.tokengate.jaxrs.RequiresScopes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the gate's anomaly rules detected, for the console ({@code GET /console/api/anomalies}, newest first) and as
 * one JSON alert line each on the {@code tokengate.alerts} logger: the sample app's {@link AnomalyListener}. Keeps
 * the last {@value #KEPT}.
 */
@Path("/console/api/anomalies")
@Produces(MediaType.APPLICATION_JSON)
@RequiresScopes(DemoIssuer.CONSOLE_SCOPE)
public final class Anomalies implements AnomalyListener {

    static final int KEPT = 100;
    private static final Logger ALERTS = LoggerFactory.getLogger("tokengate.alerts");

    private final Deque<Map<String, Object>> recent = new ArrayDeque<>();

    @Override
    public void detected(Anomaly anomaly) {
        Map<String, Object> v = view(anomaly);
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("alert", "anomaly");
        alert.putAll(v);
        ALERTS.warn(Problems.json(alert));
        synchronized (recent) {
            recent.addFirst(v);
            if (recent.size() > KEPT) {
                recent.removeLast();
            }
        }
    }

    /** The anomalies detected, newest first. */
    @GET
    public String list() {
        List<Map<String, Object>> out;
        synchronized (recent) {
            out = new ArrayList<>(recent);
        }
        return Problems.json(Map.of("anomalies", out));
    }

    private static Map<String, Object> view(Anomaly a) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("time", a.time().toString());
        v.put("rule", a.rule().value());
        v.put("action", a.action().value());
        a.subject().ifPresent(s -> v.put("subject", s));
        a.clientId().ifPresent(c -> v.put("client_id", c));
        v.put("token_fingerprint", a.tokenFingerprint());
        v.put("client_address", a.clientAddress());
        switch (a.rule()) {
            case NETWORKS -> v.put("networks", a.seen());
            case COUNTRIES -> v.put("countries", a.seen());
            case DENIALS -> v.put("denials", a.count());
        }
        v.put("reason", a.description());
        v.put("request_id", a.requestId());
        return v;
    }
}
