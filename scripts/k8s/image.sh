#!/usr/bin/env bash
# The Poort image, one for every service: the container's args name the script to run, relative to /app
# (services/<name>/dist/src/main.js, the migration libs/message-state/dist/src/migrate.cli.js, the helm test client
# libs/smoke-test/dist/src/smoke-test.cli.js). Built here from the already-built workspace without pulling anything:
# the same image the Containerfile makes for real registries (Node 24 from the npm package the project already uses,
# the libraries it links, uid 10001, production node_modules), written as an OCI image layout by our own small writer.
#
#   scripts/k8s/image.sh build <tag>    after 'pnpm run build': writes .local/k8s/images/poort-<tag>.tar, and beside
#                                       it poort-<tag>.json (manifest and config digests, compressed and uncompressed size)
#   scripts/k8s/image.sh import <tag>   imports that archive into containerd's k8s.io namespace at $CONTAINERD_ADDRESS
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/scripts/k8s/image"
IMAGES="$ROOT/.local/k8s/images"
LAYER_CACHE="$ROOT/.cache/k8s/image-layers"
NODE_BIN="$ROOT/.tools/node_modules/.bin/node"
REPOSITORY=docker.io/library/poort

log() { printf '[k8s] %s\n' "$*" >&2; }
die() { printf '[k8s] ERROR: %s\n' "$*" >&2; exit 1; }
usage() { echo "usage: $0 build|import <tag>" >&2; exit 2; }

# One layer tar, the same bytes for the same files: names sorted, times, owners and PAX noise fixed.
layer_tar() {
  local out="$1" dir="$2"
  shift 2
  tar -C "$dir" -cf "$out" --sort=name --format=posix --mtime=@0 --owner=0 --group=0 --numeric-owner \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime "$@"
}

build() {
  local tag="$1" started archive created revision
  started=$(date +%s%3N)
  [ -x "$NODE_BIN" ] || die "no Node in .tools/: run scripts/bootstrap.sh first"
  # A directory of its own, so that builds of several tags can run at once; on the disk of the pnpm store, so that
  # the staged node_modules are hard links into it rather than copies.
  mkdir -p "$ROOT/.local/k8s"
  WORK="$(mktemp -d "$ROOT/.local/k8s/image-build.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  export PATH="$ROOT/.tools/node_modules/.bin:$PATH"
  archive="$IMAGES/poort-$tag.tar"

  log "image poort:$tag: staging /app (production dependencies only)"
  "$HERE/stage-app.sh" "$WORK/app-root/app"
  "$HERE/runtime-rootfs.sh" "$NODE_BIN" "$WORK/runtime-root"

  # Three layers, from the least to the most often changed: Node and its libraries, node_modules, Poort's own code.
  log "image poort:$tag: writing layers"
  layer_tar "$WORK/runtime.tar" "$WORK/runtime-root" .
  (cd "$WORK/app-root" && find app -type d -name node_modules -prune | sort) >"$WORK/deps.list"
  # Everything readable by the app's user and writable by nobody but root, whatever the umask of the build.
  layer_tar "$WORK/deps.tar" "$WORK/app-root" --mode=a+rX,u+w,go-w --files-from="$WORK/deps.list"
  layer_tar "$WORK/app.tar" "$WORK/app-root" --mode=a+rX,u+w,go-w --exclude=node_modules app

  created="$(git -C "$ROOT" log -1 --format=%cI 2>/dev/null || echo 1970-01-01T00:00:00Z)"
  revision="$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
  node "$HERE/oci-layout.mjs" --out "$WORK/layout" --cache "$LAYER_CACHE" --ref "$REPOSITORY:$tag" \
    --config "$HERE/image-config.json" --created "$created" \
    --label org.opencontainers.image.title=poort --label org.opencontainers.image.version="$tag" \
    --label org.opencontainers.image.revision="$revision" --label org.opencontainers.image.licenses=EUPL-1.2 \
    --layer "$WORK/runtime.tar" --layer "$WORK/deps.tar" --layer "$WORK/app.tar" >"$WORK/image.json"

  mkdir -p "$IMAGES"
  tar -C "$WORK/layout" -cf "$archive.partial" --sort=name --format=posix --mtime=@0 --owner=0 --group=0 \
    --numeric-owner --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime oci-layout index.json blobs
  mv "$archive.partial" "$archive"
  mv "$WORK/image.json" "$IMAGES/poort-$tag.json"
  find "$LAYER_CACHE" -type f -mtime +7 -delete
  local ms=$(( $(date +%s%3N) - started ))
  log "image poort:$tag: $archive in $(( ms / 1000 )).$(( ms % 1000 / 100 )) s"
  echo "$archive"
}

import_image() {
  local tag="$1" archive="$IMAGES/poort-$1.tar"
  [ -f "$archive" ] || die "no $archive: run '$0 build $tag' first"
  [ -n "${CONTAINERD_ADDRESS:-}" ] || die "CONTAINERD_ADDRESS is not set: source scripts/k8s/env.sh (or name a containerd socket)"
  [ -S "$CONTAINERD_ADDRESS" ] || die "no containerd socket at $CONTAINERD_ADDRESS: is the cluster up (scripts/k8s/cluster.sh up)?"
  command -v ctr >/dev/null || die "no ctr: install Debian's containerd (scripts/k8s/cluster-tools.sh does)"
  log "importing poort:$tag into containerd (k8s.io) at $CONTAINERD_ADDRESS"
  ctr --address "$CONTAINERD_ADDRESS" --namespace k8s.io images import "$archive" >&2
  # Captured, not piped into 'grep -q': grep leaving early makes ctr die of SIGPIPE, which pipefail reports as a failure.
  local listed
  listed="$(ctr --address "$CONTAINERD_ADDRESS" --namespace k8s.io images ls -q "name==$REPOSITORY:$tag")" \
    || die "ctr could not list the images after the import"
  [ -n "$listed" ] || die "containerd does not list $REPOSITORY:$tag after the import"
}

[ "$#" -eq 2 ] || usage
[[ "$2" =~ ^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$ ]] || die "'$2' is not a valid image tag"
case "$1" in
  build) build "$2" ;;
  import) import_image "$2" ;;
  *) usage ;;
esac
