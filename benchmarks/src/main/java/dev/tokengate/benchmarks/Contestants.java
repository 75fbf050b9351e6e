package dev.tokengate.benchmarks;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.tokengate.TokenValidator;
import dev.tokengate.benchmarks.BenchTokens.Alg;
import dev.tokengate.jwks.KeySource;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.IssuerRouter;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.validate.CachingTokenValidator;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.HmacKey;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/**
 * Every contestant, configured as its documentation recommends for an RFC 9068 access token, each checking the
 * same things where it can: the signature with the one expected algorithm, {@code iss}, {@code aud}, {@code exp}
 * (and {@code typ at+jwt} where the library has a setting for it).
 */
final class Contestants {

    private Contestants() {
    }

    /** java-jwt's {@code JWTVerifier}, used directly (typ is not checked: java-jwt has no setting for it). */
    static JWTVerifier javaJwt(Alg alg) {
        Algorithm algorithm = switch (alg) {
            case RS256 -> Algorithm.RSA256((RSAPublicKey) TestKeys.rsa().publicKey(), null);
            case ES256 -> Algorithm.ECDSA256((ECPublicKey) TestKeys.ec256().publicKey(), null);
            case HS256 -> Algorithm.HMAC256(BenchTokens.HMAC_SECRET);
        };
        return JWT.require(algorithm)
                .withIssuer(BenchTokens.ISSUER)
                .withAudience(BenchTokens.AUDIENCE)
                .withClaimPresence("exp")
                .build();
    }

    /** Nimbus {@code DefaultJWTProcessor} over an in-memory JWK set (or the secret). */
    static DefaultJWTProcessor<SecurityContext> nimbus(Alg alg) {
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("at+jwt")));
        processor.setJWSKeySelector(switch (alg) {
            case RS256 -> new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, new ImmutableJWKSet<>(new JWKSet(jwk(alg))));
            case ES256 -> new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, new ImmutableJWKSet<>(new JWKSet(jwk(alg))));
            case HS256 -> new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new ImmutableJWKSet<>(new JWKSet(
                    new OctetSequenceKey.Builder(BenchTokens.HMAC_SECRET).keyID(BenchTokens.HMAC_KEY_ID).build())));
        });
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(BenchTokens.AUDIENCE,
                new JWTClaimsSet.Builder().issuer(BenchTokens.ISSUER).build(), Set.of("exp", "sub")));
        return processor;
    }

    /** Spring Security's {@code NimbusJwtDecoder} with its RFC 9068 validator (typ, iss, aud, exp, nbf). */
    static NimbusJwtDecoder spring(Alg alg) {
        NimbusJwtDecoder decoder = switch (alg) {
            case RS256 -> NimbusJwtDecoder.withJwkSource(new ImmutableJWKSet<>(new JWKSet(jwk(alg))))
                    .jwsAlgorithm(SignatureAlgorithm.RS256).build();
            case ES256 -> NimbusJwtDecoder.withJwkSource(new ImmutableJWKSet<>(new JWKSet(jwk(alg))))
                    .jwsAlgorithm(SignatureAlgorithm.ES256).build();
            case HS256 -> NimbusJwtDecoder.withSecretKey(new SecretKeySpec(BenchTokens.HMAC_SECRET, "HmacSHA256"))
                    .macAlgorithm(MacAlgorithm.HS256).build();
        };
        decoder.setJwtValidator(JwtValidators.createAtJwtValidator()
                .issuer(BenchTokens.ISSUER)
                .audience(BenchTokens.AUDIENCE)
                .build());
        return decoder;
    }

    /** jose4j's {@code JwtConsumer}. */
    static JwtConsumer jose4j(Alg alg) {
        JwtConsumerBuilder b = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setAllowedClockSkewInSeconds(60)
                .setExpectedIssuer(BenchTokens.ISSUER)
                .setExpectedAudience(BenchTokens.AUDIENCE)
                .setExpectedType(true, "at+jwt")
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, alg.name());
        switch (alg) {
            case RS256 -> b.setVerificationKey(TestKeys.rsa().publicKey());
            case ES256 -> b.setVerificationKey(TestKeys.ec256().publicKey());
            case HS256 -> b.setVerificationKey(new HmacKey(BenchTokens.HMAC_SECRET));
        }
        return b.build();
    }

    /**
     * tokengate's uncached stack, as {@code TokenGate} assembles it: {@code IssuerRouter → JwtValidator}, keys from
     * a {@code JwksKeySource} (warm) over the fixtures' JWKS server on loopback, or the HS256 secret.
     */
    static TokenValidator tokengate(Alg alg, LoopbackIssuer jwks) {
        JwtValidator.Builder b = JwtValidator.builder()
                .issuer(BenchTokens.ISSUER)
                .audiences(BenchTokens.AUDIENCE)
                .type("at+jwt")
                .algorithms(alg.name());
        if (alg == Alg.HS256) {
            b.hmacSecret(BenchTokens.HMAC_SECRET);
        } else {
            KeySource keys = KeySources.jwks(jwks.jwksUri()).build();
            b.keySource(keys);
        }
        return IssuerRouter.create(b.build());
    }

    /** tokengate's verified-token cache over {@link #tokengate}, with a size bound. */
    static CachingTokenValidator tokengateCached(TokenValidator uncached, long maximumSize) {
        return CachingTokenValidator.builder(uncached)
                .maximumSize(maximumSize)
                .maxTimeToLive(Duration.ofMinutes(5))
                .build();
    }

    static JWK jwk(Alg alg) {
        return switch (alg) {
            case RS256 -> new RSAKey.Builder((RSAPublicKey) TestKeys.rsa().publicKey()).keyID(TestKeys.rsa().keyId()).build();
            case ES256 -> new ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256, (ECPublicKey) TestKeys.ec256().publicKey())
                    .keyID(TestKeys.ec256().keyId()).build();
            case HS256 -> throw new IllegalArgumentException("no public key for HS256");
        };
    }
}
