package dev.tokengate.jaxrs;

/** Certificate-bound tokens over mutual TLS on Jersey. */
class JerseyMtlsTest extends MtlsContract {

    @Override
    JaxrsRuntime runtime() {
        return JerseyFeatureTest.JERSEY;
    }
}
