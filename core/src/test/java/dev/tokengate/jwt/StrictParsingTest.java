package dev.tokengate.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokengate.InvalidTokenException;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.testkit.TokenBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One token, one reading: each part of a JWT is canonical base64url and UTF-8 JSON, or the token is refused with the
 * message of every other malformed JWT. Each variant below is correctly signed over its own characters, and
 * {@link Base64#getUrlDecoder()} decodes it to the same header, claims and signature as the valid token: only the
 * encoding differs, which a lenient parser would let through as a second token (a second fingerprint, a second
 * cache key) for the same claims.
 */
class StrictParsingTest {

    private static final Instant NOW = Instant.parse("2026-11-29T09:55:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String NOT_A_JWT = "The token is not a JWT";

    private final JwtValidator validator = JwtValidator.builder()
            .issuer(TestTokens.ISSUER)
            .audiences(TestTokens.AUDIENCE)
            .keySource(TestKeys.keySource(TestKeys.rsa(), TestKeys.ec256()))
            .clock(CLOCK)
            .build();

    private final TokenBuilder unaligned = TestTokens.jwtWithUnalignedParts().clock(CLOCK);

    private String rejectedMessage(String token) {
        InvalidTokenException e = catchThrowableOfType(() -> validator.validate(token), InvalidTokenException.class);
        assertThat(e).as("expected the token to be refused").isNotNull();
        assertThat(e.getMessage()).doesNotContain(token);
        return e.getMessage();
    }

    /** The valid token with its header and payload re-encoded by {@code header} and {@code payload}, then signed. */
    private String signedVariant(UnaryOperator<String> header, UnaryOperator<String> payload) {
        List<String> parts = unaligned.encodedParts();
        return unaligned.signEncoded(header.apply(parts.get(0)), payload.apply(parts.get(1)));
    }

    private static String varySignature(String token, UnaryOperator<String> how) {
        int dot = token.lastIndexOf('.');
        return token.substring(0, dot + 1) + how.apply(token.substring(dot + 1));
    }

    @Test
    void validateWhenCanonicalThenVerified() {
        String token = signedVariant(UnaryOperator.identity(), UnaryOperator.identity());

        assertThat(validator.validate(token).subject()).contains(TestTokens.SUBJECT);
        assertThat(validator.validate(unaligned.signedWith(TestKeys.ec256()).sign()).subject())
                .contains(TestTokens.SUBJECT);
    }

    @Test
    void validateWhenHeaderPaddedThenNotAJwt() {
        String token = signedVariant(TestTokens::padded, UnaryOperator.identity());

        assertThat(lenientlyDecodedPart(token, 0)).contains("\"alg\":\"RS256\"");
        assertThat(rejectedMessage(token)).isEqualTo(NOT_A_JWT);
    }

    @Test
    void validateWhenPayloadPaddedThenNotAJwt() {
        String token = signedVariant(UnaryOperator.identity(), TestTokens::padded);

        assertThat(lenientlyDecodedPart(token, 1)).contains("\"sub\":\"alice\"");
        assertThat(rejectedMessage(token)).isEqualTo(NOT_A_JWT);
    }

    @Test
    void validateWhenSignaturePaddedThenNotAJwt() {
        for (String token : List.of(unaligned.sign(), unaligned.signedWith(TestKeys.ec256()).sign())) {
            String padded = varySignature(token, TestTokens::padded);

            assertThat(Base64.getUrlDecoder().decode(padded.substring(padded.lastIndexOf('.') + 1)))
                    .isEqualTo(Base64.getUrlDecoder().decode(token.substring(token.lastIndexOf('.') + 1)));
            assertThat(rejectedMessage(padded)).isEqualTo(NOT_A_JWT);
        }
    }

    @Test
    void validateWhenHeaderFinalCharacterHasStrayBitsThenNotAJwt() {
        String token = signedVariant(TestTokens::withStrayBits, UnaryOperator.identity());

        assertThat(lenientlyDecodedPart(token, 0)).isEqualTo(lenientlyDecodedPart(unaligned.sign(), 0));
        assertThat(rejectedMessage(token)).isEqualTo(NOT_A_JWT);
    }

    @Test
    void validateWhenPayloadFinalCharacterHasStrayBitsThenNotAJwt() {
        String token = signedVariant(UnaryOperator.identity(), TestTokens::withStrayBits);

        assertThat(lenientlyDecodedPart(token, 1)).contains("\"sub\":\"alice\"");
        assertThat(rejectedMessage(token)).isEqualTo(NOT_A_JWT);
    }

    @Test
    void validateWhenSignatureFinalCharacterHasStrayBitsThenNotAJwt() {
        for (String token : List.of(unaligned.sign(), unaligned.signedWith(TestKeys.ec256()).sign())) {
            String varied = varySignature(token, TestTokens::withStrayBits);

            assertThat(Base64.getUrlDecoder().decode(varied.substring(varied.lastIndexOf('.') + 1)))
                    .as("a lenient decoder reads the same signature")
                    .isEqualTo(Base64.getUrlDecoder().decode(token.substring(token.lastIndexOf('.') + 1)));
            assertThat(validator.validate(token).subject()).contains(TestTokens.SUBJECT);
            assertThat(rejectedMessage(varied)).isEqualTo(NOT_A_JWT);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"+", "/", "~", " ", "\n", "é"})
    void validateWhenAnyPartHasCharacterOutsideBase64UrlThenNotAJwt(String character) {
        String token = unaligned.sign();
        String[] parts = token.split("\\.");
        for (int i = 0; i < 3; i++) {
            parts[i] = parts[i].substring(0, 4) + character + parts[i].substring(4);
            assertThat(rejectedMessage(String.join(".", parts))).isEqualTo(NOT_A_JWT);
            parts = token.split("\\.");
        }
    }

    @Test
    void validateWhenPartLengthIsOnePastAMultipleOfFourThenNotAJwt() {
        String token = varySignature(unaligned.sign(), s -> s.substring(0, s.length() - (s.length() % 4) + 1));

        assertThat(rejectedMessage(token)).isEqualTo(NOT_A_JWT);
    }

    @Test
    void validateWhenHeaderIsUtf16ThenNotAJwt() {
        String header = "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}";
        String token = unaligned.signEncoded(b64(header.getBytes(StandardCharsets.UTF_16LE)),
                unaligned.encodedParts().get(1));

        assertThat(rejectedMessage(token)).isEqualTo(NOT_A_JWT);
    }

    @Test
    void validateWhenHeaderStartsWithByteOrderMarkThenNotAJwt() {
        String header = "\uFEFF{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}";
        String token = unaligned.signEncoded(b64(header.getBytes(StandardCharsets.UTF_8)),
                unaligned.encodedParts().get(1));

        assertThat(rejectedMessage(token)).isEqualTo(NOT_A_JWT);
    }

    @Test
    void validateWhenClaimsFollowedByMoreJsonThenNotAJwt() {
        String token = signedVariant(UnaryOperator.identity(),
                p -> b64((new String(Base64.getUrlDecoder().decode(p), StandardCharsets.UTF_8)
                        + "{\"sub\":\"mallory\"}").getBytes(StandardCharsets.UTF_8)));

        assertThat(rejectedMessage(token)).isEqualTo(NOT_A_JWT);
    }

    @Test
    void validateWhenHeaderHasLeadingWhitespaceThenStillJson() {
        String token = signedVariant(h -> b64((" \n" + new String(Base64.getUrlDecoder().decode(h),
                StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)), UnaryOperator.identity());

        assertThat(validator.validate(token).subject()).contains(TestTokens.SUBJECT);
    }

    @Test
    void validateWhenHeaderAndClaimsHaveWhitespaceEverywhereJsonAllowsThenVerified() {
        String token = signedVariant(h -> b64(pretty(h).getBytes(StandardCharsets.UTF_8)),
                p -> b64(pretty(p).getBytes(StandardCharsets.UTF_8)));

        assertThat(validator.validate(token).subject()).contains(TestTokens.SUBJECT);
    }

    /** The JSON of a base64url part with space, tab, CR and LF around every structural character. */
    private static String pretty(String part) {
        String json = new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder("\r\n");
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '"' && (i == 0 || json.charAt(i - 1) != '\\')) {
                inString = !inString;
            }
            boolean structural = !inString && "{}[],:".indexOf(c) >= 0;
            out.append(structural ? " \t" : "").append(c).append(structural ? "\n  " : "");
        }
        return out.append("\t\r\n").toString();
    }

    @Test
    void validateWhenClaimsHaveWellFormedMultibyteUtf8ThenVerified() {
        String token = unaligned.claim("name", "Zoë Ångström 漢字 \uD83D\uDD11").sign();

        assertThat(validator.validate(token).claims()).containsEntry("name", "Zoë Ångström 漢字 \uD83D\uDD11");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "C0AF",       // overlong '/'
            "E080AF",     // overlong '/', three bytes
            "F08082AF",   // overlong, four bytes
            "EDA080",     // U+D800, a surrogate, encoded
            "EDBFBF",     // U+DFFF
            "80",         // a continuation byte out of sequence
            "BF",
            "FF",         // never valid in UTF-8
            "FE",
            "C3",         // a sequence cut short (then the closing quote)
            "E282",
            "F4908080"})  // beyond U+10FFFF
    void validateWhenClaimsOrHeaderNotWellFormedUtf8ThenNotAJwt(String hex) {
        byte[] bad = java.util.HexFormat.of().parseHex(hex);
        List<String> parts = unaligned.encodedParts();

        String inClaims = unaligned.signEncoded(parts.get(0), b64(withMember(parts.get(1), bad)));
        String inHeader = unaligned.signEncoded(b64(withMember(parts.get(0), bad)), parts.get(1));

        assertThat(rejectedMessage(inClaims)).isEqualTo(NOT_A_JWT);
        assertThat(rejectedMessage(inHeader)).isEqualTo(NOT_A_JWT);
    }

    /** The JSON of a base64url part with a first member {@code "note": "a<bytes>b"}. */
    private static byte[] withMember(String part, byte[] bytes) {
        byte[] json = Base64.getUrlDecoder().decode(part);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes("{\"note\":\"a".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(bytes);
        out.writeBytes("b\",".getBytes(StandardCharsets.US_ASCII));
        out.write(json, 1, json.length - 1);
        return out.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"alg\":\"RS256\"}",
            "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"\\u0061lg\":\"RS256\"}"})
    void validateWhenHeaderHasADuplicateMemberEvenEscapedThenNotAJwt(String header) {
        String token = unaligned.signEncoded(b64(header.getBytes(StandardCharsets.UTF_8)), unaligned.encodedParts().get(1));

        assertThat(rejectedMessage(token)).isEqualTo(NOT_A_JWT);
    }

    @Test
    void validateWhenClaimsHaveADuplicateMemberSpelledWithAnEscapeThenNotAJwt() {
        String token = signedVariant(UnaryOperator.identity(), p -> b64(withMember(p,
                ("x\",\"s\\u0075b\":\"mallory\",\"y\":\"").getBytes(StandardCharsets.US_ASCII))));

        assertThat(rejectedMessage(token)).isEqualTo(NOT_A_JWT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"e30", "e30.e30", "e30.e30.e30.e30", "e30.e30.e30.e30.e30.e30", "e30.e30.e30.e30.e30.e30.e30",
            ".e30.", "e30..", "..", "...."})
    void parseWhenNotThreePartsThenNotAJwtAndFiveIsEncrypted(String token) {
        InvalidTokenException e = catchThrowableOfType(() -> ParsedJwt.parse(token), InvalidTokenException.class);

        assertThat(e.getMessage()).isEqualTo(token.chars().filter(c -> c == '.').count() == 4
                ? "The token is encrypted (JWE); encrypted tokens are not accepted, send a signed JWT" : NOT_A_JWT);
    }

    @Test
    void parseWhenThreePartsThenEachReadFromItsOwnRange() {
        ParsedJwt jwt = ParsedJwt.parse("eyJhIjoxfQ.eyJpc3MiOiJ4In0.QUJD");

        assertThat(jwt.header()).isEqualTo(java.util.Map.of("a", 1L));
        assertThat(jwt.issuer()).contains("x");
        assertThat(jwt.signature()).isEqualTo("ABC".getBytes(StandardCharsets.US_ASCII));
        assertThat(jwt.signingInputLength()).isEqualTo("eyJhIjoxfQ.eyJpc3MiOiJ4In0".length());
        assertThat(jwt.toString()).isEqualTo("ParsedJwt[header=[a]]");
    }

    // --- the decoder itself ----------------------------------------------------------------------------------------

    @Test
    void decodeWhenCanonicalThenSameBytesAsTheJdkForEveryLength() {
        Random random = new Random(42);
        for (int length = 0; length <= 70; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            byte[] encoded = Base64.getUrlEncoder().withoutPadding().encode(bytes);

            assertThat(Base64Url.decode(encoded, 0, encoded.length)).as("length %d", length).isEqualTo(bytes);
        }
    }

    @Test
    void decodeWhenEveryFinalCharacterTriedThenOnlyTheCanonicalOneAccepted() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (String prefix : List.of("Q", "QU")) { // 2 and 3 characters: 4 and 2 unused bits
            int accepted = 0;
            for (char c : alphabet.toCharArray()) {
                byte[] text = (prefix + c).getBytes(StandardCharsets.US_ASCII);
                try {
                    byte[] bytes = Base64Url.decode(text, 0, text.length);
                    assertThat(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)).isEqualTo(prefix + c);
                    accepted++;
                } catch (IllegalArgumentException e) {
                    assertThat(Base64.getUrlDecoder().decode(prefix + c)).as("the JDK accepts %s", prefix + c).isNotNull();
                }
            }
            assertThat(accepted).isEqualTo(prefix.length() == 1 ? 4 : 16);
        }
    }

    @Test
    void decodeWhenRangeGivenThenOnlyThatRangeRead() {
        byte[] text = "xx.QUJD.yy".getBytes(StandardCharsets.US_ASCII);

        assertThat(Base64Url.decode(text, 3, 7)).isEqualTo("ABC".getBytes(StandardCharsets.US_ASCII));
        assertThat(Base64Url.decode(text, 3, 3)).isEmpty();
        assertThatThrownBy(() -> Base64Url.decode(text, 0, 7)).isInstanceOf(IllegalArgumentException.class);
    }

    private static String lenientlyDecodedPart(String token, int index) {
        return new String(Base64.getUrlDecoder().decode(token.split("\\.")[index]), StandardCharsets.UTF_8);
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
