#!/usr/bin/env bash
# Packs a root filesystem directory into a one-layer image archive (the 'docker save' layout) that
# 'ctr -n k8s.io images import' loads, without a registry, a daemon or podman.
#
#   image-archive.sh <rootfs dir> <name:tag> <out.tar> [<user> <entrypoint> [<arg>...]]
set -euo pipefail
[ "$#" -ge 3 ] || { echo "usage: $0 <rootfs dir> <name:tag> <out.tar> [<user> <entrypoint> [<arg>...]]" >&2; exit 2; }
rootfs=$1 name=$2 out=$3
shift 3
user="${1:-}"
[ "$#" -gt 0 ] && shift

json_array() {
  local sep="" s
  printf '['
  for s in "$@"; do printf '%s"%s"' "$sep" "$s"; sep=,; done
  printf ']'
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Reproducible: the same rootfs gives the same layer digest, so re-imports are no-ops.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$rootfs" -cf "$work/layer.tar" .
layer_sum="$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
mkdir "$work/$layer_sum"
mv "$work/layer.tar" "$work/$layer_sum/layer.tar"

config="{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":\"$user\",\"Entrypoint\":$(json_array "$@"),\"WorkingDir\":\"/\"},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$layer_sum\"]}}"
config_sum="$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)"
printf '%s' "$config" >"$work/$config_sum.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config_sum" "$name" "$layer_sum" \
  >"$work/manifest.json"

mkdir -p "$(dirname "$out")"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work" -cf "$out.tmp" .
mv "$out.tmp" "$out"
