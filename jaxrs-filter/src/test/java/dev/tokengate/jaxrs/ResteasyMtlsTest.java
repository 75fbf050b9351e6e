package dev.tokengate.jaxrs;

/** Certificate-bound tokens over mutual TLS on RESTEasy. */
class ResteasyMtlsTest extends MtlsContract {

    @Override
    JaxrsRuntime runtime() {
        return ResteasyFeatureTest.RESTEASY;
    }
}
