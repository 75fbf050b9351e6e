package dev.tokengate.it.ee;

import dev.tokengate.VerifiedToken;
import dev.tokengate.jaxrs.RequiresScopes;
import jakarta.ejb.EJB;
import jakarta.ejb.EJBAccessException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.security.Principal;

/**
 * Who the caller is, as each part of the server sees it after tokengate admitted the request (a token with
 * {@code read}): the servlet request, Jakarta Security's {@code SecurityContext}, an EJB and a CDI bean that both
 * require the role {@code read}, and the {@link VerifiedToken} that tokengate's producer injects. A CDI bean, so
 * that those can be injected.
 */
@Path("caller")
@Produces(MediaType.TEXT_PLAIN)
@RequestScoped
@RequiresScopes("read")
public class CallerResource {

    @Context
    HttpServletRequest request;

    @Inject
    jakarta.security.enterprise.SecurityContext securityContext;

    @EJB
    CallerEjb ejb;

    @Inject
    CallerBean bean;

    @Inject
    VerifiedToken token;

    @GET
    @Path("servlet")
    public String servlet() {
        return "servlet=" + name(request.getUserPrincipal()) + " read=" + request.isUserInRole("read");
    }

    @GET
    @Path("security")
    public String security() {
        return "security=" + name(securityContext.getCallerPrincipal())
                + " read=" + securityContext.isCallerInRole("read");
    }

    @GET
    @Path("ejb")
    public String ejb() {
        return "ejb=" + ejb.caller();
    }

    /** The EJB's method that needs {@code admin}: 403 with what the EJB container said when it refuses. */
    @GET
    @Path("ejb-admin")
    public Response ejbAdmin() {
        try {
            return Response.ok("ejb=" + ejb.admin()).build();
        } catch (EJBAccessException e) {
            return Response.status(403).entity("ejb refused: " + e.getClass().getName()).build();
        }
    }

    @GET
    @Path("cdi")
    public String cdi() {
        return "cdi=" + bean.caller();
    }

    @GET
    @Path("token")
    public String token() {
        return "token=" + token.subject().orElse(null) + " scopes=" + new java.util.TreeSet<>(token.scopes());
    }

    static String name(Principal p) {
        return p == null ? null : p.getName();
    }
}
