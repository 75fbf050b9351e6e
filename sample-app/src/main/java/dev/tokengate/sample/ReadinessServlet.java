package dev.tokengate.sample;

import dev.tokengate.TokenGate;
import dev.tokengate.health.HealthReport;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /health/ready}: the gate's {@link TokenGate#health() health report} as JSON, 200 while every required
 * upstream is up or degraded, 503 naming the one that is down and its last error. Open (no token), outside the gate,
 * so it is not in the call log: a readiness probe calls it every few seconds.
 */
final class ReadinessServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient TokenGate gate;

    ReadinessServlet(TokenGate gate) {
        this.gate = gate;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        HealthReport report = gate.health();
        response.setStatus(report.ready() ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        byte[] body = report.toJson().getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
