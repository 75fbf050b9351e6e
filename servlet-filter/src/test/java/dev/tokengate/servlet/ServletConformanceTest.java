package dev.tokengate.servlet;

import dev.tokengate.testing.conformance.ChallengeContract;
import dev.tokengate.testing.conformance.ExtractionContract;
import dev.tokengate.testing.conformance.GatedApp;
import dev.tokengate.testing.conformance.JwtContract;
import dev.tokengate.testing.conformance.OpaqueContract;
import org.junit.jupiter.api.Nested;

/** The conformance suites (RFC 6750, 8725, 9068, 7662) against the servlet filter in a real Jetty. */
class ServletConformanceTest {

    private static final GatedApp APP = new ServletGatedApp();

    @Nested
    class Extraction extends ExtractionContract {
        @Override
        protected GatedApp app() {
            return APP;
        }
    }

    @Nested
    class Jwt extends JwtContract {
        @Override
        protected GatedApp app() {
            return APP;
        }
    }

    @Nested
    class Opaque extends OpaqueContract {
        @Override
        protected GatedApp app() {
            return APP;
        }
    }

    @Nested
    class Challenge extends ChallengeContract {
        @Override
        protected GatedApp app() {
            return APP;
        }
    }
}
