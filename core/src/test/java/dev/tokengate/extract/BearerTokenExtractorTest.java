package dev.tokengate.extract;

import dev.tokengate.BearerError;
import dev.tokengate.extract.Extraction.Source;
import dev.tokengate.testing.TestRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class BearerTokenExtractorTest {

    private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln-_~+/=";

    private final BearerTokenExtractor headerOnly = BearerTokenExtractor.headerOnly();
    private final BearerTokenExtractor everything = BearerTokenExtractor.create(true, true,
            Optional.of("access_token"), Optional.of("X-Access-Token"));

    @Test
    void extractWhenBearerHeaderThenFound() {
        assertThat(headerOnly.extract(TestRequest.get("/").bearer(TOKEN)))
                .isEqualTo(Extraction.Found.bearer(TOKEN, Source.AUTHORIZATION_HEADER));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bearer", "BEARER", "bEaReR"})
    void extractWhenSchemeInAnyCaseThenFound(String scheme) {
        assertThat(headerOnly.extract(TestRequest.get("/").header("Authorization", scheme + " abc")))
                .isEqualTo(Extraction.Found.bearer("abc", Source.AUTHORIZATION_HEADER));
    }

    @Test
    void extractWhenNoCredentialsThenAbsent() {
        assertThat(headerOnly.extract(TestRequest.get("/"))).isInstanceOf(Extraction.Absent.class);
    }

    @Test
    void extractWhenBasicSchemeThenAbsent() {
        assertThat(headerOnly.extract(TestRequest.get("/").header("Authorization", "Basic dXNlcjpwYXNz")))
                .isInstanceOf(Extraction.Absent.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer", "Bearer ", "Bearer    "})
    void extractWhenBearerWithoutTokenThenInvalidToken(String header) {
        assertInvalidToken(headerOnly.extract(TestRequest.get("/").header("Authorization", header)), "carries no token");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc def", "abc\"def", "abc,def", "ab=c", "abc;", "tök", "abc\\d", "a%20b", "a{b}", "a:b",
            "a@b", "a*b", "a!b", "a?b", "=abc", "a, Basic dXNlcjpwYXNz"})
    void extractWhenTokenOutsideB64tokenThenInvalidToken(String token) {
        assertInvalidToken(headerOnly.extract(TestRequest.get("/").header("Authorization", "Bearer " + token)), "b64token");
    }

    @Test
    void extractWhenPaddingAtEndThenFound() {
        assertThat(headerOnly.extract(TestRequest.get("/").bearer("abc==")))
                .isEqualTo(Extraction.Found.bearer("abc==", Source.AUTHORIZATION_HEADER));
    }

    @Test
    void extractWhenTokenTooLongThenInvalidToken() {
        String token = "a".repeat(BearerTokenExtractor.MAX_TOKEN_LENGTH + 1);
        assertInvalidToken(headerOnly.extract(TestRequest.get("/").bearer(token)), "longer than");
    }

    @Test
    void extractWhenTwoBearerHeadersThenInvalidRequest() {
        assertInvalidRequest(headerOnly.extract(TestRequest.get("/").bearer("abc").bearer("def")), "more than one");
    }

    @Test
    void extractWhenBearerAndBasicHeadersThenInvalidRequest() {
        assertInvalidRequest(headerOnly.extract(TestRequest.get("/").header("Authorization", "Basic dXNlcjpwYXNz").bearer("abc")),
                "more than one Authorization header");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer\tabc", "Bearer  abc", "Bearer \tabc", "Bearer\t abc"})
    void extractWhenNotExactlyOneSpaceAfterSchemeThenInvalidToken(String header) {
        assertInvalidToken(headerOnly.extract(TestRequest.get("/").header("Authorization", header)), "exactly one space");
    }

    @Test
    void extractWhenQueryTokenAndQueryDisabledThenNotLookedAt() {
        assertThat(headerOnly.extract(TestRequest.get("/").query("a=1&access_token=abc"))).isInstanceOf(Extraction.Absent.class);
        assertThat(headerOnly.extract(TestRequest.get("/").query("access_token=a&access_token=b")))
                .isInstanceOf(Extraction.Absent.class);
        assertThat(headerOnly.extract(TestRequest.get("/").bearer("abc").query("access_token=def")))
                .isEqualTo(Extraction.Found.bearer("abc", Source.AUTHORIZATION_HEADER));
    }

    @Test
    void extractWhenQueryTokenAndQueryEnabledThenFound() {
        assertThat(everything.extract(TestRequest.get("/").query("a=1&access_token=ab%2Bc")))
                .isEqualTo(Extraction.Found.bearer("ab+c", Source.QUERY_PARAMETER));
    }

    @Test
    void extractWhenTwoQueryTokensThenInvalidRequest() {
        assertInvalidRequest(everything.extract(TestRequest.get("/").query("access_token=a&access_token=b")), "more than one");
    }

    @Test
    void extractWhenHeaderAndQueryTokenThenInvalidRequest() {
        assertInvalidRequest(everything.extract(TestRequest.get("/").bearer("abc").query("access_token=abc")), "more than one place");
    }

    @Test
    void extractWhenFormTokenAndFormEnabledThenFound() {
        assertThat(everything.extract(TestRequest.post("/").form("access_token", "abc")))
                .isEqualTo(Extraction.Found.bearer("abc", Source.FORM_BODY));
    }

    @Test
    void extractWhenFormTokenAndFormDisabledThenAbsent() {
        BearerTokenExtractor noForm = BearerTokenExtractor.create(false, false, Optional.empty(), Optional.empty());
        assertThat(noForm.extract(TestRequest.post("/").form("access_token", "abc"))).isInstanceOf(Extraction.Absent.class);
    }

    @Test
    void extractWhenFormTokenInGetThenNotRead() {
        TestRequest get = TestRequest.get("/").header("Content-Type", "application/x-www-form-urlencoded");
        get.form("access_token", "abc");
        assertThat(everything.extract(get)).isInstanceOf(Extraction.Absent.class);
    }

    @Test
    void extractWhenFormTokenWithOtherContentTypeThenNotRead() {
        TestRequest post = TestRequest.post("/").header("Content-Type", "multipart/form-data; boundary=x");
        post.form("access_token", "abc");
        assertThat(everything.extract(post)).isInstanceOf(Extraction.Absent.class);
    }

    @Test
    void extractWhenHeaderAndFormTokenThenInvalidRequest() {
        assertInvalidRequest(everything.extract(TestRequest.post("/").bearer("abc").form("access_token", "abc")), "more than one place");
    }

    @Test
    void extractWhenCookieConfiguredThenFound() {
        assertThat(everything.extract(TestRequest.get("/").header("Cookie", "theme=dark; access_token=abc.def")))
                .isEqualTo(Extraction.Found.bearer("abc.def", Source.COOKIE));
    }

    @Test
    void extractWhenCookieNotConfiguredThenAbsent() {
        assertThat(headerOnly.extract(TestRequest.get("/").header("Cookie", "access_token=abc")))
                .isInstanceOf(Extraction.Absent.class);
    }

    @Test
    void extractWhenCustomHeaderThenFound() {
        assertThat(everything.extract(TestRequest.get("/").header("X-Access-Token", "abc")))
                .isEqualTo(Extraction.Found.bearer("abc", Source.CUSTOM_HEADER));
    }

    @Test
    void extractWhenCustomHeaderAndBearerThenInvalidRequest() {
        assertInvalidRequest(everything.extract(TestRequest.get("/").bearer("abc").header("X-Access-Token", "abc")), "more than one place");
    }

    @Test
    void extractWhenTokenExactlyAtTheLengthLimitThenFound() {
        String token = "a".repeat(BearerTokenExtractor.MAX_TOKEN_LENGTH);
        assertThat(headerOnly.extract(TestRequest.get("/").bearer(token)))
                .isEqualTo(Extraction.Found.bearer(token, Source.AUTHORIZATION_HEADER));
    }

    @Test
    void extractWhenCustomHeaderEmptyOrBadOrRepeatedThenRefusedSayingWhere() {
        assertInvalidToken(everything.extract(TestRequest.get("/").header("X-Access-Token", " ")), "X-Access-Token header is empty");
        assertInvalidToken(everything.extract(TestRequest.get("/").header("X-Access-Token", "a b")), "X-Access-Token header");
        assertInvalidRequest(everything.extract(TestRequest.get("/").header("X-Access-Token", "a").header("X-Access-Token", "b")),
                "more than one X-Access-Token header");
    }

    @Test
    void extractWhenCookieQuotedThenUnquotedAndWhenBadOrRepeatedThenRefused() {
        assertThat(everything.extract(TestRequest.get("/").header("Cookie", "access_token=\"abc.def\"")))
                .isEqualTo(Extraction.Found.bearer("abc.def", Source.COOKIE));
        assertInvalidToken(everything.extract(TestRequest.get("/").header("Cookie", "access_token=\"")), "access_token cookie");
        assertInvalidToken(everything.extract(TestRequest.get("/").header("Cookie", "access_token=\"\"")), "access_token cookie is empty");
        assertInvalidToken(everything.extract(TestRequest.get("/").header("Cookie", "access_token=\"abc")), "access_token cookie");
        assertInvalidToken(everything.extract(TestRequest.get("/").header("Cookie", "access_token=abc\"")), "access_token cookie");
        assertInvalidRequest(everything.extract(TestRequest.get("/").header("Cookie", "access_token=a; access_token=b")),
                "more than one access_token cookie");
        assertThat(everything.extract(TestRequest.get("/").header("Cookie", "=abc; other=x"))).isInstanceOf(Extraction.Absent.class);
    }

    @Test
    void extractWhenQueryTokenMalformedThenInvalidTokenAndANameWithoutValueIsAnEmptyToken() {
        // a malformed escape is kept as sent (and refused for its characters), not turned into an empty token
        assertInvalidToken(everything.extract(TestRequest.get("/").query("access_token=%zz")),
                "access_token query parameter has characters a bearer token cannot have");
        assertInvalidToken(everything.extract(TestRequest.get("/").query("a=1&access_token")), "access_token query parameter is empty");
        assertThat(everything.extract(TestRequest.get("/").query("=access_token&x=access_token"))).isInstanceOf(Extraction.Absent.class);
        assertThat(everything.extract(TestRequest.get("/").query("access%5Ftoken=abc")))
                .isEqualTo(Extraction.Found.bearer("abc", Source.QUERY_PARAMETER));
    }

    @Test
    void extractWhenFormTokenBadOrRepeatedThenRefused() {
        assertInvalidToken(everything.extract(TestRequest.post("/").form("access_token", "a b")), "access_token form field");
        assertInvalidRequest(everything.extract(TestRequest.post("/").form("access_token", "a").form("access_token", "b")),
                "more than one access_token field");
    }

    @Test
    void extractWhenTokenInSeveralPlacesThenTheDescriptionNamesThem() {
        assertInvalidRequest(everything.extract(TestRequest.get("/").bearer("abc").query("access_token=abc")),
                "(authorization header and query parameter)");
        assertInvalidRequest(everything.extract(TestRequest.get("/").header("X-Access-Token", "a")
                .header("Cookie", "access_token=b").query("access_token=c")), "(custom header and cookie and query parameter)");
    }

    @Test
    void toStringNamesTheSourcesNeverAToken() {
        assertThat(everything).hasToString("BearerTokenExtractor[formBody=true, query=true, cookie=access_token, header=X-Access-Token]");
        assertThat(headerOnly).hasToString("BearerTokenExtractor[formBody=false, query=false, cookie=-, header=-]");
        assertThat(Extraction.Found.bearer(TOKEN, Source.COOKIE)).hasToString("Found[scheme=Bearer, source=COOKIE]");
    }

    @Test
    void foundNeverPrintsTheToken() {
        assertThat(Extraction.Found.bearer(TOKEN, Source.AUTHORIZATION_HEADER).toString()).doesNotContain(TOKEN);
    }

    private static void assertInvalidToken(Extraction extraction, String descriptionPart) {
        assertThat(extraction).isInstanceOf(Extraction.Malformed.class);
        BearerError error = ((Extraction.Malformed) extraction).error();
        assertThat(error.status()).isEqualTo(401);
        assertThat(error.code()).contains(BearerError.Code.INVALID_TOKEN);
        assertThat(error.description()).contains(descriptionPart);
    }

    private static void assertInvalidRequest(Extraction extraction, String descriptionPart) {
        assertThat(extraction).isInstanceOf(Extraction.Malformed.class);
        BearerError error = ((Extraction.Malformed) extraction).error();
        assertThat(error.status()).isEqualTo(400);
        assertThat(error.code()).contains(BearerError.Code.INVALID_REQUEST);
        assertThat(error.description()).contains(descriptionPart);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "abc.def-ghi_jkl~mno+pqr/stu", "abc=", "abc==", "Zz09", "x.y.z"})
    void isB64tokenWhenRfc6750B64tokenThenTrue(String token) {
        assertThat(BearerTokenExtractor.isB64token(token)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "=", "==abc", "abc=d", "abc def", "abc,", "abc\"", "abc\u00e9", "a=b=", "abc\t", "a:b",
        "a@b", "{abc}", "abc\u0000"})
    void isB64tokenWhenNotB64tokenThenFalse(String token) {
        assertThat(BearerTokenExtractor.isB64token(token)).isFalse();
    }

    @Test
    void isB64tokenWhenAnyShortStringThenAgreesWithTheRfcGrammarAsARegularExpression() {
        java.util.regex.Pattern grammar = java.util.regex.Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
        char[] alphabet = "aZ09-._~+/=: \u00e9".toCharArray();
        StringBuilder token = new StringBuilder();
        for (int length = 0; length <= 3; length++) { // every string of up to three characters of the alphabet
            int combinations = (int) Math.pow(alphabet.length, length);
            for (int n = 0; n < combinations; n++) {
                token.setLength(0);
                for (int k = 0, rest = n; k < length; k++, rest /= alphabet.length) {
                    token.append(alphabet[rest % alphabet.length]);
                }
                String t = token.toString();
                assertThat(BearerTokenExtractor.isB64token(t)).as("'%s'", t).isEqualTo(grammar.matcher(t).matches());
            }
        }
    }
}
