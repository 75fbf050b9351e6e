package dev.tokengate.redis;

import dev.tokengate.control.SharedBuckets;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;

import java.time.Clock;

/** The rate limits' buckets in Redis through Bucket4j's Lettuce backend. Being written (issue 13). */
final class RedisBuckets implements SharedBuckets {

    RedisBuckets(RedisConnections redis, Clock clock) {
    }

    @Override
    public Bucket bucket(String id, BucketConfiguration configuration) {
        throw new UnsupportedOperationException("not written yet");
    }
}
