package dev.tokengate.jaxrs;

import dev.tokengate.TokenGate;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.testing.CapturingSink;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import dev.tokengate.testing.jetty.TestServer;
import dev.tokengate.testkit.LoopbackIssuer;
import jakarta.ws.rs.core.Application;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The set-up of a contract that serves resources of its own behind the feature on a real Jakarta REST runtime in a
 * real Jetty: real JWTs of {@link TestTokens#ISSUER} from a JWKS on loopback, the gate on a test clock, its call log
 * captured. Each test {@link #serve serves} its gate; the server and the issuer stop after it.
 */
abstract class GatedResourceContract {

    /** The gate's clock. */
    final FakeTime time = new FakeTime(Instant.now());
    /** The gate's call log. */
    final CapturingSink sink = new CapturingSink();
    private LoopbackIssuer idp;
    /** The server of {@link #serve}. */
    TestServer server;

    /** The runtime under test. */
    abstract JaxrsRuntime runtime();

    @BeforeEach
    void startIssuer() {
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    }

    @AfterEach
    void stopServerAndIssuer() throws Exception {
        if (server != null) {
            server.close();
        }
        idp.close();
    }

    /** A gate trusting the issuer's JWTs, on {@link #time}, logging its calls to {@link #sink}. */
    TokenGate.Builder gate() {
        return TokenGate.builder()
                .issuer(JwtValidator.builder().issuer(TestTokens.ISSUER)
                        .keySource(KeySources.jwks(idp.jwksUri()).build()).audiences(TestTokens.AUDIENCE))
                .callLogSink(sink).clock(time);
    }

    /** Serves {@code resources} behind the feature of {@code gate}. */
    void serve(TokenGate gate, Object... resources) throws Exception {
        Set<Object> singletons = new HashSet<>(List.of(resources));
        singletons.add(new TokenGateFeature(gate));
        server = ServletContexts.serve(context -> runtime().deploy(context, new Application() {
            @Override
            public Set<Object> getSingletons() {
                return singletons;
            }
        }));
    }

    /** {@code method path} without a body, with this Bearer token (none when {@code null}). */
    HttpResponse<String> call(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = server.request(path).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return server.send(b);
    }
}
