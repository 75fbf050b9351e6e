package dev.tokengate.jaxrs;

import dev.tokengate.config.IssuerConfig;
import dev.tokengate.config.TokenGateConfig;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.util.Set;

// README example: quoted in docs/jaxrs.md; keep the two in step.
/** The README's example application: registers the feature with a programmatic configuration. */
@ApplicationPath("/api")
public class TradingApplication extends Application {

    private final TokenGateFeature tokengate = new TokenGateFeature(TokenGateConfig.builder()
            .issuer(IssuerConfig.builder("https://login.example.com/")
                    .audiences("https://api.example.com")
                    .build())
            .build());

    @Override
    public Set<Object> getSingletons() {
        return Set.of(tokengate, new OrdersResource());
    }
}
