package dev.tokengate.it.ee;

import jakarta.annotation.Resource;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;

/** A stateless EJB whose methods need a role, as the EJB container checks it; it answers its caller's name. */
@Stateless
public class CallerEjb {

    @Resource
    SessionContext context;

    @RolesAllowed("read")
    public String caller() {
        return CallerResource.name(context.getCallerPrincipal());
    }

    @RolesAllowed("admin")
    public String admin() {
        return CallerResource.name(context.getCallerPrincipal());
    }
}
