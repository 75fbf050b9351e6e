package dev.tokengate.jaxrs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Limits each token to so many calls of this resource method per window, for costly endpoints such as order
 * placement: {@code N/duration}, e.g. {@code "10/1m"} (see {@link dev.tokengate.authorize.Rate}). Over the limit the
 * call is refused with 429 {@code rate_limited}, {@code Retry-After} and the {@code RateLimit-Policy} /
 * {@code RateLimit} headers ({@code "per-route"}). Each method counts its own calls. It adds to whatever token
 * requirement applies ({@link RequiresScopes}, {@code @RolesAllowed}, the default, {@link RequiresApiKey}) and cannot
 * be combined with {@link Open} / {@code @PermitAll} or {@code @DenyAll}: such a method, or one whose rate is
 * malformed, is closed (403 for everyone) and the error is logged at deployment. On a method (the first declaration
 * that carries it: the class's, a superclass's, an interface's) or a resource class (every method its own budget).
 *
 * <pre>{@code
 * @POST
 * @RequiresScopes("trade")
 * @RateLimit("10/1m")
 * public Response placeOrder(Order order) { ... }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface RateLimit {

    /**
     * The limit per token, {@code N/duration}: {@code "10/1m"}, {@code "100/1h"}.
     *
     * @return the rate, e.g. {@code "10/1m"}
     */
    String value();
}
