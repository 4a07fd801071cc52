#!/usr/bin/env bash
# Lock engine load harness: acquire+release cycles of the engine next to the bare O_CREAT|O_EXCL floor, one run.
# Usage: bench/engine.sh [SECONDS_PER_CASE] [WARMUP_SECONDS]   (the data goes to a temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q test-compile
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
java -Xmx512m -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" \
  io.hasp.bench.EngineBench "$dir" "${1:-5}" "${2:-2}"
