package dev.tokengate.sample;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokengate.store.IssuedToken;
import dev.tokengate.control.Revocation;
import dev.tokengate.control.Revocations;
import dev.tokengate.store.JdbcTokenStore;
import dev.tokengate.store.StoredToken;
import dev.tokengate.store.TokenFormat;
import dev.tokengate.store.TokenKind;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A DEMO authorization server inside the sample app, so that it runs with nothing else installed. Never use it
 * for anything real: its key pair is made at start-up and its passwords and client secrets are printed in the
 * README.
 *
 * <ul>
 *   <li>{@code GET /.well-known/openid-configuration} (and {@code oauth-authorization-server}), {@code GET /jwks};</li>
 *   <li>{@code POST /token}: {@code client_credentials} for the two demo clients, {@code password} for the demo
 *       user through the public client {@value #CONSOLE_CLIENT} (with {@code otp}, the one-time code
 *       {@value #ONE_TIME_CODE}, the token's {@code acr} is {@value #ACR_MFA}, else {@value #ACR_PASSWORD}; either way
 *       with {@code auth_time}), {@code refresh_token} with rotation (a refresh
 *       token works once; presenting a used one revokes the refresh tokens of that sign-in, not the user's other
 *       sign-ins);</li>
 *   <li>{@code POST /introspect} (RFC 7662) for the confidential clients; {@code POST /revoke} (RFC 7009).</li>
 * </ul>
 * Access tokens are RS256 JWTs with {@code typ: at+jwt} (RFC 9068) that live 5 minutes. Refresh tokens are
 * opaque secrets kept only as SHA-256 in the {@value Database#REFRESH_TABLE} table; personal access tokens, made
 * in the console, live in tokengate's token table and can be introspected and revoked here too.
 */
public final class DemoIssuer extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DemoIssuer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The audience of every token it issues, which the sample API requires. */
    public static final String AUDIENCE = "tokengate-sample";
    /**
     * The token request's field naming the client's DPoP key by its RFC 7638 thumbprint (RFC 9449 §10's
     * {@code dpop_jkt}); the token is then bound to that key ({@code cnf.jkt}) and its type is {@code DPoP}. The demo
     * issuer takes the thumbprint on trust: a real authorization server asks for a DPoP proof at its token endpoint.
     */
    static final String DPOP_JKT = "dpop_jkt";
    /** How long the issued access tokens live. */
    public static final Duration TOKEN_LIFETIME = Duration.ofMinutes(5);
    /** Refresh token lifetime. */
    public static final Duration REFRESH_LIFETIME = Duration.ofHours(8);
    /** The demo user. */
    public static final String USER = "alice";
    /** The demo user's password. */
    public static final String PASSWORD = "alice-password";
    /**
     * The demo user's one-time code, the second factor: a password sign-in that adds {@code otp} with it gets a token
     * whose {@code acr} is {@value #ACR_MFA}; without it, {@value #ACR_PASSWORD}.
     */
    public static final String ONE_TIME_CODE = "246810";
    /** The {@code acr} of a sign-in with the password alone. */
    public static final String ACR_PASSWORD = "pwd";
    /** The {@code acr} of a sign-in with the password and the one-time code: what withdrawals require (RFC 9470). */
    public static final String ACR_MFA = "mfa";
    /** The public client the console (and curl) signs the demo user in with. */
    public static final String CONSOLE_CLIENT = "token-console";
    /** The scope that lets a token manage its owner's personal access tokens in the console. */
    public static final String CONSOLE_SCOPE = "tokens";
    /** The scopes the demo user holds, and may hand on in personal access tokens (all but {@value #CONSOLE_SCOPE}). */
    public static final List<String> USER_SCOPES = List.of("read", "trade", "withdraw");

    /**
     * A demo client: its secret ({@code null} for a public client), the grants and scopes it may use, the scope it
     * gets when it asks for none, and the user a client-credentials token speaks for.
     */
    record Client(String secret, Set<String> grants, List<String> allowedScopes, List<String> defaultScopes) {
        boolean confidential() {
            return secret != null;
        }
    }

    /**
     * The seed story: the demo user registered a portfolio tracker that may only read and a trading bot that may
     * read and trade, both acting for her; nobody gets {@code withdraw} from a client. The console is a public
     * client that signs her in.
     */
    static final Map<String, Client> CLIENTS = Map.of(
            "portfolio-tracker", new Client("tracker-secret", Set.of("client_credentials"), List.of("read"), List.of("read")),
            "trading-bot", new Client("bot-secret", Set.of("client_credentials"), List.of("read", "trade"), List.of("read", "trade")),
            CONSOLE_CLIENT, new Client(null, Set.of("password", "refresh_token"),
                    List.of(CONSOLE_SCOPE, "read", "trade", "withdraw"), List.of(CONSOLE_SCOPE)));

    private final transient String issuer;
    private final transient KeyPair keyPair;
    private final transient String keyId;
    private final transient Clock clock;
    private final transient JdbcTokenStore personalTokens;
    private final transient JdbcTokenStore refreshTokens;
    private final transient TokenFormat format = TokenFormat.of(TokenKind.ACCESS_TOKEN);
    /** The API's revocation list, where a revoked access token (JWT or personal) is refused at once. */
    private transient volatile Revocations revocations;

    /**
     * @param issuer         the issuer URL: where this servlet is mounted, e.g. {@code http://localhost:8080/demo-issuer}
     * @param personalTokens the token database of the console's personal access tokens (introspected and revoked here)
     * @param refreshTokens  where refresh tokens are kept
     */
    DemoIssuer(String issuer, Clock clock, JdbcTokenStore personalTokens, JdbcTokenStore refreshTokens) {
        this.issuer = issuer;
        this.clock = clock;
        this.personalTokens = personalTokens;
        this.refreshTokens = refreshTokens;
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048, new SecureRandom());
            this.keyPair = g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has RSA", e);
        }
        this.keyId = "demo-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String issuer() {
        return issuer;
    }

    public String jwksUri() {
        return issuer + "/jwks";
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        switch (path(req)) {
            case "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server" -> {
                ObjectNode doc = JSON.createObjectNode();
                doc.put("issuer", issuer);
                doc.put("jwks_uri", jwksUri());
                doc.put("token_endpoint", issuer + "/token");
                doc.put("introspection_endpoint", issuer + "/introspect");
                doc.put("revocation_endpoint", issuer + "/revoke");
                doc.putArray("grant_types_supported").add("client_credentials").add("password").add("refresh_token");
                doc.putArray("token_endpoint_auth_methods_supported").add("client_secret_basic").add("client_secret_post").add("none");
                doc.putArray("scopes_supported").add("read").add("trade").add("withdraw").add(CONSOLE_SCOPE);
                doc.put("x-demo-warning", "DEMO issuer with a throw-away key and published secrets: not for production");
                write(resp, 200, doc);
            }
            case "/jwks" -> {
                RSAPublicKey pub = (RSAPublicKey) keyPair.getPublic();
                ObjectNode jwks = JSON.createObjectNode();
                ObjectNode key = jwks.putArray("keys").addObject();
                key.put("kty", "RSA");
                key.put("use", "sig");
                key.put("alg", "RS256");
                key.put("kid", keyId);
                key.put("n", b64(pub.getModulus()));
                key.put("e", b64(pub.getPublicExponent()));
                resp.setHeader("Cache-Control", "public, max-age=300");
                write(resp, 200, jwks);
            }
            default -> error(resp, 404, "not_found", "The demo issuer serves GET /.well-known/openid-configuration, "
                    + "GET /jwks, POST /token, POST /introspect and POST /revoke.");
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("Cache-Control", "no-store");
        switch (path(req)) {
            case "/token" -> token(req, resp);
            case "/introspect" -> introspect(req, resp);
            case "/revoke" -> revoke(req, resp);
            default -> error(resp, 404, "not_found", "POST to /token, /introspect or /revoke.");
        }
    }

    // ------------------------------------------------------------------------------------------------ /token

    private void token(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String grant = req.getParameter("grant_type");
        if (grant == null || !Set.of("client_credentials", "password", "refresh_token").contains(grant)) {
            error(resp, 400, "unsupported_grant_type", "The demo issuer supports grant_type=client_credentials, "
                    + "password and refresh_token.");
            return;
        }
        Optional<String> clientId = authenticate(req, resp);
        if (clientId.isEmpty()) {
            return;
        }
        Client client = CLIENTS.get(clientId.get());
        if (!client.grants().contains(grant)) {
            error(resp, 400, "unauthorized_client", "Client " + clientId.get() + " may not use grant_type=" + grant
                    + "; it may use " + client.grants() + ".");
            return;
        }
        String jkt = req.getParameter("dpop_jkt");
        if (jkt != null && !jkt.matches("[A-Za-z0-9_-]{43}")) {
            error(resp, 400, "invalid_dpop_proof", "dpop_jkt must be the RFC 7638 thumbprint of the client's public "
                    + "key: 43 base64url characters (base64url of a SHA-256).");
            return;
        }
        req.setAttribute(DPOP_JKT, jkt);
        switch (grant) {
            case "client_credentials" -> {
                Optional<List<String>> scopes = scopes(req, resp, clientId.get(), client.allowedScopes(), client.defaultScopes());
                if (scopes.isPresent()) {
                    write(resp, 200, tokenResponse(req, USER, clientId.get(), scopes.get(), null, null));
                }
            }
            case "password" -> password(req, resp, clientId.get(), client);
            default -> refresh(req, resp, clientId.get());
        }
    }

    private void password(HttpServletRequest req, HttpServletResponse resp, String clientId, Client client) throws IOException {
        if (!USER.equals(req.getParameter("username")) || !constantTimeEquals(PASSWORD, req.getParameter("password"))) {
            error(resp, 400, "invalid_grant", "Wrong username or password; the demo user is " + USER + " / " + PASSWORD + ".");
            return;
        }
        List<String> allowed = client.allowedScopes().stream()
                .filter(s -> s.equals(CONSOLE_SCOPE) || USER_SCOPES.contains(s)).toList();
        String otp = req.getParameter("otp");
        if (otp != null && !constantTimeEquals(ONE_TIME_CODE, otp)) {
            error(resp, 400, "invalid_grant", "Wrong one-time code; the demo user's code is " + ONE_TIME_CODE + ".");
            return;
        }
        Optional<List<String>> scopes = scopes(req, resp, clientId, allowed, client.defaultScopes());
        if (scopes.isEmpty()) {
            return;
        }
        // The name marks the sign-in (the token family): rotation keeps it, and a reused token revokes only its family.
        String family = "refresh token (" + clientId + ") sign-in " + UUID.randomUUID();
        IssuedToken refresh = refreshTokens.create(TokenKind.ACCESS_TOKEN, family, USER,
                clientId, scopes.get(), List.of(), clock.instant().plus(REFRESH_LIFETIME));
        // RFC 9470: how and when the user signed in, for routes that require a second factor or a recent sign-in
        write(resp, 200, tokenResponse(req, USER, clientId, scopes.get(), refresh.token(), otp != null ? ACR_MFA : ACR_PASSWORD));
    }

    private void refresh(HttpServletRequest req, HttpServletResponse resp, String clientId) throws IOException {
        String presented = req.getParameter("refresh_token");
        Optional<StoredToken> stored = presented != null && format.checksumValid(presented)
                ? refreshTokens.find(CallLabels.sha256(presented)) : Optional.empty();
        if (stored.isEmpty() || !stored.get().clientId().equals(Optional.of(clientId))) {
            error(resp, 400, "invalid_grant", "The refresh token is not known (to this client).");
            return;
        }
        StoredToken old = stored.get();
        if (old.revoked()) {
            int revoked = revokeFamily(old);
            LOG.warn("demo issuer: a used refresh token of {} ({}) was presented again; {} refresh token(s) revoked",
                    old.owner(), clientId, revoked);
            error(resp, 400, "invalid_grant", "The refresh token was already used. Refresh tokens work once; as a "
                    + "precaution every refresh token of this sign-in has been revoked: sign in again.");
            return;
        }
        if (old.expiredAt(clock.instant())) {
            error(resp, 400, "invalid_grant", "The refresh token has expired: sign in again.");
            return;
        }
        Optional<List<String>> scopes = scopes(req, resp, clientId, old.scopes(), old.scopes());
        if (scopes.isEmpty()) {
            return;
        }
        IssuedToken next;
        try {
            next = refreshTokens.rotate(old.id(), Duration.ZERO); // a refresh token works once: no grace period
        } catch (IllegalStateException e) { // a concurrent refresh with the same token won the race
            error(resp, 400, "invalid_grant", "The refresh token was already used.");
            return;
        }
        // a refresh is no sign-in: the new token names no acr or auth_time, so a step-up route needs a new sign-in
        write(resp, 200, tokenResponse(req, old.owner(), clientId, scopes.get(), next.token(), null));
    }

    /** Revokes the live refresh tokens of the sign-in {@code reused} came from (same name, owner and client), no other. */
    private int revokeFamily(StoredToken reused) {
        int n = 0;
        for (StoredToken t : refreshTokens.list(reused.owner())) {
            if (t.name().equals(reused.name()) && t.clientId().equals(reused.clientId()) && !t.revoked()
                    && refreshTokens.revoke(t.id())) {
                n++;
            }
        }
        return n;
    }

    /** The requested scopes when the client may have all of them; otherwise writes {@code invalid_scope}. */
    private static Optional<List<String>> scopes(HttpServletRequest req, HttpServletResponse resp, String clientId,
                                                 List<String> allowed, List<String> defaults) throws IOException {
        String requested = req.getParameter("scope");
        if (requested == null || requested.isBlank()) {
            return Optional.of(defaults);
        }
        Set<String> scopes = new LinkedHashSet<>();
        for (String s : requested.trim().split("\\s+")) {
            if (!allowed.contains(s)) {
                error(resp, 400, "invalid_scope", "Client " + clientId + " may be granted only " + allowed + ", not '" + s + "'.");
                return Optional.empty();
            }
            scopes.add(s);
        }
        return Optional.of(List.copyOf(scopes));
    }

    /**
     * A token response; {@code acr} non-null for a user's sign-in, which then names {@code acr} and {@code auth_time};
     * bound to the client's DPoP key when the request named its thumbprint ({@code dpop_jkt}).
     */
    private ObjectNode tokenResponse(HttpServletRequest req, String subject, String clientId, List<String> scopes,
                                     String refreshToken, String acr) {
        Instant now = clock.instant();
        String jkt = (String) req.getAttribute(DPOP_JKT);
        com.auth0.jwt.JWTCreator.Builder jwt = JWT.create();
        if (jkt != null) {
            jwt.withClaim("cnf", Map.of("jkt", jkt)); // RFC 9449 §6.1: bound to the client's DPoP key
        }
        if (acr != null) {
            jwt.withClaim("acr", acr).withClaim("auth_time", now.getEpochSecond());
        }
        String token = jwt
                .withKeyId(keyId)
                .withHeader(Map.of("typ", "at+jwt"))
                .withIssuer(issuer)
                .withSubject(subject)
                .withAudience(AUDIENCE)
                .withIssuedAt(now)
                .withNotBefore(now)
                .withExpiresAt(now.plus(TOKEN_LIFETIME))
                .withJWTId(UUID.randomUUID().toString())
                .withClaim("client_id", clientId)
                .withClaim("scope", String.join(" ", scopes))
                .sign(algorithm());
        ObjectNode body = JSON.createObjectNode();
        body.put("access_token", token);
        body.put("token_type", jkt != null ? "DPoP" : "Bearer");
        body.put("expires_in", TOKEN_LIFETIME.toSeconds());
        body.put("scope", String.join(" ", scopes));
        if (refreshToken != null) {
            body.put("refresh_token", refreshToken);
        }
        return body;
    }

    // ------------------------------------------------------------------------------------- /introspect, /revoke

    private void introspect(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Optional<String> clientId = authenticate(req, resp);
        if (clientId.isEmpty()) {
            return;
        }
        if (!CLIENTS.get(clientId.get()).confidential()) {
            error(resp, 401, "invalid_client", "Introspection needs a confidential client (one with a secret).");
            return;
        }
        String token = req.getParameter("token");
        ObjectNode body = JSON.createObjectNode();
        body.put("active", false);
        if (token == null || token.isEmpty()) {
            error(resp, 400, "invalid_request", "Send the token to introspect as the form field 'token'.");
            return;
        }
        if (format.checksumValid(token)) {
            Instant now = clock.instant();
            Optional<StoredToken> pat = personalTokens.find(CallLabels.sha256(token));
            Optional<StoredToken> refresh = pat.isPresent() ? Optional.empty() : refreshTokens.find(CallLabels.sha256(token))
                    .filter(t -> t.clientId().equals(clientId)); // a client learns only about its own refresh tokens
            Optional<StoredToken> found = pat.or(() -> refresh).filter(t -> !t.revoked() && !t.expiredAt(now));
            found.ifPresent(t -> {
                body.put("active", true);
                body.put("token_type", pat.isPresent() ? "access_token" : "refresh_token");
                body.put("scope", String.join(" ", t.scopes()));
                body.put("sub", t.owner());
                t.clientId().ifPresent(c -> body.put("client_id", c));
                body.put("iat", t.createdAt().getEpochSecond());
                t.expiresAt().ifPresent(e -> body.put("exp", e.getEpochSecond()));
                body.put("iss", issuer);
                if (pat.isPresent()) {
                    body.put("aud", AUDIENCE);
                }
            });
        } else {
            verify(token).ifPresent(jwt -> {
                body.put("active", true);
                body.put("token_type", "access_token");
                body.put("scope", jwt.getClaim("scope").asString());
                body.put("sub", jwt.getSubject());
                body.put("client_id", jwt.getClaim("client_id").asString());
                body.put("iat", jwt.getIssuedAtAsInstant().getEpochSecond());
                body.put("exp", jwt.getExpiresAtAsInstant().getEpochSecond());
                body.put("iss", issuer);
                body.put("aud", AUDIENCE);
                body.put("jti", jwt.getId());
            });
        }
        write(resp, 200, body);
    }

    /** Revocations at {@code /revoke} go to this list too, so the API refuses a revoked token on its next call. */
    void revocations(Revocations revocations) {
        this.revocations = revocations;
    }

    private void revoke(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Optional<String> clientId = authenticate(req, resp);
        if (clientId.isEmpty()) {
            return;
        }
        String token = req.getParameter("token");
        if (token == null || token.isEmpty()) {
            error(resp, 400, "invalid_request", "Send the token to revoke as the form field 'token'.");
            return;
        }
        if (format.checksumValid(token)) {
            byte[] hash = CallLabels.sha256(token);
            Optional<StoredToken> pat = personalTokens.find(hash);
            if (pat.isPresent()) {
                // whoever holds a personal access token may revoke it (as for a leaked token)
                personalTokens.revoke(pat.get().id());
                if (revocations != null) {
                    revocations.revoke(Revocation.Target.TOKEN_ID, pat.get().id(), "revoked at the demo issuer "
                            + "(RFC 7009) by " + clientId.get(), pat.get().expiresAt().orElse(null));
                }
            } else {
                refreshTokens.find(hash).filter(t -> t.clientId().equals(clientId))
                        .ifPresent(t -> refreshTokens.revoke(t.id()));
            }
        } else {
            Optional<DecodedJWT> jwt = verify(token);
            if (jwt.isPresent()) {
                String owner = jwt.get().getClaim("client_id").asString();
                if (!clientId.get().equals(owner)) {
                    // RFC 7009 §2.1: a client may revoke only the tokens issued to it
                    error(resp, 400, "unauthorized_client", "This access token was issued to another client; only "
                            + "that client may revoke it.");
                    return;
                }
                // a self-contained JWT stays valid by its signature: the API's revocation list refuses it by jti
                // until it expires, and the list forgets it then
                if (revocations != null && jwt.get().getId() != null) {
                    revocations.revoke(Revocation.Target.TOKEN_ID, jwt.get().getId(), "revoked at the demo issuer "
                            + "(RFC 7009) by " + owner, jwt.get().getExpiresAtAsInstant());
                }
            }
        }
        // RFC 7009 §2.2: an unknown or invalid token is answered like a revoked one
        resp.setStatus(200);
    }

    private Optional<DecodedJWT> verify(String token) {
        try {
            JWTVerifier verifier = ((JWTVerifier.BaseVerification) JWT.require(algorithm())
                    .withIssuer(issuer).withAudience(AUDIENCE)).build(clock);
            return Optional.of(verifier.verify(token));
        } catch (JWTVerificationException e) {
            return Optional.empty();
        }
    }

    /**
     * The authenticated client: HTTP Basic or form fields; a public client sends only its {@code client_id}.
     * Writes the {@code invalid_client} error and answers empty when authentication fails.
     */
    private static Optional<String> authenticate(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String id = req.getParameter("client_id");
        String secret = req.getParameter("client_secret");
        String auth = req.getHeader("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                id = colon < 0 ? decoded : decoded.substring(0, colon);
                secret = colon < 0 ? null : decoded.substring(colon + 1);
            } catch (IllegalArgumentException e) {
                id = null;
            }
        }
        Client client = id == null ? null : CLIENTS.get(id);
        boolean ok = client != null && (client.confidential() ? constantTimeEquals(client.secret(), secret) : secret == null || secret.isEmpty());
        if (!ok) {
            resp.setHeader("WWW-Authenticate", "Basic realm=\"demo-issuer\"");
            error(resp, 401, "invalid_client", "Unknown client or wrong secret; the demo clients are "
                    + "portfolio-tracker:tracker-secret, trading-bot:bot-secret and the public client " + CONSOLE_CLIENT + ".");
            return Optional.empty();
        }
        return Optional.of(id);
    }

    private Algorithm algorithm() {
        return Algorithm.RSA256((RSAPublicKey) keyPair.getPublic(), (RSAPrivateKey) keyPair.getPrivate());
    }

    private static boolean constantTimeEquals(String expected, String actual) {
        return actual != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), actual.getBytes(StandardCharsets.UTF_8));
    }

    private static String path(HttpServletRequest req) {
        return req.getPathInfo() == null ? "/" : req.getPathInfo();
    }

    private static String b64(BigInteger v) {
        byte[] bytes = v.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void error(HttpServletResponse resp, int status, String code, String description) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", code);
        n.put("error_description", description);
        write(resp, status, n);
    }

    static void write(HttpServletResponse resp, int status, Object body) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        JSON.writeValue(resp.getOutputStream(), body);
    }
}
