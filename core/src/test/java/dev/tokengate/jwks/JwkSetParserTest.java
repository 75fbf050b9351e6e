package dev.tokengate.jwks;

import static dev.tokengate.jwks.Jwks.EC_256;
import static dev.tokengate.jwks.Jwks.EC_384;
import static dev.tokengate.jwks.Jwks.EC_521;
import static dev.tokengate.jwks.Jwks.RSA_1024;
import static dev.tokengate.jwks.Jwks.RSA_2048;
import static dev.tokengate.jwks.Jwks.ecJwk;
import static dev.tokengate.jwks.Jwks.kids;
import static dev.tokengate.jwks.Jwks.rsaJwk;
import static dev.tokengate.jwks.Jwks.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokengate.testing.LogCapture;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JwkSetParserTest {

    private static List<VerificationKey> parse(String json) throws Exception {
        return JwkSetParser.parse(json.getBytes(StandardCharsets.UTF_8), "test");
    }

    @Test
    void parseWhenRsaKeyThenPublicKeyWithKidAndAlg() throws Exception {
        List<VerificationKey> keys = parse(set(rsaJwk("r1", RSA_2048)));

        assertThat(keys).singleElement().satisfies(k -> {
            assertThat(k.keyId()).contains("r1");
            assertThat(k.algorithm()).contains("RS256");
            assertThat(k.publicKey()).isEqualTo(RSA_2048.getPublic());
        });
    }

    @Test
    void parseWhenEcKeysOnEachCurveThenAllParsed() throws Exception {
        List<VerificationKey> keys = parse(set(ecJwk("e256", "P-256", EC_256), ecJwk("e384", "P-384", EC_384),
                ecJwk("e521", "P-521", EC_521)));

        assertThat(kids(keys)).containsExactly("e256", "e384", "e521");
        assertThat(keys).extracting(VerificationKey::publicKey)
                .containsExactly(EC_256.getPublic(), EC_384.getPublic(), EC_521.getPublic());
        assertThat(keys).allSatisfy(k -> assertThat(k.algorithm()).isEmpty());
    }

    @Test
    void parseWhenRsaKeyUnder2048BitsThenSkipped() throws Exception {
        assertThat(kids(parse(set(rsaJwk("small", RSA_1024), rsaJwk("big", RSA_2048))))).containsExactly("big");
    }

    @Test
    void parseWhenEncryptionOctOrUnknownKeysThenOnlySignatureKeysKept() throws Exception {
        String enc = rsaJwk("enc", RSA_2048).replace("\"use\":\"sig\"", "\"use\":\"enc\"");
        String oct = "{\"kty\":\"oct\",\"kid\":\"secret\",\"k\":\"c2VjcmV0\"}";
        String okp = "{\"kty\":\"OKP\",\"kid\":\"ed\",\"crv\":\"Ed25519\",\"x\":\"AAAA\"}";
        String noVerify = rsaJwk("wrap", RSA_2048).replace("\"use\":\"sig\",", "\"key_ops\":[\"wrapKey\"],");

        List<VerificationKey> keys = parse(set(enc, oct, okp, noVerify, ecJwk("ok", "P-256", EC_256)));

        assertThat(kids(keys)).containsExactly("ok");
    }

    @Test
    void parseWhenKeyMalformedThenSkippedAndRestKept() throws Exception {
        String missingN = "{\"kty\":\"RSA\",\"kid\":\"bad\",\"e\":\"AQAB\"}";
        String notBase64 = "{\"kty\":\"RSA\",\"kid\":\"worse\",\"n\":\"***\",\"e\":\"AQAB\"}";
        String offCurve = ecJwk("off", "P-256", EC_256).replaceFirst("\"y\":\"[^\"]+\"", "\"y\":\"AQ\"");
        String wrongAlg = ecJwk("alg", "P-256", EC_256).replace("\"kty\"", "\"alg\":\"ES384\",\"kty\"");
        String unknownCurve = ecJwk("curve", "P-256", EC_256).replace("P-256", "secp256k1");

        List<VerificationKey> keys = parse(set(missingN, notBase64, offCurve, wrongAlg, unknownCurve, "42",
                rsaJwk("good", RSA_2048)));

        assertThat(kids(keys)).containsExactly("good");
    }

    @Test
    void parseWhenX5cOrX5uPresentThenIgnored() throws Exception {
        String withX5u = rsaJwk("r", RSA_2048)
                .replace("\"kty\"", "\"x5u\":\"http://127.0.0.1:1/evil\",\"x5c\":[\"bm90IGEgY2VydA\"],\"kty\"");

        assertThat(kids(parse(set(withX5u)))).containsExactly("r");
    }

    @Test
    void parseWhenNoKidThenKeyKeptWithoutKid() throws Exception {
        String noKid = rsaJwk("x", RSA_2048).replace("\"kid\":\"x\",", "");

        assertThat(parse(set(noKid))).singleElement().satisfies(k -> assertThat(k.keyId()).isEqualTo(Optional.empty()));
    }

    @Test
    void parseWhenNotJsonOrNoKeysArrayThenFails() {
        assertThatThrownBy(() -> parse("<html>")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> parse("[]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> parse("{\"keys\":{}}")).hasMessageContaining("\"keys\"");
        assertThatThrownBy(() -> parse("{}")).hasMessageContaining("\"keys\"");
    }

    @Test
    void parseWhenEmptyKeysThenEmptySet() throws Exception {
        assertThat(parse("{\"keys\":[]}")).isEmpty();
    }

    private static List<String> warnings(LogCapture logs) {
        return logs.lines(JwkSetParser.class.getName());
    }

    @Test
    void parseWhenKeysSkippedThenEachWarningNamesTheKeyByKidOrPosition() throws Exception {
        String noKidSmall = rsaJwk("x", RSA_1024).replace("\"kid\":\"x\",", "");
        try (LogCapture logs = LogCapture.start()) {
            parse(set(rsaJwk("big", RSA_2048), noKidSmall, rsaJwk("small", RSA_1024), "42"));

            assertThat(warnings(logs)).containsExactly(
                    "Skipping key #1 (no kid) of test: RSA key of 1024 bits, at least 2048 required",
                    "Skipping kid 'small' of test: RSA key of 1024 bits, at least 2048 required",
                    "Skipping key #3 of test: not a JSON object");
        }
    }

    @Test
    void parseWhenPrivateKeyMaterialThenWarnedAndOnlyThePublicPartKept() throws Exception {
        String withD = rsaJwk("leaky", RSA_2048).replace("\"kty\"", "\"d\":\"AQAB\",\"kty\"");
        try (LogCapture logs = LogCapture.start()) {
            List<VerificationKey> keys = parse(set(withD, rsaJwk("clean", RSA_2048)));

            assertThat(kids(keys)).containsExactly("leaky", "clean");
            assertThat(warnings(logs)).containsExactly("kid 'leaky' of test contains private key material; only its "
                    + "public part is used");
        }
    }

    @Test
    void parseWhenKeyOpsListVerifyThenKeptWhateverElseTheyList() throws Exception {
        String verify = rsaJwk("v", RSA_2048).replace("\"use\":\"sig\",", "\"key_ops\":[\"verify\"],");
        String signAndVerify = rsaJwk("sv", RSA_2048).replace("\"use\":\"sig\",", "\"key_ops\":[1,\"sign\",\"verify\"],");
        String notText = rsaJwk("n", RSA_2048).replace("\"use\":\"sig\",", "\"key_ops\":[{\"verify\":true}],");

        assertThat(kids(parse(set(verify, signAndVerify, notText)))).containsExactly("v", "sv");
    }

    @Test
    void parseWhenAnEcCoordinateIsTheFieldPrimeThenOutOfRange() throws Exception {
        BigInteger p = BigInteger.TWO.pow(256).subtract(BigInteger.TWO.pow(224)).add(BigInteger.TWO.pow(192))
                .add(BigInteger.TWO.pow(96)).subtract(BigInteger.ONE); // P-256's field prime
        byte[] raw = p.toByteArray(); // 33 bytes with a leading zero: strip it
        String encoded = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(java.util.Arrays.copyOfRange(raw, raw.length - 32, raw.length));
        String xAtP = ecJwk("x", "P-256", EC_256).replaceFirst("\"x\":\"[^\"]+\"", "\"x\":\"" + encoded + "\"");
        String yAtP = ecJwk("y", "P-256", EC_256).replaceFirst("\"y\":\"[^\"]+\"", "\"y\":\"" + encoded + "\"");
        try (LogCapture logs = LogCapture.start()) {
            assertThat(parse(set(xAtP, yAtP))).isEmpty();

            assertThat(warnings(logs)).containsExactly("Skipping kid 'x' of test: coordinates out of range for P-256",
                    "Skipping kid 'y' of test: coordinates out of range for P-256");
        }
    }
}
