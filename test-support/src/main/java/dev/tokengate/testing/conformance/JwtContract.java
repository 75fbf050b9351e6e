package dev.tokengate.testing.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.testkit.TokenBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * RFC 8725 (JWT best current practices) and RFC 9068 (JWT access tokens), over HTTP: what a JWT that is not an
 * access token, is bound to a key, is encoded in more than one way or carries crafted values is answered, and that
 * no value read from an unverified token is ever sent back or logged raw.
 */
public abstract class JwtContract extends ConformanceContract {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A value crafted to forge a log line and to hide itself (CR LF, right-to-left override, line separator). */
    private static final String CRAFTED = "x\r\nINFO admin logged in \u202Ecrafted-marker\u2028";

    private static RawHttp.Response read(URI base, String token) throws IOException {
        return RawHttp.get(base, GatedApp.READ, "Authorization: Bearer " + token);
    }

    /** 401 {@code invalid_token}, and none of {@code unverified} in the challenge or the problem body. */
    private static void assertInvalidToken(RawHttp.Response r, String... unverified) {
        assertThat(r.status()).as("status; body %s", r.body()).isEqualTo(401);
        assertThat(r.challenge()).startsWith("Bearer realm=\"" + REALM + "\"").contains("error=\"invalid_token\"");
        assertThat(r.body()).contains("\"error\":\"invalid_token\"");
        for (String value : unverified) {
            assertThat(r.challenge()).doesNotContain(value);
            assertThat(r.body()).doesNotContain(value);
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A valid token whose header and payload JSON are rewritten as given (bytes), then signed over those bytes. */
    private static String signedJson(UnaryOperator<byte[]> header, UnaryOperator<byte[]> payload) {
        TokenBuilder token = TestTokens.jwt();
        return token.signEncoded(b64(header.apply(json(token.headerValues()))),
                b64(payload.apply(json(token.claimValues()))));
    }

    /** {@code object} with a first member {@code "note": "a<bytes>b"} (the bytes inserted raw). */
    private static byte[] withNote(byte[] object, byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("{\"note\":\"a".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(bytes);
        out.writeBytes("b\",".getBytes(StandardCharsets.US_ASCII));
        out.write(object, 1, object.length - 1);
        return out.toByteArray();
    }

    // --- explicit typing (RFC 8725 §3.11, RFC 9068 §2.1) ---------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"dpop+jwt", "logout+jwt", "secevent+jwt", "id_token+jwt", "application/dpop+jwt",
            "token-introspection+jwt", "x-custom+jwt"})
    void jwtWhenTypedAsAnotherKindOfJwtThenInvalidTokenEvenWithoutRequiredType(String typ) throws Exception {
        assertInvalidToken(read(base(), TestTokens.jwt().type(typ).sign()), typ);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "JWT", "at+jwt", "application/at+jwt"})
    void jwtWhenUntypedOrTypedAsAccessTokenThenServed(String typ) throws Exception {
        String token = TestTokens.jwt().type(typ.isEmpty() ? null : typ).sign();

        assertThat(read(base(), token).status()).isEqualTo(200);
    }

    // --- tokens bound to a key (RFC 8705 §3, RFC 9449 §7.2) ------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"x5t#S256", "jkt"})
    void jwtWhenBoundToAKeyAndSentAsBearerThenInvalidToken(String method) throws Exception {
        String token = TestTokens.jwt().claim("cnf", Map.of(method, "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2")).sign();

        RawHttp.Response r = read(base(), token);

        assertInvalidToken(r);
        assertThat(r.challenge()).contains(method.equals("jkt") ? "bound to a DPoP key" : "bound to a client certificate");
    }

    @Test
    void opaqueWhenBoundToAKeyAndSentAsBearerThenInvalidToken() throws Exception {
        String bound = "bound-" + UUID.randomUUID();
        String unbound = "unbound-" + UUID.randomUUID();
        String answer = "{\"active\":true,\"sub\":\"alice\",\"client_id\":\"trading-app\",\"scope\":\"read\",\"exp\":"
                + Instant.now().plusSeconds(300).getEpochSecond();
        issuer.introspectionAnswer(bound, answer + ",\"cnf\":{\"x5t#S256\":\"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2\"}}");
        issuer.introspectionAnswer(unbound, answer + "}");

        assertInvalidToken(read(base(), bound));
        assertThat(read(base(), unbound).status()).as("the same answer without cnf").isEqualTo(200);
    }

    // --- at+jwt required: the RFC 9068 §2.2 claims too -----------------------------------------------------------

