package dev.tokengate.jaxrs;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.tokengate.TokenGate;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.log.Loggers;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import org.slf4j.Logger;

import java.lang.reflect.Method;

/**
 * The {@link DynamicFeature} that {@link TokenGateFeature} registers: for each resource method, once at deployment,
 * it resolves the method's {@link Requirement} ({@link AccessRules}) and binds the {@link AuthenticationFilter},
 * the {@link ScopeFilter} and the {@link CallFinisher} to it.
 *
 * <p>A method whose annotations cannot be read as one rule (conflicting annotations, an invalid scope) is bound to
 * {@code deny} and the problem logged as an error: it fails closed whatever the runtime does with exceptions here.
 */
final class Binder implements DynamicFeature {

    private static final Logger LOG = Loggers.logger(Binder.class);

    private final TokenGate gate;
    private final Requirement unannotated;
    /** The scopes the bound resource methods name: {@code scopes_supported} of the RFC 9728 metadata. */
    private final Set<String> scopes = ConcurrentHashMap.newKeySet();

    Binder(TokenGate gate, Requirement unannotated) {
        this.gate = gate;
        this.unannotated = unannotated;
    }

    TokenGate gate() {
        return gate;
    }

    /** The scopes the resource methods bound so far require (all of them, once the application is deployed). */
    Set<String> scopes() {
        return scopes;
    }

    @Override
    public void configure(ResourceInfo resourceInfo, FeatureContext context) {
        Class<?> resourceClass = resourceInfo.getResourceClass();
        Method method = resourceInfo.getResourceMethod();
        if (resourceClass == null || method == null) {
            return;
        }
        Requirement requirement = requirementFor(resourceClass, method);
        scopes.addAll(requirement.scopes());
        context.register(new AuthenticationFilter(gate, requirement), Priorities.AUTHENTICATION);
        context.register(new ScopeFilter(requirement), Priorities.AUTHORIZATION);
        context.register(new CallFinisher(), Priorities.AUTHENTICATION);
    }

    Requirement requirementFor(Class<?> resourceClass, Method method) {
        try {
            Requirement r = AccessRules.requirementFor(resourceClass, method, unannotated);
            if (r.requiresApiKey() && !gate.supportsApiKeys()) {
                throw new IllegalStateException("@RequiresApiKey needs a token store to look API keys up in: set "
                        + dev.tokengate.config.ConfigKeys.STORE_JDBC_URL);
            }
            Optional<String> unenforceable = gate.checkRoute(r.route().isPresent() ? r
                    : r.forRoute(resourceClass.getSimpleName() + "." + method.getName()));
            if (unenforceable.isPresent()) {
                throw new IllegalStateException(unenforceable.get());
            }
            LOG.debug("tokengate: {}#{} requires {}", resourceClass.getName(), method.getName(), r);
            return r;
        } catch (IllegalStateException e) {
            LOG.error("tokengate: {}; {}#{} is closed (deny) until this is fixed", e.getMessage(),
                    resourceClass.getName(), method.getName());
            return Requirement.deny();
        }
    }
}
