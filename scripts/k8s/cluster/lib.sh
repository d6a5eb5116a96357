# shellcheck shell=bash disable=SC2034 # variables used by the scripts that source this
# Shared by scripts/k8s/cluster-tools.sh and scripts/k8s/cluster.sh (sourced, not run).
K8S_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLUSTER_FILES="$K8S_SCRIPTS/cluster"
ROOT="$(cd "$K8S_SCRIPTS/../.." && pwd)"
K8S_CACHE="$ROOT/.cache/k8s"
K8S_BIN="$K8S_CACHE/bin"
K8S_LOCAL="$ROOT/.local/k8s"

KUBE_VERSION="${KUBE_VERSION:-v1.36.3}"
COREDNS_VERSION="${COREDNS_VERSION:-v1.15.0}"
# The pause image's name is the one containerd's sandbox_image names (cluster/containerd.toml).
PAUSE_IMAGE=registry.k8s.io/pause:3.10

# log, die and show_tail, as the infra scripts have them.
TAG=k8s
# shellcheck source=../../infra/_common.sh
. "$ROOT/scripts/infra/_common.sh"

# The project's Node (provisioned into .tools), else the machine's: for the small scripts these run.
project_node() {
  if [ -x "$ROOT/.tools/node_modules/.bin/node" ]; then echo "$ROOT/.tools/node_modules/.bin/node"; else echo node; fi
}

need_root() {
  [ "$(id -u)" = 0 ] || die "$1 needs root (containers, mounts, network namespaces, iptables)"
}

# write_if_changed <file>: replaces the file with stdin only when that differs, so that running components that
# watch their configuration (kube-proxy exits when its file changes) are left alone by a repeated 'up'.
write_if_changed() {
  local tmp
  tmp="$(mktemp "$1.XXXXXX")"
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then
    rm -f "$tmp"
  else
    chmod go-rwx "$tmp"
    mv "$tmp" "$1"
  fi
}
