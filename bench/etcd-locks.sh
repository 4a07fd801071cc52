#!/usr/bin/env bash
# Hasp's named locks on etcd next to etcd's own lock (v3lock through its HTTP/JSON gateway), in one run, on one etcd.
#
# Starts one etcd member on free loopback ports with a temporary data directory (as shared/bench/peers/run-peers.sh
# does), two Hasp replicas on it (hasp.backend=etcd, data directories of their own) and, for reference, one Hasp on
# the file backend; then measures with the peers' LockBench client, the same for every HTTP peer:
#   peer=etcd-http   etcd's lock API: one lease per client (like a concurrency.Session), lock + unlock per cycle
#   peer=hasp-etcd   POST /v1/locks/{name} + DELETE /v1/locks/{name}/{lockId} on replica A (own lease per grant,
#                    revoked after the release: hasp.etcd.revoke-on-release=true, the default)
#   peer=hasp-etcd-keep  the same on replica K with hasp.etcd.revoke-on-release=false (released leases kept for the
#                    next grant): what revoking costs
#   peer=hasp-file   the same on a file-backend Hasp (reference)
#   peer=hasp-etcd-a / hasp-etcd-b   two replicas competing for one name, CLIENTS/2 clients each, at the same time
# Each line: peer= case= ops_per_s= p50_us= p99_us= n= errors= (see shared/bench/peers/README.md).
#
# Knobs (env): DURATION=5 WARMUP=2 (s per case)  UNCONTENDED_RUNS=2  CONTENDED_CLIENTS="8 32"  SHARE_CLIENTS=8
#   PEERS_DIR=<dir of LockBench.java> (default ../../shared/bench/peers from here)  WORK=/tmp/hasp-etcd-bench
# Needs: etcd (apt-get install -y etcd-server etcd-client), java 17, curl; builds the jar when missing.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEERS_DIR=${PEERS_DIR:-$(cd "$ROOT/../shared/bench/peers" 2>/dev/null && pwd || echo /work/shared/bench/peers)}
WORK=${WORK:-/tmp/hasp-etcd-bench}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-2}
UNCONTENDED_RUNS=${UNCONTENDED_RUNS:-2}
CONTENDED_CLIENTS=${CONTENDED_CLIENTS:-"8 32"}
SHARE_CLIENTS=${SHARE_CLIENTS:-8}
TOKEN=bench-admin-token-0123456789
# records on etcd keep credentials sealed and refuse to start without a key (any 32 bytes for a benchmark)
KEY=YmVuY2gta2V5LW9mLXRoaXJ0eS10d28tYnl0ZXMhISE=
JAR=$ROOT/target/quarkus-app/quarkus-run.jar

