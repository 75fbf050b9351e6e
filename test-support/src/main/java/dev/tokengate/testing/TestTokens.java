package dev.tokengate.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.testkit.SigningKey;
import dev.tokengate.testkit.TokenBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Factories for test tokens: {@link #jwt()} returns a builder pre-filled with a valid RFC 9068 access token, so
 * that each test changes exactly one thing, and the {@code forged…} helpers build the raw attack tokens a
 * validator must reject.
 *
 * <p>Usage: {@code TestTokens.jwt().expiresAt(Instant.parse("2020-01-01T00:00:00Z")).sign()}.
 */
public final class TestTokens {

    /** The issuer of every fixture token. */
    public static final String ISSUER = "https://issuer.example.com";
    /** The audience of every fixture token (the API under test). */
    public static final String AUDIENCE = "https://api.example.com";
    /** The {@code sub} of every fixture token. */
    public static final String SUBJECT = "alice";
    /** The {@code client_id} of every fixture token. */
    public static final String CLIENT_ID = "trading-app";
    /** The {@code scope} of every fixture token. */
    public static final String SCOPE = "read trade";
    /** How long after {@code iat} a fixture token expires. */
    public static final Duration LIFETIME = Duration.ofMinutes(5);

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestTokens() {
    }

    /**
     * A valid RFC 9068 access token, ready to {@link TokenBuilder#sign()}: header {@code typ: at+jwt}, {@code kid}
     * "rsa-1", RS256 with {@link TestKeys#rsa()}; claims iss {@link #ISSUER}, sub {@link #SUBJECT}, aud
     * {@link #AUDIENCE}, exp = now + 5 min, iat = nbf = now, a random jti, client_id {@link #CLIENT_ID} and scope
     * {@link #SCOPE}. "Now" is read from the builder's clock when the token is signed.
     */
    public static TokenBuilder jwt() {
        return TokenBuilder.signedBy(TestKeys.rsa()).type("at+jwt").issuer(ISSUER).subject(SUBJECT).audience(AUDIENCE)
                .clientId(CLIENT_ID).scope(SCOPE);
    }

    /**
     * A valid token builder (as {@link #jwt()}, plus a padding member {@code x} in header and claims) whose encoded
     * header and payload are not a multiple of four characters long, so that each can be {@link #padded} or given
     * {@link #withStrayBits stray bits}. RS256 and ES256 signatures never are a multiple of four characters.
     */
    public static TokenBuilder jwtWithUnalignedParts() {
        for (int h = 0; h < 3; h++) {
            for (int c = 0; c < 3; c++) {
                TokenBuilder b = jwt().header("x", "-".repeat(h)).claim("x", "-".repeat(c));
                List<String> parts = b.encodedParts();
                if (parts.get(0).length() % 4 != 0 && parts.get(1).length() % 4 != 0) {
                    return b;
                }
            }
        }
        throw new IllegalStateException("unreachable: one of three lengths in a row is not a multiple of three bytes");
    }

    /**
     * The same base64url text with {@code =} padding, which {@link Base64#getUrlDecoder()} accepts and decodes to
     * the same bytes. The text must not be a multiple of four characters long.
     */
    public static String padded(String base64Url) {
        int tail = base64Url.length() % 4;
        if (tail == 0) {
            throw new IllegalArgumentException("nothing to pad: the length is a multiple of four");
        }
        return base64Url + "=".repeat(4 - tail);
    }

    /**
     * The same base64url text with the lowest unused bit of its final character set: {@link Base64#getUrlDecoder()}
     * decodes it to the same bytes, so it is a second spelling of the same value. The text must not be a multiple
     * of four characters long (only then does its final character have unused bits).
     */
    public static String withStrayBits(String base64Url) {
        if (base64Url.length() % 4 == 0) {
            throw new IllegalArgumentException("no unused bits: the length is a multiple of four");
        }
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(base64Url.charAt(base64Url.length() - 1));
        if ((last & 1) != 0) {
            throw new IllegalArgumentException("not canonical already");
        }
        return base64Url.substring(0, base64Url.length() - 1) + alphabet.charAt(last | 1);
    }

    /** An unsigned token ({@code alg} spelled as given, e.g. "none", "None", "NONE", "nOnE") with an empty signature. */
    public static String forgedAlgNone(String algSpelling) {
        return jwt().header("alg", algSpelling).unsigned();
    }

    /**
     * The classic algorithm-confusion attack: an HS256 token whose HMAC secret is the RSA public key's X.509
     * (DER) encoding, with the kid of that RSA key.
     */
    public static String forgedHs256WithRsaPublicKey(SigningKey rsaKey) {
        return jwt().signedWithHmac("HS256", rsaKey.publicKey().getEncoded()).keyId(rsaKey.keyId()).sign();
    }

    /** The same attack with the public key's PEM text as the HMAC secret. */
    public static String forgedHs256WithRsaPublicKeyPem(SigningKey rsaKey) {
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(rsaKey.publicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        return jwt().signedWithHmac("HS256", pem.getBytes(StandardCharsets.US_ASCII)).keyId(rsaKey.keyId()).sign();
    }

    /** A string shaped like a JWE (five base64url parts, {@code alg: RSA-OAEP-256}, {@code enc: A256GCM}). */
    public static String forgedJwe() {
        String header = base64Url(json(Map.of("alg", "RSA-OAEP-256", "enc", "A256GCM", "kid", "rsa-1")));
        return header + "." + base64Url(new byte[256]) + "." + base64Url(new byte[12]) + "."
                + base64Url("ciphertext".getBytes(StandardCharsets.US_ASCII)) + "." + base64Url(new byte[16]);
    }

    /**
     * CVE-2022-21449 ("psychic signatures"): an ES256 token with the kid of {@link TestKeys#ec256()} and an
     * all-zero signature (r = s = 0), in JOSE (64 bytes) form.
     */
    public static String forgedEs256ZeroSignature() {
        String signed = jwt().signedWith(TestKeys.ec256()).sign();
        return signed.substring(0, signed.lastIndexOf('.') + 1) + base64Url(new byte[64]);
    }

    /** The same all-zero ES256 signature in DER form ({@code 30 06 02 01 00 02 01 00}). */
    public static String forgedEs256ZeroSignatureDer() {
        String signed = jwt().signedWith(TestKeys.ec256()).sign();
        return signed.substring(0, signed.lastIndexOf('.') + 1)
                + base64Url(new byte[] {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00});
    }

    /**
     * A token signed with {@link TestKeys#untrustedRsa()} but carrying the trusted kid "rsa-1" and a {@code jku}
     * header pointing at the attacker's JWKS: a validator that fetched it would accept the token.
     */
    public static String forgedWithJku() {
        return attackerSigned().header("jku", "https://attacker.example/jwks.json").sign();
    }

    /** Like {@link #forgedWithJku()} with an {@code x5u} header. */
    public static String forgedWithX5u() {
        return attackerSigned().header("x5u", "https://attacker.example/cert.pem").sign();
    }

    /** Like {@link #forgedWithJku()} with the attacker's public key embedded as a {@code jwk} header. */
    public static String forgedWithEmbeddedJwk() {
        return attackerSigned().header("jwk", TestKeys.jwk(TestKeys.untrustedRsa(), true)).sign();
    }

    /** Like {@link #forgedWithJku()} with an {@code x5c} header (a certificate chain; the content is a placeholder). */
    public static String forgedWithX5c() {
        String fakeCertificate = Base64.getEncoder().encodeToString(TestKeys.untrustedRsa().publicKey().getEncoded());
        return attackerSigned().header("x5c", List.of(fakeCertificate)).sign();
    }

    private static TokenBuilder attackerSigned() {
        return jwt().signedWith(TestKeys.untrustedRsa()).keyId(TestKeys.rsa().keyId());
    }

    static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A few distinct strings never to be seen in logs or messages, for tests that assert this. */
    public static List<String> fragmentsOf(String token) {
        List<String> parts = new ArrayList<>(Arrays.asList(token.split("\\.")));
        parts.add(token);
        return parts.stream().filter(p -> p.length() >= 16).toList();
    }
}
