package dev.tokengate.jaxrs;

import dev.tokengate.TokenGate;
import dev.tokengate.testing.jetty.MutualTlsContract;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Application;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Handler;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Certificate-bound tokens (RFC 8705) on a real Jakarta REST runtime over real mutual TLS, the feature reading the
 * client certificate from the servlet request ({@link MutualTlsContract}): a resource answering {@code accounts}.
 */
abstract class MtlsContract extends MutualTlsContract {

    MtlsContract() {
        super("/accounts", r -> assertThat(r.body()).isEqualTo("accounts"),
                r -> assertThat(r.body()).doesNotContain("accounts"));
    }

    /** The runtime under test. */
    abstract JaxrsRuntime runtime();

    @Path("/accounts")
    public static class Accounts {
        @GET
        @RequiresScopes("read")
        public String list() {
            return "accounts";
        }
    }

    @Override
    protected Handler context(TokenGate gate) {
        TokenGateFeature feature = new TokenGateFeature(gate);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        runtime().deploy(context, new Application() {
            @Override
            public Set<Object> getSingletons() {
                return Set.of(feature, new Accounts());
            }
        });
        return context;
    }
}
