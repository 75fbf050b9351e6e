package dev.tokengate.jaxrs;

/** The anomaly rules on Jersey. */
class JerseyAnomalyTest extends AnomalyContractTest {

    @Override
    JaxrsRuntime runtime() {
        return JerseyFeatureTest.JERSEY;
    }
}
