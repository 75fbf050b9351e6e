package dev.tokengate.servlet;

import dev.tokengate.TokenGate;

/**
 * The real {@link TokenGateFilter}, configured from its {@code web.xml} init-params, with {@link StubTokens}
 * standing in for the JWT validator (which is built from configuration once core wires it).
 */
public class StubbedTokenGateFilter extends TokenGateFilter {
    public StubbedTokenGateFilter() {
        super(source -> TokenGate.builder().config(source).validator(StubTokens.validator()).build());
    }
}
