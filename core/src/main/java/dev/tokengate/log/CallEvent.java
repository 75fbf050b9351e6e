package dev.tokengate.log;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The record of one request as tokengate saw it. It never holds the raw token: {@code tokenFingerprint} is
 * the first 12 hex digits of the token's SHA-256, enough to correlate calls, useless to replay.
 *
 * @param time             when the request arrived
 * @param requestId        a unique id (also in the MDC as {@code tokengate.request_id}, and sent back in the
 *                         {@code X-Request-Id} response header)
 * @param traceId          the W3C trace id of the request's {@code traceparent} header (32 lower-case hex digits),
 *                         when it had a well-formed one (also in the MDC as {@code tokengate.trace_id})
 * @param method           the HTTP method
 * @param path             the request path
 * @param status           the HTTP status sent
 * @param latency          time from arrival to the end of the response
 * @param clientAddress    the client's address
 * @param subject          the token's subject, if authenticated
 * @param clientId         the token's client id, if authenticated
 * @param tokenFingerprint the token's short hash, if a token was presented (valid or not)
 * @param scopes           the token's scopes, if authenticated
 * @param application      the owner of the API key the request carried, on routes that require one
 * @param apiKeyId         the id of that API key
 * @param decision         {@code allow}, {@code deny}, {@code rate_limited} (refused with 429 by a rate limit),
 *                         {@code permit} (route open, no check) or, in report-only mode, {@code would_deny} (let
 *                         through, but would have been refused)
 * @param errorCode        the error code sent (or, for {@code would_deny}, that would have been sent), if denied
 *                         ({@code invalid_token}, {@code rate_limited}, …; {@code missing_token} for none)
 * @param reason           what failed, for operators (never sent to the client beyond the description)
 * @param marks            short words the policies added ({@code revoked}, {@code rate_limited}, {@code rotated},
 *                         {@code anomaly:networks}, …), for dashboards; empty for most requests
 */
public record CallEvent(
        Instant time,
        String requestId,
        Optional<String> traceId,
        String method,
        String path,
        int status,
        Duration latency,
        String clientAddress,
        Optional<String> subject,
        Optional<String> clientId,
        Optional<String> tokenFingerprint,
        List<String> scopes,
        Optional<String> application,
        Optional<String> apiKeyId,
        String decision,
        Optional<String> errorCode,
        Optional<String> reason,
        List<String> marks) {

    /**
     * An event; {@code marks} is copied.
     *
     * @param time             when the request arrived
     * @param requestId        a unique id
     * @param traceId          the W3C trace id of the request's {@code traceparent}, if well-formed
     * @param method           the HTTP method
     * @param path             the request path
     * @param status           the HTTP status sent
     * @param latency          time from arrival to the end of the response
     * @param clientAddress    the client's address
     * @param subject          the token's subject, if authenticated
     * @param clientId         the token's client id, if authenticated
     * @param tokenFingerprint the token's short hash, if a token was presented
     * @param scopes           the token's scopes, if authenticated
     * @param application      the owner of the API key the request carried
     * @param apiKeyId         the id of that API key
     * @param decision         {@code allow}, {@code deny}, {@code rate_limited}, {@code permit} or {@code would_deny}
     * @param errorCode        the error code sent, if denied
     * @param reason           what failed, for operators
     * @param marks            short words the policies added
     */
    public CallEvent {
        marks = List.copyOf(marks);
    }

    /**
     * An event without a trace id or marks.
     *
     * @param time             when the request arrived
     * @param requestId        a unique id
     * @param method           the HTTP method
     * @param path             the request path
     * @param status           the HTTP status sent
     * @param latency          time from arrival to the end of the response
     * @param clientAddress    the client's address
     * @param subject          the token's subject, if authenticated
     * @param clientId         the token's client id, if authenticated
     * @param tokenFingerprint the token's short hash, if a token was presented
     * @param scopes           the token's scopes, if authenticated
     * @param application      the owner of the API key the request carried
     * @param apiKeyId         the id of that API key
     * @param decision         {@code allow}, {@code deny}, {@code rate_limited}, {@code permit} or {@code would_deny}
     * @param errorCode        the error code sent, if denied
     * @param reason           what failed, for operators
     */
    public CallEvent(Instant time, String requestId, String method, String path, int status, Duration latency,
                     String clientAddress, Optional<String> subject, Optional<String> clientId,
                     Optional<String> tokenFingerprint, List<String> scopes, Optional<String> application,
                     Optional<String> apiKeyId, String decision, Optional<String> errorCode, Optional<String> reason) {
        this(time, requestId, Optional.empty(), method, path, status, latency, clientAddress, subject, clientId,
                tokenFingerprint, scopes, application, apiKeyId, decision, errorCode, reason, List.of());
    }
}
