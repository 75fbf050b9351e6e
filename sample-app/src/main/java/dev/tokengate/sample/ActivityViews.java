package dev.tokengate.sample;

import dev.tokengate.control.RateLimitUsage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON the console's charts read ({@code GET /console/api/activity}, {@code GET /console/api/tokens/{id}/activity}),
 * made from {@link TokenActivity}'s aggregates and the gate's {@link RateLimitUsage}; documented in
 * {@code docs/sample-app.md}.
 */
final class ActivityViews {

    private ActivityViews() {
    }

    /** One token: its hour by minute, its rate-limit window, networks, countries and automatic revocation. */
    static Map<String, Object> token(TokenActivity.View v, long nowMinute, RateLimitUsage usage) {
        Map<String, Object> out = new LinkedHashMap<>();
        v.tokenId().ifPresent(id -> out.put("token_id", id));
        out.put("name", v.name().orElse(null));
        out.put("fingerprint", v.fingerprint());
        out.put("minute_seconds", 60);
        out.put("minutes", slots(v.hour(), nowMinute, 1));
        usage.perToken(v.fingerprint()).ifPresent(w -> {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("limit", w.rate().limit());
            r.put("window_seconds", w.rate().window().toSeconds());
            r.put("used", w.used());
            r.put("remaining", w.remaining());
            r.put("resets_in_seconds", (w.resetsIn().toMillis() + 999) / 1000);
            out.put("rate_limit", r);
        });
        out.put("networks", seen(v.networks(), "network"));
        out.put("countries", seen(v.countries(), "country"));
        out.put("auto_revocation", v.autoRevocation().map(a -> {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("rule", a.rule());
            r.put("reason", a.reason());
            if (!a.seen().isEmpty()) {
                r.put(a.rule(), a.seen()); // "networks": [...] or "countries": [...]; denials see no place
            }
            r.put("time", a.time().toString());
            return r;
        }).orElse(null));
        return out;
    }

    /**
     * The account's last 24 hours by 5 minutes, summed over its tracked tokens (or one of them), and each token's
     * hour.
     */
    static Map<String, Object> account(String account, List<TokenActivity.View> views, Optional<String> onlyTokenId,
                                       long nowMinute, RateLimitUsage usage) {
        int[][] day = new int[TokenActivity.DAY_SLOTS][TokenActivity.Decision.values().length];
        List<Map<String, Object>> tokens = new ArrayList<>();
        for (TokenActivity.View v : views) {
            if (onlyTokenId.isPresent() && !v.tokenId().equals(onlyTokenId)) {
                continue;
            }
            for (int k = 0; k < day.length; k++) {
                for (int d = 0; d < day[k].length; d++) {
                    day[k][d] += v.day()[k][d];
                }
            }
            if (v.tokenId().isPresent()) { // the console's own tokens; others are counted in the timeline only
                tokens.add(token(v, nowMinute, usage));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("account", account);
        onlyTokenId.ifPresent(id -> out.put("token_id", id));
        out.put("slot_seconds", TokenActivity.DAY_SLOT_MINUTES * 60);
        out.put("slots", slots(day, nowMinute, TokenActivity.DAY_SLOT_MINUTES));
        out.put("tokens", tokens);
        return out;
    }

    /** Every slot, oldest first: its start and its counts by decision. */
    private static List<Map<String, Object>> slots(int[][] counts, long nowMinute, int slotMinutes) {
        List<Map<String, Object>> out = new ArrayList<>(counts.length);
        for (int k = 0; k < counts.length; k++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("start", TokenActivity.slotStart(nowMinute, counts.length, slotMinutes, k).toString());
            for (TokenActivity.Decision d : TokenActivity.Decision.values()) {
                m.put(d.value, counts[k][d.ordinal()]);
            }
            out.add(m);
        }
        return out;
    }

    private static List<Map<String, Object>> seen(List<TokenActivity.Seen> seen, String name) {
        List<Map<String, Object>> out = new ArrayList<>();
        List<TokenActivity.Seen> byFirst = new ArrayList<>(seen);
        byFirst.sort(java.util.Comparator.comparing(TokenActivity.Seen::first));
        for (TokenActivity.Seen s : byFirst) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(name, s.value());
            m.put("first_seen", s.first().toString());
            m.put("last_seen", s.last().toString());
            m.put("calls", s.calls());
            out.add(m);
        }
        return out;
    }
}
