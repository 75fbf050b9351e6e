package dev.tokengate.it.ee;

import dev.tokengate.jaxrs.RequiresScopes;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

/**
 * One resource method per row of the annotation matrix that {@code TokenGateFeature}'s javadoc documents; each
 * answers who the caller is, as JAX-RS's {@link SecurityContext} says. Not a CDI bean (no bean-defining
 * annotation): only tokengate's feature decides here, not a server's own interceptors.
 */
@Path("matrix")
@Produces(MediaType.TEXT_PLAIN)
public class MatrixResource {

    @Context
    SecurityContext security;

    @GET
    @Path("scope")
    @RequiresScopes("read")
    public String scope() {
        return caller();
    }

    @GET
    @Path("all-scopes")
    @RequiresScopes({"read", "trade"})
    public String allScopes() {
        return caller();
    }

    @GET
    @Path("any-scope")
    @RequiresScopes(value = {"admin", "trade"}, match = RequiresScopes.Match.ANY)
    public String anyScope() {
        return caller();
    }

    @GET
    @Path("roles")
    @RolesAllowed({"read", "admin"})
    public String roles() {
        return caller();
    }

    @GET
    @Path("any-token")
    @RolesAllowed("**")
    public String anyToken() {
        return caller();
    }

    @GET
    @Path("permit")
    @PermitAll
    public String permit() {
        return caller();
    }

    @GET
    @Path("deny")
    @DenyAll
    public String deny() {
        return caller();
    }

    @GET
    @Path("unannotated")
    public String unannotated() {
        return caller();
    }

    private String caller() {
        return "jaxrs=" + (security.getUserPrincipal() == null ? null : security.getUserPrincipal().getName())
                + " scheme=" + security.getAuthenticationScheme()
                + " read=" + security.isUserInRole("read");
    }
}
