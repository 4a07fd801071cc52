#!/usr/bin/env bash
# Load benchmark of Hasp's file backend, one run, every figure next to its baselines measured in the same run.
# Usage: bench/load.sh [SECONDS_PER_CASE]        (default 10; needs wrk and sqlite3, installed when missing as root)
# Prints one line per case and, at the end, the table with the ratios the targets of docs/benchmarks.md use.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
root=$(pwd)

need() {
  command -v "$1" >/dev/null && return
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null
  else
    echo "missing $1: apt-get install -y $2" >&2; exit 1
  fi
}
need wrk wrk
need sqlite3 sqlite3

./mvnw -B -q package -DskipTests
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
cp="target/classes:target/test-classes:$(cat target/bench.classpath)"
jar=target/quarkus-app/quarkus-run.jar

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  mkdir -p /tmp/exp/keep; cp "$work"/*.log "$work"/three-* /tmp/exp/keep/ 2>/dev/null; rm -rf "$work"
}
trap cleanup EXIT

token=bench-admin-token-0123456789
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_hasp() { # $1 port, $2 data dir, $3 log
  # a queue cap far above what a run appends (100,000 by default: 32 clients on a quiet machine pass it in 10 s)
  HASP_ADMIN_TOKEN=$token HASP_LIMITS_QUEUE_COMMANDS=2000000 java -Xmx512m -Dquarkus.http.port="$1" -Dhasp.data-dir="$2" -jar "$jar" >"$3" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$1/q/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "Hasp on port $1 did not start: $(tail -5 "$3")" >&2; exit 1
}
api() { # method path [body]
  curl -fs -X "$1" "http://127.0.0.1:$port$2" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    ${3:+-d "$3"} >/dev/null
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
rate() { python3 -c "print(round($1 / $2))"; }
result() { grep '^RESULT' <<<"$1" | tail -1; }

echo "# $(date -u +%FT%TZ) $(nproc) cpus, $(java -version 2>&1 | head -1), $secs s per case, load $(cut -d' ' -f1-3 /proc/loadavg)"

# --- baselines -----------------------------------------------------------------------------------------------------
r=$(java -cp "$cp" io.hasp.bench.FloorBench "$work/floor" "$secs"); floor=$(rate "$(field ops "$r")" "$(field seconds "$r")")
echo "case=durable-write-floor ops_per_s=$floor"

db="$work/sqlite.db"
sqlite3 "$db" "PRAGMA journal_mode=WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);" >/dev/null
n=3000
{ echo "PRAGMA synchronous=FULL;"; for _ in $(seq 1 $n); do echo "INSERT INTO t(v) VALUES('bench');"; done; } >"$work/ins.sql"
t0=$(date +%s%N); sqlite3 "$db" <"$work/ins.sql" >/dev/null; t1=$(date +%s%N)
sqlite=$(python3 -c "print(round($n / (($t1 - $t0) / 1e9)))")
echo "case=sqlite-wal-full commits_per_s=$sqlite"

port=$(free_port); data="$work/data"
start_hasp "$port" "$data" "$work/hasp-a.log"
url="http://127.0.0.1:$port"

r=$(wrk -t1 -c1 -d"${secs}s" -s bench/lua/plain.lua "$url/q/health/live"); plain1=$(rate "$(field requests "$(result "$r")")" "$(field seconds "$(result "$r")")")
echo "case=plain clients=1 req_per_s=$plain1"
r=$(wrk -t2 -c32 -d"${secs}s" -s bench/lua/plain.lua "$url/q/health/live"); plain32=$(rate "$(field requests "$(result "$r")")" "$(field seconds "$(result "$r")")")
echo "case=plain clients=32 req_per_s=$plain32"

# --- appends -------------------------------------------------------------------------------------------------------
append() { # queue threads connections -> "rate non2xx p50 p99"; the rate counts acknowledged appends (201) only
  local out; out=$(result "$(HASP_TOKEN=$token QUEUE=$1 wrk -t"$2" -c"$3" -d"${secs}s" -s bench/lua/append.lua "$url/")")
  echo "$(rate "($(field requests "$out") - $(field non2xx "$out"))" "$(field seconds "$out")") $(field non2xx "$out") $(field p50_us "$out") $(field p99_us "$out")"
}
api POST /v1/queues '{"id":"warm","name":"warm-up"}'
append warm 2 8 >/dev/null # JIT warm-up: the first measured case would otherwise pay the compilation
api POST /v1/queues '{"id":"one","name":"one client"}'
read -r app1 err1 p50 p99 <<<"$(append one 1 1)"; echo "case=appends clients=1 ops_per_s=$app1 non2xx=$err1 p50_us=$p50 p99_us=$p99"
api POST /v1/queues '{"id":"many","name":"32 clients"}'
read -r app32 err32 p50 p99 <<<"$(append many 2 32)"; echo "case=appends clients=32 ops_per_s=$app32 non2xx=$err32 p50_us=$p50 p99_us=$p99"

api POST /v1/queues '{"id":"big","name":"10000 commands"}'
HASP_TOKEN=$token QUEUE=big COUNT=10000 THREADS=2 wrk -t2 -c32 -d120s -s bench/lua/prefill.lua "$url/" >/dev/null
big=$(curl -fs "$url/v1/queues/big" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["commands"]))')
read -r app10k err10k p50 p99 <<<"$(append big 1 1)"; echo "case=appends-10k-queue clients=1 start_commands=$big ops_per_s=$app10k non2xx=$err10k p50_us=$p50 p99_us=$p99"

# --- named-lock cycle ----------------------------------------------------------------------------------------------
r=$(result "$(HASP_TOKEN=$token LOCK_NAME=solo wrk -t1 -c1 -d"${secs}s" -s bench/lua/lockcycle.lua "$url/")")
cycle1=$(rate "$(field cycles "$r")" "$(field seconds "$r")"); echo "case=lock-cycle clients=1 cycles_per_s=$cycle1 errors=$(field errors "$r")"

# --- three replicas on one directory -------------------------------------------------------------------------------
ports=("$port")
for x in b c; do p=$(free_port); start_hasp "$p" "$data" "$work/hasp-$x.log"; ports+=("$p"); done
api POST /v1/queues '{"id":"shared","name":"3 replicas"}'
three() { # lua env... -> per-replica results
  local kind=$1; shift
  local outs=()
  for i in 0 1 2; do
    env "$@" wrk -t8 -c8 -d"${secs}s" -s "/tmp/exp/lua/$kind.lua" "http://127.0.0.1:${ports[$i]}/" >"$work/three-$kind-$i.txt" &
    outs+=($!)
  done
  wait "${outs[@]}"
}
three append HASP_TOKEN=$token QUEUE=shared
three lockcycle HASP_TOKEN=$token LOCK_NAME=hot
summary=$(python3 - "$work" "$secs" <<'PY'
import re, sys
work, secs = sys.argv[1], float(sys.argv[2])
def load(kind, key):
    rows = []
    for i in range(3):
        t = open(f"{work}/three-{kind}-{i}.txt").read()
        m = re.search(r"RESULT (.*)", t)
        d = dict(kv.split("=") for kv in m.group(1).split())
        rows.append((int(d[key]), float(d["seconds"]), int(d.get("non2xx", 0)) + int(d.get("errors", 0))))
    total = sum(r[0] for r in rows); seconds = max(r[1] for r in rows)
    shares = "/".join(f"{100 * r[0] / total:.0f}" if total else "0" for r in rows)
    return round(total / seconds), shares, sum(r[2] for r in rows)
a = load("append", "requests"); l = load("lockcycle", "cycles")
print(f"{a[0]} {a[1]} {a[2]} {l[0]} {l[1]} {l[2]}")
PY
)
read -r app3 share3 err3 lock3 lshare3 lerr3 <<<"$summary"
echo "case=appends replicas=3x8 ops_per_s=$app3 shares_pct=$share3 errors=$err3"
echo "case=lock-cycle replicas=3x8 cycles_per_s=$lock3 shares_pct=$lshare3 errors=$lerr3"
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=()

# --- the engine in-process, and cross-process hand-over ------------------------------------------------------------
eng=$(java -Xmx512m -cp "$cp" io.hasp.bench.EngineBench "$work/engine" "$secs" 2 | grep '^case=')
echo "$eng"
ho=$(java -cp "$cp" io.hasp.bench.HandoverBench "$work/handover" "$secs" | grep '^RESULT')
echo "case=cross-process-handover ${ho#RESULT }"

# --- the table -----------------------------------------------------------------------------------------------------
python3 - "$floor" "$sqlite" "$plain1" "$plain32" "$app1" "$app32" "$app10k" "$cycle1" "$app3" "$share3" "$err3" \
  "$lock3" "$lshare3" "$lerr3" "$eng" "$ho" <<'PY'
import re, sys
(floor, sqlite, plain1, plain32, app1, app32, app10k, cycle1, app3, share3, err3, lock3, lshare3, lerr3, eng, ho) = sys.argv[1:]
f = lambda x: float(x)
def eng_rate(case, clients):
    m = re.search(rf"case={case} clients={clients} ops_per_s=(\d+)", eng)
    return float(m.group(1)) if m else 0.0
floor_e1, floor_e8 = eng_rate("oexcl-floor", 1), eng_rate("oexcl-floor", 8)
e1, e8 = eng_rate("engine", 1), eng_rate("engine", 8)
p99 = int(re.search(r"p99_us=(\d+)", ho).group(1))
p50 = int(re.search(r"p50_us=(\d+)", ho).group(1))
regrants = re.search(r"handovers=(\d+) regrants=(\d+)", ho)
cap32 = min(8 * f(floor), 0.4 * f(plain32))
rows = [
  ("appends, 1 client", f"{app1}/s", f"{f(app1)/f(floor):.2f} x floor ({floor}/s)", ">= 0.7"),
  ("appends, 32 clients, one replica", f"{app32}/s",
   f"{f(app32)/cap32:.2f} x min(8 x floor, 0.4 x plain@32) = {cap32:.0f}; {f(app32)/min(3*f(sqlite), 0.4*f(plain32)):.2f} x min(3 x SQLite ({sqlite}/s), cap)", ">= 1, >= 1"),
  ("append to a 10,000-command queue, 1 client", f"{app10k}/s", f"{f(app10k)/f(app1):.2f} x the empty queue", ">= 0.7"),
  ("3 replicas x 8 clients, one queue", f"{app3}/s, shares {share3} %, {err3} errors",
   f"{f(app3)/min(4*f(floor), 0.25*f(plain32)):.2f} x min(4 x floor, 0.25 x plain@32)", ">= 1, each >= 15 %, 0 errors"),
  ("named-lock cycle, 1 client", f"{cycle1}/s", f"{f(cycle1)/f(plain1):.2f} x plain@1 ({plain1}/s)", ">= 0.25 (aim 0.4)"),
  ("3 replicas x 8 clients, one lock name", f"{lock3}/s, shares {lshare3} %, {lerr3} errors", "", "each >= 15 %, 0 errors"),
  ("cross-process hand-over", f"p50 {p50} us, p99 {p99} us",
   f"{regrants.group(1)} hand-overs, {regrants.group(2)} re-grants to the releasing process", "p99 <= 5 ms"),
  ("engine in-process, 1 thread", f"{e1:.0f}/s", f"{e1/floor_e1:.2f} x O_EXCL floor ({floor_e1:.0f}/s)", ">= 0.3"),
  ("engine in-process, 8 threads, one lock", f"{e8:.0f}/s", f"{e8/floor_e8:.2f} x O_EXCL floor ({floor_e8:.0f}/s)", ">= 0.5"),
]
print("\n| measure | Hasp | ratio to this run's baseline | target |\n| --- | --- | --- | --- |")
for r in rows:
    print("| " + " | ".join(r) + " |")
print(f"\nBaselines of this run: durable-write floor {floor}/s, SQLite WAL synchronous=FULL {sqlite} commits/s, "
      f"plain requests {plain1}/s at 1 connection and {plain32}/s at 32.")
PY
