#!/usr/bin/env bash
# Settings for using the local cluster started by scripts/k8s/cluster.sh.
#   . scripts/k8s/env.sh          exports them into the current shell
#   eval "$(scripts/k8s/env.sh)"  the same from any shell; run alone it prints the export lines
# PATH gains .cache/k8s/bin (kubectl, helm and the cluster's binaries); KUBECONFIG is the cluster's admin;
# CONTAINERD_ADDRESS is the socket of the cluster's containerd (ctr --address, for 'images import' into k8s.io);
# POD_GATEWAY_IP is the host as pods see it (where host Kafka and Postgres listen for pods, see
# scripts/infra/kafka.sh and postgres.sh: KAFKA_POD_ADDRESS, PG_POD_ADDRESS).
# No 'set -euo pipefail' here: this file is sourced, and must not change the options of the caller's shell.
_poort_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/../.." && pwd)"
case ":$PATH:" in *":$_poort_root/.cache/k8s/bin:"*) ;; *) PATH="$_poort_root/.cache/k8s/bin:$PATH" ;; esac
export PATH
export KUBECONFIG="$_poort_root/.local/k8s/kubeconfig"
export CONTAINERD_ADDRESS="$_poort_root/.local/k8s/containerd/containerd.sock"
export POD_GATEWAY_IP=10.244.0.1
unset _poort_root

if [ -n "${BASH_VERSION:-}" ] && [ "${BASH_SOURCE[0]}" = "$0" ]; then
  printf 'export %s=%q\n' PATH "$PATH" KUBECONFIG "$KUBECONFIG" CONTAINERD_ADDRESS "$CONTAINERD_ADDRESS" \
    POD_GATEWAY_IP "$POD_GATEWAY_IP"
fi
