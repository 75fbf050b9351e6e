#!/usr/bin/env bash
# Runs every tokengate benchmark and writes the figures docs/benchmarks.md quotes:
#   micro (JMH: token validation against the peers, introspection), single flight, memory, end to end (wrk).
# Usage: benchmarks/run.sh            full run (about 25 minutes on 2 cores)
#        QUICK=1 benchmarks/run.sh    short iterations, to check the script (figures meaningless)
#        PARTS="micro e2e" benchmarks/run.sh   only some parts (micro, singleflight, revocation, propagation, redis,
#                                              memory, es256-jdks, e2e, profile)
# Parts not in the default run: es256-jdks (ES256 first-seen on JDK 17 and on JDK 25, JDK25=… to name the latter) and
# profile (JFR of the end-to-end server with fresh tokens, shares per component; valid under load, timings are not;
# PROFILE_VARIANT=reuse sends the one reused token instead).
# Needs: JDK 17+, wrk (apt-get install -y wrk), for propagation and redis Redis on 127.0.0.1:6379 (or REDIS_URI) and
#        redis-cli.
# Results go to benchmarks/results/, the chart to docs/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/benchmarks/results"
JAR="$ROOT/benchmarks/target/benchmarks.jar"
mkdir -p "$OUT"

# Built in one reactor from this checkout (never from SNAPSHOTs another checkout left in ~/.m2).
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -B -q package -DskipTests -pl benchmarks -am
fi
PARTS=${PARTS:-"micro singleflight revocation propagation redis memory e2e"}
part() { [[ " $PARTS " == *" $1 "* ]]; }

if [[ "${QUICK:-0}" == 1 ]]; then
  JMH_ARGS=(-wi 1 -w 200ms -i 2 -r 200ms); RS256_FORKS=1
  E2E_DURATION=3s; WARMUP=2s; UNIQUE_TOKENS=3000; WARM_TOKENS=1000; MEMORY_TOKENS=50000; ROUNDS=3; PROPAGATION="100 10000"
else
  JMH_ARGS=()   # the annotations: 1 fork, 5 x 1 s warm-up, 5 x 1 s measurement
  E2E_DURATION=${E2E_DURATION:-12s}; WARMUP=5s; UNIQUE_TOKENS=${UNIQUE_TOKENS:-150000}; WARM_TOKENS=50000
  MEMORY_TOKENS=1000000; ROUNDS=20; PROPAGATION="1000 100000"
fi

