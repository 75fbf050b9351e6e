package dev.tokengate.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BoundedBodySubscriberTest {

    private static final class Subscription implements Flow.Subscription {
        final AtomicBoolean cancelled = new AtomicBoolean();

        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
            cancelled.set(true);
        }
    }

    @Test
    void onNextWhenUndeclaredBodyExceedsLimitThenCancelsAndFails() {
        HttpFetcher.BoundedBodySubscriber body = new HttpFetcher.BoundedBodySubscriber(10, -1);
        Subscription subscription = new Subscription();
        body.onSubscribe(subscription);

        body.onNext(List.of(ByteBuffer.wrap(new byte[6])));
        body.onNext(List.of(ByteBuffer.wrap(new byte[6])));

        assertThat(subscription.cancelled).isTrue();
        assertThat(body.getBody().toCompletableFuture()).isCompletedExceptionally();
    }

    @Test
    void onSubscribeWhenDeclaredLengthExceedsLimitThenFailsWithoutReading() {
        HttpFetcher.BoundedBodySubscriber body = new HttpFetcher.BoundedBodySubscriber(10, 11);
        Subscription subscription = new Subscription();

        body.onSubscribe(subscription);

        assertThat(subscription.cancelled).isTrue();
        assertThat(body.getBody().toCompletableFuture()).isCompletedExceptionally();
    }

    @Test
    void onCompleteWhenWithinLimitThenWholeBody() {
        HttpFetcher.BoundedBodySubscriber body = new HttpFetcher.BoundedBodySubscriber(10, -1);
        body.onSubscribe(new Subscription());

        body.onNext(List.of(ByteBuffer.wrap(new byte[] {1, 2, 3}), ByteBuffer.wrap(new byte[] {4, 5, 6, 7})));
        body.onNext(List.of(ByteBuffer.wrap(new byte[] {8, 9, 10})));
        body.onComplete();

        assertThat(body.getBody().toCompletableFuture().join()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    }

    @Test
    void onSubscribeWhenDeclaredLengthIsTheLimitThenTheWholeBodyIsRead() {
        HttpFetcher.BoundedBodySubscriber body = new HttpFetcher.BoundedBodySubscriber(10, 10);
        Subscription subscription = new Subscription();
        body.onSubscribe(subscription);

        body.onNext(List.of(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), ByteBuffer.wrap(new byte[] {5, 6, 7, 8, 9, 10})));
        body.onComplete();

        assertThat(subscription.cancelled).isFalse();
        assertThat(body.getBody().toCompletableFuture().join()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    }

    @Test
    void onNextWhenOneByteOverTheLimitThenFailsSayingSo() {
        HttpFetcher.BoundedBodySubscriber body = new HttpFetcher.BoundedBodySubscriber(10, -1);
        Subscription subscription = new Subscription();
        body.onSubscribe(subscription);

        body.onNext(List.of(ByteBuffer.wrap(new byte[10])));
        assertThat(subscription.cancelled).isFalse();
        body.onNext(List.of(ByteBuffer.wrap(new byte[1])));

        assertThat(subscription.cancelled).isTrue();
        assertThat(body.getBody().toCompletableFuture()).failsWithin(java.time.Duration.ZERO)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withMessageContaining("larger than 10 bytes");
    }
}
