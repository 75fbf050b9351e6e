package dev.tokengate.jaxrs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Requires, besides the user's bearer token, the calling application's API key in the API key header
 * ({@code X-API-Key} by default), looked up in the token store; both must be valid and the call log records both.
 * It adds to whatever token requirement applies ({@link RequiresScopes}, {@code @RolesAllowed} or the default) and
 * cannot be combined with {@link Open} / {@code @PermitAll} or {@code @DenyAll}. On a method or a resource class;
 * found on interfaces too.
 *
 * <pre>{@code
 * @POST
 * @RequiresScopes("trade")
 * @RequiresApiKey
 * public Response placeOrder(Order order) { ... }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface RequiresApiKey {
}
