package dev.tokengate.control;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;

/**
 * The rate limits' buckets kept where every node counts in the same one (Bucket4j proxies of a shared store). A
 * bucket's calls throw a {@link RuntimeException} when the store cannot be reached; the rate-limit policy then counts
 * on this node ({@code fail-open}) or answers 503 ({@code fail-closed}).
 */
public interface SharedBuckets {

    /**
     * The shared bucket of this id, made with this configuration by its first user.
     *
     * @param id            what is counted, the same on every node: the limit's name and what it counts (a token's
     *                      fingerprint, a client id, …), never a token
     * @param configuration the bucket's limit
     * @return the bucket, shared with every node that asks for this id
     */
    Bucket bucket(String id, BucketConfiguration configuration);
}
