#!/usr/bin/env bash
# Runs every tokengate benchmark and writes the figures docs/benchmarks.md quotes:
#   micro (JMH: token validation against the peers, introspection), single flight, memory, end to end (wrk).
# Usage: benchmarks/run.sh            full run (about 25 minutes on 2 cores)
#        QUICK=1 benchmarks/run.sh    short iterations, to check the script (figures meaningless)
# Needs: JDK 17+, wrk (apt-get install -y wrk). Results go to benchmarks/results/, the chart to docs/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/benchmarks/results"
JAR="$ROOT/benchmarks/target/benchmarks.jar"
mkdir -p "$OUT"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -B -q install -DskipTests
fi

if [[ "${QUICK:-0}" == 1 ]]; then
  JMH_ARGS=(-wi 1 -w 200ms -i 2 -r 200ms -f 1)
  E2E_DURATION=3s; UNIQUE_TOKENS=2000; MEMORY_TOKENS=50000; ROUNDS=3
else
  JMH_ARGS=()   # the annotations: 1 fork, 5 x 1 s warm-up, 5 x 1 s measurement
  E2E_DURATION=${E2E_DURATION:-15s}; UNIQUE_TOKENS=${UNIQUE_TOKENS:-60000}; MEMORY_TOKENS=1000000; ROUNDS=20
fi

{
  echo "date: $(date -u +%FT%TZ)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
  echo "memory: $(free -m | awk '/^Mem:/ {print $2 " MB"}')"
  echo "os: $(uname -sr)"
  echo "java: $(java -version 2>&1 | head -2 | tail -1)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt"

echo "== micro: token validation and introspection (JMH, -prof gc)"
java -jar "$JAR" 'TokenValidationBenchmark|IntrospectionBenchmark' -prof gc "${JMH_ARGS[@]}" \
  -rf json -rff "$OUT/jmh.json" | tee "$OUT/jmh.txt" | grep -E '^(Benchmark|Token|Intro)' | grep -vE 'gc\.(count|time|alloc\.rate )|churn' || true
echo "load after micro: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
java -Djava.awt.headless=true -cp "$JAR" dev.tokengate.benchmarks.Report \
  "$OUT/jmh.json" "$OUT/micro.md" "$ROOT/docs/benchmarks-validation.png"

echo "== introspection: single flight"
java -cp "$JAR" dev.tokengate.benchmarks.SingleFlightCheck "$ROUNDS" | tee "$OUT/singleflight.txt"

echo "== memory"
java -Xmx256m -cp "$JAR" dev.tokengate.benchmarks.MemoryCheck "$MEMORY_TOKENS" | tee "$OUT/memory.txt"

echo "== end to end (wrk, 2 threads, 32 keep-alive connections, $E2E_DURATION per run)"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
PORT=${PORT:-18080}
TOKENS_DIR=$(mktemp -d)
java -Xms512m -Xmx512m -cp "$JAR" dev.tokengate.benchmarks.EndToEndServer "$PORT" "$TOKENS_DIR" "$UNIQUE_TOKENS" \
  > "$OUT/e2e-server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$TOKENS_DIR"' EXIT
for _ in $(seq 1 300); do grep -q READY "$OUT/e2e-server.log" && break; sleep 1; done
grep -q READY "$OUT/e2e-server.log" || { echo "the end-to-end server did not start" >&2; cat "$OUT/e2e-server.log" >&2; exit 1; }

E2E="$OUT/e2e.md"
echo "| endpoint | tokens | requests/s | p50 | p99 | non-2xx |" > "$E2E"
echo "|---|---|---:|---:|---:|---:|" >> "$E2E"
run_wrk() { # name path tokens-file
  local log="$OUT/wrk-$1-$(basename "$3" .txt).txt"
  TOKENS="$3" wrk -t2 -c32 -d5s --latency -s benchmarks/wrk/tokens.lua "http://127.0.0.1:$PORT$2" > /dev/null  # warm-up
  TOKENS="$3" wrk -t2 -c32 -d"$E2E_DURATION" --latency -s benchmarks/wrk/tokens.lua "http://127.0.0.1:$PORT$2" > "$log"
  local rps p50 p99 bad
  rps=$(awk '/^Requests\/sec/ {print $2}' "$log")
  p50=$(awk '$1 == "50%" {print $2}' "$log")
  p99=$(awk '$1 == "99%" {print $2}' "$log")
  bad=$(awk '/Non-2xx/ {print $NF}' "$log"); bad=${bad:-0}
  echo "| $1 | $(basename "$3" .txt) | $rps | $p50 | $p99 | $bad |" | tee -a "$E2E"
}
for variant in reuse unique; do
  run_wrk unprotected /open/hello "$TOKENS_DIR/$variant.txt"
  run_wrk "TokenGateFilter" /servlet/hello "$TOKENS_DIR/$variant.txt"
  run_wrk "JAX-RS TokenGateFeature" /jaxrs/hello "$TOKENS_DIR/$variant.txt"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
echo "== done: $OUT"