    @Test
    void jwtWhenAtJwtRequiredAndAnRfc9068ClaimMissingThenInvalidToken() throws Exception {
        URI base = deploy(Map.of(ConfigKeys.JWT_TYPE, "at+jwt"));

        assertThat(read(base, TestTokens.jwt().sign()).status()).isEqualTo(200);
        for (String claim : List.of("iss", "exp", "aud", "sub", "client_id", "iat", "jti")) {
            RawHttp.Response r = read(base, TestTokens.jwt().without(claim).sign());

            assertInvalidToken(r);
            // a token without iss is refused by the issuer routing first, before its issuer's own checks
            assertThat(r.challenge()).as(claim).contains(claim.equals("iss") ? "no issuer (iss)" : "lacks the claim " + claim);
        }
        assertInvalidToken(read(base, TestTokens.jwt().type("JWT").sign()));
    }

    // --- UTF-8 JSON objects, one reading -------------------------------------------------------------------------

    @Test
    void jwtWhenHeaderAndPayloadHaveInsignificantWhitespaceThenServed() throws Exception {
        // '{ "alg"' encodes as eyAi..., not eyJ...: such a header used to be taken for an opaque token
        String spaced = signedJson(h -> new String(h, StandardCharsets.UTF_8).replace("{", "{ ").replace(":", " :\t")
                        .replace(",", ",\n ").getBytes(StandardCharsets.UTF_8),
                p -> ("\r\n" + new String(p, StandardCharsets.UTF_8).replace(",", " , ") + "\n").getBytes(StandardCharsets.UTF_8));
        String leading = signedJson(h -> ("\n\t {" + new String(h, StandardCharsets.UTF_8).substring(1))
                .getBytes(StandardCharsets.UTF_8), UnaryOperator.identity());

        assertThat(spaced).doesNotStartWith("eyJ");
        assertThat(read(base(), spaced).status()).isEqualTo(200);
        assertThat(read(base(), leading).status()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"C0AF", "E080AF", "EDA080", "80", "FF", "F4908080"})
    void jwtWhenHeaderOrPayloadNotWellFormedUtf8ThenInvalidToken(String hex) throws Exception {
        byte[] bad = HexFormat.of().parseHex(hex);

        assertInvalidToken(read(base(), signedJson(UnaryOperator.identity(), p -> withNote(p, bad))));
        assertInvalidToken(read(base(), signedJson(h -> withNote(h, bad), UnaryOperator.identity())));
    }

    @Test
    void jwtWhenPayloadHasWellFormedMultibyteUtf8ThenServed() throws Exception {
        String token = TestTokens.jwt().subject("zoë-漢字-\uD83D\uDD11").sign();

        assertThat(read(base(), token).status()).isEqualTo(200);
    }

    @Test
    void jwtWhenAMemberNameIsDuplicatedThenInvalidToken() throws Exception {
        byte[] sub = "x\",\"sub\":\"mallory\",\"y\":\"".getBytes(StandardCharsets.US_ASCII);
        byte[] escapedSub = "x\",\"s\\u0075b\":\"mallory\",\"y\":\"".getBytes(StandardCharsets.US_ASCII);
        byte[] alg = "x\",\"alg\":\"RS256\",\"y\":\"".getBytes(StandardCharsets.US_ASCII);

        assertInvalidToken(read(base(), signedJson(UnaryOperator.identity(), p -> withNote(p, sub))), "mallory");
        assertInvalidToken(read(base(), signedJson(UnaryOperator.identity(), p -> withNote(p, escapedSub))), "mallory");
        assertInvalidToken(read(base(), signedJson(h -> withNote(h, alg), UnaryOperator.identity())));
    }

    // --- canonical base64url in all three parts ------------------------------------------------------------------

    @Test
    void jwtWhenAnyPartIsNotCanonicalBase64UrlThenInvalidToken() throws Exception {
        TokenBuilder unaligned = TestTokens.jwtWithUnalignedParts();
        List<String> parts = unaligned.encodedParts();
        String valid = unaligned.signEncoded(parts.get(0), parts.get(1));
        String signature = valid.substring(valid.lastIndexOf('.') + 1);
        String signingInput = valid.substring(0, valid.lastIndexOf('.') + 1);

        assertThat(read(base(), valid).status()).isEqualTo(200);
        assertInvalidToken(read(base(), unaligned.signEncoded(TestTokens.withStrayBits(parts.get(0)), parts.get(1))));
        assertInvalidToken(read(base(), unaligned.signEncoded(parts.get(0), TestTokens.withStrayBits(parts.get(1)))));
        assertInvalidToken(read(base(), signingInput + TestTokens.withStrayBits(signature)));
        assertInvalidToken(read(base(), signingInput + TestTokens.padded(signature)));
    }

    // --- kid and NumericDate types and ranges --------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"7", "true", "{\"id\":\"rsa-1\"}", "[\"rsa-1\"]"})
    void jwtWhenKidIsNotAStringThenInvalidToken(String kid) throws Exception {
        Object value = JSON.readValue(kid, Object.class);

        assertInvalidToken(read(base(), TestTokens.jwt().header("kid", value).sign()));
    }

