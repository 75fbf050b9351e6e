package dev.tokengate;

import java.time.Clock;

/** Assembles the validators a {@link TokenGateConfig} describes. Not API. */
final class ValidatorStack {

    private ValidatorStack() {
    }

    static TokenValidator create(TokenGateConfig config, Clock clock) {
        // wired to the JWT validator, issuer router and cache once they land
        throw new UnsupportedOperationException("JWT validation from configuration is not wired yet");
    }
}
