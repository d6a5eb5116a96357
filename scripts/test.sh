#!/usr/bin/env bash
# Runs every test of Poort on this machine: it installs the toolchain, starts real Kafka and Postgres, builds,
# lints (including module boundaries) and runs unit, integration and end-to-end tests.
# The deployment is tested in three tiers (deploy/): static checks of helm/poort and k8s/, a real Kubernetes API
# server, and a real node running the chain (scripts/k8s/cluster.sh, built from source the first time: ~8 minutes,
# then cached in .cache/k8s; that build runs at the lowest priority beside the other tests, so it takes only the CPU
# they leave). POORT_SKIP_CLUSTER=1 skips the two cluster tiers for a quicker local run; CI runs all.
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
cluster_tools_pid=
stop_started_here() {
  local rc=$? service pids=()
  # A second Ctrl-C must not cut the stopping short (kafka.sh stop is bounded by KAFKA_STOP_TIMEOUT).
  trap '' INT TERM HUP
  trap - EXIT
  # The background build of the cluster tools, with the go commands it started (its own process group).
  [ -n "$cluster_tools_pid" ] && kill -- -"$cluster_tools_pid" 2>/dev/null
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

echo "[test] deployment tools (helm, kubectl, kubeconform, schemas, CRDs)" >&2
"$K8S/static-tools.sh"

# The cluster's tools (apt packages, then Kubernetes and CoreDNS compiled the first time: minutes of CPU) are made
# while the other tests run, at the lowest priority; the deployment tests wait for them. (After static-tools.sh:
# both may run apt-get.)
CLUSTER_TOOLS_LOG="$ROOT/.local/test-logs/cluster-tools.log"
if [ "$SKIP_CLUSTER" = 1 ]; then
  echo "[test] POORT_SKIP_CLUSTER=1: the API-server and node tiers of the deployment tests are skipped" >&2
else
  echo "[test] Kubernetes binaries: made in the background (built once, then cached in .cache/k8s; log ${CLUSTER_TOOLS_LOG#"$ROOT"/})" >&2
  mkdir -p "$(dirname "$CLUSTER_TOOLS_LOG")"
  setsid nice -n 19 "$K8S/cluster-tools.sh" >"$CLUSTER_TOOLS_LOG" 2>&1 &
  cluster_tools_pid=$!
fi

echo "[test] linting" >&2
pnpm run --silent lint

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
if [ -n "$cluster_tools_pid" ]; then
  echo "[test] waiting for the Kubernetes binaries" >&2
  if ! wait "$cluster_tools_pid"; then
    cluster_tools_pid=
    tail -n 30 "$CLUSTER_TOOLS_LOG" >&2
    echo "[test] making the cluster tools failed (log: ${CLUSTER_TOOLS_LOG#"$ROOT"/})" >&2
    exit 1
  fi
  cluster_tools_pid=
  cat "$CLUSTER_TOOLS_LOG" >&2
fi
run_tests "${deployment[@]}" || status=$?
exit "$status"
