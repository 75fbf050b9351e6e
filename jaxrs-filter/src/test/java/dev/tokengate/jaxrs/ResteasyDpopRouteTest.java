package dev.tokengate.jaxrs;

/** A resource method's own DPoP mode and server nonces on RESTEasy. */
class ResteasyDpopRouteTest extends DpopRouteContract {

    @Override
    JaxrsRuntime runtime() {
        return ResteasyFeatureTest.RESTEASY;
    }
}
