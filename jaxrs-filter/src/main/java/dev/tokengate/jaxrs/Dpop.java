package dev.tokengate.jaxrs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.tokengate.jwt.DpopVerifier;

/**
 * The resource's own DPoP mode (RFC 9449), overriding {@code tokengate.dpop}: {@code @Dpop} (or
 * {@code @Dpop(DpopVerifier.Mode.REQUIRED)}) accepts only a DPoP-bound token sent as {@code Authorization: DPoP} with
 * a valid proof, and its 401 challenge is {@code DPoP} alone; {@code ALLOWED} accepts both schemes; {@code OFF} only
 * {@code Bearer}. A DPoP-bound token sent as {@code Bearer} is refused whatever the mode. The same as the URL rules'
 * {@code + dpop required}. With {@code tokengate.dpop=off} a method that says {@code ALLOWED} or {@code REQUIRED}
 * is closed (deny) and the problem logged at deployment. Goes with a requirement that needs a token (not
 * {@link Open} / {@code @PermitAll} or {@code @DenyAll}); on a method or a resource class (the method's wins);
 * found on interfaces too.
 *
 * <pre>{@code
 * @POST
 * @RequiresScopes("withdraw")
 * @StepUp(acr = "mfa", maxAge = 120)
 * @Dpop
 * public Response withdraw(Withdrawal w) { ... }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Dpop {

    /**
     * The route's DPoP mode.
     *
     * @return the mode; {@link DpopVerifier.Mode#REQUIRED} unless written
     */
    DpopVerifier.Mode value() default DpopVerifier.Mode.REQUIRED;
}
