package dev.tokengate.jaxrs;

import dev.tokengate.authorize.Rate;
import dev.tokengate.authorize.Requirement;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The resolution of a resource method's {@link Requirement} from its annotations, done once per method at
 * deployment.
 *
 * <p>Precedence: the first method declaration that carries a security annotation decides (the method in the
 * resource class, then the same method in its superclasses, then in its interfaces); failing that, the first type
 * that carries one (the class, its superclasses, its interfaces); failing that, the configured default for
 * unannotated methods. One element may carry only one of {@code @DenyAll}, {@code @PermitAll}, {@link Open},
 * {@link RequiresScopes}, {@code @RolesAllowed}.
 */
final class AccessRules {

    private static final List<Class<? extends Annotation>> SECURITY_ANNOTATIONS = List.of(
            DenyAll.class, PermitAll.class, Open.class, RequiresScopes.class, RolesAllowed.class);

    private AccessRules() {
    }

    /**
     * The requirement of a resource method.
     *
     * @param resourceClass the resource class (for a sub-resource, the class of the object the locator returned)
     * @param method        the resource method, as declared in the class or in a supertype
     * @param unannotated   what a method without any security annotation needs
     * @throws IllegalStateException when an element carries conflicting annotations or an annotation names an
     *                               invalid scope; the message names the element
     */
    static Requirement requirementFor(Class<?> resourceClass, Method method, Requirement unannotated) {
        Requirement requirement = tokenRequirement(resourceClass, method, unannotated);
        if (requiresApiKey(resourceClass, method)) {
            try {
                requirement = requirement.withApiKey();
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(describe(method) + ": @RequiresApiKey: " + e.getMessage(), e);
            }
        }
        Optional<StepUp> stepUp = modifier(StepUp.class, resourceClass, method);
        if (stepUp.isPresent()) {
            requirement = withStepUp(requirement, stepUp.get(), method);
        }
        Optional<Dpop> dpop = modifier(Dpop.class, resourceClass, method);
        if (dpop.isPresent()) {
            try {
                requirement = requirement.withDpop(dpop.get().value());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(describe(method) + ": @Dpop: " + e.getMessage(), e);
            }
        }
        Optional<RateLimit> limit = rateLimit(resourceClass, method);
        if (limit.isEmpty()) {
            return requirement;
        }
        try {
            // the method is the route: each resource method counts its own calls
            return requirement.withRateLimit(Rate.parse(limit.get().value())).forRoute(route(resourceClass, method));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(describe(method) + ": @RateLimit: " + e.getMessage(), e);
        }
    }

    private static Requirement withStepUp(Requirement requirement, StepUp stepUp, Method method) {
        if (stepUp.acr().length == 0 && stepUp.maxAge() == -1) {
            throw new IllegalStateException(describe(method) + ": @StepUp names neither acr nor maxAge; write e.g. "
                    + "@StepUp(acr = \"mfa\") or @StepUp(maxAge = 300)");
        }
        try {
            Requirement r = requirement;
            if (stepUp.acr().length > 0) {
                r = r.withAcrValues(List.of(stepUp.acr()));
            }
            if (stepUp.maxAge() != -1) {
                if (stepUp.maxAge() <= 0) {
                    throw new IllegalArgumentException("maxAge = " + stepUp.maxAge() + ": write a positive number of "
                            + "seconds, or leave it out for no limit");
                }
                r = r.withMaxAge(java.time.Duration.ofSeconds(stepUp.maxAge()));
            }
            return r;
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(describe(method) + ": @StepUp: " + e.getMessage(), e);
        }
    }

    /** The first {@link RateLimit} on the method's declarations, else on the class or a supertype. */
    private static Optional<RateLimit> rateLimit(Class<?> resourceClass, Method method) {
        return modifier(RateLimit.class, resourceClass, method);
    }

    /** The first annotation of this type on the method's declarations, else on the class or a supertype. */
    private static <A extends Annotation> Optional<A> modifier(Class<A> type, Class<?> resourceClass, Method method) {
        for (Method declaration : declarations(resourceClass, method)) {
            if (declaration.isAnnotationPresent(type)) {
                return Optional.of(declaration.getAnnotation(type));
            }
        }
        for (Class<?> t : hierarchy(resourceClass)) {
            if (t.isAnnotationPresent(type)) {
                return Optional.of(t.getAnnotation(type));
            }
        }
        return Optional.empty();
    }

