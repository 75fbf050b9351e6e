package dev.tokengate.testkit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * A JUnit 5 extension that starts one {@link LoopbackIssuer} per test class, injects it as a parameter of type
 * {@link LoopbackIssuer}, and optionally configures a gate to trust it by publishing its
 * {@link LoopbackIssuer#settings() tokengate.* settings} as system properties while the class runs.
 *
 * <pre>{@code
 * class OrdersApiTest {
 *     @RegisterExtension
 *     static final LoopbackIssuerExtension ISSUER = LoopbackIssuerExtension.create()
 *             .configure(b -> b.audience("https://orders.example.com"))
 *             .publishSystemProperties();
 *
 *     @Test
 *     void ordersNeedAToken() {
 *         String token = ISSUER.issuer().token().scope("orders:read").sign();
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>Register it in a {@code static} field (or use {@link WithLoopbackIssuer}); {@link #issuer()} then reaches the
 * running issuer. Nested classes share their enclosing class's issuer. System properties are JVM-wide: a class that
 * publishes them must not run in parallel with another that reads or writes the same keys.
 */
public final class LoopbackIssuerExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
            LoopbackIssuerExtension.class);
    private static final String KEY = "issuer";

    private Consumer<LoopbackIssuer.Builder> configuration = b -> { };
    private boolean systemProperties;
    private boolean declarative = true;
    private volatile Running running;

    /**
     * An extension configured by the test class's {@link WithLoopbackIssuer} annotation, for
     * {@code @ExtendWith}; in a field, use {@link #create()}.
     */
    public LoopbackIssuerExtension() {
    }

    /**
     * An extension with the issuer's defaults, for a {@code @RegisterExtension static} field.
     *
     * @return the extension
     */
    public static LoopbackIssuerExtension create() {
        LoopbackIssuerExtension extension = new LoopbackIssuerExtension();
        extension.declarative = false;
        return extension;
    }

    /**
     * Configures the issuer before it starts (clock, key, audience, issuer path, client credentials).
     *
     * @param configuration what to set on the builder
     * @return this extension
     */
    public LoopbackIssuerExtension configure(Consumer<LoopbackIssuer.Builder> configuration) {
        this.configuration = this.configuration.andThen(Objects.requireNonNull(configuration, "configuration"));
        return this;
    }

    /**
     * Publishes the issuer's {@link LoopbackIssuer#settings() settings} as system properties from before the
     * class's first test to after its last, then restores each property's previous value (or absence).
     *
     * @return this extension
     */
    public LoopbackIssuerExtension publishSystemProperties() {
        this.systemProperties = true;
        return this;
    }

    /**
     * The running issuer, for a test that holds the extension in a static field.
     *
     * @return the issuer
     * @throws IllegalStateException outside the test class's run
     */
    public LoopbackIssuer issuer() {
        Running r = running;
        if (r == null) {
            throw new IllegalStateException("the loopback issuer runs only while its test class does: read it in a"
                    + " test or lifecycle method, not in a field initialiser");
        }
        return r.issuer;
    }

    /**
     * Starts the issuer, unless an enclosing class's already runs, and publishes its settings when asked.
     *
     * @param context the class's context
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        if (store.get(KEY, Running.class) != null) {
            return; // a nested class: the enclosing class's issuer serves it
        }
        LoopbackIssuer.Builder builder = LoopbackIssuer.builder();
        boolean publish = systemProperties;
        if (declarative) {
            Optional<WithLoopbackIssuer> annotation = context.getTestClass()
                    .flatMap(c -> AnnotationSupport.findAnnotation(c, WithLoopbackIssuer.class));
            if (annotation.isPresent()) {
                builder.audience(annotation.get().audience()).algorithm(annotation.get().algorithm());
                publish = annotation.get().systemProperties();
            }
        }
        configuration.accept(builder);
        Running r = new Running(builder.start(), publish);
        store.put(KEY, r);
        running = r;
    }

    /**
     * Restores the system properties and stops the issuer that {@link #beforeAll} started for this class.
     *
     * @param context the class's context
     */
    @Override
    public void afterAll(ExtensionContext context) {
        Running r = context.getStore(NAMESPACE).remove(KEY, Running.class);
        if (r != null) {
            if (running == r) {
                running = null;
            }
            r.close();
        }
    }

    /**
     * Fails a test whose extension was registered in an instance field, which JUnit never calls before the class.
     *
     * @param context the test's context
     */
    @Override
    public void beforeEach(ExtensionContext context) {
        if (context.getStore(NAMESPACE).get(KEY, Running.class) == null) {
            throw new ExtensionConfigurationException("LoopbackIssuerExtension starts one issuer per class: register"
                    + " it in a static field (@RegisterExtension static final LoopbackIssuerExtension ...)");
        }
    }

    /**
     * Whether the parameter is a {@link LoopbackIssuer}.
     *
     * @param parameterContext the parameter
     * @param extensionContext the context
     * @return whether this extension resolves it
     */
    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == LoopbackIssuer.class;
    }

    /**
     * The class's issuer.
     *
     * @param parameterContext the parameter
     * @param extensionContext the context
     * @return the issuer
     */
    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Running r = extensionContext.getStore(NAMESPACE).get(KEY, Running.class);
        if (r == null) {
            throw new ExtensionConfigurationException("no loopback issuer runs for "
                    + extensionContext.getDisplayName() + ": register LoopbackIssuerExtension in a static field");
        }
        return r.issuer;
    }

    /** One class's issuer and the system properties it replaced. */
    private static final class Running implements ExtensionContext.Store.CloseableResource {

        private final LoopbackIssuer issuer;
        private final Map<String, Optional<String>> replaced = new LinkedHashMap<>();

        Running(LoopbackIssuer issuer, boolean publish) {
            this.issuer = issuer;
            if (publish) {
                issuer.settings().forEach((key, value) -> {
                    replaced.put(key, Optional.ofNullable(System.getProperty(key)));
                    System.setProperty(key, value);
                });
            }
        }

        @Override
        public void close() {
            replaced.forEach((key, previous) -> {
                if (previous.isPresent()) {
                    System.setProperty(key, previous.get());
                } else {
                    System.clearProperty(key);
                }
            });
            replaced.clear();
            issuer.close();
        }
    }
}
