package dev.tokengate.jaxrs;

/** A resource method's own DPoP mode and server nonces on Jersey. */
class JerseyDpopRouteTest extends DpopRouteContract {

    @Override
    JaxrsRuntime runtime() {
        return JerseyFeatureTest.JERSEY;
    }
}
