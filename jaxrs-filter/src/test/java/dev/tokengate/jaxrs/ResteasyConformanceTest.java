package dev.tokengate.jaxrs;

import dev.tokengate.testing.conformance.ConformanceSuite;
import dev.tokengate.testing.conformance.GatedApp;

/** The conformance suites (RFC 6750, 8725, 9068, 7662, 9470) against the JAX-RS feature on RESTEasy in a real Jetty. */
class ResteasyConformanceTest extends ConformanceSuite {

    private static final GatedApp APP = new JaxrsGatedApp(ResteasyFeatureTest.RESTEASY);

    @Override
    protected GatedApp app() {
        return APP;
    }
}
