package dev.tokengate.sample;

import java.util.Map;

/** The walkthrough on the default database: embedded H2 in memory. */
class H2WalkthroughTest extends WalkthroughContract {

    @Override
    Map<String, String> settings() {
        return Map.of();
    }
}
