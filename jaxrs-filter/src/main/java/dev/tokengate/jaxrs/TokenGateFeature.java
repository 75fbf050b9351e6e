package dev.tokengate.jaxrs;

import dev.tokengate.ConfigurationException;
import dev.tokengate.TokenGate;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKey;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.log.Loggers;
import jakarta.annotation.PreDestroy;
import jakarta.ws.rs.RuntimeType;
import jakarta.ws.rs.core.Configuration;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.ext.Provider;
import org.slf4j.Logger;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Jakarta REST feature that protects resource methods with bearer tokens, as their annotations say: register
 * it (or let the runtime find it by scanning) and write {@link RequiresScopes @RequiresScopes("trade")} on a
 * resource method.
 *
 * <p>At deployment it binds, to every resource method, an authentication filter
 * ({@code @Priority(Priorities.AUTHENTICATION)}) and a scope filter ({@code @Priority(Priorities.AUTHORIZATION)})
 * that enforce the method's rule, decided once from its annotations:
 * <table>
 *   <caption>Which annotation decides</caption>
 *   <tr><th>order</th><th>where</th><th>what is looked for</th></tr>
 *   <tr><td>1</td><td>the method: in the resource class, then the same method (name and parameter types) in its
 *       superclasses, then in its interfaces, breadth first</td><td>the first declaration that carries a security
 *       annotation decides; the others are not consulted</td></tr>
 *   <tr><td>2</td><td>the type: the resource class, its superclasses, its interfaces</td>
 *       <td>the first type that carries one decides</td></tr>
 *   <tr><td>3</td><td>nothing found</td><td>the default for unannotated methods ({@value #UNANNOTATED}, default
 *       {@code authenticated})</td></tr>
 * </table>
 * A method annotation replaces the class annotation; it never adds to it. For a sub-resource, the class is the
 * one the locator returned; the locator's own annotations are not consulted. The annotations mean:
 * <table>
 *   <caption>What each annotation requires</caption>
 *   <tr><th>annotation</th><th>rule</th><th>refusal</th></tr>
 *   <tr><td>{@code @RequiresScopes({"a", "b"})}</td><td>a token with a and b</td><td>401 without a token, 403
 *       {@code insufficient_scope} without the scopes</td></tr>
 *   <tr><td>{@code @RequiresScopes(value = {"a", "b"}, match = ANY)}</td><td>a token with a or b</td><td>as above</td></tr>
 *   <tr><td>{@code @RolesAllowed({"a", "b"})}</td><td>a token with a or b (roles are scopes)</td><td>as above</td></tr>
 *   <tr><td>{@code @RolesAllowed("**")}</td><td>any valid token</td><td>401 without a token</td></tr>
 *   <tr><td>{@code @RolesAllowed({})}, {@code @DenyAll}</td><td>nobody</td><td>403 {@code access_denied}</td></tr>
 *   <tr><td>{@code @PermitAll}, {@link Open @Open}</td><td>nothing: a token is neither needed nor checked</td><td>none</td></tr>
 * </table>
 * One element may carry only one of these; a method whose annotations conflict or name an invalid scope is closed
 * ({@code deny}) and the problem is logged as an error at deployment. Any request with a token that is malformed
 * (400 {@code invalid_request}) or invalid (401 {@code invalid_token}), or that cannot be checked because the
 * issuer's keys are unreachable (503), is refused on every method that looks at tokens, and so is one that a
 * {@link dev.tokengate.policy.TokenPolicy policy} of the gate denies (with the policy's status, e.g. 429), by the
 * authentication filter, before the application's own filters. Status, the {@code WWW-Authenticate} challenge,
 * extra headers and the {@code application/problem+json} body are the core pipeline's, the same as the servlet
 * filter sends. With {@code tokengate.mode=report-only} nothing is refused: each request reaches its method (with
 * the security context of a valid token) and the refusal it would have had is logged as {@code would_deny}.
 *
 * <p>On an admitted request, the {@link SecurityContext} is the token's: {@code getUserPrincipal()} is the
 * {@link VerifiedToken}, {@code isUserInRole(scope)} asks for a scope, {@code getAuthenticationScheme()} is
 * {@code "BEARER"} and {@code isSecure()} is the container's. The token is also the request property
 * {@value #TOKEN_PROPERTY}; {@link #verifiedToken(SecurityContext)} reads it from an injected
 * {@code @Context SecurityContext}. If the tokengate servlet filter already verified the request's token in the
 * same application (it leaves the same request attribute), that token is used without a second validation, and
 * the servlet filter's call-log event is the request's only one. Otherwise each request to a resource method gets
 * one call-log event with the status sent, refusals included.
 *
 * <h2>Configuration</h2>
 * Built with a {@link TokenGate}, the feature uses it as it is. Built with the
 * no-argument constructor (as scanning does), it reads the {@code tokengate.*} settings of
 * {@link dev.tokengate.config.ConfigKeys} and {@value #UNANNOTATED} from Java system properties, then environment
 * variables ({@code TOKENGATE_JWT_ISSUER}), then the application's configuration properties
 * ({@code Application.getProperties()}), then the application's MicroProfile Config where the server has it
 * ({@code META-INF/microprofile-config.properties}: the keys it shares with the servlet filter and the Jakarta
 * Security mechanism); a blank value counts as unset. An unknown or malformed key fails deployment
 * with a {@link ConfigurationException} naming it and the layer it came from; a key of another adapter (the servlet
 * filter's {@code tokengate.rules}) is ignored.
 *
 * <h2>Shutdown</h2>
 * A gate the feature built (no-argument constructor) is the feature's, and is closed
 * when the application stops: on Jersey when Jersey shuts the application down; where the runtime manages the
 * feature's life (CDI, or Jersey for a feature registered by class) by its {@link PreDestroy @PreDestroy}
 * {@link #close()}; on a runtime with neither (RESTEasy outside CDI calls nothing on providers when it stops) once the
 * stopped application has been garbage collected, unless the application calls {@link #close()} itself. A
 * {@link TokenGate} given to the feature stays the caller's to close.
 *
 * <p>Each instance owns its pipeline; thread-safe.
 */
@Provider
public final class TokenGateFeature implements Feature, AutoCloseable {

    /** The request property holding the {@link VerifiedToken} of an authenticated request; the servlet filter's attribute name. */
    public static final String TOKEN_PROPERTY = "dev.tokengate.VerifiedToken";

    /**
     * Setting: what a resource method without any security annotation needs, in {@link Requirement#parse} form:
     * {@code authenticated} (the default), {@code permit}, {@code deny}, or scopes ({@code read}, {@code a | b}).
     */
    public static final String UNANNOTATED = ConfigKeys.JAXRS_UNANNOTATED;

    private static final Logger LOG = Loggers.logger(TokenGateFeature.class);
    private static final String CONFIGURED = TokenGateFeature.class.getName() + ".configured";

    private final TokenGate gate;
    private final Requirement unannotated;
    private final Map<String, String> environment;
    private final Properties systemProperties;
    /** The gates this feature built, so closes: its config's, or one per application configured from settings. */
    private final Set<TokenGate> built = ConcurrentHashMap.newKeySet();

    /**
     * A feature configured from system properties, environment variables and the application's {@code tokengate.*}
     * properties when it is registered.
     */
    public TokenGateFeature() {
        this(System.getenv(), System.getProperties());
    }

    /** The same, under this environment and these system properties instead of the process's. For tests. */
    TokenGateFeature(Map<String, String> environment, Properties systemProperties) {
        this.gate = null;
        this.unannotated = null;
        this.environment = Objects.requireNonNull(environment, "environment");
        this.systemProperties = Objects.requireNonNull(systemProperties, "systemProperties");
    }

    /**
     * A feature with this pipeline; unannotated methods need a valid token.
     *
     * @param gate the pipeline the filters run; not null, and it stays the caller's to close
     */
    public TokenGateFeature(TokenGate gate) {
        this(gate, Requirement.authenticated());
    }

    /**
     * A feature with this pipeline.
     *
     * @param gate        the pipeline (e.g. {@code TokenGate.builder().issuer(...).build()}, with a custom validator
     *                    or call-log sink if need be)
     * @param unannotated what a method without any security annotation needs, e.g. {@link Requirement#permit()}
     */
    public TokenGateFeature(TokenGate gate, Requirement unannotated) {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.unannotated = Objects.requireNonNull(unannotated, "unannotated");
        this.environment = Map.of();
        this.systemProperties = new Properties();
    }

    /**
     * Registers the binding of the filters to resource methods; on a client, or when another instance is already
     * registered in this application, does nothing and answers {@code false}.
     *
     * @throws ConfigurationException (no-argument feature) when a setting is unknown, malformed or inconsistent
     */
    @Override
    public boolean configure(FeatureContext context) {
        Configuration configuration = context.getConfiguration();
        if (configuration.getRuntimeType() != RuntimeType.SERVER) {
            return false;
        }
        if (configuration.getProperty(CONFIGURED) != null) {
            LOG.warn("tokengate: a second TokenGateFeature was registered in the same application; it is ignored");
            return false;
        }
        Binder binder = gate != null ? new Binder(gate, unannotated) : fromConfiguration(configuration);
        TokenGate configured = binder.gate();
        if (gate == null) {
            built.add(configured);
        }
        context.property(CONFIGURED, Boolean.TRUE);
        context.register(binder);
        context.register(new MetadataFilter(configured, binder::scopes));
        if (ServletPeer.AVAILABLE) {
            context.register(new ServletPeer(), ServletPeer.PRIORITY);
        }
        if (built.contains(configured)) {
            String when = Shutdown.closeWhenStopped(context, binder, () -> close(configured));
            LOG.debug("tokengate: the JAX-RS feature's gate will be closed {}", when);
        }
        return true;
    }

    /**
     * Closes the gates this feature built (flushing the token store's pending writes, stopping its thread); a
     * {@link TokenGate} given to the feature is left open. Runs when the runtime destroys the feature; an application
     * whose runtime does not may call it when it stops. Idempotent.
     */
    @PreDestroy
    @Override
    public void close() {
        for (TokenGate g : List.copyOf(built)) {
            close(g);
        }
    }

    private void close(TokenGate g) {
        if (built.remove(g)) {
            g.close();
        }
    }

    /**
     * The verified token of the request whose security context this is (from {@code @Context SecurityContext}).
     *
     * @param securityContext the request's security context; may be null
     * @return the token, empty when the request is not authenticated by tokengate
     */
    public static Optional<VerifiedToken> verifiedToken(SecurityContext securityContext) {
        return securityContext != null && securityContext.getUserPrincipal() instanceof VerifiedToken token
                ? Optional.of(token) : Optional.empty();
    }

    private Binder fromConfiguration(Configuration configuration) {
        Map<String, String> properties = new LinkedHashMap<>();
        configuration.getProperties().forEach((k, v) -> {
            if (k.startsWith("tokengate.") && v != null) {
                properties.put(k, v.toString());
            }
        });
        ClassLoader application = Thread.currentThread().getContextClassLoader(); // the application's, while it deploys
        ConfigSource source = ConfigSource.of(properties, environment, systemProperties)
                .withMicroProfileConfig(application != null ? application : TokenGateFeature.class.getClassLoader())
                .readBy(ConfigKey.Component.JAXRS, "application property");
        TokenGate gate = TokenGate.create(source);
        Requirement unannotated;
        try {
            unannotated = source.get(UNANNOTATED, Requirement::parse).orElse(Requirement.authenticated());
        } catch (RuntimeException e) {
            gate.close();
            throw e;
        }
        LOG.info("tokengate: JAX-RS feature started; unannotated resource methods require {}; settings: {}",
                unannotated, source.describe());
        return new Binder(gate, unannotated);
    }
}