{
  echo "date: $(date -u +%FT%TZ)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
  echo "memory: $(free -m | awk '/^Mem:/ {print $2 " MB"}')"
  echo "os: $(uname -sr)"
  echo "java: $(java -version 2>&1 | head -2 | tail -1)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt"

if part micro; then
echo "== micro: token validation and introspection (JMH, -prof gc)"
java -jar "$JAR" 'TokenValidationBenchmark|IntrospectionBenchmark' -prof gc -f 1 "${JMH_ARGS[@]}" \
  -rf json -rff "$OUT/jmh.json" | tee "$OUT/jmh.txt" | grep -E '^(Benchmark|Token|Intro)' | grep -vE 'gc\.(count|time|alloc\.rate )|churn' || true
echo "load after micro: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
# The RS256 targets again, every RS256 contestant in one run of 3 forks: a load spike on a shared machine moves one
# fork's figures, three forks give tighter intervals for the ratios the targets are judged on.
echo "== micro: RS256 again, 3 forks"
java -jar "$JAR" 'TokenValidationBenchmark' -p alg=RS256 -prof gc -f "${RS256_FORKS:-3}" "${JMH_ARGS[@]}" \
  -rf json -rff "$OUT/jmh-rs256.json" | tee "$OUT/jmh-rs256.txt" | grep -E '^(Benchmark|Token)' | grep -vE 'gc\.(count|time|alloc\.rate )|churn' || true
echo "load after RS256 micro: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
java -Djava.awt.headless=true -cp "$JAR" dev.tokengate.benchmarks.Report \
  "$OUT/jmh-rs256.json" "$OUT/micro-rs256.md" "$OUT/rs256.png"
java -Djava.awt.headless=true -cp "$JAR" dev.tokengate.benchmarks.Report \
  "$OUT/jmh.json" "$OUT/micro.md" "$ROOT/docs/benchmarks-validation.png"
fi

if part singleflight; then
  echo "== introspection: single flight"
  java -cp "$JAR" dev.tokengate.benchmarks.SingleFlightCheck "$ROUNDS" | tee "$OUT/singleflight.txt"
fi

if part revocation; then
  echo "== revocation latency over HTTP (one node)"
  java -cp "$JAR" dev.tokengate.benchmarks.RevocationLatency 100 | grep 'revocation latency' | tee "$OUT/revocation.txt"
fi

if part propagation; then
  echo "== revocation propagation across three nodes and Redis memory per revocation (${REDIS_URI:-redis://127.0.0.1:6379})"
  # shellcheck disable=SC2086
  { grep -E '^(date|cpu|memory|java|load before):' "$OUT/machine.txt"
    echo "redis: $(redis-cli -u "${REDIS_URI:-redis://127.0.0.1:6379}" info server | tr -d '\r' | sed -n 's/^redis_version://p')"
    java -cp "$JAR" dev.tokengate.benchmarks.RevocationPropagation $PROPAGATION "${REDIS_URI:-redis://127.0.0.1:6379}" \
      | grep -E '^(revocation propagation|redis memory)'; } | tee "$OUT/propagation.txt"
fi

if part redis; then
  echo "== Redis: request overhead on and off (JMH, -prof gc), Redis memory per rate-limit bucket (${REDIS_URI:-redis://127.0.0.1:6379})"
  java -jar "$JAR" 'RedisOverheadBenchmark' -prof gc -f 1 "${JMH_ARGS[@]}" \
    -jvmArgsAppend "-Dtokengate.bench.redis=${REDIS_URI:-redis://127.0.0.1:6379}" \
    -rf json -rff "$OUT/jmh-redis.json" | tee "$OUT/jmh-redis.txt" | grep -E '^(Benchmark|RedisOverhead)' \
    | grep -vE 'gc\.(count|time|alloc\.rate )|churn' || true
  java -cp "$JAR" dev.tokengate.benchmarks.RedisBucketMemory "${REDIS_URI:-redis://127.0.0.1:6379}" \
    | grep '^redis bucket memory' | tee "$OUT/redis-buckets.txt"
fi

if part memory; then
  echo "== memory"
  java -Xmx256m -cp "$JAR" dev.tokengate.benchmarks.MemoryCheck "$MEMORY_TOKENS" | tee "$OUT/memory.txt"
fi

if part es256-jdks; then
  # The same benchmarks on both JDKs, one after the other in one part, so that the two rows share the machine's state.
  JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
  JDK17=${JDK17:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
  ES256_TABLE="$OUT/es256-jdks.md"
  echo "| JDK | benchmark | µs/op | error | allocated B/op |" > "$ES256_TABLE"
  echo "|---|---|---:|---:|---:|" >> "$ES256_TABLE"
  for jdk in "$JDK17" "$JDK25"; do
    version=$("$jdk/bin/java" -version 2>&1 | head -1 | sed 's/.*"\(.*\)".*/\1/')
    echo "== ES256 first-seen on JDK $version ($jdk)"
    "$jdk/bin/java" -jar "$JAR" 'TokenValidationBenchmark\.(jcaFloor|tokengateFirstSeen|tokengateCacheHit)$' -p alg=ES256 \
      -prof gc -f "${ES256_FORKS:-3}" "${JMH_ARGS[@]}" -rf json -rff "$OUT/jmh-es256-jdk-$version.json" \
      > "$OUT/jmh-es256-jdk-$version.txt"
    awk -v jdk="$version" '
      $1 ~ /^TokenValidationBenchmark\.[a-zA-Z]+$/ && $3 == "avgt" { sub(/.*\./, "", $1); t[$1] = $5; e[$1] = $7; order[++n] = $1 }
      $1 ~ /gc\.alloc\.rate\.norm$/ { name = $1; sub(/^TokenValidationBenchmark\./, "", name); sub(/:.*/, "", name); b[name] = $5 }
      END { for (i = 1; i <= n; i++) printf "| %s | %s | %s | ± %s | %s |\n", jdk, order[i], t[order[i]], e[order[i]], b[order[i]] }
    ' "$OUT/jmh-es256-jdk-$version.txt" | tee -a "$ES256_TABLE"
  done
  echo "load after es256-jdks: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
fi

if part profile; then
  # JFR of the end-to-end server, one recording per endpoint while wrk sends fresh tokens; the breakdown gives each
  # component's share of the CPU samples and of the request threads' allocation. Shares survive a loaded machine.
  command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
  PROFILE_PORT=${PROFILE_PORT:-18181}
  PROFILE_DIR="$OUT/profile${PROFILE_VARIANT:+-$PROFILE_VARIANT}"
  PROFILE_TOKENS=$(mktemp -d)
  mkdir -p "$PROFILE_DIR"
  java -Xms512m -Xmx512m -XX:FlightRecorderOptions=stackdepth=128 -cp "$JAR" dev.tokengate.benchmarks.EndToEndServer \
    "$PROFILE_PORT" "$PROFILE_TOKENS" "${PROFILE_UNIQUE:-70000}" > "$PROFILE_DIR/server.log" 2>&1 &
  PROFILED=$!
  for _ in $(seq 1 900); do grep -q READY "$PROFILE_DIR/server.log" && break; sleep 1; done
  grep -q READY "$PROFILE_DIR/server.log" || { echo "the end-to-end server did not start" >&2; kill "$PROFILED"; exit 1; }
  # The JDK's profile settings, sampling every 2 ms (not 10) and up to 3000 allocation samples a second (not 300).
  JFC="$PROFILE_DIR/profile.jfc"
  sed -e '/"jdk.ExecutionSample"/,/<\/event>/s/10 ms/2 ms/' -e '/"jdk.ObjectAllocationSample"/,/<\/event>/s#300/s#3000/s#' \
    "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/jfr/profile.jfc" > "$JFC"
  if [[ "${PROFILE_VARIANT:-unique}" == reuse ]]; then # the gate's cost per request on a token it has seen
    cp "$PROFILE_TOKENS/reuse.txt" "$PROFILE_TOKENS/warm.txt"; cp "$PROFILE_TOKENS/reuse.txt" "$PROFILE_TOKENS/measured.txt"
  else
    head -n 10000 "$PROFILE_TOKENS/unique.txt" > "$PROFILE_TOKENS/warm.txt"
    tail -n +10001 "$PROFILE_TOKENS/unique.txt" > "$PROFILE_TOKENS/measured.txt"
  fi
  export WRK_THREADS=2
  for endpoint in open servlet jaxrs chain; do
    TOKENS="$PROFILE_TOKENS/warm.txt" wrk -t2 -c32 -d5s -s benchmarks/wrk/tokens.lua \
      "http://127.0.0.1:$PROFILE_PORT/$endpoint/hello" > /dev/null
  done
  for endpoint in open servlet jaxrs chain; do
    jcmd "$PROFILED" JFR.start name="$endpoint" settings="$JFC" > /dev/null
    TOKENS="$PROFILE_TOKENS/measured.txt" wrk -t2 -c32 -d"${PROFILE_DURATION:-20s}" -s benchmarks/wrk/tokens.lua \
      "http://127.0.0.1:$PROFILE_PORT/$endpoint/hello" > "$PROFILE_DIR/wrk-$endpoint.txt"
    jcmd "$PROFILED" JFR.stop name="$endpoint" filename="$PROFILE_DIR/$endpoint.jfr" > /dev/null
  done
  kill "$PROFILED"; rm -rf "$PROFILE_TOKENS"
  java -cp "$JAR" dev.tokengate.benchmarks.ProfileBreakdown "$PROFILE_DIR"/{open,servlet,jaxrs,chain}.jfr \
    | tee "$PROFILE_DIR/breakdown.md"
  echo "load after profile: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
fi

part e2e || { echo "== done: $OUT"; exit 0; }

echo "== end to end (wrk, 2 threads, 32 keep-alive connections, $WARMUP warm-up + $E2E_DURATION per run)"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
PORT=${PORT:-18080}
TOKENS_DIR=$(mktemp -d)
java -Xms512m -Xmx512m -cp "$JAR" dev.tokengate.benchmarks.EndToEndServer "$PORT" "$TOKENS_DIR" "$UNIQUE_TOKENS" \
  > "$OUT/e2e-server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$TOKENS_DIR"' EXIT
for _ in $(seq 1 300); do grep -q READY "$OUT/e2e-server.log" && break; sleep 1; done
grep -q READY "$OUT/e2e-server.log" || { echo "the end-to-end server did not start" >&2; cat "$OUT/e2e-server.log" >&2; exit 1; }

# Warm-up tokens are kept apart from the measured ones, so no measured "unique" token was seen before.
head -n "$WARM_TOKENS" "$TOKENS_DIR/unique.txt" > "$TOKENS_DIR/unique-warm.txt"
tail -n +"$((WARM_TOKENS + 1))" "$TOKENS_DIR/unique.txt" > "$TOKENS_DIR/unique-measured.txt"
cp "$TOKENS_DIR/reuse.txt" "$TOKENS_DIR/reuse-warm.txt"
cp "$TOKENS_DIR/reuse.txt" "$TOKENS_DIR/reuse-measured.txt"
export WRK_THREADS=2
wrk_once() { # duration url tokens-file log
  TOKENS="$3" wrk -t"$WRK_THREADS" -c32 -d"$1" --latency -s benchmarks/wrk/tokens.lua "$2" > "$4"
}
echo "-- warming up every endpoint"
for path in /open/hello /servlet/hello /jaxrs/hello /chain/hello; do
  wrk_once "$WARMUP" "http://127.0.0.1:$PORT$path" "$TOKENS_DIR/reuse-warm.txt" /dev/null
done

E2E="$OUT/e2e.md"
echo "| endpoint | tokens | requests/s | p50 | p99 | requests | non-2xx |" > "$E2E"
echo "|---|---|---:|---:|---:|---:|---:|" >> "$E2E"
run_wrk() { # name path variant
  local log="$OUT/wrk-$(echo "$1" | tr ' A-Z' '-a-z')-$3.txt"
  wrk_once "$WARMUP" "http://127.0.0.1:$PORT$2" "$TOKENS_DIR/$3-warm.txt" /dev/null
  wrk_once "$E2E_DURATION" "http://127.0.0.1:$PORT$2" "$TOKENS_DIR/$3-measured.txt" "$log"
  local rps p50 p99 total bad
  rps=$(awk '/^Requests\/sec/ {print $2}' "$log")
  p50=$(awk '$1 == "50%" {print $2}' "$log")
  p99=$(awk '$1 == "99%" {print $2}' "$log")
  total=$(awk '/requests in/ {print $1}' "$log")
  bad=$(awk '/Non-2xx/ {print $NF}' "$log"); bad=${bad:-0}
  echo "| $1 | $3 | $rps | $p50 | $p99 | $total | $bad |" | tee -a "$E2E"
}
for variant in reuse unique; do
  run_wrk unprotected /open/hello "$variant"
  run_wrk "TokenGateFilter" /servlet/hello "$variant"
  run_wrk "JAX-RS TokenGateFeature" /jaxrs/hello "$variant"
  run_wrk "TokenGateFilter, policy chain on" /chain/hello "$variant"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
echo "== done: $OUT"
