package dev.tokengate.control;

import dev.tokengate.policy.TokenPolicy;

/**
 * Rotation of stored tokens as the request path sees it: a token rotated with {@code TokenAdmin.rotate} keeps
 * working for its grace period ({@code tokengate.store.rotation-grace}, 24 hours by default), and each call made
 * with it, as bearer token or as the calling application's API key, is marked {@value #MARK} in the call log, so
 * that owners see which clients still use the old secret. The gate refuses the old secret once the grace period is
 * over (the token store and its caches see to that; this policy only marks).
 */
public final class Rotations {

    /** The call-log mark of a call made with a rotated token, or API key, in its grace period. */
    public static final String MARK = "rotated";

    private Rotations() {
    }

    /**
     * The policy that marks such calls; every {@code TokenGate} runs it after its revocation list.
     *
     * @return the policy, one instance for every gate
     */
    public static TokenPolicy policy() {
        return RotationPolicy.INSTANCE;
    }
}
