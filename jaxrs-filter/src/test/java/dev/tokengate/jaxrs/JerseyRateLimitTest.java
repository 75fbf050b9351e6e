package dev.tokengate.jaxrs;

/** The rate-limit tests on Jersey. */
class JerseyRateLimitTest extends RateLimitContract {

    @Override
    JaxrsRuntime runtime() {
        return JerseyFeatureTest.JERSEY;
    }
}
