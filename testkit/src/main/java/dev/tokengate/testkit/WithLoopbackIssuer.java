package dev.tokengate.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class with a {@link LoopbackIssuer}: one issuer is started before the class's tests and stopped after
 * them, and is injected into any constructor, test or lifecycle method parameter of type {@link LoopbackIssuer}.
 *
 * <pre>{@code
 * @WithLoopbackIssuer(systemProperties = true)
 * class OrdersApiTest {
 *     @Test
 *     void ordersNeedAToken(LoopbackIssuer issuer) { ... }
 * }
 * }</pre>
 *
 * <p>For a clock or a key of the test's own, register {@link LoopbackIssuerExtension} in a static field instead.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(LoopbackIssuerExtension.class)
public @interface WithLoopbackIssuer {

    /**
     * Whether to publish the issuer's {@link LoopbackIssuer#settings() settings} as system properties while the
     * class runs (the previous values are restored after it), so that a gate that reads its {@code tokengate.*}
     * keys from system properties trusts the issuer with no code.
     *
     * @return whether to publish them; default {@code false}
     */
    boolean systemProperties() default false;

    /**
     * The audience of minted tokens and of the settings.
     *
     * @return the audience; default {@value LoopbackIssuer#DEFAULT_AUDIENCE}
     */
    String audience() default LoopbackIssuer.DEFAULT_AUDIENCE;

    /**
     * The algorithm of the issuer's signing key.
     *
     * @return e.g. {@code ES256}; default {@code RS256}
     */
    String algorithm() default "RS256";
}
