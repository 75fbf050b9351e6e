package dev.tokengate.redis;

import dev.tokengate.control.Anomaly;
import dev.tokengate.control.SharedAnomalyState;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The anomaly rules' state in Redis: per token and rule, one sorted set under
 * {@code <prefix>anomaly:<rule>:<token fingerprint>} whose members are what was seen (a network as
 * {@code 203.0.113.0/24}, a denial's id) scored by when it was last seen, by the gates' clocks, in milliseconds. The countries
 * rule's set ({@code anomaly:countries:…}, ISO 3166 codes) keeps the token's last 8 countries for a week after its
 * last record.
 *
 * <p>One Lua script per record, atomic: it drops what left the window, notes the count, adds what the node saw (an
 * entry already held keeps the later time), keeps the {@code max + 1} entries seen last, sets the key to expire a
 * window later, and answers the entries and whether this record took the count from {@code max} or fewer to more.
 * Exact and bounded: at most {@code max + 1} (at most 101) members per token and rule, and a key lives a window
 * after its token's last record. One key per script, so it runs on a Redis Cluster as on one server. The script is
 * sent by its SHA-1 ({@code EVALSHA}), and whole once more when a Redis (restarted, or another cluster node) does not
 * know it yet.
 */
final class RedisAnomalyState implements SharedAnomalyState {

    /** KEYS[1]: the set; ARGV: now, window, keep (max + 1), max, then pairs of member and time seen. */
    static final String SCRIPT = """
            local key = KEYS[1]
            local now = tonumber(ARGV[1])
            local window = tonumber(ARGV[2])
            local keep = tonumber(ARGV[3])
            local max = tonumber(ARGV[4])
            local since = now - window
            redis.call('ZREMRANGEBYSCORE', key, '-inf', since)
            local before = redis.call('ZCARD', key)
            local added = 0
            for i = 5, #ARGV, 2 do
              local seen = tonumber(ARGV[i + 1])
              if seen > since then
                local held = redis.call('ZSCORE', key, ARGV[i])
                if not held then
                  added = 1
                end
                if not held or tonumber(held) < seen then
                  redis.call('ZADD', key, seen, ARGV[i])
                end
              end
            end
            local after = redis.call('ZCARD', key)
            if after > keep then
              redis.call('ZREMRANGEBYRANK', key, 0, after - keep - 1)
            end
            if after > 0 then
              redis.call('PEXPIRE', key, window)
            end
            local crossed = 0
            if before <= max and after > max then
              crossed = 1
            end
            return {crossed, added, redis.call('ZREVRANGE', key, 0, -1, 'WITHSCORES')}
            """;

    private final RedisConnections redis;
    private final String sha;

    RedisAnomalyState(RedisConnections redis) {
        this.redis = redis;
        this.sha = sha1(SCRIPT);
    }

    @Override
    public Recorded record(Anomaly.Rule rule, String token, List<Seen> seen, Instant now, Duration window, int max) {
        String[] keys = {key(rule, token)};
        String[] args = new String[4 + 2 * seen.size()];
        args[0] = Long.toString(now.toEpochMilli());
        args[1] = Long.toString(window.toMillis());
        args[2] = Integer.toString(max + 1);
        args[3] = Integer.toString(max);
        int i = 4;
        for (Seen s : seen) {
            args[i++] = s.value();
            args[i++] = Long.toString(s.seenAt());
        }
        List<Object> answer;
        try {
            answer = redis.sync().evalsha(sha, ScriptOutputType.MULTI, keys, args);
        } catch (RedisNoScriptException e) {
            answer = redis.sync().eval(SCRIPT, ScriptOutputType.MULTI, keys, args); // and Redis keeps it
        }
        return recorded(answer);
    }

    /** The key of a token's set for a rule: {@code <prefix>anomaly:networks:<fingerprint>}. */
    String key(Anomaly.Rule rule, String token) {
        return redis.key("anomaly:" + rule.value() + ':' + token);
    }

    /** Reads the script's answer: {@code {crossed, added, {member, score, member, score, …}}}, the last seen first. */
    private static Recorded recorded(List<Object> answer) {
        boolean crossed = ((Number) answer.get(0)).longValue() == 1;
        boolean added = ((Number) answer.get(1)).longValue() == 1;
        List<?> flat = (List<?>) answer.get(2);
        List<Seen> entries = new ArrayList<>(flat.size() / 2);
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            // a score comes back as Redis writes a double: whole milliseconds up to 2^53 are exact
            entries.add(new Seen(text(flat.get(i)), (long) Double.parseDouble(text(flat.get(i + 1)))));
        }
        return new Recorded(entries, crossed, added);
    }

    private static String text(Object value) {
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }

    @Override
    public String toString() {
        return "anomaly state in " + redis;
    }
}
