#!/usr/bin/env bash
# Runs every test of Poort on this machine: it installs the toolchain, starts real Kafka and Postgres, builds,
# lints (including module boundaries) and runs unit, integration and end-to-end tests.
# Kafka and Postgres that this script starts, it stops again when it ends (passed, failed or interrupted), so the
# ports are free for the next command, in this checkout or another; what already ran before it (e.g. after
# scripts/infra/up.sh) keeps running. Ports: PG_PORT (15432), KAFKA_PORT (19092), as for scripts/start.sh.
set -euo pipefail
INFRA="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/infra"

started_here=()
"$INFRA/postgres.sh" status >/dev/null 2>&1 || started_here+=(postgres)
"$INFRA/kafka.sh" status >/dev/null 2>&1 || started_here+=(kafka)
stop_started_here() {
  local rc=$? service pids=()
  # A second Ctrl-C must not cut the stopping short (kafka.sh stop is bounded by KAFKA_STOP_TIMEOUT).
  trap '' INT TERM HUP
  trap - EXIT
  if [ "${#started_here[@]}" -gt 0 ]; then
    echo "[test] stopping what this run started: ${started_here[*]}" >&2
    for service in "${started_here[@]}"; do
      "$INFRA/$service.sh" stop &
      pids+=($!)
    done
    wait "${pids[@]}" || true
  fi
  exit "$rc"
}
trap stop_started_here EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

source "$(dirname "${BASH_SOURCE[0]}")/provision.sh"

echo "[test] linting" >&2
pnpm run --silent lint

# Each test file that needs the chain makes its own database and Kafka namespace; files run one at a time.
export POORT_ROOT="$ROOT"
mapfile -t files < <(find libs services e2e tooling deploy -path '*/node_modules' -prune -o -path '*/dist/test/*' -name '*.test.js' -print | sort)
echo "[test] ${#files[@]} test files" >&2
node --enable-source-maps --test --test-concurrency=1 --test-reporter=spec --test-timeout=300000 "${files[@]}"
