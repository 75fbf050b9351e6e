package dev.tokengate.benchmarks;

import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.benchmarks.BenchTokens.Alg;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.control.Revocation;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import dev.tokengate.jaxrs.TokenGateFeature;
import dev.tokengate.servlet.TokenGateFilter;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import jakarta.servlet.DispatcherType;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

import java.nio.file.Files;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * The end-to-end target: one small Jersey resource ({@code GET /hello}) on embedded Jetty (ee11), deployed four
 * times: {@code /open/hello} unprotected, {@code /servlet/hello} behind {@link TokenGateFilter},
 * {@code /jaxrs/hello} behind {@link TokenGateFeature}, and {@code /chain/hello} behind the filter with the
 * token-control policy chain on (rate limits, anomaly rules, a revocation list of 1,000; {@link #chainGate}). Both adapters use the default validator stack (verified-token
 * cache of 10,000, JWKS from a loopback endpoint, warm). Before serving it writes the tokens the load generator sends,
 * signed with this JVM's keys: {@code reuse.txt} (one token) and {@code unique.txt} (distinct tokens, one a line).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.tokengate.benchmarks.EndToEndServer PORT TOKEN_DIR UNIQUE_COUNT}.
 * Prints {@code READY} when it serves.
 */
public final class EndToEndServer {

    private EndToEndServer() {
    }

    /** The endpoint: the same in every deployment. */
    @Path("/hello")
    public static final class Hello {
        @GET
        @Produces(MediaType.TEXT_PLAIN)
        public String hello() {
            return "hello";
        }
    }

    public static void main(String[] args) throws Exception {
        Server server = start(Integer.parseInt(args[0]), java.nio.file.Path.of(args[1]), Integer.parseInt(args[2]));
        System.out.println("READY http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
        System.out.flush();
        server.join();
    }

    /**
     * Writes the tokens and starts the three deployments; the caller stops the server (which closes the JWKS
     * endpoint too).
     *
     * @param port   the port, 0 for any free one
     * @param dir    where {@code reuse.txt} and {@code unique.txt} go
     * @param unique how many distinct tokens {@code unique.txt} holds
     * @return the started server
     */
    static Server start(int port, java.nio.file.Path dir, int unique) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("reuse.txt"), BenchTokens.token(Alg.RS256) + "\n");
        Files.write(dir.resolve("unique.txt"), Arrays.asList(BenchTokens.ring(Alg.RS256, unique)));

        LoopbackIssuer jwks = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa(), TestKeys.ec256()))
                .cacheControl("max-age=3600");
        Supplier<TokenGate> gate = () -> TokenGate.builder()
                .issuer(JwtValidator.builder()
                        .issuer(BenchTokens.ISSUER)
                        .audiences(BenchTokens.AUDIENCE)
                        .type("at+jwt")
                        .keySource(KeySources.jwks(jwks.jwksUri()).build()))
                .build();

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);

        ServletContextHandler open = context("/open", new ResourceConfig(Hello.class));

        ServletContextHandler servlet = context("/servlet", new ResourceConfig(Hello.class));
        servlet.addFilter(new FilterHolder(new TokenGateFilter(gate.get(), UrlRules.parse("/* = authenticated"))),
                "/*", EnumSet.of(DispatcherType.REQUEST));

        ServletContextHandler jaxrs = context("/jaxrs",
                new ResourceConfig(Hello.class).register(new TokenGateFeature(gate.get())));

        ServletContextHandler chain = context("/chain", new ResourceConfig(Hello.class));
        chain.addFilter(new FilterHolder(new TokenGateFilter(chainGate(jwks), UrlRules.parse("/* = authenticated"))),
                "/*", EnumSet.of(DispatcherType.REQUEST));

        server.setHandler(new Handler.Sequence(open, servlet, jaxrs, chain));
        server.addBean(new org.eclipse.jetty.util.component.AbstractLifeCycle() {
            @Override
            protected void doStop() {
                jwks.close();
            }
        });
        server.start();
        return server;
    }

    /**
     * The gate of {@code /chain}: the filter's, with the token-control policy chain switched on as
     * {@link PolicyChainBenchmark} does (a per-token, per-client and per-subject rate limit the benchmark never reaches,
     * the networks and denials anomaly rules, 1,000 revocations of other tokens and subjects), configured by keys.
     */
    private static TokenGate chainGate(LoopbackIssuer jwks) {
        Map<String, String> keys = new HashMap<>(Map.of(
                "tokengate.jwt.issuer", BenchTokens.ISSUER,
                "tokengate.jwt.jwks-uri", jwks.jwksUri().toString(),
                "tokengate.jwt.audience", BenchTokens.AUDIENCE,
                "tokengate.jwt.type", "at+jwt",
                "tokengate.rate-limit.per-token", "1000000000/1m",
                "tokengate.rate-limit.per-client", "1000000000/1m",
                "tokengate.rate-limit.per-subject", "1000000000/1m",
                "tokengate.anomaly.max-networks", "3/10m",
                "tokengate.anomaly.max-denials", "10/10m"));
        TokenGate gate = TokenGate.builder().config(ConfigSource.of(keys, Map.of(), new Properties())).build();
        Instant later = Instant.now().plusSeconds(3600);
        for (int i = 0; i < 500; i++) {
            gate.revocations().revoke(Revocation.Target.TOKEN_ID, "other-" + i, "benchmark", later);
            gate.revocations().revoke(Revocation.Target.SUBJECT, "someone-" + i, "benchmark", later);
        }
        return gate;
    }

    private static ServletContextHandler context(String path, ResourceConfig application) {
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath(path);
        context.addServlet(new ServletHolder(new ServletContainer(application)), "/*");
        return context;
    }
}
