package dev.tokengate.jaxrs;

/** RFC 9728 metadata on RESTEasy. */
class ResteasyMetadataTest extends MetadataContract {

    @Override
    JaxrsRuntime runtime() {
        return ResteasyFeatureTest.RESTEASY;
    }
}
