#!/usr/bin/env bash
# Installs what scripts/k8s/cluster.sh runs: Debian's containerd, runc, CNI plugins, conntrack and iptables
# (apt-get, when missing); Kubernetes $KUBE_VERSION's kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet and kube-proxy, and the etcd that version is built against, compiled from the Go
# module proxy; CoreDNS (go install); and a local pause image. Idempotent: a second run takes seconds.
#
# Binaries: .cache/k8s/kubernetes-<version>/bin and .cache/k8s/coredns-<version>/, linked from .cache/k8s/bin/.
# Images: .cache/k8s/images/. Build log: .cache/k8s/kubernetes-<version>/build.log.
# Env: KUBE_VERSION (v1.36.3), COREDNS_VERSION (v1.15.0), GOFLAGS (-p=2 on this 2-core machine kind).
set -euo pipefail
# shellcheck source=cluster/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/cluster/lib.sh"

PACKAGES=(containerd runc containernetworking-plugins conntrack iptables iproute2 openssl curl gcc libc6-dev)
KUBE_COMMANDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
KUBE_DIR="$K8S_CACHE/kubernetes-$KUBE_VERSION"
COREDNS_DIR="$K8S_CACHE/coredns-$COREDNS_VERSION"
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--p=2}"

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  need_root "installing ${missing[*]}"
  log "installing Debian packages: ${missing[*]}"
  mkdir -p "$K8S_CACHE"
  if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; } \
      >"$K8S_CACHE/apt.log" 2>&1; then
    show_tail "$K8S_CACHE/apt.log"
    die "apt-get install failed (full output: $K8S_CACHE/apt.log)"
  fi
}

# k8s.io/kubernetes requires its staging modules (k8s.io/api, k8s.io/client-go, ...) at v0.0.0 and replaces them
# with ./staging directories that a module download does not have. A throw-away module that requires
# k8s.io/kubernetes and replaces each staging module with its published v0.<minor>.<patch> builds the commands.
write_build_module() {
  local mod="$KUBE_DIR/module" gomod staging_version="v0.${KUBE_VERSION#v1.}" m etcd_version
  gomod="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')"
  [ -f "$gomod" ] || die "could not download k8s.io/kubernetes@$KUBE_VERSION from the Go module proxy"
  etcd_version="$(awk '$1 == "go.etcd.io/etcd/server/v3" { print $2 }' "$gomod")"
  rm -rf "$mod"
  mkdir -p "$mod"
  (
    cd "$mod"
    go mod init poort.local/kubernetes-build >/dev/null 2>&1
    go mod edit -require="k8s.io/kubernetes@$KUBE_VERSION" -require="go.etcd.io/etcd/server/v3@$etcd_version"
    awk '$2 == "=>" && $3 ~ /^\.\/staging\// { print $1 }' "$gomod" | while read -r m; do
      go mod edit -replace="$m=$m@$staging_version"
    done
    for m in "${KUBE_COMMANDS[@]}"; do go mod edit -tool="k8s.io/kubernetes/cmd/$m"; done
    go mod edit -tool=go.etcd.io/etcd/server/v3
    go mod tidy
  )
}

# kubectl version, Helm's kubeVersion checks and the apiserver's emulation version read these.
version_ldflags() {
  local minor="${KUBE_VERSION#v1.}" date pkg flags="-s -w"
  minor="${minor%%.*}"
  date="$(go list -m -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^\t"Time": "\(.*\)",\{0,1\}$/\1/p')"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  echo "$flags"
}

