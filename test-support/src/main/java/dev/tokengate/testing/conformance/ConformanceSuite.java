package dev.tokengate.testing.conformance;

import org.junit.jupiter.api.Nested;

/**
 * Every conformance suite against one adapter: an adapter's test module extends this with its {@link GatedApp}, and
 * JUnit runs each suite as a nested class of that test.
 */
public abstract class ConformanceSuite {

    /** The adapter under test. */
    protected abstract GatedApp app();

    @Nested
    class Extraction extends ExtractionContract {
        @Override
        protected GatedApp app() {
            return ConformanceSuite.this.app();
        }
    }

    @Nested
    class Jwt extends JwtContract {
        @Override
        protected GatedApp app() {
            return ConformanceSuite.this.app();
        }
    }

    @Nested
    class Opaque extends OpaqueContract {
        @Override
        protected GatedApp app() {
            return ConformanceSuite.this.app();
        }
    }

    @Nested
    class Challenge extends ChallengeContract {
        @Override
        protected GatedApp app() {
            return ConformanceSuite.this.app();
        }
    }

    @Nested
    class Revocation extends RevocationContract {
        @Override
        protected GatedApp app() {
            return ConformanceSuite.this.app();
        }
    }

    @Nested
    class ProofOfPossession extends ProofOfPossessionContract {
        @Override
        protected GatedApp app() {
            return ConformanceSuite.this.app();
        }
    }

    @Nested
    class StepUp extends StepUpContract {
        @Override
        protected GatedApp app() {
            return ConformanceSuite.this.app();
        }
    }

    @Nested
    class Metadata extends ResourceMetadataContract {
        @Override
        protected GatedApp app() {
            return ConformanceSuite.this.app();
        }
    }
}
