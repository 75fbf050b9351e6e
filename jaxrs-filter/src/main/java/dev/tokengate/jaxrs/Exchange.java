package dev.tokengate.jaxrs;

import dev.tokengate.TokenGate;

/**
 * What the authentication filter leaves on a request, as the property {@value #PROPERTY}, for the scope filter
 * and the call finisher: the request's {@link TokenGate.Call}, either this layer's own (which it finishes, emitting
 * the call-log event) or the servlet filter's, joined (which the servlet filter finishes and logs, with the
 * decision this layer took).
 */
record Exchange(TokenGate.Call call, boolean owned) {

    /** The request property holding the exchange. */
    static final String PROPERTY = "dev.tokengate.jaxrs.Exchange";
}
