package dev.tokengate.testing;

import dev.tokengate.testkit.SigningKey;
import dev.tokengate.testkit.TokenBuilder;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * DPoP proofs (RFC 9449 §4.2) for tests, made by a client key: {@code DpopProof.by(key).request("GET", url)
 * .accessToken(token).sign()}; each test changes one thing (an old {@code iat}, another {@code htu}, …).
 */
public final class DpopProof {

    private DpopProof() {
    }

    /** A proof signed by this key under its default algorithm, with a fresh {@code jti} and {@code iat} now. */
    public static Builder by(SigningKey key) {
        return new Builder(key);
    }

    /** The public JWK of a key as a client puts it in a proof: {@code kty} and the public members only. */
    public static Map<String, Object> publicJwk(SigningKey key) {
        Map<String, Object> jwk = new LinkedHashMap<>(TestKeys.jwk(key, false));
        jwk.remove("kid");
        jwk.remove("use");
        return jwk;
    }

    /** The RFC 7638 thumbprint of a key, computed here independently, for a token's {@code cnf.jkt}. */
    public static String thumbprint(SigningKey key) {
        Map<String, Object> jwk = publicJwk(key);
        String json = jwk.get("kty").equals("EC")
                ? "{\"crv\":\"" + jwk.get("crv") + "\",\"kty\":\"EC\",\"x\":\"" + jwk.get("x") + "\",\"y\":\"" + jwk.get("y") + "\"}"
                : "{\"e\":\"" + jwk.get("e") + "\",\"kty\":\"RSA\",\"n\":\"" + jwk.get("n") + "\"}";
        return base64Url(sha256(json.getBytes(StandardCharsets.UTF_8)));
    }

    /** The {@code ath} of an access token: base64url SHA-256 of its ASCII bytes. */
    public static String ath(String accessToken) {
        return base64Url(sha256(accessToken.getBytes(StandardCharsets.US_ASCII)));
    }

    /** Builds one proof; unset parts take sensible values, {@code null} leaves a claim out. */
    public static final class Builder {
        private final SigningKey key;
        private final TokenBuilder jwt;
        private Clock clock = Clock.systemUTC();
        private Instant issuedAt;
        private boolean noIssuedAt;

        private Builder(SigningKey key) {
            this.key = key;
            this.jwt = TestTokens.jwt().signedWith(key).keyId(null).type("dpop+jwt").header("jwk", publicJwk(key));
            for (String claim : new String[]{"iss", "sub", "aud", "client_id", "scope", "exp", "nbf"}) {
                jwt.without(claim);
            }
            jwt.claim("jti", UUID.randomUUID().toString());
        }

        /** Sets {@code htm} and {@code htu}. */
        public Builder request(String method, String url) {
            jwt.claim("htm", method);
            jwt.claim("htu", url);
            return this;
        }

        /** Sets {@code ath} to the hash of this access token. */
        public Builder accessToken(String token) {
            jwt.claim("ath", ath(token));
            return this;
        }

        public Builder claim(String name, Object value) {
            noIssuedAt |= name.equals("iat") && value == null;
            if (value == null) {
                jwt.without(name);
            } else {
                jwt.claim(name, value);
            }
            return this;
        }

        public Builder header(String name, Object value) {
            jwt.header(name, value);
            return this;
        }

        public Builder issuedAt(Instant iat) {
            this.issuedAt = iat;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** Signs under another algorithm (RS*, PS* for an RSA key; ES* for an EC key). */
        public Builder signedWith(String algorithm) {
            jwt.signedWith(algorithm, key).keyId(null);
            return this;
        }

        /** Signs with an HMAC secret instead, keeping the public {@code jwk}. */
        public Builder signedWithHmac(String algorithm, byte[] secret) {
            jwt.signedWithHmac(algorithm, secret);
            return this;
        }

        /** Puts the private part of the key into the {@code jwk} header (a client's mistake). */
        public Builder withPrivateKeyInJwk() {
            Map<String, Object> jwk = publicJwk(key);
            if (key.privateKey() instanceof ECPrivateKey ec) {
                jwk.put("d", base64Url(unsigned(ec.getS())));
            } else if (key.privateKey() instanceof RSAPrivateCrtKey rsa) {
                jwk.put("d", base64Url(unsigned(rsa.getPrivateExponent())));
                jwk.put("p", base64Url(unsigned(rsa.getPrimeP())));
                jwk.put("q", base64Url(unsigned(rsa.getPrimeQ())));
            }
            jwt.header("jwk", jwk);
            return this;
        }

        /** Puts another key's public JWK in the header (the signature then does not verify with it). */
        public Builder jwkOf(SigningKey other) {
            jwt.header("jwk", publicJwk(other));
            return this;
        }

        public String sign() {
            if (!noIssuedAt) {
                jwt.claim("iat", issuedAt != null ? issuedAt : clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            }
            return jwt.sign();
        }

        /** The header and claims as an unsigned JWT with {@code alg: none}. */
        public String unsignedAlgNone() {
            jwt.claim("iat", issuedAt != null ? issuedAt : clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            jwt.header("alg", "none");
            return jwt.unsigned();
        }
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes.length > 1 && bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
