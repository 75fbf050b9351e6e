package dev.tokengate.sample;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokengate.VerifiedToken;
import dev.tokengate.jaxrs.Dpop;
import dev.tokengate.jaxrs.RequiresScopes;
import dev.tokengate.jaxrs.StepUp;
import dev.tokengate.jaxrs.TokenGateFeature;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The sample exchange-account API. Each method states the scope it needs with {@link RequiresScopes}; the
 * {@link TokenGateFeature} enforces it before the method runs (401 without a valid token, 403
 * {@code insufficient_scope} without the scope), so the method only reads who is calling.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public final class TradingResource {

    private static final Pattern SYMBOL = Pattern.compile("[A-Z]{2,10}-[A-Z]{2,10}");
    private static final Set<String> SIDES = Set.of("buy", "sell");
    private static final Set<String> CURRENCIES = Set.of("EUR", "BTC");
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9]{8,100}");
    private static final String ORDER_EXAMPLE = "{\"symbol\":\"BTC-EUR\",\"side\":\"buy\",\"quantity\":\"0.1\"}";
    private static final String WITHDRAWAL_EXAMPLE = "{\"currency\":\"EUR\",\"amount\":\"100\",\"address\":\"DE89370400440532013000\"}";

    private final Ledger ledger;

    TradingResource(Ledger ledger) {
        this.ledger = ledger;
    }

    /** Who is calling: any valid token (no annotation: the feature's default, {@code authenticated}). */
    @GET
    @Path("me")
    public String me(@Context SecurityContext security) {
        VerifiedToken token = caller(security);
        ObjectNode me = Problems.JSON.createObjectNode();
        me.put("subject", token.getName());
        token.clientId().ifPresent(c -> me.put("client_id", c));
        token.scopes().forEach(me.putArray("scopes")::add);
        token.expiresAt().ifPresent(e -> me.put("expires_at", e.toString()));
        me.put("token_kind", token.kind().name().toLowerCase(java.util.Locale.ROOT));
        token.claim("name").ifPresent(n -> me.put("token_name", n.toString()));
        me.put("auth_scheme", security.getAuthenticationScheme());
        return me.toString();
    }

    @GET
    @Path("account/balances")
    @RequiresScopes("read")
    public String balances(@Context SecurityContext security) {
        String owner = caller(security).getName();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("owner", owner);
        Map<String, String> balances = new LinkedHashMap<>();
        ledger.balances(owner).forEach((currency, amount) -> balances.put(currency, amount.toPlainString()));
        body.put("balances", balances);
        return Problems.json(body);
    }

    @GET
    @Path("orders")
    @RequiresScopes("read")
    public String orders(@Context SecurityContext security) {
        List<Map<String, Object>> orders = ledger.orders(caller(security).getName()).stream().map(TradingResource::view).toList();
        return Problems.json(Map.of("orders", orders));
    }

    @POST
    @Path("orders")
    @RequiresScopes("trade")
    public Response placeOrder(@Context SecurityContext security, @Context UriInfo uri, String body) {
        JsonNode n = Problems.object(body, ORDER_EXAMPLE);
        String symbol = text(n, "symbol");
        String side = text(n, "side");
        BigDecimal quantity = decimal(n, "quantity");
        BigDecimal limit = n.hasNonNull("limit_price") ? decimal(n, "limit_price") : null;
        if (symbol == null || !SYMBOL.matcher(symbol).matches()) {
            throw new Problems.BadRequestException("symbol must be two currency codes like BTC-EUR; send e.g. " + ORDER_EXAMPLE);
        }
        if (side == null || !SIDES.contains(side)) {
            throw new Problems.BadRequestException("side must be buy or sell; send e.g. " + ORDER_EXAMPLE);
        }
        if (quantity == null || quantity.signum() <= 0) {
            throw new Problems.BadRequestException("quantity must be a positive number; send e.g. " + ORDER_EXAMPLE);
        }
        if (n.hasNonNull("limit_price") && (limit == null || limit.signum() <= 0)) {
            throw new Problems.BadRequestException("limit_price, when given, must be a positive number.");
        }
        VerifiedToken token = caller(security);
        Ledger.Order order = ledger.placeOrder(token.getName(), token.clientId().orElse(null), symbol, side, quantity, limit);
        return Response.created(uri.getBaseUriBuilder().path("api/orders/{id}").build(order.id()))
                .entity(Problems.json(view(order))).build();
    }

    @DELETE
    @Path("orders/{id}")
    @RequiresScopes("trade")
    public Response cancelOrder(@Context SecurityContext security, @PathParam("id") String id) {
        long orderId;
        try {
            orderId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new Problems.BadRequestException("The order id must be a number, not '" + id + "'.");
        }
        return ledger.cancelOrder(caller(security).getName(), orderId)
                .map(o -> Response.ok(Problems.json(view(o))).build())
                .orElseGet(() -> Problems.problem(404, "Not Found", "You have no order " + orderId + "."));
    }

    /** Seconds a sign-in with the second factor counts for withdrawals (less than a token's 5 minutes, to show it). */
    static final long WITHDRAWAL_MAX_AGE = 120;

    /**
     * Moves money out: the scope {@code withdraw} and a sign-in with the second factor ({@code acr}
     * {@value DemoIssuer#ACR_MFA}) in the last {@value #WITHDRAWAL_MAX_AGE} seconds (RFC 9470 step-up). A personal
     * access token or a stolen access token of an older sign-in is refused with 401
     * {@code insufficient_user_authentication}; and a DPoP-bound token with a fresh proof from its key (RFC 9449), so
     * that a stolen token alone, sent as a bearer token, is refused with 401 {@code invalid_token}.
     */
    @POST
    @Path("withdrawals")
    @RequiresScopes("withdraw")
    @StepUp(acr = DemoIssuer.ACR_MFA, maxAge = WITHDRAWAL_MAX_AGE)
    @Dpop
    public Response withdraw(@Context SecurityContext security, String body) {
        JsonNode n = Problems.object(body, WITHDRAWAL_EXAMPLE);
        String currency = text(n, "currency");
        BigDecimal amount = decimal(n, "amount");
        String address = text(n, "address");
        if (currency == null || !CURRENCIES.contains(currency)) {
            throw new Problems.BadRequestException("currency must be one of " + CURRENCIES + "; send e.g. " + WITHDRAWAL_EXAMPLE);
        }
        if (amount == null || amount.signum() <= 0 || amount.scale() > 8) {
            throw new Problems.BadRequestException("amount must be a positive number with at most 8 decimals; send e.g. " + WITHDRAWAL_EXAMPLE);
        }
        if (address == null || !ADDRESS.matcher(address).matches()) {
            throw new Problems.BadRequestException("address must be 8 to 100 letters and digits; send e.g. " + WITHDRAWAL_EXAMPLE);
        }
        VerifiedToken token = caller(security);
        Ledger.Withdrawal w = ledger.withdraw(token.getName(), token.clientId().orElse(null), currency, amount, address);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", w.id());
        view.put("currency", w.currency());
        view.put("amount", w.amount().toPlainString());
        view.put("address", w.address());
        view.put("created_at", w.createdAt().toString());
        return Response.status(201).entity(Problems.json(view)).build();
    }

    /**
     * The request's verified token. tokengate admits no request without one here, except in report-only mode
     * ({@code TOKENGATE_MODE=report-only}), where a request without a valid token reaches the resource anonymous:
     * the resource then answers 401 itself, saying why, instead of failing.
     */
    static VerifiedToken caller(SecurityContext security) {
        return TokenGateFeature.verifiedToken(security)
                .orElseThrow(() -> new WebApplicationException(Problems.problem(401, "Unauthorized",
                        "This request has no valid bearer token. tokengate runs in report-only mode "
                                + "(TOKENGATE_MODE=report-only) and let it through, but this resource needs to know "
                                + "its caller: send 'Authorization: Bearer <token>'.")));
    }

    private static Map<String, Object> view(Ledger.Order o) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", o.id());
        v.put("symbol", o.symbol());
        v.put("side", o.side());
        v.put("quantity", o.quantity().toPlainString());
        o.limitPrice().ifPresent(p -> v.put("limit_price", p.toPlainString()));
        v.put("status", o.status());
        o.clientId().ifPresent(c -> v.put("placed_by", c));
        v.put("created_at", o.createdAt().toString());
        return v;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    /** A decimal from a JSON string ("0.1") or number (0.1); {@code null} when absent or not a number. */
    private static BigDecimal decimal(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !(v.isTextual() || v.isNumber())) {
            return null;
        }
        try {
            BigDecimal d = new BigDecimal(v.asText().strip());
            return d.precision() - d.scale() > 16 ? null : d;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
