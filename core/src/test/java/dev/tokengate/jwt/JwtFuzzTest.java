package dev.tokengate.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.VerifiedToken;
import dev.tokengate.testing.FuzzInput;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testkit.SigningKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Fuzzes the one JWT parser and the validators behind an {@link IssuerRouter}: an HS256 issuer
 * ({@code https://hmac.test}) and an RS256 issuer ({@code https://rsa.test}, {@link TestKeys#rsa()}), both for the
 * audience {@code api}. Input lines: {@code T:} a raw token (used as it is, when present), else {@code H:} the header
 * JSON, {@code C:} the claims JSON and {@code S:} how the token is signed: {@code hmac} or {@code rsa} with the
 * test keys, {@code attacker} with another HMAC secret, {@code confusion} with HS256 keyed by the RSA public key,
 * {@code untrusted} with another RSA key, anything else is the signature's bytes.
 */
class JwtFuzzTest {

    private static final byte[] SECRET = "the-fuzz-tests-hs256-secret-32-bytes-long".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final IssuerRouter ROUTER = IssuerRouter.create(
            JwtValidator.builder().issuer("https://hmac.test").audiences("api").hmacSecret(SECRET).clock(CLOCK).build(),
            JwtValidator.builder().issuer("https://rsa.test").audiences("api")
                    .keySource(TestKeys.keySource(TestKeys.rsa())).clock(CLOCK).build());
    private static final Set<String> TRUSTED_SIGNERS = Set.of("hmac", "rsa");

    /**
     * Validation answers a verified token or throws {@link InvalidTokenException} with a message that does not
     * contain the token, never another exception; it accepts only tokens signed with the test keys, by a trusted
     * issuer, for the audience, unexpired.
     */
    @FuzzTest(maxDuration = "30s")
    void validateThrowsOnlyInvalidTokenAndAcceptsOnlyTokensSignedByTheTestKeys(byte[] data) throws Exception {
        FuzzInput in = FuzzInput.of(data);
        String signer = in.first('S', "");
        String token = in.all('T').isEmpty()
                ? token(bytes(in.first('H', "")), bytes(in.first('C', "")), signer)
                : in.first('T', "");

        VerifiedToken verified;
        try {
            verified = ROUTER.validate(token);
        } catch (InvalidTokenException e) {
            assertThat(e.getMessage()).isNotBlank();
            if (token.length() >= 8) {
                assertThat(e.getMessage()).doesNotContain(token);
            }
            return;
        }
        assertThat(in.all('T')).as("a raw token cannot carry a valid signature").isEmpty();
        assertThat(signer).isIn(TRUSTED_SIGNERS);
        assertThat(verified.issuer()).contains(signer.equals("hmac") ? "https://hmac.test" : "https://rsa.test");
        assertThat(verified.audiences()).contains("api");
        assertThat(verified.getName()).isNotEmpty();
        assertThat(verified.expiresAt()).hasValueSatisfying(exp -> assertThat(exp).isAfter(NOW.minusSeconds(61)));
    }

    private static byte[] bytes(String field) {
        return field.getBytes(StandardCharsets.ISO_8859_1); // FuzzInput read the bytes as ISO-8859-1: the same bytes
    }

    static String token(byte[] header, byte[] claims, String signer) throws GeneralSecurityException {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(header) + "." + b64.encodeToString(claims);
        byte[] input = signingInput.getBytes(StandardCharsets.US_ASCII);
        byte[] signature = switch (signer) {
            case "hmac" -> hmac(SECRET, input);
            case "attacker" -> hmac("another-secret-that-is-also-32-bytes-long".getBytes(StandardCharsets.UTF_8), input);
            case "confusion" -> hmac(TestKeys.rsa().publicKey().getEncoded(), input);
            case "rsa" -> rsa(TestKeys.rsa(), input);
            case "untrusted" -> rsa(TestKeys.untrustedRsa(), input);
            default -> bytes(signer);
        };
        return signingInput + "." + b64.encodeToString(signature);
    }

    private static byte[] hmac(byte[] key, byte[] input) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(input);
    }

    private static byte[] rsa(SigningKey key, byte[] input) throws GeneralSecurityException {
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(key.privateKey());
        signature.update(input);
        return signature.sign();
    }
}
