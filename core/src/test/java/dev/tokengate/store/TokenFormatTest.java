package dev.tokengate.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class TokenFormatTest {

    /** RFC 6750 §2.1 b64token, as {@code BearerTokenExtractor} checks it. */
    private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

    private final TokenFormat accessTokens = TokenFormat.of(TokenKind.ACCESS_TOKEN);
    private final TokenFormat apiKeys = TokenFormat.of(TokenKind.API_KEY);

    @Test
    void generateThenPrefixAnd43Base62CharactersAndChecksumWithinB64token() {
        String token = accessTokens.generate();

        assertThat(token).hasSize(54).startsWith("tgat_").matches("tgat_[0-9A-Za-z]{49}");
        assertThat(B64TOKEN.matcher(token).matches()).isTrue();
        assertThat(apiKeys.generate()).startsWith("tgak_").hasSize(TokenFormat.LENGTH);
    }

    @Test
    void generateThenRandomPartCarriesAtLeast256Bits() {
        assertThat(TokenFormat.RANDOM_LENGTH * Math.log(62) / Math.log(2)).isGreaterThanOrEqualTo(256);
        Set<String> seen = new HashSet<>();
        Set<Character> characters = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            String token = accessTokens.generate();
            seen.add(token);
            for (char c : token.substring(5, 5 + TokenFormat.RANDOM_LENGTH).toCharArray()) {
                characters.add(c);
            }
        }
        assertThat(seen).hasSize(2000);
        assertThat(characters).hasSize(62);
    }

    @Test
    void checksumValidWhenGeneratedThenTrue() {
        for (int i = 0; i < 100; i++) {
            assertThat(accessTokens.checksumValid(accessTokens.generate())).isTrue();
            assertThat(apiKeys.checksumValid(apiKeys.generate())).isTrue();
        }
    }

    @Test
    void checksumIsCrc32OfRandomPartInSixBase62Digits() {
        String randomPart = "A".repeat(TokenFormat.RANDOM_LENGTH);
        CRC32 crc = new CRC32();
        crc.update(randomPart.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        long value = 0;
        for (char c : TokenFormat.checksum(randomPart).toCharArray()) {
            value = value * 62 + TokenFormat.ALPHABET.indexOf(c);
        }
        assertThat(value).isEqualTo(crc.getValue());
        assertThat(TokenFormat.checksum(randomPart)).hasSize(6);
    }

    @Test
    void checksumValidWhenAnyCharacterChangedThenFalse() {
        String token = accessTokens.generate();
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            char other = c == 'x' ? 'y' : 'x';
            String changed = token.substring(0, i) + other + token.substring(i + 1);
            assertThat(accessTokens.checksumValid(changed)).as("changed at %d", i).isFalse();
        }
    }

    @Test
    void checksumValidWhenOtherKindThenFalse() {
        String apiKey = apiKeys.generate();
        String accessToken = accessTokens.generate();

        assertThat(accessTokens.checksumValid(apiKey)).isFalse();
        assertThat(apiKeys.checksumValid(accessToken)).isFalse();
        assertThat(accessTokens.checksumValid("tgat_" + apiKey.substring(5))).isTrue(); // the checksum covers the random part only
    }

    @Test
    void checksumValidWhenWrongLengthOrCharactersThenFalse() {
        String token = accessTokens.generate();

        assertThat(accessTokens.checksumValid(null)).isFalse();
        assertThat(accessTokens.checksumValid("")).isFalse();
        assertThat(accessTokens.checksumValid(token.substring(1))).isFalse();
        assertThat(accessTokens.checksumValid(token + "0")).isFalse();
        assertThat(accessTokens.checksumValid(token.replace(token.charAt(10), 'é'))).isFalse();
        assertThat(accessTokens.checksumValid(token.substring(0, 10) + "-" + token.substring(11))).isFalse();
        assertThat(accessTokens.checksumValid("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln")).isFalse();
    }

    @Test
    void ofPrefixThenKindOfTheTokenOrEmpty() {
        assertThat(TokenKind.ofPrefix(apiKeys.generate())).contains(TokenKind.API_KEY);
        assertThat(TokenKind.ofPrefix(accessTokens.generate())).contains(TokenKind.ACCESS_TOKEN);
        assertThat(TokenKind.ofPrefix("eyJhbGciOiJSUzI1NiJ9")).isEmpty();
        assertThat(TokenKind.ofPrefix(null)).isEmpty();
    }

    @Test
    void toStringThenDescribesFormatOnly() {
        assertThat(accessTokens.toString()).startsWith("TokenFormat[tgat_");
    }

    @Test
    void checksumValidWhenTheRandomPartHasACharacterOutsideBase62ThenFalseEvenWithItsChecksum() {
        String base = "0".repeat(TokenFormat.RANDOM_LENGTH - 1);
        for (char c : "09AZaz".toCharArray()) {
            String randomPart = base + c;
            assertThat(accessTokens.checksumValid("tgat_" + randomPart + TokenFormat.checksum(randomPart))).as("%s", c)
                    .isTrue();
        }
        for (char c : "/:@[`{-_.~+".toCharArray()) {
            String randomPart = c + base;
            assertThat(accessTokens.checksumValid("tgat_" + randomPart + TokenFormat.checksum(randomPart))).as("%s", c)
                    .isFalse();
        }
    }

    @Test
    void kindIsTheFormatsKind() {
        assertThat(accessTokens.kind()).isEqualTo(TokenKind.ACCESS_TOKEN);
        assertThat(apiKeys.kind()).isEqualTo(TokenKind.API_KEY);
    }
}
