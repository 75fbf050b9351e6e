package dev.tokengate.sample;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokengate.VerifiedToken;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.math.BigDecimal;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sample exchange-account API, written as plain legacy servlet code: it knows nothing of tokens beyond
 * {@code getUserPrincipal()} and {@code isUserInRole(scope)}, which the filter makes work.
 */
final class ApiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SIDES = Set.of("buy", "sell");

    /** A placed order. */
    record Order(long id, String owner, String symbol, String side, BigDecimal quantity) {
    }

    private final transient List<Order> orders = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Principal principal = req.getUserPrincipal();
        switch (path(req)) {
            case "/api/me" -> {
                ObjectNode me = JSON.createObjectNode();
                me.put("subject", principal.getName());
                if (principal instanceof VerifiedToken token) {
                    token.clientId().ifPresent(c -> me.put("client_id", c));
                    ArrayNode scopes = me.putArray("scopes");
                    token.scopes().forEach(scopes::add);
                    token.expiresAt().ifPresent(e -> me.put("expires_at", e.toString()));
                }
                me.put("auth_type", req.getAuthType());
                DemoIssuer.write(resp, 200, me);
            }
            case "/api/account/balances" -> {
                ObjectNode b = JSON.createObjectNode();
                b.put("owner", principal.getName());
                ObjectNode balances = b.putObject("balances");
                balances.put("EUR", new BigDecimal("10250.00"));
                balances.put("BTC", new BigDecimal("0.75"));
                DemoIssuer.write(resp, 200, b);
            }
            case "/api/orders" -> DemoIssuer.write(resp, 200, Map.of("orders", orders.stream()
                    .filter(o -> o.owner().equals(principal.getName())).toList()));
            default -> problem(resp, 404, "Not Found", "No such resource: " + path(req));
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!path(req).equals("/api/orders")) {
            problem(resp, 404, "Not Found", "No such resource: " + path(req));
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(req.getInputStream());
        } catch (JsonProcessingException e) {
            problem(resp, 400, "Bad Request", "The body is not JSON; send {\"symbol\":\"BTC-EUR\",\"side\":\"buy\",\"quantity\":\"0.1\"}.");
            return;
        }
        String symbol = body == null ? null : body.path("symbol").asText(null);
        String side = body == null ? null : body.path("side").asText(null);
        BigDecimal quantity;
        try {
            quantity = body == null ? null : new BigDecimal(body.path("quantity").asText(""));
        } catch (NumberFormatException e) {
            quantity = null;
        }
        if (symbol == null || !symbol.matches("[A-Z]{2,10}-[A-Z]{2,10}") || side == null || !SIDES.contains(side)
                || quantity == null || quantity.signum() <= 0) {
            problem(resp, 400, "Bad Request", "An order needs symbol (like BTC-EUR), side (buy or sell) and a positive quantity.");
            return;
        }
        Order order = new Order(ids.incrementAndGet(), req.getUserPrincipal().getName(), symbol, side, quantity);
        orders.add(order);
        resp.setHeader("Location", req.getContextPath() + "/api/orders/" + order.id());
        DemoIssuer.write(resp, 201, order);
    }

    private static String path(HttpServletRequest req) {
        return req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
    }

    static void problem(HttpServletResponse resp, int status, String title, String detail) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "about:blank");
        n.put("title", title);
        n.put("status", status);
        n.put("detail", detail);
        resp.setStatus(status);
        resp.setContentType("application/problem+json");
        JSON.writeValue(resp.getOutputStream(), n);
    }
}
