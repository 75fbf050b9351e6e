package dev.tokengate.jaxrs;

import jakarta.annotation.Priority;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The resources of the test application: one per cell of the precedence table, and the probes of filter order. */
final class Resources {

    private Resources() {
    }

    /** Every resource class of the test application. */
    static Set<Class<?>> classes() {
        return Set.of(OrdersResource.class, ClassScoped.class, ClosedClass.class, OpenClass.class, PermitAllClass.class,
                RolesClass.class, QuotesResource.class, ScopedApiResource.class, Accounts.class, Unannotated.class,
                CorsResource.class);
    }

    /** An application of these resources with the given feature, probes and properties. */
    static Application application(Object feature, List<String> probe, Map<String, Object> properties) {
        return new TestApplication(Set.of(feature, new BetweenProbe(probe), new AfterProbe(probe)), properties);
    }

    /** The test application. */
    public static final class TestApplication extends Application {
        private final Set<Object> singletons;
        private final Map<String, Object> properties;

        TestApplication(Set<Object> singletons, Map<String, Object> properties) {
            this.singletons = singletons;
            this.properties = new LinkedHashMap<>(properties);
        }

        @Override
        public Set<Class<?>> getClasses() {
            return classes();
        }

        @Override
        public Set<Object> getSingletons() {
            return singletons;
        }

        @Override
        public Map<String, Object> getProperties() {
            return properties;
        }
    }

    static String who(SecurityContext security) {
        Principal p = security.getUserPrincipal();
        return p == null ? "anonymous" : p.getName();
    }

    /** Class needs read; its methods show every method-level annotation. */
    @Path("class-scoped")
    @RequiresScopes("read")
    public static class ClassScoped {
        @GET @Path("inherits")
        public String inherits() {
            return "ok";
        }

        @GET @Path("replaced") @RequiresScopes("admin")
        public String replaced() {
            return "ok";
        }

        @GET @Path("all") @RequiresScopes({"read", "trade"})
        public String all() {
            return "ok";
        }

        @GET @Path("any") @RequiresScopes(value = {"admin", "trade"}, match = RequiresScopes.Match.ANY)
        public String any() {
            return "ok";
        }

        @GET @Path("open") @Open
        public String open(@Context SecurityContext security) {
            return "open to " + who(security);
        }

        @GET @Path("permit-all") @PermitAll
        public String permitAll() {
            return "ok";
        }

        @GET @Path("deny-all") @DenyAll
        public String denyAll() {
            return "ok";
        }

        @GET @Path("roles") @RolesAllowed({"admin", "trade"})
        public String roles() {
            return "ok";
        }

        @GET @Path("any-role") @RolesAllowed("**")
        public String anyRole() {
            return "ok";
        }

        @GET @Path("no-role") @RolesAllowed({})
        public String noRole() {
            return "ok";
        }

        @GET @Path("whoami")
        public String whoami(@Context SecurityContext security) {
            return who(security) + " " + security.getAuthenticationScheme() + " read=" + security.isUserInRole("read")
                    + " trade=" + security.isUserInRole("trade") + " admin=" + security.isUserInRole("admin")
                    + " secure=" + security.isSecure()
                    + " token=" + TokenGateFeature.verifiedToken(security).map(t -> t.clientId().orElse("?")).orElse("none");
        }
    }

    /** Closed class; a method annotation opens one method to a scope. */
    @Path("closed") @DenyAll
    public static class ClosedClass {
        @GET
        public String inherits() {
            return "ok";
        }

        @GET @Path("opened") @RequiresScopes("read")
        public String opened() {
            return "ok";
        }
    }

    /** Open class; one method needs a scope. */
    @Path("open-class") @Open
    public static class OpenClass {
        @GET
        public String inherits() {
            return "ok";
        }

        @GET @Path("scoped") @RequiresScopes("trade")
        public String scoped() {
            return "ok";
        }
    }

    /** {@code @PermitAll} class. */
    @Path("permit-class") @PermitAll
    public static class PermitAllClass {
        @GET
        public String inherits() {
            return "ok";
        }
    }

    /** {@code @RolesAllowed} class. */
    @Path("roles-class") @RolesAllowed("trade")
    public static class RolesClass {
        @GET
        public String inherits() {
            return "ok";
        }
    }

    /** An API interface that declares a method requirement. */
    public interface QuotesApi {
        @GET @Path("quote") @RequiresScopes("quotes")
        String quote();

        @GET @Path("plain")
        String plain();
    }

    /** Implements {@link QuotesApi} without annotations of its own. */
    @Path("quotes")
    public static class QuotesResource implements QuotesApi {
        @Override
        public String quote() {
            return "ok";
        }

        @Override
        public String plain() {
            return "ok";
        }
    }

    /** An API interface that declares a type requirement. */
    @RequiresScopes("read")
    public interface ScopedApi {
        @GET @Path("x")
        String x();
    }

    /** Implements {@link ScopedApi}; its class has no security annotation. */
    @Path("scoped-api")
    public static class ScopedApiResource implements ScopedApi {
        @Override
        public String x() {
            return "ok";
        }
    }

    /** A sub-resource locator; the locator carries no annotation, the sub-resource does. */
    @Path("accounts")
    public static class Accounts {
        @Path("{id}")
        public Account account(@PathParam("id") String id) {
            return new Account(id);
        }
    }

    /** The sub-resource: class needs read, delete needs admin. */
    @RequiresScopes("read")
    public static class Account {
        private final String id;

        Account(String id) {
            this.id = id;
        }

        @GET
        public String get() {
            return "account " + id;
        }

        @DELETE @RequiresScopes("admin")
        public String delete() {
            return "deleted " + id;
        }
    }

    /** No security annotation anywhere: the configured default applies. */
    @Path("unannotated")
    public static class Unannotated {
        @GET
        public String get(@Context SecurityContext security) {
            return "hello " + who(security);
        }
    }

    /** A protected resource whose application answers CORS preflights itself, in a resource method. */
    @Path("cors")
    @RequiresScopes("trade")
    public static class CorsResource {
        @GET
        public String get(@Context SecurityContext security) {
            return "orders of " + who(security);
        }

        @OPTIONS
        public Response preflight(@HeaderParam("Origin") String origin) {
            return Response.noContent().header("Access-Control-Allow-Origin", origin)
                    .header("Access-Control-Allow-Methods", "GET, POST").build();
        }
    }

    /** Records who the request is, between the authentication and the scope filter. */
    @Priority(Priorities.AUTHENTICATION + 500)
    public static final class BetweenProbe implements ContainerRequestFilter {
        private final List<String> seen;

        BetweenProbe(List<String> seen) {
            this.seen = seen;
        }

        @Override
        public void filter(ContainerRequestContext request) {
            if (request.getHeaderString("X-Probe") != null) {
                seen.add("between:" + who(request.getSecurityContext()));
            }
        }
    }

    /** Records who the request is, after the scope filter. */
    @Priority(Priorities.AUTHORIZATION + 500)
    public static final class AfterProbe implements ContainerRequestFilter {
        private final List<String> seen;

        AfterProbe(List<String> seen) {
            this.seen = seen;
        }

        @Override
        public void filter(ContainerRequestContext request) {
            if (request.getHeaderString("X-Probe") != null) {
                seen.add("after:" + who(request.getSecurityContext()));
            }
        }
    }
}
