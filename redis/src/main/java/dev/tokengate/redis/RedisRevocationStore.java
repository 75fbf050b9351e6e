package dev.tokengate.redis;

import dev.tokengate.control.Revocation;
import dev.tokengate.control.RevocationStore;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** The revocation list kept in Redis and announced by pub/sub. Being written (issue 13). */
final class RedisRevocationStore implements RevocationStore {

    RedisRevocationStore(RedisConnections redis, Clock clock) {
    }

    @Override
    public List<Revocation> load(Instant now) {
        throw new UnsupportedOperationException("not written yet");
    }

    @Override
    public void save(Revocation revocation) {
        throw new UnsupportedOperationException("not written yet");
    }

    @Override
    public boolean remove(Revocation.Target target, String value) {
        throw new UnsupportedOperationException("not written yet");
    }

    /** Stops listening; the connections are closed by {@link RedisControl}. */
    void shutdown() {
    }
}
