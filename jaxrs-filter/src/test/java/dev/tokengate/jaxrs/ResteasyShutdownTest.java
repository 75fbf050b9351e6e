package dev.tokengate.jaxrs;

import org.jboss.resteasy.core.ResteasyContext;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On RESTEasy outside CDI, which calls nothing on providers when its deployment stops, the feature's own gate is
 * closed once the stopped application has been garbage collected (or at once by {@link TokenGateFeature#close()}).
 */
class ResteasyShutdownTest extends FeatureShutdownContract {

    @Override
    JaxrsRuntime runtime() {
        return ResteasyFeatureTest.RESTEASY;
    }

    /**
     * RESTEasy's dispatcher servlet leaves its ServletContext in a thread-local of the thread that initialised it
     * ({@code HttpServletDispatcher.init}), which keeps the stopped application reachable from this test's thread.
     */
    @Override
    void forgetStoppedApplication() {
        ResteasyContext.clearContextData();
    }

    @Test
    void featureRegisteredByClassClosesTheGateItBuiltOnceTheStoppedApplicationIsCollected() throws Exception {
        Thread flushThread = deployAndStop(application(Set.of(TokenGateFeature.class), Set.of(), settings()));
        assertThat(endsWithinGcRounds(flushThread)).as("closed after %d full GCs", GC_ROUNDS).isTrue();
    }

    @Test
    void featureRegisteredAsInstanceClosesTheGateItBuiltOnceTheStoppedApplicationIsCollected() throws Exception {
        Thread flushThread = deployAndStop(application(Set.of(), Set.of(new TokenGateFeature()), settings()));
        assertThat(endsWithinGcRounds(flushThread)).as("closed after %d full GCs", GC_ROUNDS).isTrue();
    }

    /** Deploys, stops, and lets go of everything but the flush thread. */
    private Thread deployAndStop(jakarta.ws.rs.core.Application application) throws Exception {
        Deployment d = deploy(application);
        d.server().close();
        forgetStoppedApplication();
        d.flushThread().join(ROUND_MILLIS);
        assertThat(d.flushThread().isAlive()).as("RESTEasy does not close it when it stops").isTrue();
        return d.flushThread();
    }
}
