package dev.tokengate.jaxrs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A declaration that a resource method, or every method of a resource class, is open: no token is needed and a
 * token that is sent is not checked, exactly like {@code @PermitAll}.
 *
 * <p>The request still gets its call-log event (decision {@code permit}). A method annotation replaces the class
 * annotation, so an {@code @Open} method of a {@code @RequiresScopes} class is open, and a
 * {@code @RequiresScopes} method of an {@code @Open} class is not.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Open {
}
