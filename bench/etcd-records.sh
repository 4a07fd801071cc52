#!/usr/bin/env bash
# Appends to one queue on Hasp's etcd record backend next to the file backend, in one run.
#
# Starts one etcd member on free loopback ports with a temporary data directory (as bench/etcd-locks.sh does), three
# Hasp replicas on it (hasp.backend=etcd, data directories of their own, one credentials key) and one Hasp on the file
# backend; then measures POST /v1/queues/{q}/commands with bench/AppendBench.java (one queue per case):
#   peer=hasp-etcd   replica A alone, 1 client and 32 clients
#   peer=hasp-file   the file-backend Hasp, 1 client and 32 clients
#   peer=hasp-etcd-a / -b / -c   3 replicas x 8 clients on one queue, at the same time (their sum is the case's rate)
# Each line: peer= case= ops_per_s= p50_us= p99_us= n= errors=.
#
# Knobs (env): DURATION=5 WARMUP=2 (s per case)  WORK=/tmp/hasp-etcd-records-bench
# Needs: etcd (apt-get install -y etcd-server etcd-client), java 17, curl, python3; builds the jar when missing.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
WORK=${WORK:-/tmp/hasp-etcd-records-bench}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-2}
TOKEN=bench-admin-token-0123456789
KEY=YmVuY2gta2V5LW9mLXRoaXJ0eS10d28tYnl0ZXMhISE=
JAR=$ROOT/target/quarkus-app/quarkus-run.jar

command -v etcd >/dev/null || { echo "etcd missing: apt-get install -y etcd-server etcd-client" >&2; exit 1; }
mkdir -p "$WORK/logs" "$WORK/classes"
RESULTS=$WORK/results-$(date +%Y%m%d-%H%M%S).txt
[[ -f $JAR ]] || (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
javac -d "$WORK/classes" "$HERE/AppendBench.java"

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
wait_http() {   # wait_http URL PATTERN : up to 120 s
  for _ in $(seq 1 1200); do curl -sf "$1" 2>/dev/null | grep -q "$2" && return 0; sleep 0.1; done
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
NS="/bench-$$-$(date +%s)/"
hasp() {   # hasp LABEL BACKEND -> sets PORT (not in a subshell: its PID must reach the clean-up)
  local data
  PORT=$(free_port); data=$(mktemp -d); DIRS+=("$data")
  java -Xmx512m -Dquarkus.http.port="$PORT" -Dhasp.data-dir="$data" -Dhasp.admin-token="$TOKEN" \
    -Dhasp.backend="$2" -Dhasp.etcd.endpoints="http://127.0.0.1:$ETCD_PORT" -Dhasp.etcd.namespace="$NS" \
    -Dhasp.credentials.key="$KEY" -jar "$JAR" >"$WORK/logs/$1.log" 2>&1 &
  PIDS+=($!)
}
hasp hasp-etcd-a etcd; A=$PORT
hasp hasp-etcd-b etcd; B=$PORT
hasp hasp-etcd-c etcd; C=$PORT
hasp hasp-file file; F=$PORT
for p in "$A" "$B" "$C" "$F"; do wait_http "http://127.0.0.1:$p/q/health/ready" UP; done

{
  echo "# etcd:   $(etcd --version | head -1), one member, data on $(df -T "$ETCD_DATA" | awk 'NR==2{print $2}')"
  echo "# java:   $(java -version 2>&1 | head -1); host $(uname -r), $(nproc) cpus"
  echo "# params: warmup=${WARMUP}s duration=${DURATION}s; Hasp on its defaults"
  echo "# load:   $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) before the run"
} | tee -a "$RESULTS"

queue() {   # queue PORT ID : creates queue ID
  curl -sf -o /dev/null -X POST "http://127.0.0.1:$1/v1/queues" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d "{\"id\":\"$2\",\"name\":\"$2\"}"
}
bench() {   # bench PEER CASE CLIENTS PORT QUEUE
  local out
  out=$(timeout -k 5 $((WARMUP + DURATION + 90)) java -XX:+UseSerialGC -cp "$WORK/classes" AppendBench \
    "$1" "$2" "$3" "$WARMUP" "$DURATION" "http://127.0.0.1:$4" "$5" "$TOKEN" 2>>"$WORK/logs/$1.err") \
    || out="peer=$1 case=$2 FAILED"
  echo "$out" | tee -a "$RESULTS"
}

for n in 1 32; do
  queue "$A" "etcd-$n"; bench hasp-etcd "clients-$n" "$n" "$A" "etcd-$n"
  queue "$F" "file-$n"; bench hasp-file "clients-$n" "$n" "$F" "file-$n"
done

# three replicas, 8 clients each, one queue, at the same time; B and C served nothing yet: warm them up first
queue "$A" shared
for p in "$B" "$C"; do
  queue "$p" "warm-$p"
  for i in $(seq 1 50); do
    curl -sf -o /dev/null -X POST "http://127.0.0.1:$p/v1/queues/warm-$p/commands" -H "Authorization: Bearer $TOKEN" \
      -H 'Content-Type: application/json' -d "{\"command\":\"warm $i\"}"
  done
  curl -sf -o /dev/null "http://127.0.0.1:$p/v1/queues/shared" -H "Authorization: Bearer $TOKEN"
done
bench hasp-etcd-a replicas-3x8 8 "$A" shared &
pa=$!
bench hasp-etcd-b replicas-3x8 8 "$B" shared &
pb=$!
bench hasp-etcd-c replicas-3x8 8 "$C" shared &
pc=$!
wait "$pa" "$pb" "$pc"
count=$(curl -sf "http://127.0.0.1:$B/v1/queues/shared" -H "Authorization: Bearer $TOKEN" \
  | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["commands"]))')
echo "# replicas-3x8: the shared queue holds $count commands (warm-up and measured appends)" | tee -a "$RESULTS"
echo "# results in $RESULTS" >&2
