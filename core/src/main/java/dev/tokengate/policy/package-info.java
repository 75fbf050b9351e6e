/**
 * The policy step of the pipeline: after a token is validated and before the route's scopes are compared, a
 * chain of {@link dev.tokengate.policy.TokenPolicy} steps allows or denies the request, each denial carrying its
 * own status, challenge and headers. The built-in policies ({@link dev.tokengate.policy.TokenPolicies}) refuse
 * tokens bound to a key without their proof of possession, keep address-restricted tokens to their networks and
 * check the calling application's API key.
 */
package dev.tokengate.policy;