    @Test
    void jwtWhenNumericDateIsFractionalThenServed() throws Exception {
        String token = TestTokens.jwt().claim("exp", Instant.now().getEpochSecond() + 300.5)
                .claim("iat", Instant.now().getEpochSecond() - 0.25).sign();

        assertThat(read(base(), token).status()).isEqualTo(200);
    }

    @Test
    void jwtWhenNumericDateIsNegativeOrBeyondALongOfMillisecondsThenInvalidToken() throws Exception {
        // an nbf or iat of 1e308 used to wrap to 1970, and pass
        for (String claim : List.of("nbf", "iat", "exp")) {
            for (Object value : List.<Object>of(1e308, Long.MAX_VALUE / 1000 + 1, -1L, -0.5)) {
                RawHttp.Response r = read(base(), TestTokens.jwt().claim(claim, value).sign());

                assertThat(r.status()).as("%s = %s", claim, value).isEqualTo(401);
                assertInvalidToken(r);
            }
        }
    }

    // --- unknown kid: 401 while the JWKS answers, 503 only when it cannot be fetched ------------------------------

    @Test
    void jwtWhenKidUnknownAndJwksJustRefetchedOrRefetchRateLimitedThenInvalidToken() throws Exception {
        try (LoopbackIssuer keys = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()))) {
            URI base = deploy(Map.of(ConfigKeys.JWT_JWKS_URI, keys.jwksUri().toString(),
                    ConfigKeys.JWKS_REFETCH_INTERVAL, "1h"));
            assertThat(read(base, jwt("read")).status()).isEqualTo(200);
            int fetched = keys.jwksRequests();

            RawHttp.Response refetched = read(base, TestTokens.jwt().signedWith(TestKeys.rsa2()).sign());
            assertThat(keys.jwksRequests()).as("refetched for the unknown kid").isEqualTo(fetched + 1);
            RawHttp.Response rateLimited = read(base, TestTokens.jwt().signedWith(TestKeys.rsa2()).keyId("kid-" + UUID.randomUUID()).sign());
            assertThat(keys.jwksRequests()).as("not refetched again within the interval").isEqualTo(fetched + 1);

            assertInvalidToken(refetched, "rsa-2");
            assertInvalidToken(rateLimited, "kid-");
        }
    }

    @Test
    void jwtWhenKidUnknownAndJwksCannotBeFetchedThen503() throws Exception {
        try (LoopbackIssuer keys = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()))) {
            URI base = deploy(Map.of(ConfigKeys.JWT_JWKS_URI, keys.jwksUri().toString()));
            assertThat(read(base, jwt("read")).status()).isEqualTo(200);
            keys.down();

            RawHttp.Response unknown = read(base, TestTokens.jwt().signedWith(TestKeys.rsa2()).sign());
            RawHttp.Response known = read(base, jwt("read"));

            assertThat(unknown.status()).isEqualTo(503);
            assertThat(unknown.headers("Retry-After")).hasSize(1);
            assertThat(unknown.challenge()).as("not the client's fault").isNull();
            assertThat(unknown.body()).doesNotContain("rsa-2");
            assertThat(known.status()).as("known keys still served").isEqualTo(200);
        }
    }

    @Test
    void jwtWhenJwksDownAndNothingCachedThen503() throws Exception {
        try (LoopbackIssuer keys = LoopbackIssuer.start().down()) {
            URI base = deploy(Map.of(ConfigKeys.JWT_JWKS_URI, keys.jwksUri().toString()));

            assertThat(read(base, jwt("read")).status()).isEqualTo(503);
        }
    }

    // --- never echo what was not verified ------------------------------------------------------------------------

    @Test
    void jwtWhenAnUnverifiedValueIsRefusedThenNeitherAnswerNorLogShowsItRaw() throws Exception {
        Logger tokengate = (Logger) LoggerFactory.getLogger("dev.tokengate");
        Level level = tokengate.getLevel();
        URI base = deploy(Map.of(ConfigKeys.JWT_TYPE, "at+jwt", ConfigKeys.JWT_ALGORITHMS, "RS256"));
        List<String> tokens = List.of(TestTokens.jwt().issuer(CRAFTED).sign(), TestTokens.jwt().audience(CRAFTED).sign(),
                TestTokens.jwt().header("alg", CRAFTED).sign(), TestTokens.jwt().type(CRAFTED).sign(),
                TestTokens.jwt().keyId(CRAFTED).sign());
        tokengate.setLevel(Level.DEBUG);
        try (LogCapture logs = LogCapture.start()) {
            for (String token : tokens) {
                assertInvalidToken(read(base, token), "crafted-marker");
            }
            List<String> lines = logs.lines();

            assertThat(lines).filteredOn(line -> line.contains("crafted-marker")).isNotEmpty()
                    .allSatisfy(line -> assertThat(line).doesNotContain("\r", "\n", "\u202E", "\u2028")
                            .contains("\\u000D\\u000AINFO admin logged in \\u202Ecrafted-marker\\u2028"));
        } finally {
            tokengate.setLevel(level);
        }
    }
}
