package dev.tokengate.jaxrs;

import dev.tokengate.testing.conformance.ConformanceSuite;
import dev.tokengate.testing.conformance.GatedApp;

/** The conformance suites (RFC 6750, 8725, 9068, 7662, 9470) against the JAX-RS feature on Jersey in a real Jetty. */
class JerseyConformanceTest extends ConformanceSuite {

    private static final GatedApp APP = new JaxrsGatedApp(JerseyFeatureTest.JERSEY);

    @Override
    protected GatedApp app() {
        return APP;
    }
}
