package dev.tokengate.jaxrs;

import dev.tokengate.TokenGate;
import dev.tokengate.VerifiedToken;

/**
 * What the authentication filter leaves on a request, as the property {@value #PROPERTY}, for the scope filter
 * and the call finisher: either this layer's own {@link TokenGate.Call}, or a token that the servlet filter
 * already verified (its call is the servlet filter's to log).
 */
sealed interface Exchange permits Exchange.Own, Exchange.Reused {

    /** The request property holding the exchange. */
    String PROPERTY = "dev.tokengate.jaxrs.Exchange";

    /** This layer runs the pipeline and emits the call-log event. */
    record Own(TokenGate.Call call) implements Exchange {
    }

    /** The servlet filter verified this token and logs the call. */
    record Reused(VerifiedToken token) implements Exchange {
    }
}
