package dev.tokengate.redis;

import dev.tokengate.control.SharedAnomalyState;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The anomaly rules' state in Redis. Being written (issue 13). */
final class RedisAnomalyState implements SharedAnomalyState {

    RedisAnomalyState(RedisConnections redis) {
    }

    @Override
    public List<String> networks(String token, String network, Instant now, Duration window, int max) {
        throw new UnsupportedOperationException("not written yet");
    }
}
