package dev.tokengate.jaxrs;

import dev.tokengate.TokenGate;
import dev.tokengate.jwks.KeySources;
import dev.tokengate.jwt.JwtValidator;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.net.URI;
import java.util.Set;

// README example: quoted in the README's JAX-RS section; keep the two in step.
/** The README's example application: registers the feature with a pipeline built in code. */
@ApplicationPath("/api")
public class TradingApplication extends Application {

    private final TokenGateFeature tokengate = new TokenGateFeature(TokenGate.builder()
            .issuer(JwtValidator.builder()
                    .issuer("https://login.example.com/")
                    .audiences("https://api.example.com")
                    .keySource(KeySources.discover(URI.create("https://login.example.com/")).build()))
            .build());

    @Override
    public Set<Object> getSingletons() {
        return Set.of(tokengate, new OrdersResource());
    }
}
