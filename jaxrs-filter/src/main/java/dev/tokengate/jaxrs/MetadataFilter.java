package dev.tokengate.jaxrs;

import dev.tokengate.ResourceMetadata;
import dev.tokengate.TokenGate;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Response;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * Serves the API's RFC 9728 protected-resource metadata before any resource is matched (no resource class exists
 * for it): open, not in the call log, cacheable. Behind the servlet filter, the filter has answered already.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION)
final class MetadataFilter implements ContainerRequestFilter {

    private final TokenGate gate;
    private final Supplier<? extends Collection<String>> scopes;

    MetadataFilter(TokenGate gate, Supplier<? extends Collection<String>> scopes) {
        this.gate = gate;
        this.scopes = scopes;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        ContainerRequestView view = new ContainerRequestView(request);
        ResourceMetadata metadata = gate.resourceMetadata();
        if (!metadata.isMetadataRequest(view)) {
            return;
        }
        Response.ResponseBuilder b = Response.ok().header("Cache-Control", ResourceMetadata.CACHE_CONTROL)
                .type(ResourceMetadata.CONTENT_TYPE);
        byte[] body = metadata.document(view, scopes.get()).getBytes(StandardCharsets.UTF_8);
        request.abortWith(b.entity(body).build());
    }
}
