package dev.tokengate.observe;

import com.github.benmanes.caffeine.cache.stats.CacheStats;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/** The no-op observer and the composite that tells several. */
final class Observers {

    static final GateObserver NONE = new GateObserver() {
        @Override
        public String toString() {
            return "GateObserver.none()";
        }
    };

    private Observers() {
    }

    static GateObserver composite(List<GateObserver> observers) {
        List<GateObserver> all = observers.stream().filter(o -> o != NONE).toList();
        if (all.isEmpty()) {
            return NONE;
        }
        return all.size() == 1 ? all.get(0) : new Composite(all);
    }

    /** Tells each observer in turn; a scope of several is ended in reverse order of start. */
    private record Composite(List<GateObserver> observers) implements GateObserver {

        @Override
        public void decided(Decision decision) {
            observers.forEach(o -> o.decided(decision));
        }

        @Override
        public Observation validating(ValidationKind kind) {
            Observation[] started = new Observation[observers.size()];
            for (int i = 0; i < started.length; i++) {
                started[i] = observers.get(i).validating(kind);
            }
            return ended(started);
        }

        @Override
        public Observation calling(Upstream upstream, String target) {
            Observation[] started = new Observation[observers.size()];
            for (int i = 0; i < started.length; i++) {
                started[i] = observers.get(i).calling(upstream, target);
            }
            return ended(started);
        }

        private static Observation ended(Observation[] started) {
            return result -> {
                for (int i = started.length - 1; i >= 0; i--) {
                    started[i].end(result);
                }
            };
        }

        @Override
        public Executor propagating(Executor executor) {
            Executor wrapped = executor;
            for (GateObserver o : observers) {
                wrapped = o.propagating(wrapped);
            }
            return wrapped;
        }

        @Override
        public void keySet(String issuer, Supplier<Optional<Duration>> age) {
            observers.forEach(o -> o.keySet(issuer, age));
        }

        @Override
        public void cache(String cache, Supplier<CacheStats> stats) {
            observers.forEach(o -> o.cache(cache, stats));
        }

        @Override
        public void rateLimited() {
            observers.forEach(GateObserver::rateLimited);
        }

        @Override
        public void anomaly(String rule) {
            observers.forEach(o -> o.anomaly(rule));
        }
    }
}