command -v etcd >/dev/null || { echo "etcd missing: apt-get install -y etcd-server etcd-client" >&2; exit 1; }
[[ -f $PEERS_DIR/LockBench.java ]] || { echo "LockBench.java not found in $PEERS_DIR (set PEERS_DIR)" >&2; exit 1; }
mkdir -p "$WORK/logs" "$WORK/classes"
RESULTS=$WORK/results-$(date +%Y%m%d-%H%M%S).txt
[[ -f $JAR ]] || (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
javac -d "$WORK/classes" "$PEERS_DIR/LockBench.java"

PIDS=()
DIRS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "${DIRS[@]}"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {   # wait_http URL PATTERN : up to 60 s
  for _ in $(seq 1 600); do curl -sf "$1" 2>/dev/null | grep -q "$2" && return 0; sleep 0.1; done
  echo "no answer from $1" >&2; return 1
}

ETCD_PORT=$(free_port); ETCD_PEER=$(free_port)
ETCD_DATA=$(mktemp -d); DIRS+=("$ETCD_DATA")
etcd --name bench --data-dir "$ETCD_DATA" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
  --initial-cluster "bench=http://127.0.0.1:$ETCD_PEER" --initial-cluster-state new >"$WORK/logs/etcd.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$ETCD_PORT/health" '"true"'

PORT=""
hasp() {   # hasp LABEL BACKEND [JVM FLAGS...] -> sets PORT (not in a subshell: its PID must reach the clean-up)
  local data
  PORT=$(free_port); data=$(mktemp -d); DIRS+=("$data")
  java -Xmx512m -Dquarkus.http.port="$PORT" -Dhasp.data-dir="$data" -Dhasp.admin-token="$TOKEN" \
    -Dhasp.backend="$2" -Dhasp.etcd.endpoints="http://127.0.0.1:$ETCD_PORT" -Dhasp.credentials.key="$KEY" "${@:3}" \
    -jar "$JAR" \
    >"$WORK/logs/$1.log" 2>&1 &
  PIDS+=($!)
}
hasp hasp-etcd-a etcd; A=$PORT
hasp hasp-etcd-b etcd; B=$PORT
hasp hasp-etcd-keep etcd -Dhasp.etcd.revoke-on-release=false; K=$PORT
hasp hasp-file file; F=$PORT
for p in "$A" "$B" "$K" "$F"; do wait_http "http://127.0.0.1:$p/q/health/ready" UP; done

{
  echo "# etcd:   $(etcd --version | head -1), one member, data on $(df -T "$ETCD_DATA" | awk 'NR==2{print $2}')"
  echo "# java:   $(java -version 2>&1 | head -1); host $(uname -r), $(nproc) cpus"
  echo "# params: warmup=${WARMUP}s duration=${DURATION}s; Hasp on its defaults (30 s leases, server-side waiting)"
  echo "# load:   $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) before the run"
} | tee -a "$RESULTS"

bench() {   # bench PEER CASE CLIENTS KIND ARGS... (extra JVM flags in JOPTS)
  local out
  # shellcheck disable=SC2086
  out=$(timeout -k 5 $((WARMUP + DURATION + 60)) java -XX:+UseSerialGC ${JOPTS:-} -cp "$WORK/classes" LockBench \
    "$1" "$2" "$3" "$WARMUP" "$DURATION" "${@:4}" 2>>"$WORK/logs/$1.err") || out="peer=$1 case=$2 FAILED"
  echo "$out" | tee -a "$RESULTS"
}
cases() { for ((i = 0; i < UNCONTENDED_RUNS; i++)); do echo "uncontended 1"; done; for c in $CONTENDED_CLIENTS; do echo "contended-$c $c"; done; }
HTTP_ACQ='POST http://127.0.0.1:%s/v1/locks/{name}'
HTTP_REL='DELETE http://127.0.0.1:%s/v1/locks/{name}/{token}'
hasp_case() {   # hasp_case PEER PORT CASE CLIENTS
  JOPTS="-Dauth.bearer=$TOKEN ${JOPTS:-}" bench "$1" "$3" "$4" http "$(printf "$HTTP_ACQ" "$2")" "$(printf "$HTTP_REL" "$2")"
}

while read -r cas n; do
  bench etcd-http "$cas" "$n" etcd "http://127.0.0.1:$ETCD_PORT"
  hasp_case hasp-etcd "$A" "$cas" "$n"
  hasp_case hasp-etcd-keep "$K" "$cas" "$n"
  hasp_case hasp-file "$F" "$cas" "$n"
done < <(cases)

# two replicas competing for one name: half the clients on each, one lock name, at the same time
name="share-$$-$(date +%s)"
half=$((SHARE_CLIENTS / 2))
JOPTS="-Dlock.name=$name" hasp_case hasp-etcd-a "$A" "shared-name-$SHARE_CLIENTS" "$half" &
pa=$!
JOPTS="-Dlock.name=$name" hasp_case hasp-etcd-b "$B" "shared-name-$SHARE_CLIENTS" "$half" &
pb=$!
wait "$pa" "$pb"
echo "# results in $RESULTS" >&2