    /** A resource method's name as a route: {@code com.example.OrdersResource.place(Order)}. */
    private static String route(Class<?> resourceClass, Method method) {
        StringBuilder sb = new StringBuilder(resourceClass.getName()).append('.').append(method.getName()).append('(');
        Class<?>[] types = method.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            sb.append(i == 0 ? "" : ",").append(types[i].getSimpleName());
        }
        return sb.append(')').toString();
    }

    private static Requirement tokenRequirement(Class<?> resourceClass, Method method, Requirement unannotated) {
        for (Method declaration : declarations(resourceClass, method)) {
            Optional<Requirement> r = declaredOn(declaration, describe(declaration));
            if (r.isPresent()) {
                return r.get();
            }
        }
        for (Class<?> type : hierarchy(resourceClass)) {
            Optional<Requirement> r = declaredOn(type, type.getName());
            if (r.isPresent()) {
                return r.get();
            }
        }
        return unannotated;
    }

    /** Whether {@link RequiresApiKey} is on the method (any declaration) or on the class or a supertype. */
    private static boolean requiresApiKey(Class<?> resourceClass, Method method) {
        return declarations(resourceClass, method).stream().anyMatch(m -> m.isAnnotationPresent(RequiresApiKey.class))
                || hierarchy(resourceClass).stream().anyMatch(t -> t.isAnnotationPresent(RequiresApiKey.class));
    }

    /** The method as declared in the resource class, its superclasses, then its interfaces (breadth first). */
    static List<Method> declarations(Class<?> resourceClass, Method method) {
        Set<Method> found = new LinkedHashSet<>();
        for (Class<?> type : hierarchy(resourceClass)) {
            try {
                found.add(type.getDeclaredMethod(method.getName(), method.getParameterTypes()));
            } catch (NoSuchMethodException e) {
                // not declared on this type
            }
        }
        found.add(method);
        return new ArrayList<>(found);
    }

    /** The class, its superclasses (up to, not including, Object), then every interface breadth first. */
    static List<Class<?>> hierarchy(Class<?> resourceClass) {
        List<Class<?>> classes = new ArrayList<>();
        for (Class<?> c = resourceClass; c != null && c != Object.class; c = c.getSuperclass()) {
            classes.add(c);
        }
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        Deque<Class<?>> queue = new ArrayDeque<>();
        for (Class<?> c : classes) {
            queue.addAll(Arrays.asList(c.getInterfaces()));
        }
        while (!queue.isEmpty()) {
            Class<?> i = queue.removeFirst();
            if (interfaces.add(i)) {
                queue.addAll(Arrays.asList(i.getInterfaces()));
            }
        }
        classes.addAll(interfaces);
        return classes;
    }

    /** The requirement that the security annotation on this element states, if it has one. */
    static Optional<Requirement> declaredOn(AnnotatedElement element, String name) {
        List<Annotation> present = new ArrayList<>();
        for (Class<? extends Annotation> type : SECURITY_ANNOTATIONS) {
            Annotation a = element.getAnnotation(type);
            if (a != null) {
                present.add(a);
            }
        }
        if (present.isEmpty()) {
            return Optional.empty();
        }
        if (present.size() > 1) {
            throw new IllegalStateException(name + " carries " + present.stream()
                    .map(a -> "@" + a.annotationType().getSimpleName()).toList()
                    + "; keep one of them, the access rule is ambiguous");
        }
        Annotation a = present.get(0);
        try {
            return Optional.of(requirementOf(a));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(name + ": @" + a.annotationType().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static Requirement requirementOf(Annotation a) {
        if (a instanceof DenyAll) {
            return Requirement.deny();
        }
        if (a instanceof PermitAll || a instanceof Open) {
            return Requirement.permit();
        }
        if (a instanceof RequiresScopes s) {
            return s.match() == RequiresScopes.Match.ANY ? Requirement.anyOf(s.value()) : Requirement.allOf(s.value());
        }
        List<String> roles = List.of(((RolesAllowed) a).value());
        if (roles.isEmpty()) {
            return Requirement.deny();
        }
        if (roles.contains("**")) {
            return Requirement.authenticated();
        }
        return Requirement.anyOf(roles);
    }

    private static String describe(Method m) {
        return m.getDeclaringClass().getName() + "#" + m.getName();
    }
}
