package dev.tokengate.it.ee;

import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.SecurityContext;

/**
 * A CDI bean whose method needs the role {@code read} (enforced where the server has an interceptor for
 * {@code @RolesAllowed} on CDI beans); it answers the caller's name as Jakarta Security's {@link SecurityContext}
 * gives it.
 */
@ApplicationScoped
public class CallerBean {

    @Inject
    SecurityContext securityContext;

    @RolesAllowed("read")
    public String caller() {
        return CallerResource.name(securityContext.getCallerPrincipal());
    }
}
