package dev.tokengate.benchmarks;

import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.benchmarks.BenchTokens.Alg;
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
import java.util.Arrays;
import java.util.EnumSet;
import java.util.function.Supplier;

/**
 * The end-to-end target: one small Jersey resource ({@code GET /hello}) on embedded Jetty (ee11), deployed three
 * times: {@code /open/hello} unprotected, {@code /servlet/hello} behind {@link TokenGateFilter}, and
 * {@code /jaxrs/hello} behind {@link TokenGateFeature}. Both adapters use the default validator stack (verified-token
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

        server.setHandler(new Handler.Sequence(open, servlet, jaxrs));
        server.addBean(new org.eclipse.jetty.util.component.AbstractLifeCycle() {
            @Override
            protected void doStop() {
                jwks.close();
            }
        });
        server.start();
        return server;
    }

    private static ServletContextHandler context(String path, ResourceConfig application) {
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath(path);
        context.addServlet(new ServletHolder(new ServletContainer(application)), "/*");
        return context;
    }
}
