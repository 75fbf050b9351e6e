package dev.tokengate.introspection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.internal.HttpFetcher;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How {@link IntrospectionClient} reads the bytes of an endpoint's answer (through its seam, no HTTP). */
class IntrospectionClientAnswerTest {

    private static final HttpHeaders JSON = HttpHeaders.of(Map.of("Content-Type", List.of("application/json")),
            (name, value) -> true);
    // Never fetches: answers are handed to the seam directly.
    private final IntrospectionClient client = new IntrospectionClient(URI.create("https://issuer.test/introspect"),
            null, "api-client", "api-secret", AuthMethod.CLIENT_SECRET_BASIC, null, Set.of(), Set.of(),
            Duration.ofSeconds(60), Clock.systemUTC());

    /**
     * Found by IntrospectionAnswerFuzzTest: once Jackson has read the name "active", it read the invalid UTF-8 name
     * "acti\xFFve" as "active" too, so an answer without a valid "active" member was taken as active.
     */
    @Test
    void answerWhenBodyIsNotUtf8ThenUpstreamUnavailable() {
        byte[] valid = "{\"active\":true,\"sub\":\"alice\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(client.answer(new HttpFetcher.Response(200, JSON, valid)).get("active")).isEqualTo(true);

        byte[] invalid = "{\"acti_ve\":true,\"sub\":\"alice\"}".getBytes(StandardCharsets.UTF_8);
        invalid[6] = (byte) 0xFF;

        assertThatThrownBy(() -> client.answer(new HttpFetcher.Response(200, JSON, invalid)))
                .isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageContaining("answered HTTP 200 with a body that is not JSON")
                .hasMessageContaining("not UTF-8");
    }
}
