#!/usr/bin/env bash
# Runs target/quarkus-app/quarkus-run.jar the way docker/Dockerfile.jvm does, outside a container, so that the
# container's command can be tried without Docker. Builds nothing: run `./mvnw -B package -DskipTests` first.
#
# The JVM flags (JAVA_OPTS_APPEND) and HASP_DATA_DIR default to the values in the Dockerfile's ENV lines (read from
# it, so the two cannot drift apart); set either in the environment to override, e.g.
#   HASP_DATA_DIR=./data HASP_ADMIN_TOKEN=secret scripts/run-fastjar.sh
# Extra arguments are passed to the application. JAVA_OPTS, when set, comes before JAVA_OPTS_APPEND as in the
# image's run-java.sh (which also adds container-aware heap settings that a plain `java` does not need here).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dockerfile="$root/docker/Dockerfile.jvm"
jar="$root/target/quarkus-app/quarkus-run.jar"

image_env() {
    local value
    value="$(sed -n "s/^ENV $1=\"\(.*\)\"\$/\1/p" "$dockerfile")"
    if [[ -z "$value" ]]; then
        echo "run-fastjar: no ENV $1=\"...\" line in $dockerfile" >&2
        exit 2
    fi
    printf '%s' "$value"
}

if [[ ! -f "$jar" ]]; then
    echo "run-fastjar: $jar is missing; build it with ./mvnw -B package -DskipTests" >&2
    exit 1
fi

JAVA_OPTS_APPEND="${JAVA_OPTS_APPEND:-$(image_env JAVA_OPTS_APPEND)}"
HASP_DATA_DIR="${HASP_DATA_DIR:-$(image_env HASP_DATA_DIR)}"
export HASP_DATA_DIR

# Word splitting of the option strings is intended: each holds several JVM options.
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} $JAVA_OPTS_APPEND -jar "$jar" "$@"
