package dev.tokengate.jaxrs;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** On Jersey, the feature's own gate is closed when Jersey shuts the application down: when its servlet is destroyed. */
class JerseyShutdownTest extends FeatureShutdownContract {

    @Override
    JaxrsRuntime runtime() {
        return JerseyFeatureTest.JERSEY;
    }

    @Test
    void featureRegisteredByClassClosesTheGateItBuiltWhenJerseyStops() throws Exception {
        Deployment d = deploy(application(Set.of(TokenGateFeature.class), Set.of(), settings()));
        d.server().close();
        d.flushThread().join(10_000);
        assertThat(d.flushThread().isAlive()).isFalse();
    }

    @Test
    void featureRegisteredAsInstanceClosesTheGateItBuiltWhenJerseyStops() throws Exception {
        Deployment d = deploy(application(Set.of(), Set.of(new TokenGateFeature()), settings()));
        d.server().close();
        d.flushThread().join(10_000);
        assertThat(d.flushThread().isAlive()).isFalse();
    }
}
