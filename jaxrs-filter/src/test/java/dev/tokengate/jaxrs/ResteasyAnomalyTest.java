package dev.tokengate.jaxrs;

/** The anomaly rules on RESTEasy. */
class ResteasyAnomalyTest extends AnomalyContractTest {

    @Override
    JaxrsRuntime runtime() {
        return ResteasyFeatureTest.RESTEASY;
    }
}
