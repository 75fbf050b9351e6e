package dev.tokengate.servlet;

import dev.tokengate.testing.conformance.ConformanceSuite;
import dev.tokengate.testing.conformance.GatedApp;

/** The conformance suites (RFC 6750, 8725, 9068, 7662, 9470) against the servlet filter in a real Jetty. */
class ServletConformanceTest extends ConformanceSuite {

    private static final GatedApp APP = new ServletGatedApp();

    @Override
    protected GatedApp app() {
        return APP;
    }
}
