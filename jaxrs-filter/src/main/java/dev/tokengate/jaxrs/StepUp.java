package dev.tokengate.jaxrs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Requires, besides the token requirement that applies ({@link RequiresScopes}, {@code @RolesAllowed} or the
 * default), a strong or recent enough user authentication (RFC 9470 step-up): the token's {@code acr} claim one of
 * {@link #acr()}, and its {@code auth_time} at most {@link #maxAge()} seconds ago. A token that does not meet it is
 * refused with 401 {@code insufficient_user_authentication}, whose challenge names {@code acr_values} and/or
 * {@code max_age} for the client to ask the authorization server for a new token. The same as the URL rules'
 * {@code + acr mfa + max-age 300}. Cannot be combined with {@link Open} / {@code @PermitAll} or {@code @DenyAll}.
 * On a method or a resource class (the method's wins); found on interfaces too.
 *
 * <pre>{@code
 * @POST
 * @RequiresScopes("withdraw")
 * @StepUp(acr = "mfa", maxAge = 300)
 * public Response withdraw(Withdrawal w) { ... }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface StepUp {

    /**
     * The acceptable {@code acr} values, in order of preference; any one will do. Empty: any authentication context.
     *
     * @return the values
     */
    String[] acr() default {};

    /**
     * The longest time since the user authenticated ({@code auth_time}), in seconds; {@code -1} (the default): no
     * limit.
     *
     * @return the age in seconds, or -1
     */
    long maxAge() default -1;
}
