/**
 * The Jakarta REST adapter of tokengate: {@link dev.tokengate.jaxrs.TokenGateFeature}, the one {@code Feature} to
 * register, and the annotations {@link dev.tokengate.jaxrs.RequiresScopes} and {@link dev.tokengate.jaxrs.Open}
 * (with {@code @PermitAll}, {@code @DenyAll} and {@code @RolesAllowed} honoured) that say what each resource method
 * needs.
 */
package dev.tokengate.jaxrs;
