package dev.tokengate.jaxrs;

import dev.tokengate.VerifiedToken;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.SecurityContext;

// README example: quoted in docs/jaxrs.md; keep the two in step.
/** The README's example resource: every method needs scope read, placing an order needs trade instead, prices are open. */
@Path("orders")
@RequiresScopes("read")
public class OrdersResource {

    @GET
    public String list(@Context SecurityContext security) {
        VerifiedToken token = TokenGateFeature.verifiedToken(security).orElseThrow();
        return "orders of " + token.getName();
    }

    @POST
    @RequiresScopes("trade")              // replaces the class's "read"
    public String place(@Context SecurityContext security) {
        return "order placed by " + security.getUserPrincipal().getName()
                + (security.isUserInRole("read") ? " (who may read)" : "");
    }

    @GET
    @Path("prices")
    @Open                                 // no token needed
    public String prices() {
        return "prices";
    }
}
