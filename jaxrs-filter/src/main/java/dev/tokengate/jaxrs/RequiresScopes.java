package dev.tokengate.jaxrs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A declaration that a resource method, or every method of a resource class, needs a bearer token with these
 * OAuth scopes: all of them by default, any one of them with {@code match = Match.ANY}.
 *
 * <pre>{@code
 * @GET @RequiresScopes("read")                                          // read
 * @POST @RequiresScopes({"read", "trade"})                              // read and trade
 * @DELETE @RequiresScopes(value = {"admin", "trade"}, match = Match.ANY) // admin or trade
 * }</pre>
 *
 * <p>A method annotation replaces the class annotation (it does not add to it). The annotation is also found on
 * the same method or type declared in a superclass or an implemented interface. A request without a token gets
 * 401, a token without the scopes 403 {@code insufficient_scope} naming them. The precedence among this,
 * {@link Open}, {@code @PermitAll}, {@code @DenyAll} and {@code @RolesAllowed} is given in {@link TokenGateFeature}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface RequiresScopes {

    /**
     * The scopes, at least one; each an RFC 6749 scope token (printable ASCII, no space, quote or backslash).
     *
     * @return the scopes
     */
    String[] value();

    /**
     * Whether the token needs all the scopes (the default) or any one of them.
     *
     * @return {@link Match#ALL} or {@link Match#ANY}
     */
    Match match() default Match.ALL;

    /** How the listed scopes combine. */
    enum Match {
        /** The token must have every listed scope. */
        ALL,
        /** The token must have at least one of the listed scopes. */
        ANY
    }
}
