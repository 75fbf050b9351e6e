package dev.tokengate.sample;

import dev.tokengate.jaxrs.Open;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /health}: open to everyone (no token needed, none checked), for load balancers. */
@Path("/health")
@Open
public final class HealthResource {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String health() {
        return "{\"status\":\"up\"}";
    }
}
