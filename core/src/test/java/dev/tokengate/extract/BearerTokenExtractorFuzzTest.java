package dev.tokengate.extract;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tokengate.BearerError;
import dev.tokengate.testing.FuzzInput;
import dev.tokengate.testing.TestRequest;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Fuzzes {@link BearerTokenExtractor} with hostile requests. Input lines: {@code A:} an Authorization header,
 * {@code X:} the custom token header, {@code C:} a Cookie header, {@code Q:} the query string, {@code F:} a form
 * field {@code access_token}, {@code M:} the method, {@code T:} the content type (each may repeat). Seeds and
 * every input that once failed are under {@code BearerTokenExtractorFuzzTestInputs/}.
 */
class BearerTokenExtractorFuzzTest {

    private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
    private static final BearerTokenExtractor EVERY_SOURCE =
            BearerTokenExtractor.create(true, true, Optional.of("tok"), Optional.of("X-Token"));
    private static final BearerTokenExtractor HEADER_ONLY = BearerTokenExtractor.headerOnly();

    /**
     * Extraction never throws; a token found is a b64token of at most 16 KiB, taken unchanged from where the result
     * says; a malformed request is 400 invalid_request or 401 invalid_token; the header-only extractor finds nothing
     * anywhere else.
     */
    @FuzzTest(maxDuration = "30s")
    void extractNeverThrowsAndFindsOnlyWellFormedTokensWhereTheySay(byte[] data) {
        FuzzInput in = FuzzInput.of(data);
        TestRequest request = request(in);

        Extraction every = EVERY_SOURCE.extract(request);
        check(every, in);

        Extraction headerOnly = HEADER_ONLY.extract(request);
        check(headerOnly, in);
        if (headerOnly instanceof Extraction.Found found) {
            assertThat(found.source()).isEqualTo(Extraction.Source.AUTHORIZATION_HEADER);
        }
        if (in.all('A').isEmpty()) {
            assertThat(headerOnly).isInstanceOf(Extraction.Absent.class);
        }
    }

    private static void check(Extraction result, FuzzInput in) {
        assertThat(result).isNotNull();
        if (result instanceof Extraction.Found found) {
            String token = found.token();
            assertThat(token).matches(B64TOKEN).hasSizeLessThanOrEqualTo(BearerTokenExtractor.MAX_TOKEN_LENGTH);
            assertThat(found.scheme()).isEqualTo(Extraction.BEARER);
            assertThat(found.toString()).isEqualTo("Found[scheme=Bearer, source=" + found.source() + "]"); // never the token
            List<String> carriers = switch (found.source()) {
                case AUTHORIZATION_HEADER -> in.all('A').stream()
                        .map(String::strip)
                        .filter(v -> v.toLowerCase(Locale.ROOT).startsWith("bearer "))
                        .map(v -> v.substring(7))
                        .toList();
                case CUSTOM_HEADER -> in.all('X').stream().map(String::strip).toList();
                case COOKIE -> in.all('C');
                case QUERY_PARAMETER -> in.all('Q').stream()
                        .flatMap(q -> BearerTokenExtractor.queryValues(q, "access_token").stream())
                        .toList();
                case FORM_BODY -> in.all('F');
            };
            if (found.source() == Extraction.Source.COOKIE) {
                assertThat(carriers).anyMatch(c -> c.contains(token));
            } else {
                assertThat(carriers).contains(token);
            }
        } else if (result instanceof Extraction.Malformed malformed) {
            BearerError error = malformed.error();
            assertThat(error.status()).isIn(400, 401);
            assertThat(error.code()).contains(error.status() == 400
                    ? BearerError.Code.INVALID_REQUEST : BearerError.Code.INVALID_TOKEN);
        }
    }

    private static TestRequest request(FuzzInput in) {
        TestRequest request = in.first('M', "GET").equals("GET") ? TestRequest.get("/api") : TestRequest.post("/api");
        in.all('A').forEach(v -> request.header("Authorization", v));
        in.all('X').forEach(v -> request.header("X-Token", v));
        in.all('C').forEach(v -> request.header("Cookie", v));
        in.all('T').forEach(v -> request.header("Content-Type", v));
        in.all('F').forEach(v -> request.form("access_token", v));
        List<String> query = in.all('Q');
        if (!query.isEmpty()) {
            request.query(query.get(0));
        }
        return request;
    }
}