build_kubernetes() {
  local m done_marker="$KUBE_DIR/bin/.complete"
  [ -f "$done_marker" ] && return 0
  command -v go >/dev/null || die "go not found: the Kubernetes binaries are built from the Go module proxy (Go >= 1.25)"
  log "building Kubernetes $KUBE_VERSION (${KUBE_COMMANDS[*]}) and etcd from the Go module proxy; a few minutes"
  mkdir -p "$KUBE_DIR"
  local started=$SECONDS pkgs=()
  for m in "${KUBE_COMMANDS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$m"); done
  if ! {
    write_build_module &&
      cd "$KUBE_DIR/module" &&
      rm -rf "$KUBE_DIR/bin.tmp" && mkdir -p "$KUBE_DIR/bin.tmp" &&
      go build -trimpath -ldflags="$(version_ldflags)" -o "$KUBE_DIR/bin.tmp/" "${pkgs[@]}" &&
      go build -trimpath -ldflags="-s -w" -o "$KUBE_DIR/bin.tmp/etcd" go.etcd.io/etcd/server/v3
  } >"$KUBE_DIR/build.log" 2>&1; then
    show_tail "$KUBE_DIR/build.log"
    die "building Kubernetes $KUBE_VERSION failed (full output: $KUBE_DIR/build.log)"
  fi
  touch "$KUBE_DIR/bin.tmp/.complete"
  rm -rf "${KUBE_DIR:?}/bin"
  mv "$KUBE_DIR/bin.tmp" "$KUBE_DIR/bin"
  log "built Kubernetes $KUBE_VERSION in $((SECONDS - started))s"
}

build_coredns() {
  [ -x "$COREDNS_DIR/coredns" ] && return 0
  log "building CoreDNS $COREDNS_VERSION (go install)"
  local started=$SECONDS
  mkdir -p "$COREDNS_DIR"
  if ! GOBIN="$COREDNS_DIR.tmp" go install -trimpath -ldflags="-s -w" "github.com/coredns/coredns@$COREDNS_VERSION" \
      >"$K8S_CACHE/coredns-build.log" 2>&1; then
    show_tail "$K8S_CACHE/coredns-build.log"
    die "building CoreDNS $COREDNS_VERSION failed (full output: $K8S_CACHE/coredns-build.log)"
  fi
  mv "$COREDNS_DIR.tmp/coredns" "$COREDNS_DIR/coredns"
  rm -rf "$COREDNS_DIR.tmp"
  log "built CoreDNS $COREDNS_VERSION in $((SECONDS - started))s"
}

# Nothing can be pulled here: the pod sandbox image is a static binary, written as an image archive by the writer
# of the Poort image (scripts/k8s/image/oci-layout.mjs).
build_pause_image() {
  local src="$CLUSTER_FILES/pause.c" config="$CLUSTER_FILES/pause-config.json" writer="$K8S_SCRIPTS/image/oci-layout.mjs"
  local dir="$K8S_CACHE/images" sum work node
  sum="$(cat "$src" "$config" "$writer" | sha256sum | cut -c1-16)"
  [ -f "$dir/pause-$sum.tar" ] && return 0
  log "building the pause image $PAUSE_IMAGE"
  node="$(project_node)"
  work="$(mktemp -d)"
  mkdir -p "$work/rootfs" "$dir"
  gcc -static -Os -s -o "$work/rootfs/pause" "$src" || { rm -rf "$work"; die "could not compile $src"; }
  tar -C "$work/rootfs" -cf "$work/layer.tar" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner .
  "$node" "$writer" --out "$work/layout" --cache "$K8S_CACHE/image-layers" --ref "$PAUSE_IMAGE" --config "$config" \
    --created 1970-01-01T00:00:00Z --layer "$work/layer.tar" >/dev/null
  tar -C "$work/layout" -cf "$dir/pause-$sum.tar" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    oci-layout index.json blobs
  rm -rf "$work"
  find "$dir" -maxdepth 1 -name 'pause-*.tar' ! -name "pause-$sum.tar" -delete
  ln -sfn "pause-$sum.tar" "$dir/pause.tar"
}

link_binaries() {
  local b
  mkdir -p "$K8S_BIN"
  for b in "${KUBE_COMMANDS[@]}" etcd; do ln -sfn "../kubernetes-$KUBE_VERSION/bin/$b" "$K8S_BIN/$b"; done
  ln -sfn "../coredns-$COREDNS_VERSION/coredns" "$K8S_BIN/coredns"
}

started=$SECONDS
install_packages
build_kubernetes
build_coredns
build_pause_image
link_binaries
log "cluster tools ready in .cache/k8s/bin ($((SECONDS - started))s)"
