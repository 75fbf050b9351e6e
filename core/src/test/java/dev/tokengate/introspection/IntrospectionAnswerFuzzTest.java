package dev.tokengate.introspection;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tokengate.InvalidTokenException;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.VerifiedToken;
import dev.tokengate.internal.HttpFetcher;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fuzzes how {@link IntrospectionClient} reads an endpoint's answer, through its {@code answer} and {@code check}
 * seam (no HTTP). Input: an optional first line {@code S:<status>} (200 otherwise), then the answer's body bytes.
 * The API accepts the issuer {@code https://issuer.test} and the audience {@code api}.
 */
class IntrospectionAnswerFuzzTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final Duration LEEWAY = Duration.ofSeconds(60);
    private static final HttpHeaders JSON = HttpHeaders.of(Map.of("Content-Type", List.of("application/json")),
            (name, value) -> true);
    // Never fetches: the fuzz test hands answers to the seam directly.
    private static final IntrospectionClient CLIENT = new IntrospectionClient(URI.create("https://issuer.test/introspect"),
            null, "api-client", "api-secret", AuthMethod.CLIENT_SECRET_BASIC, null, Set.of("https://issuer.test"),
            Set.of("api"), LEEWAY, Clock.fixed(NOW, ZoneOffset.UTC));

    /**
     * Any answer is a verified token, an {@link InvalidTokenException} (the client's fault) or an
     * {@link UpstreamUnavailableException} (the endpoint's), never another exception; no message repeats the body;
     * a token is verified only from HTTP 200 with {@code "active": true}, a subject or client, an accepted issuer and
     * audience when named, and not expired.
     */
    @FuzzTest(maxDuration = "30s")
    void answerIsATokenOrAClientOrServerFaultAndNeverEchoesTheBody(byte[] data) {
        int status = 200;
        byte[] body = data;
        String text = new String(data, StandardCharsets.ISO_8859_1);
        if (text.startsWith("S:")) {
            int newline = text.indexOf('\n');
            String digits = text.substring(2, newline < 0 ? text.length() : newline);
            status = digits.matches("\\d{1,3}") ? Integer.parseInt(digits) : 200;
            body = newline < 0 ? new byte[0] : Arrays.copyOfRange(data, newline + 1, data.length);
        }
        String bodyText = new String(body, StandardCharsets.UTF_8);
        HttpFetcher.Response response = new HttpFetcher.Response(status, JSON, body);

        VerifiedToken token;
        try {
            Map<String, Object> answer = CLIENT.answer(response);
            token = CLIENT.check(answer);
        } catch (UpstreamUnavailableException e) {
            assertThat(e.getMessage()).startsWith("Token introspection unavailable: ");
            assertNoEcho(e.getMessage(), bodyText);
            return;
        } catch (InvalidTokenException e) {
            assertThat(status).isEqualTo(200);
            assertNoEcho(e.getMessage(), bodyText);
            return;
        }
        assertThat(status).isEqualTo(200);
        assertThat(bodyText).contains("active");
        assertThat(token.getName()).isNotEmpty();
        assertThat(token.issuer().orElse("https://issuer.test")).isEqualTo("https://issuer.test");
        if (!token.audiences().isEmpty()) {
            assertThat(token.audiences()).contains("api");
        }
        token.expiresAt().ifPresent(exp -> assertThat(exp.plus(LEEWAY)).isAfter(NOW));
    }

    private static void assertNoEcho(String message, String body) {
        if (body.strip().length() >= 16) {
            assertThat(message).doesNotContain(body.strip());
        }
    }
}
