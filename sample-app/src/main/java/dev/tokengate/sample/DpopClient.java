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
 * A DPoP client (RFC 9449) in one file with the JDK only: it makes an EC P-256 key, asks the sample app's demo issuer
 * for a token bound to it ({@code dpop_jkt}), calls the API with {@code Authorization: DPoP} and a fresh proof, then
 * shows that a replayed proof and the token alone (as a bearer token) are refused. Run it against a running sample app:
 * <pre>{@code java sample-app/src/main/java/dev/tokengate/sample/DpopClient.java http://localhost:8080}</pre>
 */
public final class DpopClient {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final KeyPair key;
    private final String jwk;
    private final String thumbprint;

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
     * A proof for one request: {@code typ dpop+jwt}, ES256, the public key as {@code jwk}, a new {@code jti},
     * {@code htm}, {@code htu} (without query), {@code iat} now and {@code ath}, the hash of the access token.
     *
     * @param method      the request's method
     * @param url         the request's URL
     * @param accessToken the access token it is sent with
     * @return the {@code DPoP} header's value
     * @throws GeneralSecurityException when signing fails
     */
    public String proof(String method, String url, String accessToken) throws GeneralSecurityException {
        String header = "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":" + jwk + "}";
        String htu = url.replaceAll("[?#].*$", "");
        String claims = "{\"jti\":\"" + UUID.randomUUID() + "\",\"htm\":\"" + method + "\",\"htu\":\"" + htu
                + "\",\"iat\":" + Instant.now().getEpochSecond() + ",\"ath\":\"" + B64.encodeToString(sha256(accessToken)) + "\"}";
        String input = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format"); // JOSE's R || S form
        es256.initSign(key.getPrivate());
        es256.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + B64.encodeToString(es256.sign());
    }

    /**
     * Walks through DPoP against a running sample app.
     *
     * @param args the sample app's base URL, default {@code http://localhost:8080}
     * @throws Exception when the app cannot be reached
     */
    public static void main(String[] args) throws Exception {
        walk(args.length > 0 ? args[0] : "http://localhost:8080").forEach(System.out::println);
    }

    /** The three calls of {@link #main}, each as a line: what it did, the status and any challenge. */
    static java.util.List<String> walk(String base) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        DpopClient client = generate();

        String form = "grant_type=client_credentials&scope=read&dpop_jkt=" + URLEncoder.encode(client.thumbprint(), StandardCharsets.UTF_8);
        HttpResponse<String> issued = http.send(HttpRequest.newBuilder(URI.create(base + "/demo-issuer/token"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "portfolio-tracker:tracker-secret".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"").matcher(issued.body());
        if (!m.find()) {
            throw new IllegalStateException("the issuer answered " + issued.statusCode() + ": " + issued.body());
        }
        String token = m.group(1);

        String url = base + "/api/account/balances";
        String proof = client.proof("GET", url, token);
        return java.util.List.of("DPoP with a fresh proof:  " + get(http, url, "DPoP " + token, proof),
                "the same proof again:     " + get(http, url, "DPoP " + token, proof),
                "the token alone (Bearer): " + get(http, url, "Bearer " + token, null));
    }

    /** The status and, for a refusal, the challenge. */
    static String get(HttpClient http, String url, String authorization, String proof) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", authorization);
        if (proof != null) {
            b.header("DPoP", proof);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
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
