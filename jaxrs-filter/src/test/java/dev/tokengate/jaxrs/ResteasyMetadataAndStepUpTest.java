package dev.tokengate.jaxrs;

/** RFC 9728 metadata and step-up on RESTEasy. */
class ResteasyMetadataAndStepUpTest extends MetadataAndStepUpContract {

    @Override
    JaxrsRuntime runtime() {
        return ResteasyFeatureTest.RESTEASY;
    }
}
