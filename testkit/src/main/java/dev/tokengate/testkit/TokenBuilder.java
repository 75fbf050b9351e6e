package dev.tokengate.testkit;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * An access token under construction: a JWT's header and claims, signed with {@link #sign()}, or the same claims
 * behind a random opaque string that the issuer's introspection endpoint answers for ({@link #opaque()}).
 *
 * <p>From {@link LoopbackIssuer#token()} it is pre-filled with a valid token of that issuer, so that a test changes
 * one thing: {@code issuer.token().scope("orders:read").expiresAt(past).sign()}. Unless set or {@linkplain
 * #without removed}, {@code iat} and {@code nbf} are the clock's now, {@code exp} is now plus the lifetime, and
 * {@code jti} is random; they are read when the token is signed. Not thread-safe: one builder per token.
 */
public final class TokenBuilder {

    /** What the issuer does with the tokens it mints: remembers them for introspection. */
    interface Registry {
        void minted(String token, Map<String, Object> claims);
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Object> header = new LinkedHashMap<>();
    private final Map<String, Object> claims = new LinkedHashMap<>();
    private final Set<String> removed = new LinkedHashSet<>();
    private final Registry registry;
    private String signingAlgorithm;
    private Jws.Signer signer;
    private Clock clock = Clock.systemUTC();
    private Duration lifetime = Duration.ofMinutes(5);

    TokenBuilder(SigningKey key, Registry registry) {
        this.registry = registry;
        signedWith(key);
    }

    /**
     * A builder with no claims but the time claims and {@code jti}, signing with this key, outside any issuer
     * ({@link #opaque()} needs one).
     *
     * @param key the key to sign with under its algorithm; its id becomes {@code kid}
     * @return the builder
     */
    public static TokenBuilder signedBy(SigningKey key) {
        return new TokenBuilder(key, null);
    }

    /**
     * Sets {@code exp}.
     *
     * @param expiresAt the expiry
     * @return this builder
     */
    public TokenBuilder expiresAt(Instant expiresAt) {
        return claim("exp", expiresAt);
    }

    /**
     * Sets {@code iat}.
     *
     * @param issuedAt the issue time
     * @return this builder
     */
    public TokenBuilder issuedAt(Instant issuedAt) {
        return claim("iat", issuedAt);
    }

    /**
     * Sets {@code nbf}.
     *
     * @param notBefore the time from which the token is valid
     * @return this builder
     */
    public TokenBuilder notBefore(Instant notBefore) {
        return claim("nbf", notBefore);
    }

    /**
     * Sets {@code iss}.
     *
     * @param issuer the issuer identifier
     * @return this builder
     */
    public TokenBuilder issuer(String issuer) {
        return claim("iss", issuer);
    }

    /**
     * Sets {@code sub}.
     *
     * @param subject the subject
     * @return this builder
     */
    public TokenBuilder subject(String subject) {
        return claim("sub", subject);
    }

    /**
     * Sets {@code aud}: a string for one audience, an array for several.
     *
     * @param audiences the audiences
     * @return this builder
     */
    public TokenBuilder audience(String... audiences) {
        return claim("aud", audiences.length == 1 ? audiences[0] : List.of(audiences));
    }

    /**
     * Sets {@code scope}, space-delimited.
     *
     * @param scope e.g. {@code "orders:read orders:write"}
     * @return this builder
     */
    public TokenBuilder scope(String scope) {
        return claim("scope", scope);
    }

    /**
     * Sets {@code client_id}.
     *
     * @param clientId the client the token was issued to
     * @return this builder
     */
    public TokenBuilder clientId(String clientId) {
        return claim("client_id", clientId);
    }

    /**
     * Sets {@code jti}.
     *
     * @param jti the token id
     * @return this builder
     */
    public TokenBuilder tokenId(String jti) {
        return claim("jti", jti);
    }

    /**
     * Sets any claim to a JSON value: a String, Number, Boolean, {@code null}, Map, List or array of these; an
     * {@link Instant} is written as a NumericDate (epoch seconds).
     *
     * @param name  the claim's name
     * @param value its value
     * @return this builder
     */
    public TokenBuilder claim(String name, Object value) {
        Objects.requireNonNull(name, "name");
        removed.remove(name);
        claims.put(name, value);
        return this;
    }

    /**
     * Removes a claim, including the defaulted {@code exp}, {@code iat}, {@code nbf} and {@code jti}.
     *
     * @param claimName the claim's name
     * @return this builder
     */
    public TokenBuilder without(String claimName) {
        claims.remove(claimName);
        removed.add(claimName);
        return this;
    }

    /**
     * Sets, or with {@code null} removes, a header parameter; an {@code alg} set here is written instead of the
     * signing algorithm's name (the signature is still made with the signing algorithm).
     *
     * @param name  the parameter's name
     * @param value its JSON value, or {@code null}
     * @return this builder
     */
    public TokenBuilder header(String name, Object value) {
        Objects.requireNonNull(name, "name");
        if (value == null) {
            header.remove(name);
        } else {
            header.put(name, value);
        }
        return this;
    }

    /**
     * Sets the {@code typ} header; {@code null} removes it.
     *
     * @param type e.g. {@code at+jwt}
     * @return this builder
     */
    public TokenBuilder type(String type) {
        return header("typ", type);
    }

    /**
     * Sets the {@code kid} header; {@code null} removes it.
     *
     * @param keyId the key id
     * @return this builder
     */
    public TokenBuilder keyId(String keyId) {
        return header("kid", keyId);
    }

    /**
     * Signs with this key under its algorithm, and names it in {@code kid}.
     *
     * @param key the key
     * @return this builder
     */
    public TokenBuilder signedWith(SigningKey key) {
        return signedWith(key.algorithm(), key);
    }

    /**
     * Signs with this key under this algorithm (RS*, PS* for an RSA key; ES* for an EC key), and sets {@code alg}
     * to it and {@code kid} to the key's id.
     *
     * @param algorithm the JWS algorithm
     * @param key       the key
     * @return this builder
     * @throws IllegalArgumentException for an algorithm that is not asymmetric
     */
    public TokenBuilder signedWith(String algorithm, SigningKey key) {
        this.signer = Jws.signer(algorithm, key.privateKey());
        this.signingAlgorithm = algorithm;
        header.put("alg", algorithm);
        header.put("kid", key.keyId());
        return this;
    }

    /**
     * Signs with an HMAC secret under HS256, HS384 or HS512, sets {@code alg} and removes {@code kid}.
     *
     * @param algorithm the HMAC algorithm
     * @param secret    the secret
     * @return this builder
     * @throws IllegalArgumentException for another algorithm
     */
    public TokenBuilder signedWithHmac(String algorithm, byte[] secret) {
        this.signer = Jws.hmac(algorithm, secret);
        this.signingAlgorithm = algorithm;
        header.put("alg", algorithm);
        header.remove("kid");
        return this;
    }

    /**
     * The clock "now" is read from when the token is signed; default the issuer's, else the system clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public TokenBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * How long after now the defaulted {@code exp} is; default 5 minutes.
     *
     * @param lifetime the lifetime
     * @return this builder
     */
    public TokenBuilder lifetime(Duration lifetime) {
        this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
        return this;
    }

    /**
     * Signs and returns the compact serialisation {@code header.payload.signature}; from an issuer, the token is
     * also remembered for its introspection endpoint.
     *
     * @return the JWT
     */
    public String sign() {
        Map<String, Object> values = claimValues();
        String content = SigningKey.base64Url(json(header)) + "." + SigningKey.base64Url(json(values));
        String token = content + "." + SigningKey.base64Url(signer.sign(content.getBytes(StandardCharsets.US_ASCII)));
        if (registry != null) {
            registry.minted(token, values);
        }
        return token;
    }

    /**
     * Issues these claims as an opaque token: a random string that the issuer's introspection endpoint answers
     * {@code active} for, with these claims, until it expires by the issuer's clock or is revoked.
     *
     * @return the opaque token
     * @throws IllegalStateException when this builder does not come from a {@link LoopbackIssuer}
     */
    public String opaque() {
        if (registry == null) {
            throw new IllegalStateException("an opaque token needs an issuer to introspect it: build it with"
                    + " LoopbackIssuer.token()");
        }
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        String token = "opaque-" + SigningKey.base64Url(bytes);
        registry.minted(token, claimValues());
        return token;
    }

    /**
     * Returns {@code header.payload.} with an empty signature, as an {@code alg: none} token has.
     *
     * @return the unsigned token
     */
    public String unsigned() {
        return SigningKey.base64Url(json(header)) + "." + SigningKey.base64Url(json(claimValues())) + ".";
    }

    /**
     * The base64url header and payload exactly as {@link #sign()} would write them (a new {@code jti} and fresh
     * time claims at each call), to vary their encoding and sign the result with {@link #signEncoded}.
     *
     * @return the encoded header and payload
     */
    public List<String> encodedParts() {
        return List.of(SigningKey.base64Url(json(header)), SigningKey.base64Url(json(claimValues())));
    }

    /**
     * Signs {@code encodedHeader.encodedPayload} exactly as given, however they are encoded, so that only the
     * encoding is wrong: the signature is valid over those very characters.
     *
     * @param encodedHeader  the header part
     * @param encodedPayload the payload part
     * @return the JWT
     */
    public String signEncoded(String encodedHeader, String encodedPayload) {
        String content = encodedHeader + "." + encodedPayload;
        return content + "." + SigningKey.base64Url(signer.sign(content.getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * The algorithm {@link #sign()} signs with, which an {@code alg} set by {@link #header} may contradict.
     *
     * @return e.g. {@code RS256}
     */
    public String signingAlgorithm() {
        return signingAlgorithm;
    }

    /**
     * The header as it will be written.
     *
     * @return a copy of the header
     */
    public Map<String, Object> headerValues() {
        return new LinkedHashMap<>(header);
    }

    /**
     * The claims as they will be written, time claims resolved against the clock now.
     *
     * @return a copy of the claims, instants as epoch seconds
     */
    public Map<String, Object> claimValues() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : claims.entrySet()) {
            out.put(e.getKey(), e.getValue() instanceof Instant i ? i.getEpochSecond() : e.getValue());
        }
        defaultClaim(out, "exp", now.plus(lifetime).getEpochSecond());
        defaultClaim(out, "iat", now.getEpochSecond());
        defaultClaim(out, "nbf", now.getEpochSecond());
        defaultClaim(out, "jti", UUID.randomUUID().toString());
        return out;
    }

    private void defaultClaim(Map<String, Object> out, String name, Object value) {
        if (!out.containsKey(name) && !removed.contains(name)) {
            out.put(name, value);
        }
    }

    private static byte[] json(Object value) {
        return Json.write(value).getBytes(StandardCharsets.UTF_8);
    }
}
