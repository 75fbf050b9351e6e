package dev.tokengate.jaxrs;

import dev.tokengate.TokenGate;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;

/**
 * The response filter that ends this layer's call with the status sent, emitting the request's one call-log
 * event, and sends the call's {@link TokenGate.Call#responseHeaders() headers} (the request id in
 * {@value TokenGate#REQUEST_ID_HEADER}, the DPoP nonce when nonces are required): for responses of the
 * method and for refusals by {@code abortWith} alike. It runs among the last
 * response filters ({@link Priorities#AUTHENTICATION}; response filters run in descending priority), so it sees
 * the status that the application's own response filters settled on.
 */
@Priority(Priorities.AUTHENTICATION)
final class CallFinisher implements ContainerResponseFilter {

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getProperty(Exchange.PROPERTY) instanceof Exchange exchange && exchange.owned()) {
            // the owner of the call answers with its id (a joined call's owner, the servlet filter, already did)
            exchange.call().responseHeaders().forEach(response.getHeaders()::putSingle);
            exchange.call().finish(response.getStatus());
        }
    }
}
