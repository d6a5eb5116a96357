#!/usr/bin/env bash
# Runs every test of Poort on this machine: it installs the toolchain, starts real Kafka and Postgres, builds,
# lints (including module boundaries) and runs unit, integration and end-to-end tests.
# The deployment is tested in three tiers (deploy/): static checks of helm/poort and k8s/, a real Kubernetes API
# server, and a real node running the chain (scripts/k8s/cluster.sh, built from source the first time: ~8 minutes,
# then cached in .cache/k8s). POORT_SKIP_CLUSTER=1 skips the two cluster tiers for a quicker local run; CI runs all.
# Kafka, Postgres and the cluster that this script starts, it stops again when it ends (passed, failed or
# interrupted), so the ports are free for the next command, in this checkout or another; what already ran before it
# (e.g. after scripts/infra/up.sh) keeps running. Ports: PG_PORT (15432), KAFKA_PORT (19092), as for scripts/start.sh.
set -euo pipefail
INFRA="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/infra"
K8S="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/k8s"
SKIP_CLUSTER="${POORT_SKIP_CLUSTER:-0}"

started_here=()
"$INFRA/postgres.sh" status >/dev/null 2>&1 || started_here+=(postgres)
"$INFRA/kafka.sh" status >/dev/null 2>&1 || started_here+=(kafka)
cluster_was_up=false
"$K8S/cluster.sh" status >/dev/null 2>&1 && cluster_was_up=true
stop_started_here() {
  local rc=$? service pids=()
  # A second Ctrl-C must not cut the stopping short (kafka.sh stop is bounded by KAFKA_STOP_TIMEOUT).
  trap '' INT TERM HUP
  trap - EXIT
  if [ "$SKIP_CLUSTER" != 1 ] && ! $cluster_was_up && "$K8S/cluster.sh" status >/dev/null 2>&1; then
    echo "[test] stopping the Kubernetes cluster this run started" >&2
    "$K8S/cluster.sh" down || true
  fi
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

# The submitter CLI's end-to-end test drives poort in a terminal: tmux (Debian's package) when it is missing.
if ! command -v tmux >/dev/null; then
  echo "[test] installing tmux for the CLI's terminal test" >&2
  sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo)
  { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends tmux; } >/dev/null \
    || { echo "[test] apt-get install tmux failed" >&2; exit 1; }
fi

echo "[test] linting" >&2
pnpm run --silent lint

echo "[test] deployment tools (helm, kubectl, kubeconform, schemas, CRDs)" >&2
"$K8S/static-tools.sh"
if [ "$SKIP_CLUSTER" = 1 ]; then
  echo "[test] POORT_SKIP_CLUSTER=1: the API-server and node tiers of the deployment tests are skipped" >&2
else
  echo "[test] Kubernetes binaries (built once, then cached in .cache/k8s)" >&2
  "$K8S/cluster-tools.sh"
fi

# Each test file that needs the chain makes its own database and Kafka namespace; files run one at a time. The
# deployment tests run after all others, in a run of their own (node runs the files it is given in its own order):
# their cluster stays up until the end and would only compete with the others.
export POORT_ROOT="$ROOT" POORT_SKIP_CLUSTER="$SKIP_CLUSTER"
list_tests() { find "$@" -path '*/node_modules' -prune -o -path '*/dist/test/*' -name '*.test.js' -print | sort; }
run_tests() { node --enable-source-maps --test --test-concurrency=1 --test-reporter=spec --test-timeout=300000 "$@"; }
mapfile -t files < <(list_tests libs services e2e tooling bench cli)
mapfile -t deployment < <(list_tests deploy)
echo "[test] ${#files[@]} test files, then ${#deployment[@]} of the deployment" >&2
status=0
run_tests "${files[@]}" || status=$?
run_tests "${deployment[@]}" || status=$?
exit "$status"
