package dev.tokengate.jaxrs;

import dev.tokengate.testing.jetty.TestServer;
import dev.tokengate.TokenGate;
import dev.tokengate.testing.conformance.GatedApp;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

import java.util.Set;

/** The conformance application on a JAX-RS runtime in a real Jetty, with the annotations a JAX-RS developer writes. */
final class JaxrsGatedApp implements GatedApp {

    private final JaxrsRuntime runtime;

    JaxrsGatedApp(JaxrsRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public Deployment deploy(TokenGate gate) throws Exception {
        return Deployment.start(gate, () -> ServletContexts.serve(context -> runtime.deploy(context, new ConformanceApplication(new TokenGateFeature(gate)))));
    }


    /** The application: the resource and the feature. */
    public static final class ConformanceApplication extends Application {
        private final Object feature;

        ConformanceApplication(Object feature) {
            this.feature = feature;
        }

        @Override
        public Set<Class<?>> getClasses() {
            return Set.of(ConformanceResource.class, Withdrawals.class);
        }

        @Override
        public Set<Object> getSingletons() {
            return Set.of(feature);
        }
    }

    /** {@link GatedApp#WITHDRAWALS}: the scope {@code withdraw} and a second factor within five minutes. */
    @Path("api/withdrawals")
    public static class Withdrawals {
        @POST
        @RequiresScopes("withdraw")
        @StepUp(acr = {"mfa", "hwk"}, maxAge = 300)
        public String withdraw() {
            return "withdrawn";
        }
    }

    /** {@link GatedApp}'s other routes. */
    @Path("api")
    @Produces(MediaType.TEXT_PLAIN)
    public static class ConformanceResource {

        @Context
        SecurityContext security;

        @GET
        @Path("read")
        @RequiresScopes("read")
        public String read() {
            return subject();
        }

        @POST
        @Path("read")
        @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
        @RequiresScopes("read")
        public String readByForm(@FormParam("note") String note) {
            return subject() + (note == null ? "" : " note=" + note);
        }

        @GET
        @Path("admin")
        @RequiresScopes("admin")
        public String admin() {
            return subject();
        }

        @GET
        @Path("fresh")
        @RequiresScopes("read")
        @StepUp(maxAge = 60)
        public String fresh() {
            return subject();
        }

        @GET
        @Path("open")
        @Open
        public String open() {
            return "open";
        }

        private String subject() {
            return "subject=" + security.getUserPrincipal().getName();
        }
    }
}
