package dev.tokengate.testing;

import dev.tokengate.log.CallEvent;
import dev.tokengate.log.CallLogSink;
import dev.tokengate.log.Slf4jCallLogSink;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Keeps every call-log event (and also writes it to the default JSON call log, so that log is checked too). */
public final class CapturingSink implements CallLogSink {

    private final LinkedBlockingQueue<CallEvent> events = new LinkedBlockingQueue<>();
    private final CallLogSink json = new Slf4jCallLogSink();

    @Override
    public void accept(CallEvent event) {
        json.accept(event);
        events.add(event);
    }

    /** The next event, waiting for it if the request is still finishing (asynchronous requests). */
    public CallEvent next() throws InterruptedException {
        CallEvent e = events.poll(5, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no call-log event within 5s");
        }
        return e;
    }

    /** Events so far, without waiting. */
    public List<CallEvent> drain() {
        List<CallEvent> all = new ArrayList<>();
        events.drainTo(all);
        return all;
    }
}
