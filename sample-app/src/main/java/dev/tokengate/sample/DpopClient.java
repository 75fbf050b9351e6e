package dev.tokengate.sample;

import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A DPoP client (RFC 9449) in one file with the JDK only, walking through a withdrawal, which needs a DPoP-bound token
 * of a sign-in with the second factor: it makes an EC P-256 key, signs in at the sample app's demo issuer with the
 * password alone and then with the one-time code too, each time asking for a token bound to its key
 * ({@code dpop_jkt}), and withdraws with {@code Authorization: DPoP} and a fresh proof for each request (retrying
 * once with the server's nonce when it asks for one, {@code use_dpop_nonce}). Then it shows why a stolen token alone
 * cannot withdraw: the same token as a bearer token and the same proof again are refused. Run it against a running
 * sample app:
 * <pre>{@code java sample-app/src/main/java/dev/tokengate/sample/DpopClient.java http://localhost:8080}</pre>
 */
public final class DpopClient {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final String WITHDRAWAL = "{\"currency\":\"EUR\",\"amount\":\"100\",\"address\":\"DE89370400440532013000\"}";

    private final KeyPair key;
    private final String jwk;
    private final String thumbprint;
    /** The server's latest nonce ({@code DPoP-Nonce}), if it sent one. */
    private String nonce;
    /** The proof of the last request sent with {@link #send}. */
    private String lastProof;

    private DpopClient(KeyPair key) {
        this.key = key;
        ECPublicKey pub = (ECPublicKey) key.getPublic();
        String x = B64.encodeToString(coordinate(pub.getW().getAffineX()));
        String y = B64.encodeToString(coordinate(pub.getW().getAffineY()));
        // RFC 7638: the required members in lexicographic order, no whitespace; the same text is the proof's jwk
        this.jwk = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + x + "\",\"y\":\"" + y + "\"}";
        this.thumbprint = B64.encodeToString(sha256(jwk));
    }

    /**
     * A client with a new EC P-256 key.
     *
     * @return the client
     * @throws GeneralSecurityException when the JVM cannot make the key
     */
    public static DpopClient generate() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return new DpopClient(g.generateKeyPair());
    }

    /**
     * The RFC 7638 thumbprint of the client's key: what the token request's {@code dpop_jkt} names.
     *
     * @return 43 base64url characters
     */
    public String thumbprint() {
        return thumbprint;
    }

    /**
     * A proof for one request, made now, with the server's nonce if it sent one.
     *
     * @param method      the request's method
     * @param url         the request's URL
     * @param accessToken the access token it is sent with
     * @return the {@code DPoP} header's value
     * @throws GeneralSecurityException when signing fails
     */
    public String proof(String method, String url, String accessToken) throws GeneralSecurityException {
        return proof(method, url, accessToken, Instant.now());
    }

    /**
     * A proof for one request: {@code typ dpop+jwt}, ES256, the public key as {@code jwk}, a new {@code jti},
     * {@code htm}, {@code htu} (without query), {@code iat}, {@code ath} (the hash of the access token) and the
     * server's {@code nonce} if it sent one.
     *
     * @param method      the request's method
     * @param url         the request's URL
     * @param accessToken the access token it is sent with
     * @param iat         the time the proof is made
     * @return the {@code DPoP} header's value
     * @throws GeneralSecurityException when signing fails
     */
    public String proof(String method, String url, String accessToken, Instant iat) throws GeneralSecurityException {
        String header = "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":" + jwk + "}";
        String htu = url.replaceAll("[?#].*$", "");
        String claims = "{\"jti\":\"" + UUID.randomUUID() + "\",\"htm\":\"" + method + "\",\"htu\":\"" + htu
                + "\",\"iat\":" + iat.getEpochSecond() + ",\"ath\":\"" + B64.encodeToString(sha256(accessToken)) + "\""
                + (nonce == null ? "" : ",\"nonce\":\"" + nonce + "\"") + "}";
        String input = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format"); // JOSE's R || S form
        es256.initSign(key.getPrivate());
        es256.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + B64.encodeToString(es256.sign());
    }

    /**
     * Signs the demo user in at the demo issuer (the console's password grant) for the scope {@code withdraw}, with a
     * token bound to this client's key.
     *
     * @param http      the HTTP client
     * @param base      the sample app's base URL
     * @param secondFactor whether to send the one-time code too (then the token's {@code acr} is {@code mfa})
     * @return the access token
     * @throws Exception when the issuer cannot be reached or refuses
     */
    public String signIn(HttpClient http, String base, boolean secondFactor) throws Exception {
        String form = "grant_type=password&client_id=token-console&username=alice&password=alice-password"
                + (secondFactor ? "&otp=246810" : "") + "&scope=withdraw&dpop_jkt="
                + URLEncoder.encode(thumbprint, StandardCharsets.UTF_8);
        HttpResponse<String> issued = http.send(HttpRequest.newBuilder(URI.create(base + "/demo-issuer/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"").matcher(issued.body());
        if (!m.find()) {
            throw new IllegalStateException("the issuer answered " + issued.statusCode() + ": " + issued.body());
        }
        return m.group(1);
    }

    /**
     * Sends a request with {@code Authorization: DPoP} and a fresh proof made at {@code iat}; when the server asks
     * for a nonce ({@code use_dpop_nonce}), once more with a new proof carrying it.
     *
     * @param http        the HTTP client
     * @param method      the method
     * @param url         the URL
     * @param accessToken the DPoP-bound access token
     * @param json        the JSON body, or {@code null}
     * @param iat         the time the proof is made (now, unless a test moves the server's clock)
     * @return the response
     * @throws Exception when the server cannot be reached or signing fails
     */
    public HttpResponse<String> send(HttpClient http, String method, String url, String accessToken, String json,
                                     Instant iat) throws Exception {
        HttpResponse<String> r = sendOnce(http, method, url, "DPoP " + accessToken, json, proof(method, url, accessToken, iat));
        if (r.statusCode() == 401 && r.headers().firstValue("WWW-Authenticate").orElse("").contains("use_dpop_nonce")) {
            r = sendOnce(http, method, url, "DPoP " + accessToken, json, proof(method, url, accessToken, iat));
        }
        return r;
    }

    /** One request, as it is; the server's nonce is kept for the next proofs. */
    private HttpResponse<String> sendOnce(HttpClient http, String method, String url, String authorization, String json,
                                          String proof) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", authorization)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (proof != null) {
            b.header("DPoP", proof);
            lastProof = proof;
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        r.headers().firstValue("DPoP-Nonce").ifPresent(n -> nonce = n);
        return r;
    }

    /**
     * Walks through a withdrawal against a running sample app.
     *
     * @param args the sample app's base URL, default {@code http://localhost:8080}
     * @throws Exception when the app cannot be reached
     */
    public static void main(String[] args) throws Exception {
        walk(args.length > 0 ? args[0] : "http://localhost:8080").forEach(System.out::println);
    }

    /** The calls of {@link #main}, each as a line: what it did, the status and any challenge. */
    static java.util.List<String> walk(String base) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        DpopClient client = generate();
        String url = base + "/api/withdrawals";

        String passwordOnly = client.signIn(http, base, false);
        String refused = line(client.send(http, "POST", url, passwordOnly, WITHDRAWAL, Instant.now()));
        String steppedUp = client.signIn(http, base, true);
        String withdrawn = line(client.send(http, "POST", url, steppedUp, WITHDRAWAL, Instant.now()));
        String replayed = line(client.sendOnce(http, "POST", url, "DPoP " + steppedUp, WITHDRAWAL, client.lastProof));
        String stolen = line(client.sendOnce(http, "POST", url, "Bearer " + steppedUp, WITHDRAWAL, null));
        return java.util.List.of("password alone, DPoP:      " + refused,
                "with the one-time code:    " + withdrawn,
                "the same proof again:      " + replayed,
                "the token alone (Bearer):  " + stolen);
    }

    /** The status and, for a refusal, the challenge. */
    private static String line(HttpResponse<String> r) {
        return r.statusCode() + r.headers().firstValue("WWW-Authenticate").map(c -> " " + c).orElse("");
    }

    private static byte[] coordinate(BigInteger v) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(b.length, 32);
        System.arraycopy(b, b.length - n, out, 32 - n, n);
        return out;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
