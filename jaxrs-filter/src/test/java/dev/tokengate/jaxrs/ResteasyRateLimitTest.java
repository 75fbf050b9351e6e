package dev.tokengate.jaxrs;

/** The rate-limit tests on Resteasy. */
class ResteasyRateLimitTest extends RateLimitContract {

    @Override
    JaxrsRuntime runtime() {
        return ResteasyFeatureTest.RESTEASY;
    }
}
