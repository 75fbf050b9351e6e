package dev.tokengate.jaxrs;

/** RFC 9728 metadata and step-up on Jersey. */
class JerseyMetadataAndStepUpTest extends MetadataAndStepUpContract {

    @Override
    JaxrsRuntime runtime() {
        return JerseyFeatureTest.JERSEY;
    }
}
