package dev.tokengate.sample;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokengate.IpRange;
import dev.tokengate.VerifiedToken;
import dev.tokengate.jaxrs.RequiresScopes;
import dev.tokengate.log.CallEvent;
import dev.tokengate.store.IssuedToken;
import dev.tokengate.control.Revocation;
import dev.tokengate.control.RateLimitUsage;
import dev.tokengate.control.Revocations;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.StoredToken;
import dev.tokengate.store.TokenKind;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The token console's API: the signed-in user's personal access tokens (create, list, rotate, revoke) and the recent
 * calls. Protected by tokengate like the rest of the API: every method needs a token with the scope
 * {@value DemoIssuer#CONSOLE_SCOPE}, which only a sign-in grants; a personal access token never has it, so a
 * token cannot mint tokens.
 */
@Path("/console/api")
@Produces(MediaType.APPLICATION_JSON)
@RequiresScopes(DemoIssuer.CONSOLE_SCOPE)
public final class ConsoleResource {

    /** The client id recorded on tokens made here. */
    static final String CLIENT_ID = DemoIssuer.CONSOLE_CLIENT;
    private static final int MAX_EXPIRY_DAYS = 366;
    private static final String EXAMPLE = "{\"name\":\"trading bot\",\"scopes\":[\"read\",\"trade\"],\"expires_in_days\":30,"
            + "\"allowed_ranges\":[\"203.0.113.0/24\"]}";

    private final JdbcTokenStore tokens;
    private final Runnable flushUsage;
    private final RecentCalls calls;
    private final CallLabels labels;
    private final Clock clock;
    private final Revocations revocations;
    private final TokenActivity activity;
    private final RateLimitUsage rateLimits;

    /**
     * @param tokens      the token database, for issuing, listing and revoking
     * @param flushUsage  writes the pipeline's pending last-used times, so the list shows the latest
     * @param revocations the API's revocation list: a token revoked here is refused on its next call
     * @param activity    the tokens' aggregated activity, for the charts
     * @param rateLimits  the gate's per-token rate-limit windows, for the headroom gauges
     */
    ConsoleResource(JdbcTokenStore tokens, Runnable flushUsage, RecentCalls calls, CallLabels labels, Clock clock,
                    Revocations revocations, TokenActivity activity, RateLimitUsage rateLimits) {
        this.activity = activity;
        this.rateLimits = rateLimits;
        this.revocations = revocations;
        this.tokens = tokens;
        this.flushUsage = flushUsage;
        this.calls = calls;
        this.labels = labels;
        this.clock = clock;
    }

    @GET
    @Path("tokens")
    public String list(@Context SecurityContext security) {
        flushUsage.run(); // last-used times are written in batches; show the latest
        Instant now = clock.instant();
        // a token the revocation list holds by its id is refused whatever the database says: an anomaly rule (or
        // another node) revokes through the list only
        Map<String, Revocation> listed = new HashMap<>();
        for (Revocation r : revocations.list()) { // newest first
            if (r.target() == Revocation.Target.TOKEN_ID) {
                listed.putIfAbsent(r.value(), r);
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (StoredToken t : tokens.list(owner(security))) {
            if (t.kind() == TokenKind.ACCESS_TOKEN) {
                Map<String, Object> v = view(t, now);
                Revocation r = listed.get(t.id());
                if (r != null && (v.get("status").equals("active") || v.get("status").equals("rotated"))) {
                    v.put("status", "revoked");
                    v.put("revoked_at", r.revokedAt().toString());
                    v.put("revoked_reason", r.reason());
                }
                out.add(v);
            }
        }
        return Problems.json(Map.of("tokens", out));
    }

    @POST
    @Path("tokens")
    public Response create(@Context SecurityContext security, String body) {
        JsonNode n = Problems.object(body, EXAMPLE);
        String name = n.path("name").isTextual() ? n.get("name").asText().strip() : "";
        if (name.isEmpty() || name.length() > 100) {
            throw new Problems.BadRequestException("name must be 1 to 100 characters; send e.g. " + EXAMPLE);
        }
        Set<String> scopes = new LinkedHashSet<>();
        if (!n.path("scopes").isArray() || n.get("scopes").isEmpty()) {
            throw new Problems.BadRequestException("scopes must be a non-empty list of " + DemoIssuer.USER_SCOPES + "; send e.g. " + EXAMPLE);
        }
        for (JsonNode s : n.get("scopes")) {
            if (!s.isTextual() || !DemoIssuer.USER_SCOPES.contains(s.asText())) {
                throw new Problems.BadRequestException("scopes may contain only " + DemoIssuer.USER_SCOPES + ", not " + s + ".");
            }
            scopes.add(s.asText());
        }
        Instant expiresAt = null;
        JsonNode days = n.get("expires_in_days");
        if (days != null && !days.isNull()) {
            if (!days.canConvertToInt() || !days.isIntegralNumber() || days.asInt() < 1 || days.asInt() > MAX_EXPIRY_DAYS) {
                throw new Problems.BadRequestException("expires_in_days must be a whole number from 1 to " + MAX_EXPIRY_DAYS
                        + ", or null for a token that does not expire.");
            }
            expiresAt = clock.instant().plus(Duration.ofDays(days.asInt()));
        }
        List<IpRange> ranges = new ArrayList<>();
        JsonNode allowed = n.get("allowed_ranges");
        if (allowed != null && !allowed.isNull()) {
            if (!allowed.isArray()) {
                throw new Problems.BadRequestException("allowed_ranges must be a list of addresses or CIDR ranges, e.g. [\"203.0.113.0/24\"].");
            }
            for (JsonNode r : allowed) {
                try {
                    ranges.add(IpRange.parse(r.asText().strip()));
                } catch (IllegalArgumentException e) {
                    throw new Problems.BadRequestException("allowed_ranges: '" + r.asText() + "' is not an address or CIDR range ("
                            + e.getMessage() + ").");
                }
            }
        }
        IssuedToken issued = tokens.create(TokenKind.ACCESS_TOKEN, name, owner(security), CLIENT_ID, scopes, ranges, expiresAt);
        labels.rememberIssued(issued.token(), name, issued.metadata().id());
        Map<String, Object> view = view(issued.metadata(), clock.instant());
        view.put("token", issued.token());
        view.put("note", "Copy the token now: it is shown only once. The server keeps only its SHA-256.");
        return Response.status(201).header("Cache-Control", "no-store").entity(Problems.json(view)).build();
    }

    /**
     * Rotates one of the user's tokens: a new secret (shown this once) replaces it, and the old secret keeps working
     * for the store's grace period ({@code tokengate.store.rotation-grace}, 24 hours by default), its calls marked
     * {@code rotated}, so that the user can deploy the new one first.
     */
    @POST
    @Path("tokens/{id}/rotate")
    public Response rotate(@Context SecurityContext security, @PathParam("id") String id) {
        Optional<StoredToken> token = tokens.get(id).filter(t -> t.owner().equals(owner(security)));
        if (token.isEmpty()) {
            return Problems.problem(404, "Not Found", "You have no token " + id + ".");
        }
        IssuedToken issued;
        try {
            issued = tokens.rotate(id);
        } catch (IllegalStateException e) {
            return Problems.problem(409, "Conflict", "The token cannot be rotated: " + e.getMessage() + ".");
        }
        labels.rememberIssued(issued.token(), issued.metadata().name(), issued.metadata().id());
        Instant now = clock.instant();
        Map<String, Object> view = view(issued.metadata(), now);
        view.put("token", issued.token());
        view.put("replaces", id);
        tokens.get(id).flatMap(StoredToken::graceUntil).ifPresent(g -> view.put("old_token_works_until", g.toString()));
        view.put("note", "Copy the new token now: it is shown only once. Deploy it; the old one keeps working until "
                + view.getOrDefault("old_token_works_until", "now") + ", and its calls are marked rotated.");
        return Response.status(201).header("Cache-Control", "no-store").entity(Problems.json(view)).build();
    }

    @DELETE
    @Path("tokens/{id}")
    public Response revoke(@Context SecurityContext security, @PathParam("id") String id) {
        Optional<StoredToken> token = tokens.get(id).filter(t -> t.owner().equals(owner(security)));
        if (token.isEmpty()) {
            return Problems.problem(404, "Not Found", "You have no token " + id + ".");
        }
        tokens.revoke(id);
        // the list refuses it on its next call, whatever the store cache holds, and evicts it from that cache
        revocations.revoke(Revocation.Target.TOKEN_ID, id, "revoked by its owner in the console",
                token.get().expiresAt().orElse(null));
        return Response.noContent().build();
    }

    /**
     * The API's revocation list, newest first: what is revoked (a token id, a token's fingerprint, a subject, a
     * client, an API key), why, when, and until when it is kept (a token's entry lives until the token expires).
     */
    @GET
    @Path("revocations")
    public String revocations() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Revocation r : revocations.list()) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("target", r.target().value());
            view.put("value", r.displayValue());
            view.put("reason", r.reason());
            view.put("revoked_at", r.revokedAt().toString());
            view.put("expires_at", r.expiresAt().map(Instant::toString).orElse(null));
            list.add(view);
        }
        return Problems.json(Map.of("revocations", list));
    }

    /**
     * The latest calls to the API, newest first. This demo shows every caller's calls to whoever signs in; an
     * application with many users would show each only the calls of their own tokens.
     *
     * @param tokenId only the calls made with this personal access token
     * @param limit   at most this many (1–200, default 50)
     */
    @GET
    @Path("calls")
    public String calls(@QueryParam("token") String tokenId, @QueryParam("limit") Integer limit) {
        int n = limit == null ? 50 : limit;
        if (n < 1 || n > 200) {
            throw new Problems.BadRequestException("limit must be from 1 to 200.");
        }
        Predicate<RecentCalls.Call> filter = c -> !c.event().path().startsWith("/console/");
        if (tokenId != null && !tokenId.isBlank()) {
            filter = filter.and(c -> c.label().flatMap(CallLabels.Label::tokenId).filter(tokenId::equals).isPresent());
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (RecentCalls.Call c : calls.recent(n, filter)) {
            CallEvent e = c.event();
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("time", e.time().toString());
            v.put("request_id", e.requestId());
            e.traceId().ifPresent(id -> v.put("trace_id", id));
            c.label().ifPresent(l -> v.put("token", l.name())); // else the console shows the client
            c.label().flatMap(CallLabels.Label::tokenId).ifPresent(id -> v.put("token_id", id));
            e.clientId().ifPresent(id -> v.put("client_id", id));
            e.subject().ifPresent(s -> v.put("subject", s));
            v.put("method", e.method());
            v.put("path", e.path());
            v.put("decision", e.decision());
            v.put("status", e.status());
            e.errorCode().ifPresent(code -> v.put("error", code));
            if (!e.marks().isEmpty()) {
                v.put("marks", e.marks()); // revoked, rate_limited, rotated, anomaly:networks, …
            }
            v.put("client_address", e.clientAddress());
            out.add(v);
        }
        return Problems.json(Map.of("calls", out));
    }

    /**
     * The signed-in user's activity for the charts: the last 24 hours of calls in 5-minute slots by decision (every
     * token of theirs the console tracks, or only {@code token}), and for each of their tokens its last hour by
     * minute, its rate-limit window, networks, countries and any automatic revocation. See docs/sample-app.md.
     *
     * @param tokenId only this personal access token's calls
     */
    @GET
    @Path("activity")
    public String activity(@Context SecurityContext security, @QueryParam("token") String tokenId) {
        String owner = owner(security);
        Optional<String> only = Optional.ofNullable(tokenId).filter(id -> !id.isBlank());
        return Problems.json(ActivityViews.account(owner, activity.account(owner), only, activity.nowMinute(),
                rateLimits));
    }

    /** One of the user's tokens' activity: its last hour by minute, rate-limit window, networks and revocation. */
    @GET
    @Path("tokens/{id}/activity")
    public Response tokenActivity(@Context SecurityContext security, @PathParam("id") String id) {
        if (tokens.get(id).filter(t -> t.owner().equals(owner(security))).isEmpty()) {
            return Problems.problem(404, "Not Found", "You have no token " + id + ".");
        }
        Optional<TokenActivity.View> view = activity.token(id);
        if (view.isEmpty()) {
            return Problems.problem(404, "Not Found", "The token " + id + " has made no call since the app started "
                    + "(or not since the console last tracked it); call the API with it, then ask again.");
        }
        return Response.ok(Problems.json(ActivityViews.token(view.get(), activity.nowMinute(), rateLimits)),
                MediaType.APPLICATION_JSON).build();
    }

    private static String owner(SecurityContext security) {
        VerifiedToken token = TradingResource.caller(security);
        return token.getName();
    }

    private static Map<String, Object> view(StoredToken t, Instant now) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", t.id());
        v.put("name", t.name());
        v.put("scopes", t.scopes());
        v.put("created_at", t.createdAt().toString());
        v.put("expires_at", t.expiresAt().map(Instant::toString).orElse(null));
        v.put("allowed_ranges", t.allowedRanges().stream().map(IpRange::toString).toList());
        v.put("last_used_at", t.lastUsedAt().map(Instant::toString).orElse(null));
        v.put("last_used_address", t.lastUsedAddress().orElse(null));
        v.put("status", status(t, now));
        t.revokedAt().ifPresent(r -> v.put("revoked_at", r.toString()));
        v.put("rotated_at", t.rotatedAt().map(Instant::toString).orElse(null));
        t.replacedBy().ifPresent(r -> v.put("replaced_by", r));
        t.graceUntil().ifPresent(g -> v.put("grace_until", g.toString()));
        t.expiresAt().filter(exp -> exp.isAfter(now)).ifPresent(exp -> v.put("expires_in_days", daysUntil(now, exp)));
        return v;
    }

    /** rotated: replaced, the old secret still in its grace period; replaced: its grace period is over. */
    private static String status(StoredToken t, Instant now) {
        if (t.graceOverAt(now)) {
            return "replaced";
        }
        if (t.revoked()) {
            return "revoked";
        }
        if (t.expiredAt(now)) {
            return "expired";
        }
        return t.replaced() ? "rotated" : "active";
    }

    /** Whole days left, rounded up: a token that expires in 36 hours "expires in 2 days". */
    static long daysUntil(Instant now, Instant expiry) {
        Duration left = Duration.between(now, expiry);
        long days = left.toDays();
        return left.equals(Duration.ofDays(days)) ? days : days + 1;
    }
}
