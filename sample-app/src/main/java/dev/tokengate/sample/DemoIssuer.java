package dev.tokengate.sample;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
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
import java.util.Set;
import java.util.UUID;

/**
 * A DEMO authorization server for the sample app: discovery document, JWKS and a client-credentials token
 * endpoint issuing RS256 {@code at+jwt} access tokens that live 5 minutes. Its key pair is made at start-up
 * and its client secrets are printed in the README: never use it for anything real.
 */
public final class DemoIssuer extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The audience of every token it issues, which the sample API requires. */
    public static final String AUDIENCE = "tokengate-sample";
    /** Access token lifetime. */
    public static final Duration TOKEN_LIFETIME = Duration.ofMinutes(5);

    /** A demo client: its secret and the most it may be granted. */
    record Client(String secret, List<String> allowedScopes) {
    }

    /**
     * The demo clients of the seed story: a portfolio tracker that may only read, and a trading bot that may
     * read and trade. Nobody gets {@code withdraw} from this endpoint.
     */
    static final Map<String, Client> CLIENTS = Map.of(
            "portfolio-tracker", new Client("tracker-secret", List.of("read")),
            "trading-bot", new Client("bot-secret", List.of("read", "trade")));

    private final transient String issuer;
    private final transient KeyPair keyPair;
    private final transient String keyId;
    private final transient Clock clock;

    /**
     * @param issuer the issuer URL: the URL this servlet is mounted at, e.g. {@code http://localhost:8080/demo-issuer}
     */
    public DemoIssuer(String issuer, Clock clock) {
        this.issuer = issuer;
        this.clock = clock;
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

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        switch (path) {
            case "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server" -> {
                ObjectNode doc = JSON.createObjectNode();
                doc.put("issuer", issuer);
                doc.put("jwks_uri", issuer + "/jwks");
                doc.put("token_endpoint", issuer + "/token");
                doc.putArray("grant_types_supported").add("client_credentials");
                doc.putArray("token_endpoint_auth_methods_supported").add("client_secret_basic").add("client_secret_post");
                doc.putArray("scopes_supported").add("read").add("trade").add("withdraw");
                doc.put("x-demo-warning", "DEMO issuer with a throw-away key: not for production");
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
            default -> error(resp, 404, "not_found", "The demo issuer serves /.well-known/openid-configuration, /jwks and POST /token.");
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        if (!path.equals("/token")) {
            error(resp, 404, "not_found", "POST to /token.");
            return;
        }
        resp.setHeader("Cache-Control", "no-store");
        if (!"client_credentials".equals(req.getParameter("grant_type"))) {
            error(resp, 400, "unsupported_grant_type", "The demo issuer supports grant_type=client_credentials.");
            return;
        }
        String[] credentials = clientCredentials(req);
        Client client = credentials == null ? null : CLIENTS.get(credentials[0]);
        if (client == null || !java.security.MessageDigest.isEqual(
                client.secret().getBytes(StandardCharsets.UTF_8), credentials[1].getBytes(StandardCharsets.UTF_8))) {
            resp.setHeader("WWW-Authenticate", "Basic realm=\"demo-issuer\"");
            error(resp, 401, "invalid_client", "Unknown client or wrong secret; the demo clients are "
                    + "portfolio-tracker:tracker-secret and trading-bot:bot-secret.");
            return;
        }
        Set<String> scopes = new LinkedHashSet<>();
        String requested = req.getParameter("scope");
        if (requested == null || requested.isBlank()) {
            scopes.addAll(client.allowedScopes());
        } else {
            for (String s : requested.trim().split("\\s+")) {
                if (!client.allowedScopes().contains(s)) {
                    error(resp, 400, "invalid_scope", "Client " + credentials[0] + " may be granted only "
                            + client.allowedScopes() + ", not '" + s + "'.");
                    return;
                }
                scopes.add(s);
            }
        }
        Instant now = clock.instant();
        String token = JWT.create()
                .withKeyId(keyId)
                .withHeader(Map.of("typ", "at+jwt"))
                .withIssuer(issuer)
                .withSubject(credentials[0])
                .withAudience(AUDIENCE)
                .withIssuedAt(now)
                .withNotBefore(now)
                .withExpiresAt(now.plus(TOKEN_LIFETIME))
                .withJWTId(UUID.randomUUID().toString())
                .withClaim("client_id", credentials[0])
                .withClaim("scope", String.join(" ", scopes))
                .sign(Algorithm.RSA256((RSAPublicKey) keyPair.getPublic(), (RSAPrivateKey) keyPair.getPrivate()));
        ObjectNode body = JSON.createObjectNode();
        body.put("access_token", token);
        body.put("token_type", "Bearer");
        body.put("expires_in", TOKEN_LIFETIME.toSeconds());
        body.put("scope", String.join(" ", scopes));
        write(resp, 200, body);
    }

    private static String[] clientCredentials(HttpServletRequest req) {
        String auth = req.getHeader("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        String id = req.getParameter("client_id");
        String secret = req.getParameter("client_secret");
        return id == null || secret == null ? null : new String[] {id, secret};
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

    /** The clients' names, for the start-up banner. */
    static List<String> clientNames() {
        return CLIENTS.keySet().stream().sorted().toList();
    }
}
