package dev.tokengate.testing.conformance;

import dev.tokengate.TokenGate;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The base of the conformance suites (RFC 6750, 8725, 9068, 7662, 9470): each suite is written once, here in core's test
 * jar, and run by every adapter's test module against its {@link GatedApp} in a real server, over real HTTP, with a
 * real JWKS and a real introspection endpoint on loopback.
 *
 * <p>The gate is configured the way a user configures it: with {@code tokengate.*} keys ({@link #settings()}), so the
 * suites also prove the keys. A test that needs other settings {@link #deploy(Map) deploys} its own gate, closed after
 * the test; the others share {@link #base()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ConformanceContract {

    /** The realm every challenge names. */
    public static final String REALM = "conformance";
    /** The introspection client's credentials. */
    public static final String CLIENT_ID = "conformance-api";
    public static final String CLIENT_SECRET = "conformance-secret";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The authorization server: JWKS, introspection (which requires the client's credentials) and revocation. */
    protected LoopbackIssuer issuer;
    private GatedApp.Deployment shared;
    private final List<GatedApp.Deployment> perTest = new ArrayList<>();

    /** The adapter under test. */
    protected abstract GatedApp app();

    @BeforeAll
    void startAuthorizationServer() {
        issuer = LoopbackIssuer.builder().issuer(TestTokens.ISSUER).audience(TestTokens.AUDIENCE)
                .clientCredentials(CLIENT_ID, CLIENT_SECRET).start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    }

    @AfterAll
    void stopAll() throws Exception {
        if (shared != null) {
            shared.close();
        }
        issuer.close();
    }

    @AfterEach
    void closePerTestDeployments() throws Exception {
        for (GatedApp.Deployment d : perTest) {
            d.close();
        }
        perTest.clear();
    }

    /**
     * The keys every deployment starts from: realm {@value #REALM}, the JWT issuer {@link TestTokens#ISSUER} with its
     * JWKS on loopback and the audience {@link TestTokens#AUDIENCE}, and introspection on loopback for opaque tokens.
     */
    protected Map<String, String> settings() {
        Map<String, String> s = new HashMap<>(issuer.settings());
        s.put(ConfigKeys.REALM, REALM);
        return s;
    }

    /** A gate builder configured by {@link #settings()} with {@code overrides} on top (no environment, no system properties). */
    protected TokenGate.Builder gate(Map<String, String> overrides) {
        Map<String, String> s = settings();
        s.putAll(overrides);
        return TokenGate.builder().config(ConfigSource.of(s, Map.of(), new Properties()));
    }

    /** The shared deployment, with {@link #settings()} only. */
    protected URI base() throws Exception {
        if (shared == null) {
            shared = app().deploy(gate(Map.of()).build());
        }
        return shared.base();
    }

    /** A deployment of its own for this test, with {@code overrides} on {@link #settings()}; closed after the test. */
    protected URI deploy(Map<String, String> overrides) throws Exception {
        return deploy(gate(overrides));
    }

    /** A deployment of its own for this test, of the gate {@code builder} builds; closed after the test. */
    protected URI deploy(TokenGate.Builder builder) throws Exception {
        return deploy(builder.build());
    }

    /** A deployment of its own for this test, of this gate (which the test keeps a hand on); closed after the test. */
    protected URI deploy(TokenGate gate) throws Exception {
        GatedApp.Deployment d = app().deploy(gate);
        perTest.add(d);
        return d.base();
    }

    /** A valid access token from {@link TestTokens#ISSUER} with {@code scope}. */
    protected static String jwt(String scope) {
        return TestTokens.jwt().scope(scope).sign();
    }

    /**
     * {@code method path} of {@code base} without a body, by a JDK client, with this Bearer token (none when
     * {@code null}) and these headers (name, value, name, value, ...).
     */
    protected static HttpResponse<String> call(URI base, String method, String path, String token, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
