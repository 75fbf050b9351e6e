package dev.tokengate.benchmarks;

import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.tokengate.TokenValidator;
import dev.tokengate.VerifiedToken;
import dev.tokengate.benchmarks.BenchTokens.Alg;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.validate.CachingTokenValidator;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Token validation, one contestant per method, all in one run on the same tokens and keys.
 *
 * <p>Every "first-seen" contestant walks the same ring of 4,096 distinct tokens (each signed once, its own
 * {@code jti} and {@code sub}), one token per invocation, so no contestant can profit from having seen a token
 * before. tokengate's first-seen figure is its production stack (verified-token cache → issuer router → JWT
 * validator → JWKS key source, warm) with the cache bounded to {@value #MISS_CACHE_SIZE} entries, so that the ring's
 * tokens miss: each pays the digest, the miss, the validation and the insert. (Caffeine's TinyLFU admission keeps
 * up to {@value #MISS_CACHE_SIZE} early entries against a cyclic scan, so at most 16 of the 4096 tokens, 0.4 %, may hit.) The cache-hit figures use
 * one repeated token.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class TokenValidationBenchmark {

    /** Distinct tokens per algorithm; a power of two (the CI smoke run makes it smaller). */
    static final int RING = Integer.getInteger("tokengate.bench.ring", 4096);
    /** The cache bound of the first-seen stack: far below the ring, so every lookup misses. */
    static final int MISS_CACHE_SIZE = 16;

    @Param({"RS256", "ES256", "HS256"})
    public String alg;

    String[] ring;
    String repeated;

    LoopbackIssuer jwks;
    JWTVerifier javaJwt;
    DefaultJWTProcessor<SecurityContext> nimbus;
    NimbusJwtDecoder spring;
    JwtConsumer jose4j;
    TokenValidator tokengateUncached;
    CachingTokenValidator tokengateFirstSeen;
    CachingTokenValidator tokengateCached;
    /** The first-seen cache over a validator that answers at once: the miss path's own cost. */
    CachingTokenValidator missPathOnly;
    Cache<ByteBuffer, Object> floorCache;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Alg a = Alg.valueOf(alg);
        ring = BenchTokens.ring(a, RING);
        repeated = BenchTokens.token(a);
        jwks = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa(), TestKeys.ec256())).cacheControl("max-age=3600");
        javaJwt = Contestants.javaJwt(a);
        nimbus = Contestants.nimbus(a);
        spring = Contestants.spring(a);
        jose4j = Contestants.jose4j(a);
        tokengateUncached = Contestants.tokengate(a, jwks);
        tokengateFirstSeen = Contestants.tokengateCached(tokengateUncached, MISS_CACHE_SIZE);
        tokengateCached = Contestants.tokengateCached(tokengateUncached, CachingTokenValidator.DEFAULT_MAXIMUM_SIZE);
        VerifiedToken answer = tokengateUncached.validate(repeated);
        missPathOnly = Contestants.tokengateCached(token -> answer, MISS_CACHE_SIZE);
        floorCache = Caffeine.newBuilder().maximumSize(CachingTokenValidator.DEFAULT_MAXIMUM_SIZE).build();
        floorCache.put(ByteBuffer.wrap(sha256().digest(repeated.getBytes(StandardCharsets.US_ASCII))), Boolean.TRUE);

        // Every contestant must accept the tokens, or it would be measuring its exception path.
        for (String token : new String[] {ring[0], repeated}) {
            javaJwt.verify(token);
            nimbus.process(token, null);
            spring.decode(token);
            jose4j.processToClaims(token);
            tokengateUncached.validate(token);
            tokengateFirstSeen.validate(token);
            tokengateCached.validate(token);
        }
        JcaState jca = new JcaState();
        jca.setUp(this);
        if (!jca.verify(ring[0])) {
            throw new IllegalStateException("the JCA floor rejects the token");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        jwks.close();
    }

    /** Each thread's position in the ring. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        String token(TokenValidationBenchmark b) {
            return b.ring[next++ & (b.ring.length - 1)];
        }
    }

    /** The floor: one {@link Signature} or {@link Mac} per thread, initialised once, over the signing input. */
    @State(Scope.Thread)
    public static class JcaState {
        Signature signature;
        java.security.PublicKey key;
        Mac mac;
        MessageDigest sha256;

        @Setup(Level.Trial)
        public void setUp(TokenValidationBenchmark b) throws GeneralSecurityException {
            switch (Alg.valueOf(b.alg)) {
                case RS256 -> {
                    signature = Signature.getInstance("SHA256withRSA");
                    key = TestKeys.rsa().publicKey();
                }
                case ES256 -> {
                    signature = Signature.getInstance("SHA256withECDSAinP1363Format");
                    key = TestKeys.ec256().publicKey();
                }
                case HS256 -> {
                    mac = Mac.getInstance("HmacSHA256");
                    mac.init(new SecretKeySpec(BenchTokens.HMAC_SECRET, "HmacSHA256"));
                }
            }
            sha256 = sha256();
        }

        boolean verify(String token) throws GeneralSecurityException {
            int dot = token.lastIndexOf('.');
            byte[] bytes = token.getBytes(StandardCharsets.US_ASCII);
            byte[] signed = Base64.getUrlDecoder().decode(token.substring(dot + 1));
            if (mac != null) {
                mac.update(bytes, 0, dot);
                return MessageDigest.isEqual(mac.doFinal(), signed);
            }
            signature.initVerify(key);
            signature.update(bytes, 0, dot);
            return signature.verify(signed);
        }
    }

    @Benchmark
    public boolean jcaFloor(Cursor c, JcaState jca) throws GeneralSecurityException {
        return jca.verify(c.token(this));
    }

    @Benchmark
    public DecodedJWT javaJwt(Cursor c) {
        return javaJwt.verify(c.token(this));
    }

    @Benchmark
    public JWTClaimsSet nimbus(Cursor c) throws Exception {
        return nimbus.process(c.token(this), null);
    }

    @Benchmark
    public Jwt springDecoder(Cursor c) {
        return spring.decode(c.token(this));
    }

    @Benchmark
    public JwtClaims jose4j(Cursor c) throws Exception {
        return jose4j.processToClaims(c.token(this));
    }

    @Benchmark
    public VerifiedToken tokengateFirstSeen(Cursor c) {
        return tokengateFirstSeen.validate(c.token(this));
    }

    @Benchmark
    public VerifiedToken tokengateUncached(Cursor c) {
        return tokengateUncached.validate(c.token(this));
    }

    /**
     * The verified-token cache's miss path alone (digest, miss, insert, eviction) over a validator that answers at
     * once, on the same ring and bound as {@link #tokengateFirstSeen}: what the cache adds to a first-seen token.
     */
    @Benchmark
    public VerifiedToken cacheMissPath(Cursor c) {
        return missPathOnly.validate(c.token(this));
    }

    @Benchmark
    public VerifiedToken tokengateCacheHit() {
        return tokengateCached.validate(repeated);
    }

    /** The floor of a cache hit: SHA-256 of the token and one Caffeine lookup. */
    @Benchmark
    public Object cacheFloor(JcaState jca) {
        byte[] digest = jca.sha256.digest(repeated.getBytes(StandardCharsets.US_ASCII));
        return floorCache.getIfPresent(ByteBuffer.wrap(digest));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
