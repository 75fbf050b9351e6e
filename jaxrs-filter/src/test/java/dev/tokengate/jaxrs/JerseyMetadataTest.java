package dev.tokengate.jaxrs;

/** RFC 9728 metadata on Jersey. */
class JerseyMetadataTest extends MetadataContract {

    @Override
    JaxrsRuntime runtime() {
        return JerseyFeatureTest.JERSEY;
    }
}
