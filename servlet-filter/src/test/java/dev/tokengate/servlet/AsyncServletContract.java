package dev.tokengate.servlet;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An asynchronous servlet behind the filter declared in {@code web.xml} with {@code <async-supported>}
 * ({@code webapps/async}, {@link AsyncLegacyServlet}), on a real container: the caller stays known inside
 * {@code AsyncContext.start} and after {@code AsyncContext.dispatch()}. Each container's test deploys the WAR once
 * at {@link #base()}.
 */
abstract class AsyncServletContract {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The deployed application's root, e.g. {@code http://127.0.0.1:8080/legacy/}. */
    abstract URI base();

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base().resolve(path)).timeout(Duration.ofSeconds(10)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void asyncStartWhenTokenValidThenCodeInsideStartSeesTheCaller() throws Exception {
        HttpResponse<String> r = get("async/start", "Authorization", "Bearer " + StubTokens.READ);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body().lines()).contains("where=started", "principal=alice", "remoteUser=alice",
                "authType=BEARER", "role.read=true");
    }

    @Test
    void asyncDispatchWhenTokenValidThenDispatchedServletSeesTheCaller() throws Exception {
        HttpResponse<String> r = get("async/dispatch", "Authorization", "Bearer " + StubTokens.READ);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body().lines()).contains("where=dispatched", "principal=alice", "remoteUser=alice",
                "authType=BEARER", "role.read=true");
    }

    @Test
    void asyncWhenNoTokenThenRefusedBeforeTheServlet() throws Exception {
        HttpResponse<String> r = get("async/start");

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).doesNotContain("where=");
    }
}
